"""The metrics figures write PNGs; ``deepglass eval-detections`` prints pycocotools' lines."""
from __future__ import annotations

import json

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from conftest import make_coco, run_pycocotools  # noqa: E402

from deepglass import metrics as dm  # noqa: E402
from deepglass import viz  # noqa: E402
from deepglass.cli import main  # noqa: E402


def png_ok(path):
    data = path.read_bytes()
    return len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n"


def test_plots_write_pngs(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    s = rng.random((200, 3)) + np.eye(3)[y]
    cm = dm.confusion_matrix(y, s.argmax(1))
    for name, kw in (("cm", {}), ("cm_norm", {"normalize": "true"}), ("cm_yolo", {"true_on_x": True})):
        fig = viz.plot_confusion_matrix(cm, ["a", "b", "c"], path=tmp_path / f"{name}.png", **kw)
        assert png_ok(tmp_path / f"{name}.png")
        ax = fig.axes[0]
        labels = (ax.get_xlabel(), ax.get_ylabel())
        assert labels == (("True", "Predicted") if kw.get("true_on_x") else ("Predicted", "True"))
    pr = {f"class {c}": dm.precision_recall_curve(y == c, s[:, c])[:2] for c in range(3)}
    fig = viz.plot_pr_curve(pr, path=tmp_path / "pr.png")
    assert png_ok(tmp_path / "pr.png")
    ap0 = dm.average_precision_score(y == 0, s[:, 0])
    assert f"AP={ap0:.3f}" in fig.axes[0].get_legend().get_texts()[0].get_text()
    roc = {f"class {c}": dm.roc_curve(y == c, s[:, c])[:2] for c in range(3)}
    fig = viz.plot_roc_curve(roc, path=tmp_path / "roc.png")
    assert png_ok(tmp_path / "roc.png")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"AUC={dm.roc_auc_score(y == 0, s[:, 0]):.3f}" in texts[0] and "chance" in texts
    curve = dm.f1_confidence_curve(y == 0, s[:, 0])
    fig = viz.plot_f1_confidence(curve, path=tmp_path / "f1.png")
    assert png_ok(tmp_path / "f1.png")
    assert f"{curve.best_threshold:.3f}" in fig.axes[0].get_legend().get_texts()[0].get_text()
    with pytest.raises(ValueError, match="square"):
        viz.plot_confusion_matrix(np.ones((2, 3)))


def test_cli_eval_detections(tmp_path, capsys):
    gt, dets = make_coco(11)
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "dt.json").write_text(json.dumps(dets))
    out = tmp_path / "out"
    code = main(["eval-detections", "--gt", str(tmp_path / "gt.json"), "--dt", str(tmp_path / "dt.json"),
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    _, _, _, reference = run_pycocotools(gt, dets)
    assert printed.startswith(reference)
    assert "category" in printed and "class1" in printed
    assert png_ok(out / "pr_curve.png") and png_ok(out / "f1_confidence.png")
    stats = json.loads((out / "metrics.json").read_text())["stats"]
    assert len(stats) == 12


def test_cli_reports_bad_input(tmp_path, capsys):
    (tmp_path / "gt.json").write_text("{not json")
    code = main(["eval-detections", "--gt", str(tmp_path / "gt.json"), "--dt", str(tmp_path / "gt.json")])
    assert code == 2
    assert "malformed JSON" in capsys.readouterr().err
