"""A self-contained ``report.html`` from a run folder's ``report.md`` and figures.

One file to send or open anywhere: the figures are embedded as base64 ``data:`` URIs, the
style is inline, and there is no JavaScript at all (nothing is fetched from the network).
The Markdown subset of the run reports is converted here: headings, paragraphs, lists,
pipe tables (with ``---:`` alignment), fenced code, images, links, ``**bold**``, ``*italic*``
and ``code``. PNG figures of ``figures/`` that the report does not show are appended.
"""
from __future__ import annotations

import base64
import html as _html
import os
import re

__all__ = ["write_report", "markdown_to_html"]

_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
         ".svg": "image/svg+xml"}

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.5; }
h1 { border-bottom: 2px solid #ddd; padding-bottom: .3em; } h2 { border-bottom: 1px solid #eee; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
th, td { border: 1px solid #ddd; padding: 4px 10px; } th { background: #f4f4f4; }
tr:nth-child(even) td { background: #fafafa; }
code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; font-size: 90%; }
pre { background: #f6f8fa; padding: 10px; overflow-x: auto; font-size: 12px; line-height: 1.3; }
pre code { background: none; padding: 0; }
img { max-width: 100%; border: 1px solid #eee; }
.missing { color: #a00; }
"""


def _data_uri(path: str) -> str | None:
    ext = os.path.splitext(path)[1].lower()
    if ext not in _MIME or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return f"data:{_MIME[ext]};base64,{base64.b64encode(f.read()).decode('ascii')}"


def _inline(text: str, base: str | None) -> str:
    """Inline Markdown → HTML: code spans first (their content is literal), then images, links, bold, italic."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if len(part) >= 2 and part.startswith("`") and part.endswith("`"):
            out.append(f"<code>{_html.escape(part[1:-1])}</code>")
            continue
        s = _html.escape(part, quote=False)

        def image(m):
            alt, src = m.group(1), _html.unescape(m.group(2))
            uri = _data_uri(os.path.join(base, src)) if base is not None and not re.match(r"\w+:", src) else None
            if uri is None:
                return f'<span class="missing">[figure {_html.escape(alt)}: {_html.escape(src)} not found]</span>'
            return f'<img alt="{_html.escape(alt)}" src="{uri}">'

        s = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", image, s)
        s = re.sub(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)",
                   lambda m: f'<a href="{_html.escape(_html.unescape(m.group(2)))}">{m.group(1)}</a>', s)
        s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
        s = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", s)
        out.append(s)
    return "".join(out)


def _cells(line: str) -> list:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def _is_rule(line: str) -> bool:
    return bool(re.fullmatch(r"\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*", line))


def markdown_to_html(text: str, base: str | None = None) -> str:
    """Convert the run reports' Markdown to an HTML fragment; images under ``base`` are embedded.

    Example:
        >>> print(markdown_to_html("# Run\\n\\n- **acc** 95%\\n\\n| a | b |\\n|---|---:|\\n| `x` | 1 |"))
        <h1>Run</h1>
        <ul>
        <li><strong>acc</strong> 95%</li>
        </ul>
        <table>
        <tr><th>a</th><th style="text-align:right">b</th></tr>
        <tr><td><code>x</code></td><td style="text-align:right">1</td></tr>
        </table>
    """
    lines = text.splitlines()
    out, i, para = [], 0, []

    def flush():
        if para:
            out.append(f"<p>{_inline(' '.join(para), base)}</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            out.append("<pre><code>" + _html.escape("\n".join(lines[i + 1:j])) + "</code></pre>")
            i = j + 1
            continue
        m = re.match(r"(#{1,6})\s+(.*)", stripped)
        if m:
            flush()
            n = len(m.group(1))
            out.append(f"<h{n}>{_inline(m.group(2), base)}</h{n}>")
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and _is_rule(lines[i + 1]):
            flush()
            aligns = []
            for c in _cells(lines[i + 1]):
                right, left = c.endswith(":"), c.startswith(":")
                aligns.append(' style="text-align:center"' if right and left else
                              ' style="text-align:right"' if right else "")
            rows = ["<table>", "<tr>" + "".join(f"<th{a}>{_inline(c, base)}</th>"
                                                for c, a in zip(_cells(line), aligns)) + "</tr>"]
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = _cells(lines[i])
                rows.append("<tr>" + "".join(f"<td{a}>{_inline(c, base)}</td>"
                                             for c, a in zip(cells, aligns + [""] * len(cells))) + "</tr>")
                i += 1
            out.append("\n".join(rows + ["</table>"]))
            continue
        if re.match(r"[-*]\s+", stripped):
            flush()
            items = []
            while i < len(lines) and re.match(r"\s*[-*]\s+", lines[i]):
                item = re.sub(r"^[-*]\s+", "", lines[i].strip())
                items.append(f"<li>{_inline(item, base)}</li>")
                i += 1
            out.append("<ul>\n" + "\n".join(items) + "\n</ul>")
            continue
        if not stripped:
            flush()
        else:
            para.append(stripped)
        i += 1
    flush()
    return "\n".join(out)


def write_report(run_dir, markdown: str = "report.md", out: str = "report.html") -> str:
    """Write ``run_dir/report.html``: ``report.md`` as HTML with every figure embedded.

    Args:
        run_dir: a run folder of ``deepglass train`` (or any folder with a Markdown page).
        markdown: the page, relative to ``run_dir``.
        out: the HTML file written, relative to ``run_dir``.

    Returns:
        the path written.
    """
    run_dir = os.fspath(run_dir)
    src = os.path.join(run_dir, markdown)
    if not os.path.isfile(src):
        raise FileNotFoundError(f"{src} not found: give a run folder of `deepglass train` (it holds {markdown})")
    with open(src, encoding="utf-8") as f:
        text = f.read()
    body = markdown_to_html(text, base=run_dir)
    shown = set(re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text))
    extra = []
    fig_dir = os.path.join(run_dir, "figures")
    if os.path.isdir(fig_dir):
        for name in sorted(os.listdir(fig_dir)):
            rel = f"figures/{name}"
            if name.lower().endswith(".png") and rel not in shown:
                extra.append(f"### {os.path.splitext(name)[0].replace('_', ' ')}\n\n![{name}]({rel})\n")
    if extra:
        body += "\n<h2>More figures</h2>\n" + markdown_to_html("\n".join(extra), base=run_dir)
    m = re.search(r"^#\s+(.*)$", text, flags=re.M)
    title = _html.escape(m.group(1).strip() if m else os.path.basename(os.path.abspath(run_dir)))
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>{_STYLE}</style>\n'
            f"</head>\n<body>\n{body}\n</body>\n</html>\n")
    path = os.path.join(run_dir, out)
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path
