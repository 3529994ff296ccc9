"""The verdict of a :class:`~deepglass.insight.health.HealthMonitor`, in the notes' terms.

Rules (gradients, dead and saturated units: the median of the last three recordings of each layer):

- **vanishing gradients**: the gradient norm of the layer nearest the input is below 1e-3
  (error; 1e-2: warning) times that of the layer nearest the output — the signal fades by
  orders of magnitude on its way back, as through a stack of saturating sigmoids.
- **exploding gradients**: a non-finite gradient, or norms growing by more than 1e3 (error;
  1e2: warning) towards the input.
- **dead units**: a ReLU layer with at least 50% (error; 30%: warning) of its units 0 for
  every sample of the batch; the notes' remedies: LeakyReLU/PReLU/ELU, a lower learning
  rate, a better initialisation (Kaiming/He) or a smaller negative bias.
- **saturated units**: a sigmoid/tanh layer with at least 50% of its outputs in the flat
  tails (warning): its gradient there is below 0.01.
- **learning rate too high**: the median over the layers of the update ratio ‖ΔW‖/‖W‖ above
  0.2 at any recorded step ("exploding updates", error); **too low**: its median over the
  recorded steps below 1e-5 (warning; not when vanishing gradients explain it — and not from
  the last steps alone, where a schedule anneals the rate on purpose). About 1e-3 is healthy.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

_ORDER = {"error": 0, "warning": 1}


@dataclass
class Finding:
    """One diagnosis: ``kind`` (``vanishing_gradients``, ``exploding_gradients``, ``dead_units``,
    ``saturated_units``, ``lr_too_high``, ``lr_too_low``), ``severity`` (``error``/``warning``),
    a sentence, the layers concerned and the suggestion."""

    kind: str
    severity: str
    message: str
    layers: list = field(default_factory=list)
    suggestion: str = ""

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message}" + (f" — {self.suggestion}" if self.suggestion else "")

    def as_dict(self) -> dict:
        return asdict(self)


def diagnose_health(mon) -> list:
    """Findings of a monitor (see the module docstring for the rules), errors first."""
    out = []
    grads = mon.latest("grad_norm")
    bad = [k for k, v in grads.items() if not math.isfinite(v)]
    if bad:
        out.append(Finding("exploding_gradients", "error", f"non-finite gradient norms in {', '.join(bad)}", bad,
                           "lower the learning rate, clip gradients (clip_grad_norm_), check the loss for log(0)"))
    finite = {k: v for k, v in grads.items() if math.isfinite(v)}
    if len(finite) >= 2:
        names = list(finite)
        first, last = finite[names[0]], finite[names[-1]]
        if last > 0:
            ratio = first / last
            if ratio < 1e-2:
                sev = "error" if ratio < 1e-3 else "warning"
                out.append(Finding(
                    "vanishing_gradients", sev,
                    f"vanishing gradients: the gradient norm falls {1 / max(ratio, 1e-300):.1e}× from "
                    f"{names[-1]} (output side, {last:.2e}) to {names[0]} (input side, {first:.2e})",
                    [names[0], names[-1]],
                    "use ReLU-family activations instead of sigmoid/tanh in hidden layers, Kaiming/Xavier "
                    "initialisation, batch normalisation or residual connections"))
            elif ratio > 1e2:
                sev = "error" if ratio > 1e3 else "warning"
                out.append(Finding(
                    "exploding_gradients", sev,
                    f"exploding gradients: the gradient norm grows {ratio:.1e}× from {names[-1]} ({last:.2e}) "
                    f"to {names[0]} ({first:.2e})", [names[0], names[-1]],
                    "lower the learning rate, clip gradients (clip_grad_norm_), use a smaller initialisation or "
                    "batch normalisation"))
    dead = mon.latest("dead_frac")
    for sev, lo, hi in (("error", 0.5, 1.01), ("warning", 0.3, 0.5)):
        layers = [k for k, v in dead.items() if lo <= v < hi]
        if layers:
            desc = ", ".join(f"{k} {dead[k]:.0%}" for k in layers)
            out.append(Finding("dead_units", sev, f"dead ReLU units (0 for every sample of the batch): {desc}", layers,
                               "use LeakyReLU, PReLU or ELU, a lower learning rate, or a better initialisation "
                               "(Kaiming/He, no large negative bias)"))
    sat = mon.latest("saturated_frac")
    layers = [k for k, v in sat.items() if v >= 0.5]
    if layers:
        desc = ", ".join(f"{k} {sat[k]:.0%}" for k in layers)
        out.append(Finding("saturated_units", "warning", f"saturated sigmoid/tanh units (gradient < 0.01): {desc}",
                           layers, "normalise the inputs, use a smaller initialisation or ReLU-family activations"))
    ratios = {k: v for k, v in mon.latest("update_ratio").items() if v > 0 or not math.isfinite(v)}
    per_step = _step_medians(mon)
    if per_step:
        at = max(per_step, key=lambda s: per_step[s] if math.isfinite(per_step[s]) else math.inf)
        peak = per_step[at]
        typical = float(np.median(list(per_step.values())))
        if not math.isfinite(peak) or peak > 0.2:
            out.append(Finding("lr_too_high", "error",
                               f"exploding updates: the median update-to-weight ratio ‖ΔW‖/‖W‖ reached {peak:.2e} "
                               f"at step {at} (healthy: about 1e-3); the learning rate is too high", list(ratios),
                               "lower the learning rate by 10× or more, or add warm-up / gradient clipping"))
        elif typical < 1e-5 and not any(f.kind == "vanishing_gradients" for f in out):
            out.append(Finding("lr_too_low", "warning",
                               f"tiny updates: the update-to-weight ratio ‖ΔW‖/‖W‖ is {typical:.2e} over the run "
                               "(median; healthy: about 1e-3); the learning rate is too low", list(ratios),
                               "raise the learning rate (try 10×) or use an adaptive optimizer (Adam)"))
    out.sort(key=lambda f: _ORDER.get(f.severity, 2))
    return out


def _step_medians(mon) -> dict:
    """``{step: median over the layers of the update ratio}`` (layers with a zero update left out)."""
    by_step: dict = {}
    for _, (steps, vals) in mon.series("update_ratio").items():
        for s, v in zip(steps.tolist(), vals.tolist()):
            if v > 0 or not math.isfinite(v):
                by_step.setdefault(s, []).append(v)
    return {s: float(np.median(v)) for s, v in by_step.items()}


def _fmt(x) -> str:
    if x is None:
        return "—"
    if not math.isfinite(x):
        return str(x)
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"


def health_markdown(mon, figure: str | None = None) -> str:
    """The ``## Training health`` Markdown section of a monitor."""
    lines = ["## Training health", ""]
    findings = diagnose_health(mon)
    if not mon.steps:
        lines += ["No step was recorded (call `monitor.step()` after each `optimizer.step()`).", ""]
        return "\n".join(lines)
    lines.append(f"Recorded every {mon.every} steps ({len(mon.steps)} recordings, steps {mon.steps[0]}–"
                 f"{mon.steps[-1]}).")
    lines.append("")
    if findings:
        lines += [f"- **{f.severity}**: {f.message}. *Try*: {f.suggestion}." for f in findings]
    else:
        lines.append("- No alarm: gradients keep their scale through the layers, no dead or saturated units, "
                     "update ratios near the healthy ~1e-3.")
    lines += ["", "| layer | act mean | act std | dead / saturated | grad norm | update ratio |",
              "| --- | --- | --- | --- | --- | --- |"]
    metrics = {m: mon.latest(m) for m in ("act_mean", "act_std", "dead_frac", "saturated_frac", "grad_norm",
                                          "update_ratio")}
    for layer in mon.layers:
        d = metrics["dead_frac"].get(layer)
        s = metrics["saturated_frac"].get(layer)
        frac = f"{d:.0%} dead" if d is not None else f"{s:.0%} sat." if s is not None else "—"
        kind = getattr(mon, "types", {}).get(layer)
        name = f"{layer} ({kind})" if kind and kind != layer else layer
        lines.append(f"| {name} | {_fmt(metrics['act_mean'].get(layer))} | {_fmt(metrics['act_std'].get(layer))} | "
                     f"{frac} | {_fmt(metrics['grad_norm'].get(layer))} | {_fmt(metrics['update_ratio'].get(layer))} |")
    if figure:
        lines += ["", f"![gradient norm per layer]({figure})"]
    lines.append("")
    return "\n".join(lines)


