"""Findings 5, 8, 9 and 10: options honoured or refused; resume can't replay a schedule; every user error in
the CLI is one line with exit code 2 (``--debug`` shows the traceback)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from reliability_helpers import assert_user_error

from deepglass import nn
from deepglass.train import config as C


def _opt(**cfg):
    cfg = C.resolve({"data": "digits", **cfg})
    model = nn.Linear(2, 2)
    opt = C.build_optimizer(cfg, model.parameters())
    return cfg, opt, C.build_scheduler(cfg, opt, steps_per_epoch=4)


def test_momentum_zero_is_honoured_not_replaced_by_the_default():
    _, opt, _ = _opt(optimizer="sgdm", momentum=0.0, scheduler="none")
    assert opt.param_groups[0]["momentum"] == 0.0  # `momentum or 0.9` made it 0.9


def test_momentum_is_honoured_under_one_cycle():
    _, opt, sched = _opt(optimizer="sgdm", momentum=0.5, scheduler="onecycle", epochs=2)
    for _ in range(5):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["momentum"] == 0.5  # one-cycle cycled it between 0.85 and 0.95


def test_default_momentum_still_cycles_under_one_cycle():
    _, opt, sched = _opt(optimizer="sgdm", scheduler="onecycle", epochs=2)
    opt.step()
    sched.step()
    assert 0.85 <= opt.param_groups[0]["momentum"] < 0.95


@pytest.mark.parametrize("cfg, needle", [
    ({"epochs": 2.7}, "whole number"), ({"epochs": True}, "whole number"), ({"batch_size": "32"}, "whole number"),
    ({"lr": "fast"}, "finite number"), ({"lr": float("nan")}, "finite number"), ({"lr": 0.0}, "lr must be > 0"),
    ({"optimizer": "adam", "momentum": 0.9}, "--momentum is used by"), ({"momentum": 1.5, "optimizer": "sgdm"},
                                                                       "momentum must be in [0, 1)"),
    ({"weight_decay": -1.0}, "weight_decay must be >= 0"), ({"model_kwargs": [1]}, "model_kwargs"),
])
def test_options_are_checked_not_silently_changed(cfg, needle):
    with pytest.raises(ValueError) as e:
        C.resolve({"data": "digits", **cfg})
    assert needle in str(e.value)


def test_whole_float_epochs_are_accepted_as_ints():
    assert C.resolve({"epochs": 3.0})["epochs"] == 3


def test_a_config_file_with_float_epochs_is_refused(tmp_path, cli):
    f = tmp_path / "c.toml"
    f.write_text("epochs = 2.7\n")
    code, _, err = cli("train", "--config", f, "--out", tmp_path / "r")
    assert_user_error(code, err, "epochs must be a whole number, got 2.7")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("scheduler", ["cosine", "multistep", "step", "onecycle"])
def test_resume_with_more_epochs_under_an_epoch_bound_schedule_is_refused(run, cli, scheduler):
    cfg = json.load(open(run / "config.json"))
    cfg["scheduler"] = scheduler
    (run / "config.json").write_text(json.dumps(cfg))
    code, _, err = cli("train", "--resume", run, "--epochs", "3")
    assert_user_error(code, err, f"{scheduler} learning-rate schedule was laid out for 1 epochs", "same --epochs")


def test_cli_user_errors_are_one_line_with_exit_code_2(tmp_path, run, cli, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "needs_args.py").write_text("def net(width):\n    pass\n")
    (tmp_path / "evil.yaml").write_text('epochs: !!python/object/apply:os.system ["echo pwned"]\n')
    (tmp_path / "bad.json").write_text("{not json")
    from PIL import Image

    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)).save(tmp_path / "ok.png")
    cut = tmp_path / "cut.png"
    cut.write_bytes((tmp_path / "ok.png").read_bytes()[:2000])
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    out = tmp_path / "new"
    cases = [
        (["train", "--model", "mlp", "--out", out], "needs in_features"),
        (["train", "--out", a_file], "is a file"),
        (["train", "--config", tmp_path / "evil.yaml", "--out", out], "YAML"),  # refused, also without PyYAML
        (["train", "--config", tmp_path / "bad.json", "--out", out], "bad.json"),
        (["train", "--config", tmp_path / "missing.toml"], "no config file"),
        (["train", "--device", "foo", "--out", out], "unknown device"),
        (["train", "--resume", tmp_path / "nowhere"], "neither a run folder nor a checkpoint"),
        (["summary", "needs_args:net", "--input", "3x8x8"], "takes no arguments"),
        (["summary", "digits_cnn", "--dtype", "foo", "--input", "1x8x8"], "--dtype 'foo'"),
        (["summary", "digits_cnn", "--input", "0x8"], "--input"),
        (["predict", run, cut], "cut.png"),
        (["predict", run, tmp_path / "nothing.png"], "nothing.png"),
        (["evaluate", tmp_path / "nowhere"], "nowhere"),
        (["eval-detections", "--gt", tmp_path / "gt.json", "--dt", tmp_path / "dt.json"], "gt.json"),
        (["eval-detections", "--gt", tmp_path / "bad.json", "--dt", tmp_path / "bad.json"], "bad.json"),
        (["plot", "optimizers", "--steps", "1000000000", "--out", out], "--steps must be between"),
        (["train", "--data", "imagefolder", "--data-dir", tmp_path, "--image-size", "100000", "--out", out],
         "image_size must be between 1 and 4096"),
        (["train", "--num-workers", "100000", "--out", out], "num_workers must be at most"),
        (["train", "--resume", run, "--lr", "0.1"], "these options differ from its config.json: lr"),
        (["train", "--resume", run, "--out", run.parent / "run", "--epochs", "2", "--optimizer", "adam"],
         "optimizer"),
    ]
    for argv, needle in cases:
        code, _, err = cli(*argv)
        assert_user_error(code, err, needle)
    assert not out.exists()


@pytest.mark.parametrize("argv", [["train", "--epochs", "2.7"], ["train", "--dtype", "foo"], ["no-such-command"],
                                  ["predict"], ["summary"]])
def test_argparse_errors_exit_2_without_a_traceback(cli, argv):
    with pytest.raises(SystemExit) as e:
        cli(*argv)
    assert e.value.code == 2


def test_debug_shows_the_traceback(tmp_path, cli):
    with pytest.raises(FileNotFoundError):
        cli("--debug", "train", "--config", tmp_path / "missing.toml")
    with pytest.raises(FileNotFoundError):
        cli("train", "--config", tmp_path / "missing.toml", "--debug")
