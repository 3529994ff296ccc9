"""``deepglass train`` end to end, in-process: run folder, config files, resume, the notes' CIFAR job, errors."""
from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest

from deepglass.cli import main

RUN_FILES = ["model.safetensors", "config.json", "history.csv", "history.json", "summary.txt", "metrics.json",
             "report.md", "checkpoints/last.safetensors", "checkpoints/best.safetensors",
             "figures/history.png", "figures/confusion_matrix.png", "figures/pr_curves.png", "figures/roc_curves.png",
             "figures/f1_confidence.png"]


def _check_run_folder(run):
    for name in RUN_FILES:
        assert os.path.isfile(os.path.join(run, name)), name
    assert any(n.startswith("events.out.tfevents") for n in os.listdir(os.path.join(run, "tensorboard")))
    with open(os.path.join(run, "metrics.json")) as f:
        metrics = json.load(f)
    report = open(os.path.join(run, "report.md"), encoding="utf-8").read()
    for fig in ("figures/history.png", "figures/confusion_matrix.png", "figures/f1_confidence.png"):
        assert f"]({fig})" in report
    assert f"{100 * metrics['test']['accuracy']:.2f}%" in report
    assert "Total params" in open(os.path.join(run, "summary.txt")).read()
    return metrics


@pytest.mark.slow
def test_default_train_reaches_97_percent(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train"]) == 0  # exactly what a new user types
    (run,) = [os.path.join("runs", d) for d in os.listdir("runs")]
    assert os.path.basename(run).startswith("digits_cnn-digits-")
    metrics = _check_run_folder(run)
    assert metrics["test"]["accuracy"] >= 0.97
    assert metrics["test"]["num_samples"] == 360 and metrics["epochs_run"] == 10
    print(f"default train: {metrics['train_seconds']:.1f} s, test accuracy {metrics['test']['accuracy']:.4f}",
          file=__import__("sys").stderr)


def _history(run):
    with open(os.path.join(run, "history.csv")) as f:
        rows = list(csv.DictReader(f))
    return [(float(r["train_loss"]), float(r["val_loss"])) for r in rows]


def test_train_writes_the_run_folder_and_resume_continues_exactly(tmp_path, capsys):
    # an epoch-independent schedule: the 1-epoch run followed by a resume is the 2-epoch run, bit for bit
    common = ["--scheduler", "exponential", "--optimizer", "sgdm", "--lr", "0.05", "--batch-size", "64"]
    full, part = str(tmp_path / "full"), str(tmp_path / "part")
    assert main(["train", "--epochs", "1", "--out", part, *common]) == 0
    out = capsys.readouterr().out
    assert "epoch 1/1" in out and "test accuracy" in out and "diagnosis" in out
    metrics = _check_run_folder(part)
    assert metrics["epochs_run"] == 1 and 0.3 < metrics["test"]["accuracy"] <= 1.0
    cfg = json.load(open(os.path.join(part, "config.json")))
    assert cfg["model"] == "digits_cnn" and cfg["info"]["input_shape"] == [1, 8, 8] and cfg["epochs"] == 1
    assert main(["train", "--resume", part, "--epochs", "2", "--quiet"]) == 0
    assert main(["train", "--epochs", "2", "--out", full, "--quiet", *common]) == 0
    assert _history(part) == _history(full)
    assert main(["train", "--resume", part, "--lr", "0.1"]) == 2  # the run's config can't change
    assert "--resume continues the run as it was configured" in capsys.readouterr().err


def test_config_file_toml_and_yaml(tmp_path):
    toml = tmp_path / "c.toml"
    toml.write_text('epochs = 1\nbatch-size = 128\noptimizer = "nag"\nlr = 0.05\nscheduler = "step"\n')
    run = str(tmp_path / "t")
    assert main(["train", "--config", str(toml), "--out", run, "--lr", "0.02", "--quiet"]) == 0
    cfg = json.load(open(os.path.join(run, "config.json")))
    assert (cfg["optimizer"], cfg["batch_size"], cfg["lr"], cfg["scheduler"]) == ("nag", 128, 0.02, "step")
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("epochs: 1\noptimizer: rmsprop\nlr: 0.001\nbatch_size: 128\nval_split: 0.2\n")
    run = str(tmp_path / "y")
    assert main(["train", "--config", str(yaml_file), "--out", run, "--quiet"]) == 0
    cfg = json.load(open(os.path.join(run, "config.json")))
    assert cfg["optimizer"] == "rmsprop" and cfg["val_split"] == 0.2
    bad = tmp_path / "bad.toml"
    bad.write_text("epoch = 3\n")
    assert main(["train", "--config", str(bad)]) == 2


def _tiny_cifar(root, n_train=8, n_test=20, seed=0):
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)

    def write(name, n):
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        pixels = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        np.concatenate([labels[:, None], pixels], axis=1).tofile(folder / name)

    for i in range(1, 6):
        write(f"data_batch_{i}.bin", n_train)
    write("test_batch.bin", n_test)
    return root


