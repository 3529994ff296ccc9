"""Trainer: bit-exact resume (epoch boundary and mid-epoch), NaN stop, early stopping, Ctrl-C, TensorBoard."""
from __future__ import annotations

import glob
import math
import os
import signal
import struct

import numpy as np
import pytest

import deepglass as dg
from deepglass import nn, optim
from deepglass.data import DataLoader, TensorDataset
from deepglass.train import Callback, EarlyStopping, LearningRateMonitor, ModelCheckpoint, NonFiniteLossError, Trainer


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    w = rng.normal(size=(6, 3)).astype(np.float32)
    y = (x @ w + 0.5 * rng.normal(size=(n, 3))).argmax(1).astype(np.int64)
    return TensorDataset(dg.tensor(x), dg.tensor(y))


def _model():
    # BatchNorm (buffers) and Dropout (draws from the default RNG) make resume non-trivial
    return nn.Sequential(nn.Linear(6, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))


class Recorder(Callback):
    def __init__(self):
        self.losses = []

    def on_train_batch_end(self, trainer, loss, batch_idx):
        self.losses.append(loss)


class StopAt(Callback):
    """Raise KeyboardInterrupt after optimizer step ``step`` (as a Ctrl-C would)."""

    def __init__(self, step, use_signal=False):
        self.step, self.use_signal = step, use_signal

    def on_train_batch_end(self, trainer, loss, batch_idx):
        if trainer.global_step == self.step:
            if self.use_signal:
                os.kill(os.getpid(), signal.SIGINT)
            else:
                raise KeyboardInterrupt


def _setup(tmp, loader_gen=True, callbacks=(), sched="step", seed=123):
    dg.manual_seed(seed)
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    scheduler = {"step": lambda: optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7),
                 "onecycle": lambda: optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=60),
                 "plateau": lambda: optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)}[sched]()
    gen = dg.Generator().manual_seed(7) if loader_gen else None
    train = DataLoader(_data(), batch_size=16, shuffle=True, generator=gen)
    val = DataLoader(_data(32, seed=1), batch_size=16)
    rec = Recorder()
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, scheduler, out_dir=tmp, verbose=False, progress=False,
                      callbacks=[ModelCheckpoint(monitor="val_loss"), rec, *callbacks])
    return trainer, train, val, rec


