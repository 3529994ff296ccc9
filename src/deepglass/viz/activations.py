"""The notes' activation table drawn by deepglass: each activation and its derivative.

The derivative curves are not written by hand: they are ``x.grad`` after
``f(x).sum().backward()``, i.e. computed by deepglass's own autograd — the
figure doubles as a visual check of every activation's backward.
"""
from __future__ import annotations

__all__ = ["plot_activations", "ACTIVATIONS"]

# (name in deepglass.nn.functional, panel title, formula, keyword options); the notes' table first
ACTIVATIONS = [
    ("softmax", "softmax([x, 0])₀", r"$e^{x_i} / \sum_j e^{x_j}$", {}),
    ("sigmoid", "sigmoid", r"$1 / (1 + e^{-x})$", {}),
    ("tanh", "tanh", r"$(1 - e^{-2x}) / (1 + e^{-2x})$", {}),
    ("relu", "ReLU", r"$\max(x, 0)$", {}),
    ("leaky_relu", "LeakyReLU (α=0.1)", r"$\max(\alpha x, x)$", {"negative_slope": 0.1}),
    ("elu", "ELU (α=1)", r"$x$ if $x>0$ else $\alpha(e^x - 1)$", {}),
    ("gelu", "GELU", r"$x\,\Phi(x)$", {}),
    ("silu", "SiLU / Swish", r"$x\,\sigma(x)$", {}),
    ("softplus", "Softplus", r"$\log(1 + e^x)$", {}),
]


def _curve(name, kwargs, x_range, num):
    import deepglass as dg
    from deepglass.nn import functional as F

    fn = getattr(F, name, None)
    if fn is None:
        return None
    x = dg.linspace(x_range[0], x_range[1], num).requires_grad_(True)
    if name == "softmax":  # a 2-class softmax: its first output against the logit gap
        y = fn(dg.stack([x, dg.zeros_like(x)], dim=1), dim=1)[:, 0]
    else:
        y = fn(x, **kwargs)
    y.sum().backward()
    return x.detach().numpy().copy(), y.detach().numpy().copy(), x.grad.numpy().copy()


def plot_activations(path=None, *, names=None, x_range=(-5.0, 5.0), num: int = 401, cols: int = 3):
    """Draw each activation of the notes' table and its derivative, one panel each.

    Activations missing from :mod:`deepglass.nn.functional` are skipped.

    Args:
        path: save a PNG there (its folder is created).
        names: the functional names to draw (default: :data:`ACTIVATIONS`' names).
        x_range: the x interval.
        num: points per curve.
        cols: panels per row.

    Returns:
        matplotlib ``Figure``.

    Example:
        >>> deepglass.viz.plot_activations("docs/images/activations.png")
    """
    import math
    import os

    from matplotlib.figure import Figure

    table = [a for a in ACTIVATIONS if names is None or a[0] in names]
    curves = [(a, _curve(a[0], a[3], x_range, num)) for a in table]
    curves = [(a, c) for a, c in curves if c is not None]
    if not curves:
        raise ValueError("none of the requested activations exists in deepglass.nn.functional")
    rows = math.ceil(len(curves) / cols)
    fig = Figure(figsize=(4.2 * cols, 3.2 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, ((_name, title, formula, _), (x, y, dy)) in zip(axes.flat, curves):
        ax.axhline(0, color="0.75", lw=0.8)
        ax.axvline(0, color="0.75", lw=0.8)
        ax.plot(x, y, color="tab:blue", lw=2, label="f(x)")
        ax.plot(x, dy, color="tab:orange", lw=1.6, ls="--", label="f′(x) (autograd)")
        ax.set_title(f"{title}\n{formula}", fontsize=10)
        ax.set_xlim(*x_range)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    for ax in list(axes.flat)[len(curves):]:
        ax.axis("off")
    fig.suptitle("Activation functions and their derivatives (computed by deepglass autograd)", fontsize=12)
    fig.tight_layout()
    if path is not None:
        folder = os.path.dirname(os.fspath(path))
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(path, dpi=110)
    return fig
