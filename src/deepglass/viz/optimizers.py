"""The notes' optimizer animation, run by deepglass's own optimizers.

SGD → SGDM → NAG → AdaGrad → AdaDelta → Adam → NAdam race from the same start
on 2-D test surfaces; each step is a real ``loss.backward(); opt.step()`` of
:mod:`deepglass.optim` on a two-element parameter. The trajectories are drawn
over the surface's contours and saved as an animated GIF plus a PNG of the
final frame.

- ``saddle``: f(x, y) = x² − y² + y⁴/4 — a saddle at the origin between two valleys
  (y = ±√2). Starting on the ridge with a tiny y offset, plain SGD lingers near the
  saddle, momentum escapes faster, and the adaptive methods (which rescale the
  tiny y-gradient) leave almost at once.
- ``beale``: Beale's function (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²,
  a curved, badly scaled valley with its minimum at (3, 0.5).
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["optimizer_race", "SURFACES", "RACERS", "run_race"]


def _saddle(x, y):
    return x * x - y * y + y ** 4 / 4


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


# name -> (function usable on numpy arrays and deepglass tensors, start, x range, y range, minima, log-levels)
SURFACES = {
    "saddle": dict(f=_saddle, start=(1.8, 1e-3), xlim=(-2.0, 2.0), ylim=(-2.2, 2.2),
                   minima=[(0.0, 2 ** 0.5), (0.0, -(2 ** 0.5))], title="saddle  x² − y² + y⁴/4", log=False),
    "beale": dict(f=_beale, start=(0.7, 1.4), xlim=(-0.5, 4.0), ylim=(-1.5, 2.0), minima=[(3.0, 0.5)],
                  title="Beale's function", log=True),
}

# label -> (deepglass.optim class name, options per surface). Learning rates are chosen per surface so
# that every racer moves visibly in a few hundred steps (AdaDelta's default lr=1.0 barely leaves the start).
RACERS = {
    "SGD": ("SGD", {"saddle": dict(lr=0.02), "beale": dict(lr=2e-3)}),
    "SGDM": ("SGD", {"saddle": dict(lr=0.02, momentum=0.9), "beale": dict(lr=2e-3, momentum=0.9)}),
    "NAG": ("SGD", {"saddle": dict(lr=0.02, momentum=0.9, nesterov=True),
                    "beale": dict(lr=2e-3, momentum=0.9, nesterov=True)}),
    "AdaGrad": ("Adagrad", {"saddle": dict(lr=0.5), "beale": dict(lr=0.5)}),
    "AdaDelta": ("Adadelta", {"saddle": dict(lr=5.0), "beale": dict(lr=5.0)}),
    "Adam": ("Adam", {"saddle": dict(lr=0.05), "beale": dict(lr=0.05)}),
    "NAdam": ("NAdam", {"saddle": dict(lr=0.05), "beale": dict(lr=0.05)}),
}

COLORS = ["#d62728", "#ff7f0e", "#bcbd22", "#2ca02c", "#17becf", "#1f77b4", "#9467bd"]


def run_race(surface: str, steps: int = 200) -> dict:
    """Run every racer on ``surface`` with deepglass's optimizers.

    Returns:
        ``{label: array (steps + 1, 2)}`` — the (x, y) positions, start included.
    """
    import deepglass as dg
    from deepglass import optim

    if surface not in SURFACES:
        raise ValueError(f"unknown surface {surface!r}; choose from {sorted(SURFACES)}")
    spec = SURFACES[surface]
    out = {}
    for label, (cls, options) in RACERS.items():
        p = dg.tensor(np.array(spec["start"], dtype=np.float64), requires_grad=True)
        opt = getattr(optim, cls)([p], **options[surface])
        path = [p.detach().numpy().copy()]
        for _ in range(steps):
            opt.zero_grad()
            spec["f"](p[0], p[1]).backward()
            opt.step()
            path.append(p.detach().numpy().copy())
        out[label] = np.array(path)
    return out


def _options_text(label, surface):
    opts = RACERS[label][1][surface]
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in opts.items()
                     if k != "nesterov")


def optimizer_race(out_dir=".", *, surfaces=("saddle", "beale"), steps: int = 200, frames: int = 50,
                   fps: int = 10, dpi: int = 80, name: str = "optimizer_race") -> dict:
    """Animate SGD, SGDM, NAG, AdaGrad, AdaDelta, Adam and NAdam on 2-D test surfaces.

    Args:
        out_dir: folder for ``<name>.gif`` (the animation) and ``<name>.png`` (its final frame).
        surfaces: which of :data:`SURFACES` to draw, one panel each.
        steps: optimizer steps per racer.
        frames: frames in the GIF (each shows the trajectories up to a step).
        fps: frames per second of the GIF.
        dpi: resolution.
        name: file stem.

    Returns:
        ``{"gif": path, "png": path, "frames": frames, "trajectories": {surface: {label: (steps+1, 2)}}}``.

    Example:
        >>> deepglass.viz.optimizer_race("docs/images", steps=300, frames=60)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure
    from PIL import Image

    if frames < 1 or steps < 1:
        raise ValueError(f"frames and steps must be positive, got frames={frames}, steps={steps}")
    os.makedirs(out_dir, exist_ok=True)
    trajs = {s: run_race(s, steps) for s in surfaces}

    fig = Figure(figsize=(5.4 * len(surfaces), 5.0))
    canvas = FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(surfaces), squeeze=False)[0]
    artists = []
    for ax, s in zip(axes, surfaces):
        spec = SURFACES[s]
        xs = np.linspace(*spec["xlim"], 300)
        ys = np.linspace(*spec["ylim"], 300)
        X, Y = np.meshgrid(xs, ys)
        Z = spec["f"](X, Y)
        if spec["log"]:
            Z = np.maximum(Z, 1e-3)
            ax.contourf(X, Y, Z, levels=np.logspace(-3, 5, 33), norm=LogNorm(), cmap="Greys_r", alpha=0.55)
            ax.contour(X, Y, Z, levels=np.logspace(-2, 5, 15), norm=LogNorm(), colors="0.35", linewidths=0.5)
        else:
            ax.contourf(X, Y, Z, levels=30, cmap="Greys_r", alpha=0.55)
            ax.contour(X, Y, Z, levels=16, colors="0.35", linewidths=0.5)
        for mx, my in spec["minima"]:
            ax.plot(mx, my, marker="*", color="gold", markersize=15, markeredgecolor="k", zorder=5)
        ax.plot(*spec["start"], marker="o", color="k", markersize=5, zorder=5)
        ax.set_xlim(*spec["xlim"])
        ax.set_ylim(*spec["ylim"])
        ax.set_title(spec["title"], fontsize=11)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        lines = {}
        for color, label in zip(COLORS, RACERS):
            (line,) = ax.plot([], [], color=color, lw=1.8, label=f"{label} ({_options_text(label, s)})")
            (dot,) = ax.plot([], [], "o", color=color, markersize=6, markeredgecolor="k", zorder=6)
            lines[label] = (line, dot)
        ax.legend(loc="lower left", fontsize=7, framealpha=0.85)
        artists.append((s, lines))
    title = fig.suptitle("", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.95))

    def draw(k):
        for s, lines in artists:
            for label, (line, dot) in lines.items():
                path = trajs[s][label][: k + 1]
                line.set_data(path[:, 0], path[:, 1])
                dot.set_data(path[-1:, 0], path[-1:, 1])
        title.set_text(f"deepglass.optim on 2-D surfaces — step {k}/{steps}")
        canvas.draw()
        return Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3].copy())

    marks = np.unique(np.linspace(0, steps, frames).round().astype(int))
    if len(marks) < frames:
        raise ValueError(f"{frames} frames need at least {frames - 1} steps, got steps={steps}")
    images = [draw(int(k)) for k in marks]
    png = os.path.join(out_dir, f"{name}.png")
    images[-1].save(png)
    gif = os.path.join(out_dir, f"{name}.gif")
    # one palette for every frame (taken from the last, which holds every colour) keeps the racers' colours stable
    palette = images[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    pal = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    durations = [int(1000 / fps)] * (len(pal) - 1) + [2000]
    pal[0].save(gif, save_all=True, append_images=pal[1:], duration=durations, loop=0, disposal=1)
    return {"gif": gif, "png": png, "frames": len(images), "trajectories": trajs}