@pytest.mark.parametrize("loader_gen,sched", [(True, "step"), (False, "onecycle"), (True, "plateau")])
def test_resume_from_epoch_checkpoint_is_bit_exact(tmp_path, loader_gen, sched):
    full, train, val, rec_full = _setup(str(tmp_path / "full"), loader_gen, sched=sched)
    full.fit(train, val, epochs=4)
    first, train, val, _ = _setup(str(tmp_path / "part"), loader_gen, sched=sched)
    first.fit(train, val, epochs=2)
    # a fresh process: different seed and init; everything must come from the checkpoint
    resumed, train, val, rec = _setup(str(tmp_path / "part"), loader_gen, sched=sched, seed=999)
    resumed.fit(train, val, epochs=4, ckpt_path=str(tmp_path / "part" / "checkpoints" / "last.safetensors"))
    assert len(rec.losses) == 2 * len(train)
    assert rec.losses == rec_full.losses[2 * len(train):]  # bit for bit
    assert resumed.history["val_loss"] == full.history["val_loss"]
    assert resumed.global_step == full.global_step and resumed.epoch == 4
    for (k, a), b in zip(full.model.state_dict().items(), resumed.model.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


@pytest.mark.parametrize("use_signal", [False, True])
def test_ctrl_c_saves_a_checkpoint_and_mid_epoch_resume_is_bit_exact(tmp_path, use_signal):
    full, train, val, rec_full = _setup(str(tmp_path / "full"), True)
    full.fit(train, val, epochs=3)
    stop_step = len(train) + 2  # in the middle of epoch 2
    part, train, val, rec_part = _setup(str(tmp_path / "part"), True, callbacks=[StopAt(stop_step, use_signal)])
    with pytest.raises(KeyboardInterrupt):
        part.fit(train, val, epochs=3)
    ckpt = tmp_path / "part" / "checkpoints" / "interrupted.safetensors"
    assert ckpt.is_file() and part.interrupted_checkpoint == str(ckpt)
    assert rec_part.losses == rec_full.losses[:stop_step]
    state = dg.load(str(ckpt))
    assert state["global_step"] == stop_step and state["mid_epoch"]["batch"] == 2
    resumed, train, val, rec = _setup(str(tmp_path / "part"), True, seed=5)
    resumed.fit(train, val, epochs=3, ckpt_path=str(ckpt))
    assert rec.losses == rec_full.losses[stop_step:]
    assert resumed.history["train_loss"] == full.history["train_loss"]
    assert resumed.history["val_loss"] == full.history["val_loss"]


def test_nan_loss_stops_naming_the_step_and_keeps_the_last_good_checkpoint(tmp_path):
    calls = {"n": 0}
    ce = nn.CrossEntropyLoss()

    def loss_fn(out, y):
        calls["n"] += 1
        loss = ce(out, y)
        return loss * float("nan") if calls["n"] == 9 else loss  # step 9 is in epoch 2 (6 batches/epoch)

    trainer, train, val, _ = _setup(str(tmp_path), True)
    trainer.loss_fn = lambda out, y: loss_fn(out, y) if out.requires_grad else ce(out, y)
    last = tmp_path / "checkpoints" / "last.safetensors"
    with pytest.raises(NonFiniteLossError) as info:
        trainer.fit(train, val, epochs=3)
    msg = str(info.value)
    assert "step 9" in msg and "epoch 2" in msg and str(last) in msg
    assert info.value.step == 9
    state = dg.load(str(last))
    assert state["epoch"] == 1 and state["global_step"] == 6
    assert all(np.isfinite(t.numpy()).all() for t in state["model"].values())
    assert len(trainer.history) == 1 and (tmp_path / "history.csv").is_file()


def test_early_stopping_stops_when_val_loss_stops_improving(tmp_path):
    dg.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = optim.SGD(model.parameters(), lr=0.0)  # nothing learns: val loss is flat from epoch 1
    stop = EarlyStopping(monitor="val_loss", patience=2, min_delta=1e-3, verbose=False)
    trainer = Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=[stop], verbose=False, progress=False)
    trainer.fit(DataLoader(_data(), batch_size=32), DataLoader(_data(32, 1), batch_size=32), epochs=20)
    assert len(trainer.history) == 3 and stop.stopped_epoch == 3 and stop.best_epoch == 1
    assert trainer.should_stop and "early stopping at epoch 3" in trainer.stop_reason


def test_early_stopping_counts_patience_with_min_delta():
    class T:
        should_stop, stop_reason = False, ""

        def print(self, *a):
            pass

    t, stop = T(), EarlyStopping(monitor="val_loss", patience=2, min_delta=0.1, verbose=False)
    for epoch, v in enumerate([1.0, 0.8, 0.75, 0.72, 0.5], start=1):  # 0.75 and 0.72 improve by < 0.1
        stop.on_epoch_end(t, {"epoch": epoch, "val_loss": v})
        if t.should_stop:
            break
    assert stop.stopped_epoch == 4 and stop.best_score == 0.8
    with pytest.raises(RuntimeError, match="val_accuracy"):
        EarlyStopping(monitor="val_accuracy").on_epoch_end(t, {"epoch": 1, "val_loss": 1.0})


def _read_events(path):
    """Parse a TFRecord event file by hand (length, crc, data, crc) into tensorboardX Event protos."""
    from tensorboardX.proto.event_pb2 import Event

    events = []
    with open(path, "rb") as f:
        while True:
            header = f.read(12)
            if len(header) < 12:
                break
            (n,) = struct.unpack("<Q", header[:8])
            data = f.read(n)
            f.read(4)
            ev = Event()
            ev.ParseFromString(data)
            events.append(ev)
    return events