def test_the_notes_cifar_job_on_a_tiny_binary_file(tmp_path, capsys):
    data = _tiny_cifar(tmp_path / "cifar")
    run = str(tmp_path / "run")
    assert main(["train", "--model", "cifar_net", "--data", "cifar10", "--data-dir", str(data), "--optimizer", "sgd",
                 "--lr", "0.01", "--batch-size", "64", "--epochs", "1", "--out", run]) == 0
    assert "cifar_net" in capsys.readouterr().out
    metrics = _check_run_folder(run)
    cfg = json.load(open(os.path.join(run, "config.json")))
    assert (cfg["model"], cfg["data"], cfg["optimizer"], cfg["lr"], cfg["scheduler"]) == (
        "cifar_net", "cifar10", "sgd", 0.01, "none")
    assert cfg["info"]["input_shape"] == [3, 32, 32] and cfg["info"]["classes"][0] == "airplane"
    assert metrics["test"]["num_samples"] == 20


def test_csv_and_imagefolder_data(tmp_path):
    from PIL import Image
    from sklearn.datasets import load_iris

    iris = load_iris()
    path = tmp_path / "iris.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "c", "d", "species"])
        for x, y in zip(iris.data, iris.target):
            w.writerow([*x, iris.target_names[y]])
    run = str(tmp_path / "csv")
    assert main(["train", "--data", "csv", "--data-dir", str(path), "--target", "species", "--epochs", "3",
                 "--out", run, "--quiet"]) == 0
    cfg = json.load(open(os.path.join(run, "config.json")))
    assert cfg["model"] == "mlp" and cfg["info"]["classes"] == ["setosa", "versicolor", "virginica"]
    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for cls, colour in (("red", 0), ("blue", 2)):
            d = tmp_path / "imgs" / split / cls
            d.mkdir(parents=True)
            for i in range(6):
                a = rng.integers(0, 60, (12, 12, 3), dtype=np.uint8)
                a[..., colour] = 220
                Image.fromarray(a).save(d / f"{i}.png")
    run = str(tmp_path / "folder")
    assert main(["train", "--data", "imagefolder", "--data-dir", str(tmp_path / "imgs"), "--epochs", "1",
                 "--out", run, "--quiet"]) == 0
    assert json.load(open(os.path.join(run, "config.json")))["info"]["input_shape"] == [3, 32, 32]


def test_errors_name_the_problem(tmp_path, capsys):
    assert main(["train", "--data", "cifar10"]) == 2
    assert "--data-dir" in capsys.readouterr().err
    assert main(["train", "--model", "no_such_net", "--out", str(tmp_path / "x")]) == 2
    assert "unknown model 'no_such_net'" in capsys.readouterr().err
    assert main(["train", "--data", "cifar10", "--data-dir", str(tmp_path)]) == 2
    assert "data_batch_1.bin" in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path / "missing")]) == 2


@pytest.mark.parametrize("command", ["train", "evaluate", "predict"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    assert e.value.code == 0 and command in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_diverging_run_stops_with_the_step(tmp_path, capsys):
    assert main(["train", "--optimizer", "sgd", "--lr", "1e30", "--epochs", "2", "--out", str(tmp_path / "r"),
                 "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "loss is nan at step 2 (epoch 1, batch 2)" in err and "lower the learning rate" in err
