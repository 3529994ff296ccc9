"""Figures and a Markdown page for the explanations of :mod:`deepglass.insight.explain`.

:func:`explain_to_folder` runs the chosen methods on one input and writes one PNG per
method and ``explain.md`` (used by ``deepglass explain``).
"""
from __future__ import annotations

import os

import numpy as np

from . import explain as E

__all__ = ["explain_to_folder", "METHODS"]

#: the methods of ``deepglass explain --method``
METHODS = ("gradcam", "saliency", "attention", "rf")


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _image(x) -> np.ndarray:
    """(C, H, W) → an (H, W) or (H, W, 3) image scaled to [0, 1] for display ((F,) → a 1×F strip)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[None]
    if x.ndim == 3:
        x = np.transpose(x, (1, 2, 0)) if x.shape[0] == 3 else x.mean(axis=0)
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def _show(ax, img, title):
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None, interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.axis("off")


def _save(fig, path):
    plt = _plt()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _gradcam_figure(img, r, label, path):
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.2))
    _show(axes[0], img, "input")
    axes[1].imshow(r["cam"], cmap="jet", interpolation="nearest")
    axes[1].set_title(f"class activation map at {r['layer']}", fontsize=9)
    axes[1].axis("off")
    _show(axes[2], img, f"Grad-CAM: {label}")
    axes[2].imshow(r["heatmap"], cmap="jet", alpha=0.5, interpolation="bilinear")
    return _save(fig, path)


def _saliency_figure(img, r, label, path):
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.2))
    _show(axes[0], img, "input")
    axes[1].imshow(np.atleast_2d(r["saliency"]), cmap="hot", interpolation="nearest")
    axes[1].set_title(f"saliency max_c |∂y/∂x|: {label}", fontsize=9)
    axes[1].axis("off")
    return _save(fig, path)


def _rf_figure(img, r, path):
    from matplotlib.patches import Rectangle

    plt = _plt()
    fig, ax = plt.subplots(figsize=(3.6, 3.6))
    _show(ax, img, f"receptive field of {r['layer']}'s centre unit: {r['size']}")
    (y0, y1), (x0, x1) = r["region"][-2:] if len(r["region"]) >= 2 else ((0, 0), r["region"][0])
    ax.add_patch(Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0 + 1, y1 - y0 + 1, fill=False, edgecolor="red", linewidth=2))
    return _save(fig, path)


def _rollout_figure(img, r, path):
    plt = _plt()
    n = len(r["maps"])
    fig, axes = plt.subplots(1, 2 + min(n, 4), figsize=(3.2 * (2 + min(n, 4)), 3.2))
    _show(axes[0], img, "input")
    if r["grid"] is not None:
        h, w = img.shape[:2]
        _show(axes[1], img, "attention rollout (class token)")
        axes[1].imshow(r["grid"], cmap="jet", alpha=0.5, extent=(-0.5, w - 0.5, h - 0.5, -0.5),
                       interpolation="nearest")
    else:
        axes[1].imshow(r["rollout"], cmap="viridis")
        axes[1].set_title("attention rollout", fontsize=9)
    for ax, name, a in zip(axes[2:], r["layers"], r["maps"]):
        ax.imshow(a, cmap="viridis")
        ax.set_title(f"{'.'.join(name.split('.')[-2:])} (heads avg.)", fontsize=8)
        ax.axis("off")
    return _save(fig, path)


def _gates_figure(img, gates, path):
    plt = _plt()
    panels = []
    for name, g in gates.items():
        if "channel" in g:
            panels.append(("bar", f"{name}: {g['kind'].upper()} channel weights", g["channel"]))
        if "spatial" in g:
            panels.append(("map", f"{name}: CBAM spatial weights", g["spatial"]))
        if "warped" in g:
            panels.append(("img", f"{name}: spatial transformer's warped input", _image(g["warped"])))
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(3.4 * (len(panels) + 1), 3.2), squeeze=False)
    _show(axes[0][0], img, "input")
    for ax, (kind, title, data) in zip(axes[0][1:], panels):
        if kind == "bar":
            ax.bar(np.arange(data.size), data, color="tab:blue")
            ax.set_ylim(0, 1)
            ax.set_xlabel("channel")
            ax.set_title(title, fontsize=8)
        else:
            ax.imshow(data, cmap="jet" if kind == "map" else ("gray" if data.ndim == 2 else None), vmin=0, vmax=1)
            ax.set_title(title, fontsize=8)
            ax.axis("off")
    return _save(fig, path)


def explain_to_folder(model, x, out_dir, methods=None, classes=None, name: str = "input", target=None) -> dict:
    """Run the explanation ``methods`` on one input and write ``<method>.png`` files and ``explain.md``.

    Args:
        model: the classifier (put into eval mode here).
        x: one sample without the batch axis (``(C, H, W)`` for an image, ``(F,)`` for a row).
        out_dir: the folder written (created when missing).
        methods: names from :data:`METHODS` (default: all that apply to the model; a method that does not
            apply when asked for explicitly raises its error).
        classes: class names for the labels.
        target: the class explained (default: the predicted one).

    Returns:
        ``{"markdown": path, "figures": {method: path}, "class", "probability", "skipped": {method: reason}}``.
    """
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    explicit = methods is not None
    methods = list(METHODS if methods is None else methods)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown explanation method {unknown[0]!r}; choose from {', '.join(METHODS)}")
    xb = E._as_tensor(x).unsqueeze(0)  # one sample → a batch of one (whatever its rank: image, sequence, row)
    img = _image(E._np(xb)[0])
    from .. import no_grad

    with no_grad():
        logits = E._np(E._logits(model(xb)))[0].astype(np.float64)
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    pred = int(probs.argmax()) if target is None else int(target)
    label = str(classes[pred]) if classes is not None and pred < len(classes) else str(pred)
    figures, skipped, text = {}, {}, []

    def attempt(method, fn):
        try:
            fn()
        except (ValueError, RuntimeError) as e:
            if explicit:
                raise
            skipped[method] = str(e)

    def gradcam():
        r = E.grad_cam(model, xb, target=pred)
        figures["gradcam"] = _gradcam_figure(img, r, label, os.path.join(out_dir, "gradcam.png"))
        text.append(("Grad-CAM", "gradcam",
                     f"The gradient of the class score y^c averaged over each channel of `{r['layer']}` weighs that "
                     f"channel's map; L = ReLU(Σ_k α_k A^k) shows where the evidence for **{label}** lies "
                     f"({r['cam'].shape[0]}×{r['cam'].shape[1]} map, upsampled to the input)."))

    def sal():
        r = E.saliency(model, xb, target=pred)
        figures["saliency"] = _saliency_figure(img, r, label, os.path.join(out_dir, "saliency.png"))
        text.append(("Saliency", "saliency",
                     "The input gradient ∂y^c/∂x: pixels whose small change moves the class score most "
                     f"(max over channels of its magnitude; largest {float(r['saliency'].max()):.3g})."))

    def attention():
        from ..nn import MultiheadAttention

        if any(isinstance(m, MultiheadAttention) for m in model.modules()):
            r = E.attention_rollout(model, xb)
            figures["attention"] = _rollout_figure(img, r, os.path.join(out_dir, "attention.png"))
            text.append(("Attention", "attention",
                         f"{len(r['maps'])} attention maps (heads averaged) and their rollout Π(½A + ½I): how "
                         "much each patch reaches the class token through all the layers."))
        else:
            gates = E.attention_gates(model, xb)
            figures["attention"] = _gates_figure(img, gates, os.path.join(out_dir, "attention.png"))
            kinds = ", ".join(sorted({g["kind"].upper() for g in gates.values()}))
            text.append(("Attention", "attention",
                         f"What the attention modules ({kinds}) computed for this input: SE/CBAM channel "
                         "weights (which feature maps matter), CBAM's spatial weights (where), the spatial "
                         "transformer's warped input."))

    def rf():
        r = E.receptive_field_box(model, xb)
        figures["rf"] = _rf_figure(img, r, os.path.join(out_dir, "rf.png"))
        text.append(("Receptive field", "rf",
                     f"The input pixels that can influence the centre unit of `{r['layer']}`: {r['size']} pixels "
                     f"across (measured by autograd), rows {r['region'][0][0]}–{r['region'][0][1]}."))

    for m in methods:
        attempt(m, {"gradcam": gradcam, "saliency": sal, "attention": attention, "rf": rf}[m])
    lines = [f"# Explanation of `{name}`", "",
             f"Prediction: **{label}** (p = {probs[pred]:.3f})" + ("" if target is None else " — the class asked for"),
             ""]
    top = np.argsort(probs)[::-1][:3]
    lines.append("Top classes: " + ", ".join(
        f"{classes[i] if classes is not None and i < len(classes) else i} {probs[i]:.3f}" for i in top))
    lines.append("")
    for title, key, para in text:
        lines += [f"## {title}", "", para, "", f"![{title}]({os.path.basename(figures[key])})", ""]
    for m, why in skipped.items():
        lines += [f"- *{m}* not shown: {why}"]
    md = os.path.join(out_dir, "explain.md")
    with open(md, "w", encoding="utf-8") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    return {"markdown": md, "figures": figures, "class": pred, "label": label, "probability": float(probs[pred]),
            "skipped": skipped}
