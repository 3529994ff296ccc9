"""deepglass explain and explain_to_folder: figures and the Markdown page."""
import os

import numpy as np
import pytest

import deepglass
from deepglass import nn
from deepglass.cli import main
from deepglass.insight import explain
from deepglass.insight.explain_report import explain_to_folder


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    from sklearn.datasets import load_digits

    path = tmp_path_factory.mktemp("rows") / "rows.npy"
    np.save(path, load_digits().data[:3].astype(np.float32))
    return str(path)


def test_cli_explain_all_methods(digits_run, rows, tmp_path, capsys):
    out = tmp_path / "ex"
    assert main(["explain", digits_run, rows, "--out", str(out), "--index", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{rows}[1]: ")
    assert "attention: skipped" in text        # the digits CNN has no attention module
    for f in ("gradcam.png", "saliency.png", "rf.png", "explain.md"):
        assert (out / f).stat().st_size > 100
    md = (out / "explain.md").read_text()
    assert md.startswith(f"# Explanation of `{rows}[1]`")
    assert "![Grad-CAM](gradcam.png)" in md and "![Receptive field](rf.png)" in md


def test_cli_explain_one_method_and_errors(digits_run, rows, tmp_path, capsys):
    out = tmp_path / "ex"
    assert main(["explain", digits_run, rows, "--out", str(out), "--method", "saliency", "--target", "3"]) == 0
    assert sorted(os.listdir(out)) == ["explain.md", "saliency.png"]
    assert "the class asked for" in (out / "explain.md").read_text()
    assert main(["explain", digits_run, rows, "--out", str(out), "--method", "attention"]) == 2
    assert "no SqueezeExcitation, CBAM or SpatialTransformer" in capsys.readouterr().err
    assert main(["explain", digits_run, rows, "--out", str(out), "--index", "7"]) == 2


def test_explain_to_folder_gates_and_vit(tmp_path):
    deepglass.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.CBAM(8, reduction=2), nn.SqueezeExcitation(8, reduction=2),
                        nn.SpatialTransformer(8), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
    x = np.random.default_rng(0).standard_normal((3, 12, 12)).astype(np.float32)
    r = explain_to_folder(net, x, tmp_path / "g", methods=["attention", "gradcam"], classes=list("abcd"))
    assert set(r["figures"]) == {"attention", "gradcam"} and r["skipped"] == {}
    assert r["label"] in "abcd"
    assert "CBAM, SE, STN" in (tmp_path / "g" / "explain.md").read_text()
    from deepglass.models import vit

    v = vit(16, 4, 16, 2, 2, 32, 3).eval()
    r = explain_to_folder(v, np.zeros((3, 16, 16), np.float32), tmp_path / "v", methods=["attention"])
    assert (tmp_path / "v" / "attention.png").stat().st_size > 100
    assert "2 attention maps" in (tmp_path / "v" / "explain.md").read_text()
    with pytest.raises(ValueError, match="unknown explanation method"):
        explain_to_folder(v, np.zeros((3, 16, 16), np.float32), tmp_path / "v", methods=["lime"])


def test_explain_to_folder_feature_rows(tmp_path):
    """A row of features (an MLP): saliency applies; the others are skipped with their reason."""
    deepglass.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    x = np.arange(6, dtype=np.float32) / 6
    r = explain_to_folder(net, x, tmp_path)            # every method that applies
    assert set(r["figures"]) == {"saliency"} and set(r["skipped"]) == {"gradcam", "attention", "rf"}
    assert "4-D" in r["skipped"]["gradcam"]
    with pytest.raises(ValueError, match="4-D"):        # asked for explicitly: the error itself
        explain_to_folder(net, x, tmp_path, methods=["gradcam"])
    ref = explain.saliency(net, x[None])
    assert r["class"] == ref["class"]
