"""report.html: self-contained (figures embedded, no script, no network) and faithful to report.md."""
import base64
import re
from html.parser import HTMLParser

import pytest

from deepglass.cli import main
from deepglass.insight.html import markdown_to_html, write_report


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.imgs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.imgs.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_cli_report_embeds_every_figure(digits_run, capsys):
    assert main(["report", digits_run]) == 0
    path = capsys.readouterr().out.strip().removeprefix("wrote ")
    page = open(path, encoding="utf-8").read()
    md = open(f"{digits_run}/report.md", encoding="utf-8").read()
    p = _Collect()
    p.feed(page)
    assert "script" not in p.tags and "link" not in p.tags
    assert not re.search(r"(src|href)=\"https?:", page)
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(figures) >= 4 and len(p.imgs) == len(figures)
    for img, fig in zip(p.imgs, figures):
        head, _, data = img["src"].partition(",")
        assert head == "data:image/png;base64"
        assert base64.b64decode(data) == open(f"{digits_run}/{fig}", "rb").read()
    text = "".join(p.text)
    acc = re.search(r"Test accuracy: ([\d.]+%)", md).group(1)
    assert f"Test accuracy: {acc}" in text
    assert p.tags.count("table") == len(re.findall(r"^\|\s*:?-{3,}", md, flags=re.M)) >= 3


def test_markdown_subset():
    html = markdown_to_html("## T\n\ntext *it* and **b** with `a<b` and [l](x.md)\nnext line\n\n"
                            "```\nx < 1\n```\n\n| a | b |\n|:---:|---|\n| 1 | 2 |\n\n![f](missing.png)", base=".")
    assert "<h2>T</h2>" in html
    assert "<p>text <em>it</em> and <strong>b</strong> with <code>a&lt;b</code> and <a href=\"x.md\">l</a> next line</p>" \
        in html
    assert "<pre><code>x &lt; 1</code></pre>" in html
    assert '<th style="text-align:center">a</th><th>b</th>' in html
    assert "figure f: missing.png not found" in html


def test_extra_figures_and_errors(tmp_path):
    (tmp_path / "figures").mkdir()
    png = b"\x89PNG\r\n\x1a\nfake"
    (tmp_path / "figures" / "health.png").write_bytes(png)
    (tmp_path / "report.md").write_text("# R\n")
    page = open(write_report(tmp_path)).read()
    assert "<h2>More figures</h2>" in page and base64.b64encode(png).decode() in page
    assert "<title>R</title>" in page
    with pytest.raises(FileNotFoundError, match="report.md"):
        write_report(tmp_path / "figures")
    assert main(["report", str(tmp_path / "nope")]) == 2