def plot_gradients(mon, path=None):
    """Two panels: gradient norm per layer over training, and the update ratio (1e-3 marked)."""
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    grads = mon.series("grad_norm")
    cmap = plt.get_cmap("viridis")
    n = max(len(grads), 1)
    types = getattr(mon, "types", {})
    for i, (layer, (steps, vals)) in enumerate(grads.items()):
        label = f"{layer} ({types[layer]})" if types.get(layer, layer) != layer else layer
        ax1.plot(steps, np.where(vals > 0, vals, np.nan), label=label, color=cmap(i / max(n - 1, 1)))
    ax1.set_yscale("log")
    ax1.set_xlabel("step")
    ax1.set_ylabel("‖∂L/∂W‖")
    ax1.set_title("gradient norm per layer (dark: input side)")
    for i, (layer, (steps, vals)) in enumerate(mon.series("update_ratio").items()):
        ax2.plot(steps, np.where(vals > 0, vals, np.nan), label=layer, color=cmap(i / max(n - 1, 1)))
    ax2.axhline(1e-3, color="gray", linestyle="--", linewidth=1)
    ax2.set_yscale("log")
    ax2.set_xlabel("step")
    ax2.set_ylabel("‖ΔW‖/‖W‖")
    ax2.set_title("update-to-weight ratio (dashed: 1e-3)")
    if grads and len(grads) <= 12:
        ax1.legend(fontsize=7)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
        plt.close(fig)
    return fig
