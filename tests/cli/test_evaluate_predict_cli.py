"""``deepglass evaluate`` and ``deepglass predict`` on a small trained digits run."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from deepglass.cli import main


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    run = str(tmp_path_factory.mktemp("eval") / "run")
    assert main(["train", "--epochs", "3", "--batch-size", "64", "--lr", "0.01", "--out", run, "--quiet"]) == 0
    return run


def test_evaluate_prints_the_report_and_writes_metrics(run_dir, tmp_path, capsys):
    out = str(tmp_path / "ev")
    assert main(["evaluate", run_dir, "--out", out]) == 0
    text = capsys.readouterr().out
    assert "accuracy" in text and "macro-F1" in text and "confusion matrix" in text and "support" in text
    metrics = json.load(open(os.path.join(out, "metrics.json")))
    trained = json.load(open(os.path.join(run_dir, "metrics.json")))
    assert metrics["accuracy"] == pytest.approx(trained["test"]["accuracy"])  # same weights, same test split
    assert metrics["num_samples"] == 360 and len(metrics["per_class"]) == 10
    for fig in ("confusion_matrix.png", "pr_curves.png", "roc_curves.png", "f1_confidence.png"):
        assert os.path.getsize(os.path.join(out, "figures", fig)) > 1000
    # a checkpoint file instead of the folder, another split
    assert main(["evaluate", os.path.join(run_dir, "checkpoints", "last.safetensors"), "--split", "val"]) == 0
    assert "val split (144 samples)" in capsys.readouterr().out


def test_predict_images_npy_and_csv(run_dir, tmp_path, capsys):
    from PIL import Image
    from sklearn.datasets import load_digits

    d = load_digits()
    idx = [0, 1, 2, 3, 4]
    paths = []
    for i in idx:  # light-background, larger images: inverted and resized as in training
        img = Image.fromarray((255 - d.images[i] * 255 / 16).astype(np.uint8)).resize((32, 32), Image.NEAREST)
        paths.append(str(tmp_path / f"digit{i}.png"))
        img.save(paths[-1])
    np.save(tmp_path / "rows.npy", d.data[:20])
    np.savetxt(tmp_path / "rows.csv", d.data[:3] / 16, delimiter=",", header=",".join(f"p{i}" for i in range(64)),
               comments="")
    assert main(["predict", run_dir, *paths, str(tmp_path / "rows.npy"), str(tmp_path / "rows.csv"), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert len(res) == 5 + 20 + 3
    assert [r["input"] for r in res[5:7]] == [f"{tmp_path / 'rows.npy'}[0]", f"{tmp_path / 'rows.npy'}[1]"]
    npy = [int(r["class"]) for r in res[5:25]]
    assert np.mean(np.array(npy) == d.target[:20]) >= 0.85
    assert [int(r["class"]) for r in res[25:]] == npy[:3]
    for r in res:
        assert abs(sum(t["probability"] for t in r["top"]) - 1) < 1 or len(r["top"]) == 3
        assert 0 <= r["probability"] <= 1
    imgs = [int(r["class"]) for r in res[:5]]
    assert np.mean(np.array(imgs) == d.target[idx]) >= 0.6
    assert main(["predict", run_dir, paths[0], "--top-k", "2"]) == 0
    line = capsys.readouterr().out
    assert "digit0.png" in line and "top-2" in line


def test_predict_and_evaluate_errors(run_dir, tmp_path, capsys):
    bad = tmp_path / "x.txt"
    bad.write_text("hello")
    assert main(["predict", run_dir, str(bad)]) == 2
    assert "unknown input type" in capsys.readouterr().err
    np.save(tmp_path / "wrong.npy", np.zeros((2, 10)))
    assert main(["predict", run_dir, str(tmp_path / "wrong.npy")]) == 2
    assert "don't fit the model's input" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "nothing")]) == 2
    assert "neither a run folder nor a checkpoint" in capsys.readouterr().err
    assert main(["predict", run_dir, str(tmp_path / "missing.png")]) == 2
