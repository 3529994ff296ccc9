"""The text table of a :class:`~deepglass.analysis.summary.Summary`."""
from __future__ import annotations


def human(n, unit="", base=1000.0) -> str:
    """1234567 → '1.23 M' (decimal prefixes; ``base=1024`` for binary)."""
    n = float(n)
    for p in ("", " K", " M", " G", " T"):
        if abs(n) < base:
            return (f"{n:.0f}{p}" if p == "" else f"{n:.2f}{p}") + unit
        n /= base
    return f"{n:.2f} P{unit}"


def _shape(s):
    return "—" if s is None else "×".join(str(x) for x in s)


def _geo(r):
    parts = []
    if r.kernel_size is not None:
        k = r.kernel_size
        parts.append("k" + ("×".join(map(str, k)) if len(set(k)) > 1 else str(k[0])))
    if r.stride is not None and any(s != 1 for s in r.stride):
        parts.append("s" + ",".join(map(str, sorted(set(r.stride)))))
    if r.padding is not None and any(p != 0 for p in r.padding):
        parts.append("p" + ",".join(map(str, sorted(set(r.padding)))))
    if r.dilation is not None and any(d != 1 for d in r.dilation):
        parts.append("d" + ",".join(map(str, sorted(set(r.dilation)))))
    if r.groups not in (None, 1):
        parts.append(f"g{r.groups}")
    return " ".join(parts)


def _rf(r):
    if r.rf_whole:
        return "whole"
    if r.rf_size is None:
        return ""
    return f"{r.rf_size}/{r.rf_jump}"


def render(s) -> str:
    head = ["Layer (type)", "Geometry", "Output shape", "Params", "MACs", "FLOPs", "Out bytes", "RF/jump"]
    body = []
    for r in s.rows:
        name = "  " * max(r.depth - 1, 0) + f"{r.name} ({r.type})"
        body.append([name, _geo(r), _shape(r.output_shape), f"{r.params:,}" if r.params else "—",
                     human(r.macs) if r.macs else "—", human(r.flops) if r.flops else "—",
                     human(r.output_bytes, "B"), _rf(r)])
    widths = [max(len(h), *(len(row[i]) for row in body)) if body else len(h) for i, h in enumerate(head)]
    align = ["<", "<", "<", ">", ">", ">", ">", ">"]

    def line(cells):
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths))

    rule = "=" * len(line(head))
    out = [rule, line(head), rule] + [line(b) for b in body] + [rule]
    t = s
    out += [
        f"Input: {'×'.join(map(str, t.input_size))} {t.dtype}    Output: {_shape(t.output_shape)}    "
        f"pass: {t.mode}",
        f"Total params: {t.total_params:,}  (trainable {t.trainable_params:,}, frozen {t.non_trainable_params:,}; "
        "shared tensors once, buffers excluded)",
        f"Params size: {human(t.param_bytes, 'B')} ({t.param_bytes / 2**20:.2f} MiB)",
        f"MACs: {t.macs:,} ({human(t.macs)})    FLOPs (2·MACs + element-wise): {t.flops:,} ({human(t.flops)}); "
        f"element-wise {t.elementwise_flops:,}",
        f"Forward activations: {human(t.activation_bytes, 'B')}    Input: {human(t.input_bytes, 'B')}    "
        f"Estimated training memory ({t.optimizer}): {human(t.training_bytes, 'B')}",
    ]
    if t.convention_result is not None:
        c = t.convention_result
        extra = ", ".join(f"{k}={v}" for k, v in c.items() if k not in ("total", "unit"))
        out.append(f"{t.convention} convention: {c['total']:,} {c['unit']}" + (f" ({extra})" if extra else ""))
    if t.note:
        out.append("Note: " + t.note)
    out.append(rule)
    return "\n".join(out)
