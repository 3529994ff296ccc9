"""Callbacks: hooks into :class:`~deepglass.train.Trainer` (Lightning's names and semantics).

* :class:`ModelCheckpoint` — the last checkpoint and the best one by a monitored metric;
* :class:`EarlyStopping` — stop when the monitored metric stops improving (the notes'
  advice: stop when the validation loss no longer falls);
* :class:`LearningRateMonitor` — the learning rate of every parameter group, per step or epoch.

A callback's :meth:`Callback.state_dict` travels in the checkpoint, so a resumed
run continues with the same patience counter and best score.
"""
from __future__ import annotations

import math
import os


class Callback:
    """Base class: override the hooks you need (each receives the trainer)."""

    #: run after the other callbacks at the end of an epoch (checkpoints must see their final state)
    runs_last = False

    @property
    def state_key(self) -> str:
        """The key of this callback's state in a checkpoint."""
        return type(self).__name__

    def on_fit_start(self, trainer) -> None: ...

    def on_fit_end(self, trainer) -> None: ...

    def on_train_epoch_start(self, trainer) -> None: ...

    def on_train_batch_end(self, trainer, loss: float, batch_idx: int) -> None: ...

    def on_epoch_end(self, trainer, record: dict) -> None:
        """After training and validation of an epoch; ``record`` is the epoch's history row."""

    def on_exception(self, trainer, exception: BaseException) -> None: ...

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None: ...


def _monitored(record: dict, monitor: str, who: str):
    if monitor not in record:
        keys = ", ".join(sorted(k for k, v in record.items() if isinstance(v, (int, float))))
        raise RuntimeError(f"{who}: the monitored metric {monitor!r} is not in the epoch's results ({keys}); "
                           f"pass monitor= one of those (validation metrics need a val_loader)")
    return float(record[monitor])


def _check_mode(mode: str) -> str:
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    return mode


class ModelCheckpoint(Callback):
    """Save the full training state every epoch (``last``) and whenever ``monitor`` improves (``best``).

    Checkpoints are :func:`deepglass.save` files (safetensors + JSON, written
    atomically) holding model, optimizer, scheduler, RNG states, epoch, step,
    history and callback states: :meth:`Trainer.fit` with ``ckpt_path=`` resumes
    from them exactly.

    Args:
        dirpath: the folder (default: ``<trainer.out_dir>/checkpoints``).
        monitor: the history column to watch (e.g. ``"val_loss"``, ``"val_accuracy"``).
        mode: ``"min"`` or ``"max"``; default ``"min"`` for names with "loss", else ``"max"``.
        save_last: write ``last.safetensors`` every epoch.
        save_best: write ``best.safetensors`` when ``monitor`` improves.

    Attributes:
        best_model_path, last_model_path: paths written so far ("" before).
        best_model_score, best_epoch: the best monitored value and its epoch.

    Example:
        >>> ckpt = ModelCheckpoint("runs/x/checkpoints", monitor="val_accuracy")  # doctest: +SKIP
        >>> Trainer(model, loss, opt, callbacks=[ckpt]).fit(train, val, epochs=5)  # doctest: +SKIP
    """

    runs_last = True

    def __init__(self, dirpath=None, monitor: str = "val_loss", mode: str | None = None, save_last: bool = True,
                 save_best: bool = True):
        self.dirpath = None if dirpath is None else os.fspath(dirpath)
        self.monitor = monitor
        self.mode = _check_mode(mode or ("min" if "loss" in monitor else "max"))
        self.save_last, self.save_best = save_last, save_best
        self.best_model_score: float | None = None
        self.best_epoch: int | None = None
        self.best_model_path = ""
        self.last_model_path = ""

    def _dir(self, trainer) -> str:
        if self.dirpath is None:
            if trainer.out_dir is None:
                raise ValueError("ModelCheckpoint needs a folder: pass dirpath= or give the Trainer out_dir=")
            self.dirpath = os.path.join(trainer.out_dir, "checkpoints")
        os.makedirs(self.dirpath, exist_ok=True)
        return self.dirpath

    def on_fit_start(self, trainer) -> None:
        self._dir(trainer)

    def _improved(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.best_model_score is None:
            return True
        return value < self.best_model_score if self.mode == "min" else value > self.best_model_score

    def on_epoch_end(self, trainer, record: dict) -> None:
        folder = self._dir(trainer)
        value = _monitored(record, self.monitor, "ModelCheckpoint") if self.save_best else None
        improved = self.save_best and self._improved(value)
        if improved:
            self.best_model_score, self.best_epoch = value, int(record["epoch"])
            self.best_model_path = os.path.join(folder, "best.safetensors")
        if self.save_last:
            self.last_model_path = os.path.join(folder, "last.safetensors")
            trainer.save_checkpoint(self.last_model_path)
        if improved:
            trainer.save_checkpoint(self.best_model_path)

    def state_dict(self) -> dict:
        return {"best_model_score": self.best_model_score, "best_epoch": self.best_epoch,
                "best_model_path": self.best_model_path, "last_model_path": self.last_model_path,
                "monitor": self.monitor, "mode": self.mode, "dirpath": self.dirpath}

    def load_state_dict(self, state: dict) -> None:
        self.best_model_score = state.get("best_model_score")
        self.best_epoch = state.get("best_epoch")
        self.best_model_path = state.get("best_model_path", "")
        self.last_model_path = state.get("last_model_path", "")
        if self.dirpath is None:
            self.dirpath = state.get("dirpath")


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    The notes' advice: when the validation loss stops falling, more epochs
    only over-fit. A non-finite monitored value stops at once.

    Args:
        monitor: the history column (default ``"val_loss"``).
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        mode: ``"min"`` or ``"max"`` (default from the name, as :class:`ModelCheckpoint`).
        verbose: print a line when stopping.

    Attributes:
        stopped_epoch: the epoch training stopped at (0 if it did not).
        best_score, best_epoch, wait_count: the tracking state.
        reason: why it stopped ("" if it did not).

    Example:
        >>> stop = EarlyStopping(monitor="val_loss", patience=3, min_delta=1e-3)
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 3, mode: str | None = None,
                 verbose: bool = True):
        if patience < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        self.mode = _check_mode(mode or ("min" if "loss" in monitor else "max"))
        self.verbose = verbose
        self.best_score: float | None = None
        self.best_epoch = 0
        self.wait_count = 0
        self.stopped_epoch = 0
        self.reason = ""

    def on_epoch_end(self, trainer, record: dict) -> None:
        value = _monitored(record, self.monitor, "EarlyStopping")
        epoch = int(record["epoch"])
        if not math.isfinite(value):
            self.reason = f"{self.monitor} = {value} is not finite"
        elif self.best_score is None or (value < self.best_score - self.min_delta if self.mode == "min"
                                         else value > self.best_score + self.min_delta):
            self.best_score, self.best_epoch, self.wait_count = value, epoch, 0
            return
        else:
            self.wait_count += 1
            if self.wait_count < self.patience:
                return
            self.reason = (f"{self.monitor} did not improve by more than {self.min_delta:g} for {self.wait_count} "
                           f"epochs (best {self.best_score:.4g} at epoch {self.best_epoch})")
        self.stopped_epoch = epoch
        trainer.should_stop = True
        trainer.stop_reason = f"early stopping at epoch {epoch}: {self.reason}"
        if self.verbose:
            trainer.print(trainer.stop_reason)

    def state_dict(self) -> dict:
        return {"best_score": self.best_score, "best_epoch": self.best_epoch, "wait_count": self.wait_count,
                "stopped_epoch": self.stopped_epoch, "reason": self.reason}

    def load_state_dict(self, state: dict) -> None:
        self.best_score = state.get("best_score")
        self.best_epoch = state.get("best_epoch", 0)
        self.wait_count = state.get("wait_count", 0)
        self.stopped_epoch = state.get("stopped_epoch", 0)
        self.reason = state.get("reason", "")


