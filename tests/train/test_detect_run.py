"""``deepglass train --task detect`` end to end on a tiny Shapes set: the loss falls, the run folder is
complete, metrics.json equals pycocotools on the written detections, evaluate and predict work."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from deepglass.cli import main


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("detect")
    cfg = root / "cfg.toml"
    cfg.write_text("num_train = 64\nnum_val = 12\n")
    out = root / "run"
    rc = main(["train", "--task", "detect", "--config", str(cfg), "--epochs", "4", "--batch-size", "16",
               "--image-size", "32", "--lr", "0.01", "--scheduler", "none", "--out", str(out), "--quiet"])
    assert rc == 0
    return out


def test_loss_falls_and_run_folder_is_complete(run_dir):
    for name in ("config.json", "model.safetensors", "history.csv", "history.json", "metrics.json", "report.md",
                 "detections.json", "ground_truth.json", "figures/pr_curve.png", "figures/f1_confidence.png",
                 "figures/f1_confidence_per_class.png", "figures/val_predictions.png", "figures/curves.png"):
        assert os.path.isfile(run_dir / name), name
    assert os.listdir(run_dir / "tensorboard")
    hist = json.loads((run_dir / "history.json").read_text())
    losses = [r["train_loss"] for r in hist]
    assert len(losses) == 4 and losses[-1] < 0.8 * losses[0]
    report = (run_dir / "report.md").read_text()
    for words in ("IoU", "Confidence sweep", "Precision", "mAP@.5:.95", "AP@.75", "Per-class AP"):
        assert words in report
    cfg = json.loads((run_dir / "config.json").read_text())
    assert cfg["task"] == "detect" and 0 <= cfg["chosen_threshold"] <= 1


def test_metrics_json_equals_pycocotools(run_dir, tmp_path):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    m = json.loads((run_dir / "metrics.json").read_text())
    dets = json.loads((run_dir / "detections.json").read_text())
    assert len(dets) > 0 and len(m["stats"]) == 12 and len(m["per_class"]) == 4
    gt = COCO(str(run_dir / "ground_truth.json"))
    ev = COCOeval(gt, gt.loadRes(str(run_dir / "detections.json")), "bbox")
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    np.testing.assert_allclose(m["stats"], ev.stats, atol=1e-12)
    assert m["mAP50_95"] == m["stats"][0] and m["mAP50"] == m["stats"][1]


def test_evaluate_and_predict_commands(run_dir, tmp_path, capsys):
    assert main(["evaluate", str(run_dir), "--task", "detect", "--out", str(tmp_path / "ev")]) == 0
    text = capsys.readouterr().out
    assert "Average Precision" in text and "best mean F1" in text
    again = json.loads((tmp_path / "ev" / "metrics.json").read_text())
    assert again["stats"] == json.loads((run_dir / "metrics.json").read_text())["stats"]
    from PIL import Image

    from deepglass.data.detection import Shapes

    for i in range(2):
        Image.fromarray(Shapes(2, 48, seed=9)[i][0]).save(tmp_path / f"img{i}.png")
    out = tmp_path / "pred"
    assert main(["predict", str(run_dir), str(tmp_path / "img0.png"), str(tmp_path / "img1.png"), "--out", str(out),
                 "--conf", "0.01"]) == 0
    res = json.loads((out / "detections.json").read_text())
    assert {r["image_id"] for r in res} <= {1, 2}
    for r in res:  # boxes in the 48x48 image's own pixels (letterboxing undone)
        x, y, w, h = r["bbox"]
        assert 0 <= x and 0 <= y and x + w <= 48 + 1e-6 and y + h <= 48 + 1e-6 and 0.01 <= r["score"] <= 1
    assert os.path.isfile(out / "img0.png") and os.path.isfile(out / "img1.png")


def test_coco_data_dir_is_read(tmp_path):
    from deepglass.data.detection import Shapes

    Shapes(16, 32, seed=0).to_coco(tmp_path / "d", name="train.json", images="train")
    Shapes(4, 32, seed=1).to_coco(tmp_path / "d", name="val.json", images="val")
    rc = main(["train", "--task", "detect", "--data", "coco", "--data-dir", str(tmp_path / "d"), "--epochs", "1",
               "--batch-size", "8", "--image-size", "32", "--out", str(tmp_path / "run"), "--quiet"])
    assert rc == 0
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["num_images"] == 4


def test_bad_detection_options_are_refused(tmp_path, capsys):
    assert main(["train", "--task", "detect", "--data", "yolo", "--out", str(tmp_path / "r")]) == 2
    assert "needs --data-dir" in capsys.readouterr().err


def test_classification_only_flags_are_refused_for_detection(tmp_path, capsys):
    assert main(["train", "--task", "detect", "--patience", "3", "--out", str(tmp_path / "r")]) == 2
    assert "does not use patience" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "r")


def test_yolo_data_dir_is_read_and_evaluated(tmp_path, capsys):
    from deepglass.data.detection import Shapes

    Shapes(16, 32, seed=0).to_yolo(tmp_path / "y", split="train")
    Shapes(4, 32, seed=1).to_yolo(tmp_path / "y", split="val")
    rc = main(["train", "--task", "detect", "--data", "yolo", "--data-dir", str(tmp_path / "y"), "--epochs", "1",
               "--batch-size", "8", "--image-size", "32", "--out", str(tmp_path / "run"), "--quiet"])
    assert rc == 0
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert m["num_images"] == 4 and [c["class"] for c in m["per_class"]] == ["circle", "square", "triangle", "star"]
    assert main(["evaluate", str(tmp_path / "run")]) == 0  # the run's task is found in its config
    assert "Average Precision" in capsys.readouterr().out


def test_detection_evaluate_refuses_other_splits(run_dir, capsys):
    assert main(["evaluate", str(run_dir), "--split", "train"]) == 2
    assert "validation split" in capsys.readouterr().err


def test_detection_model_or_data_without_task_detect_is_refused(tmp_path, capsys):
    assert main(["train", "--data", "shapes", "--out", str(tmp_path / "r")]) == 2
    assert "add --task detect" in capsys.readouterr().err
