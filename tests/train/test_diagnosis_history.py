"""The notes' three cases (under-fitting, over-fitting, converged), History files and plot_history."""
from __future__ import annotations

import pytest

from deepglass.train import History, diagnose


def _hist(train_loss, val_acc):
    return History([{"epoch": i + 1, "train_loss": a, "val_accuracy": b} for i, (a, b) in
                    enumerate(zip(train_loss, val_acc))])


def test_under_fitting_when_loss_falls_and_metric_still_rises():
    d = diagnose(_hist([1.0, 0.8, 0.6, 0.5, 0.4, 0.3], [0.5, 0.6, 0.7, 0.75, 0.8, 0.85]))
    assert d.verdict == "under-fitting" and "train longer" in d.advice and "欠拟合" in d.message


def test_over_fitting_when_loss_falls_but_metric_falls():
    d = diagnose(_hist([1.0, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02], [0.7, 0.8, 0.9, 0.92, 0.9, 0.88, 0.86, 0.85]))
    assert d.verdict == "over-fitting" and d.epoch == 4
    assert "weight decay" in d.advice and "stop earlier" in d.advice and "过拟合" in d.message


def test_converged_at_epoch_k():
    # the notes' example: 16 epochs, flat from epoch 8
    loss = [1.0 / (i + 1) for i in range(7)] + [0.14] * 9
    acc = [0.5 + 0.06 * i for i in range(7)] + [0.9] * 9
    d = diagnose(_hist(loss, acc))
    assert d.verdict == "converged" and d.epoch == 8 and "epochs 9-16 added little" in d.message


def test_too_short_and_bad_column():
    assert diagnose(_hist([1.0, 0.5], [0.5, 0.6])).verdict == "too-short"
    with pytest.raises(ValueError, match="val_f1"):
        diagnose(_hist([1, 0.5, 0.4], [0.5, 0.6, 0.7]), metric="val_f1")
    loss_only = History([{"epoch": i + 1, "train_loss": 1.0 / (i + 1)} for i in range(6)])
    assert diagnose(loss_only).metric == "train_loss"


def test_history_files_and_plot(tmp_path):
    h = History([{"epoch": 1, "train_loss": 1.0, "val_loss": float("nan"), "lr": 0.1},
                 {"epoch": 2, "train_loss": 0.5, "val_loss": 0.7, "lr": 0.01, "val_accuracy": 0.8}])
    h.save(str(tmp_path))
    back = History.from_csv(str(tmp_path / "history.csv"))
    assert back["train_loss"] == [1.0, 0.5] and back["val_accuracy"] == [None, 0.8]
    assert History.from_json(str(tmp_path / "history.json"))["val_loss"] == [None, 0.7]
    assert h.best("val_loss")["epoch"] == 2 and h.best("train_loss", mode="max")["epoch"] == 1
    from deepglass.viz import plot_history

    fig = plot_history(h, title="t", path=str(tmp_path / "h.png"))
    assert (tmp_path / "h.png").stat().st_size > 1000 and len(fig.axes) == 3


def test_one_sample_flip_on_a_small_validation_set_is_not_over_fitting():
    h = _hist([1.0, 0.5, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01], [0.9, 0.97, 0.986, 0.993, 0.993, 0.993, 0.993, 0.986])
    assert diagnose(h).verdict == "over-fitting"  # 0.007 drop > the default 0.005
    d = diagnose(h, samples=144)  # ...but that is one sample of 144
    assert d.verdict == "converged" and d.epoch == 3  # 0.986 is within 1.5 samples of the best