class LearningRateMonitor(Callback):
    """Log the learning rate (and momentum) of every parameter group.

    Values go to TensorBoard (``lr-<Optimizer>/pg<i>``) when the trainer has a
    log folder, and to :attr:`lrs` in memory.

    Args:
        logging_interval: ``"step"`` (every batch) or ``"epoch"``.
        log_momentum: also log momentum (SGD) or β₁ (Adam family).

    Example:
        >>> lr_monitor = LearningRateMonitor(logging_interval="step")
    """

    def __init__(self, logging_interval: str = "epoch", log_momentum: bool = False):
        if logging_interval not in ("step", "epoch"):
            raise ValueError(f"logging_interval must be 'step' or 'epoch', got {logging_interval!r}")
        self.logging_interval = logging_interval
        self.log_momentum = log_momentum
        self.lrs: dict[str, list[float]] = {}

    def _names(self, trainer):
        opt = trainer.optimizer
        base = f"lr-{type(opt).__name__}"
        groups = opt.param_groups
        return [(base if len(groups) == 1 else f"{base}/pg{i + 1}", g) for i, g in enumerate(groups)]

    def _log(self, trainer, step: int) -> None:
        for name, group in self._names(trainer):
            lr = float(group["lr"])
            self.lrs.setdefault(name, []).append(lr)
            trainer.log_scalar(name, lr, step)
            if self.log_momentum:
                mom = group.get("momentum", group.get("betas", (None,))[0])
                if mom is not None:
                    key = name.replace("lr-", "momentum-", 1)
                    self.lrs.setdefault(key, []).append(float(mom))
                    trainer.log_scalar(key, float(mom), step)

    def on_train_epoch_start(self, trainer) -> None:
        if self.logging_interval == "epoch":
            self._log(trainer, trainer.epoch + 1)

    def on_train_batch_end(self, trainer, loss: float, batch_idx: int) -> None:
        if self.logging_interval == "step":
            self._log(trainer, trainer.global_step)

    def state_dict(self) -> dict:
        return {"lrs": {k: list(v) for k, v in self.lrs.items()}}

    def load_state_dict(self, state: dict) -> None:
        self.lrs = {k: list(v) for k, v in state.get("lrs", {}).items()}