def test_tensorboard_event_files_read_back(tmp_path):
    trainer, train, val, rec = _setup(str(tmp_path), True, callbacks=[LearningRateMonitor("step")])
    trainer.fit(train, val, epochs=2)
    files = glob.glob(str(tmp_path / "tensorboard" / "events.out.tfevents.*"))
    assert len(files) == 1
    scalars = {}
    for ev in _read_events(files[0]):
        for v in ev.summary.value:
            scalars.setdefault(v.tag, []).append((ev.step, v.simple_value))
    steps = [s for s, _ in scalars["train/loss_step"]]
    assert steps == list(range(1, 2 * len(train) + 1))
    np.testing.assert_allclose([v for _, v in scalars["train/loss_step"]], rec.losses, rtol=1e-6)
    assert [s for s, _ in scalars["epoch/val_loss"]] == [1, 2]
    np.testing.assert_allclose([v for _, v in scalars["epoch/val_loss"]], trainer.history["val_loss"], rtol=1e-6)
    assert "epoch/val_accuracy" in scalars and "epoch/val_f1_macro" in scalars and "epoch/samples_per_sec" in scalars
    assert len(scalars["lr-SGD"]) == 2 * len(train)


def test_history_files_evaluate_predict_and_device(tmp_path):
    trainer, train, val, _ = _setup(str(tmp_path), True)
    hist = trainer.fit(train, val, epochs=2)
    from deepglass.train import History

    back = History.from_csv(str(tmp_path / "history.csv"))
    assert back["train_loss"] == hist["train_loss"] and back["epoch"] == [1, 2]
    assert History.from_json(str(tmp_path / "history.json"))["val_accuracy"] == hist["val_accuracy"]
    for key in ("train_loss", "val_loss", "val_accuracy", "val_f1_macro", "lr", "seconds", "samples_per_sec"):
        assert all(isinstance(v, float) and math.isfinite(v) for v in hist[key]), key
    res = trainer.evaluate(val)
    assert set(res) >= {"loss", "accuracy", "f1_macro"} and 0 <= res["accuracy"] <= 1
    assert res["loss"] == pytest.approx(hist["val_loss"][-1], rel=1e-6)
    out = trainer.predict(val)
    assert out.shape == (32, 3)
    assert trainer.diagnosis is not None and trainer.diagnosis.verdict in (
        "too-short", "under-fitting", "over-fitting", "converged")
    assert str(trainer.model[0].weight.device) == "cpu"


def test_bad_arguments_have_clear_errors(tmp_path):
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="scheduler_interval"):
        Trainer(model, nn.CrossEntropyLoss(), opt, scheduler_interval="batch")
    with pytest.raises(TypeError, match="Callback"):
        Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=[object()])
    with pytest.raises(ValueError, match="dirpath"):
        Trainer(model, nn.CrossEntropyLoss(), opt, callbacks=[ModelCheckpoint()], verbose=False).fit(
            DataLoader(_data(), batch_size=32), epochs=1)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        Trainer(model, nn.CrossEntropyLoss(), opt, verbose=False).fit(DataLoader(_data(), batch_size=32), epochs=1,
                                                                     ckpt_path=str(tmp_path / "nope.safetensors"))


@pytest.mark.parametrize("name", ["sgd", "sgdm", "nag", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "nadam",
                                  "adamax", "radam", "asgd"])
def test_every_optimizer_name_builds_its_class(name):
    from deepglass.train import config as C

    opt = C.build_optimizer({"optimizer": name, "lr": 0.01, "weight_decay": 0.001}, nn.Linear(2, 1).parameters())
    expected = {"sgd": optim.SGD, "sgdm": optim.SGD, "nag": optim.SGD, "adagrad": optim.Adagrad,
                "adadelta": optim.Adadelta, "rmsprop": optim.RMSprop, "adam": optim.Adam, "adamw": optim.AdamW,
                "nadam": optim.NAdam, "adamax": optim.Adamax, "radam": optim.RAdam, "asgd": optim.ASGD}[name]
    assert type(opt) is expected
    assert opt.param_groups[0]["lr"] == 0.01 and opt.param_groups[0]["weight_decay"] == 0.001
    assert set(C.OPTIMIZERS) == {"sgd", "sgdm", "nag", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "nadam",
                                 "adamax", "radam", "asgd"}
