"""The notes' activation and optimizer figures, drawn by deepglass (to a temporary folder)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import deepglass as dg
from deepglass import viz
from deepglass.cli import main
from deepglass.nn import functional as F

pytest.importorskip("matplotlib")


def _png_ok(path, min_size=(400, 300)):
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size[0] >= min_size[0] and im.size[1] >= min_size[1]
        arr = np.asarray(im.convert("L"))
    assert arr.std() > 10  # not blank


def test_plot_activations(tmp_path):
    path = tmp_path / "act.png"
    fig = viz.plot_activations(path)
    _png_ok(path)
    drawn = [ax for ax in fig.axes if ax.lines]
    from deepglass.viz.activations import ACTIVATIONS

    assert len(drawn) == sum(hasattr(F, a[0]) for a in ACTIVATIONS) >= 4
    # derivative curve = autograd's gradient: check tanh's against 1 − tanh²
    tanh_ax = next(ax for ax in drawn if ax.get_title().startswith("tanh"))
    x, dy = tanh_ax.lines[-1].get_data()
    np.testing.assert_allclose(dy, 1 - np.tanh(x) ** 2, atol=1e-5)


def test_optimizer_race_gif_and_png(tmp_path):
    res = viz.optimizer_race(tmp_path, steps=24, frames=6, dpi=50)
    _png_ok(res["png"])
    with Image.open(res["gif"]) as im:
        assert im.format == "GIF" and im.n_frames == 6 and im.is_animated
    assert set(res["trajectories"]) == {"saddle", "beale"}
    for _surface, trajs in res["trajectories"].items():
        assert list(trajs) == ["SGD", "SGDM", "NAG", "AdaGrad", "AdaDelta", "Adam", "NAdam"]
        for t in trajs.values():
            assert t.shape == (25, 2) and np.all(np.isfinite(t))


def test_race_uses_deepglass_optimizers_and_makes_progress():
    from deepglass.viz.optimizers import SURFACES, run_race

    trajs = run_race("beale", 150)
    f = SURFACES["beale"]["f"]
    start = f(*SURFACES["beale"]["start"])
    for label, t in trajs.items():
        assert f(*t[-1]) < start, label
    # SGD on the race equals a hand-written gradient-descent loop on the same surface
    x = np.array(SURFACES["beale"]["start"])
    for _ in range(150):
        p = dg.tensor(x, requires_grad=True)
        f(p[0], p[1]).backward()
        x = x - 2e-3 * p.grad.numpy()
    np.testing.assert_allclose(trajs["SGD"][-1], x, rtol=1e-12)
    with pytest.raises(ValueError):
        run_race("rosenbrock", 3)


def test_cli_plot(tmp_path, capsys):
    assert main(["plot", "activations", "--out", str(tmp_path)]) == 0
    _png_ok(tmp_path / "activations.png")
    assert main(["plot", "optimizers", "--out", str(tmp_path), "--steps", "10", "--frames", "3"]) == 0
    with Image.open(tmp_path / "optimizer_race.gif") as im:
        assert im.n_frames == 3
    _png_ok(tmp_path / "optimizer_race.png")
    assert "optimizer_race.gif" in capsys.readouterr().out
