"""``Trainer``: the notes' training loop (前向 → 损失 → 反向 → 优化) with logging, checkpoints and resume.

One epoch trains on every batch of the training loader, then measures the
validation loss, accuracy and macro-F1, and appends a row to the
:class:`~deepglass.train.History` (also written as CSV/JSON and TensorBoard
scalars when the trainer has an ``out_dir``).

Resuming is exact: a checkpoint holds model, optimizer, scheduler, the RNG
states (deepglass's default generator and the loader's ``generator``), the
epoch, the step and — for a checkpoint taken mid-epoch by Ctrl-C — the batch
index and the RNG state at the start of that epoch, so the remaining batches
and dropout masks are the ones an uninterrupted run would have drawn.
"""
from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
import time

from .. import backend
from .._tensor import Tensor, from_array
from ..random import default_generator, get_rng_state, set_rng_state
from .batches import (
    _batch_size,
    _is_classification,
    _numpy,
    _split_batch,
    _to_device,
    classification_metrics,
    run_model,
)
from .callbacks import Callback
from .guard import describe, model_state, nonfinite
from .history import History

__all__ = ["Trainer", "NonFiniteLossError", "classification_metrics", "run_model"]

CHECKPOINT_FORMAT = "deepglass.trainer"
CHECKPOINT_VERSION = 1


class NonFiniteLossError(RuntimeError):
    """The loss, a gradient, a parameter, a buffer or an optimizer state became NaN or infinite; training
    stopped before that state could be saved over a checkpoint (``step`` names the step)."""

    def __init__(self, message: str, step: int, epoch: int):
        super().__init__(message)
        self.step, self.epoch = step, epoch


def _set_state_in_place(gen, state) -> None:
    """``gen.set_state(state)`` keeping its NumPy generator object: a sampler iterating mid-epoch holds that
    object, and must draw its end-of-epoch numbers from the restored state, as in the uninterrupted run."""
    inner = getattr(gen, "np", None)
    gen.set_state(state)
    if inner is not None and type(inner.bit_generator) is type(gen.np.bit_generator):
        inner.bit_generator.state = gen.np.bit_generator.state
        gen.np = inner


class Trainer:
    """Train, validate, test and predict with a model (a small Lightning-like loop).

    Args:
        model: the :class:`~deepglass.nn.Module`; moved to ``device`` (its
            parameters keep their identity, so the optimizer stays attached).
        loss_fn: ``loss_fn(outputs, targets)`` → scalar Tensor (e.g. ``nn.CrossEntropyLoss()``).
        optimizer: a :mod:`deepglass.optim` optimizer over the model's parameters.
        scheduler: an optional :mod:`deepglass.optim.lr_scheduler` scheduler.
        device: ``"cpu"`` or ``"cuda"``: model and every batch go there together.
        callbacks: :class:`~deepglass.train.callbacks.Callback` objects.
        out_dir: folder for ``history.csv``/``history.json``, TensorBoard events
            (``tensorboard/``) and default checkpoints; None keeps everything in memory.
        scheduler_interval: ``"epoch"``, ``"step"`` or ``"auto"`` (``OneCycleLR`` per
            step, the others per epoch; ``ReduceLROnPlateau`` gets the validation loss).
        progress: tqdm bars: True, False or ``"auto"`` (only when stderr is a terminal).
        verbose: print one line per epoch and the diagnosis at the end.
        log_every_n_steps: TensorBoard step scalars every n steps.

    Attributes:
        history: the :class:`History` (one row per epoch).
        epoch: epochs finished; ``global_step``: optimizer steps taken.
        diagnosis: the :class:`~deepglass.train.diagnosis.Diagnosis` after ``fit``.

    Example:
        >>> trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()))  # doctest: +SKIP
        >>> trainer.fit(train_loader, val_loader, epochs=10)  # doctest: +SKIP
        >>> trainer.evaluate(test_loader)["accuracy"]  # doctest: +SKIP
    """

    def __init__(self, model, loss_fn, optimizer, scheduler=None, device="cpu", callbacks=None, *, out_dir=None,
                 scheduler_interval: str = "auto", progress="auto", verbose: bool = True,
                 log_every_n_steps: int = 1):
        if scheduler_interval not in ("auto", "epoch", "step"):
            raise ValueError(f"scheduler_interval must be 'auto', 'epoch' or 'step', got {scheduler_interval!r}")
        self.device = backend.as_device(device)
        self.model = model.to(self.device)
        self.loss_fn, self.optimizer, self.scheduler = loss_fn, optimizer, scheduler
        if scheduler_interval == "auto":
            scheduler_interval = "step" if type(scheduler).__name__ in ("OneCycleLR", "CyclicLR") else "epoch"
        self.scheduler_interval = scheduler_interval
        self.callbacks: list[Callback] = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be Callback objects, got {type(cb).__name__}")
        self.out_dir = None if out_dir is None else os.fspath(out_dir)
        self.progress, self.verbose = progress, verbose
        self.log_every_n_steps = max(1, int(log_every_n_steps))
        self.history = History()
        self.epoch = 0
        self.global_step = 0
        self.should_stop = False
        self.stop_reason = ""
        self.diagnosis = None
        self.interrupted_checkpoint = ""
        self._writer = None
        self._train_loader = None
        self._mid_epoch = None   # set by a mid-epoch checkpoint being loaded
        self._epoch_start = None  # RNG states at the start of the running epoch
        self._partial = None     # running sums of the epoch in progress
        self._sigint = False
        self._bar = None
        self._val_samples = None

    # ---------------------------------------------------------------- output
    def _bars_on(self) -> bool:
        if self.progress == "auto":
            return bool(getattr(sys.stderr, "isatty", lambda: False)())
        return bool(self.progress)

    def print(self, *args) -> None:
        """Print a line (through tqdm while a progress bar is shown) when ``verbose``."""
        if not self.verbose:
            return
        msg = " ".join(str(a) for a in args)
        if self._bar is not None:
            from tqdm.auto import tqdm

            tqdm.write(msg)
        else:
            print(msg, flush=True)

    def log_scalar(self, tag: str, value: float, step: int) -> None:
        """Write a TensorBoard scalar (no-op without ``out_dir``)."""
        if self._writer is not None and value is not None and math.isfinite(value):
            self._writer.add_scalar(tag, float(value), int(step))

    def _open_writer(self) -> None:
        if self.out_dir is None:
            return
        from tensorboardX import SummaryWriter

        logdir = os.path.join(self.out_dir, "tensorboard")
        os.makedirs(logdir, exist_ok=True)
        # purge_step: after a resume TensorBoard drops events from the abandoned tail of the old run
        self._writer = SummaryWriter(logdir, purge_step=self.global_step + 1 if self.global_step else None,
                                     flush_secs=10)

    def _close_writer(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _save_history(self) -> None:
        if self.out_dir is not None and len(self.history):
            self.history.save(self.out_dir)

    # -------------------------------------------------------------- the loop
    def fit(self, train_loader, val_loader=None, epochs: int = 1, ckpt_path=None) -> History:
        """Train until ``epochs`` epochs are done (counting epochs of a resumed run) or a callback stops it.

        Args:
            train_loader: batches ``(inputs, targets)``.
            val_loader: optional validation batches: adds ``val_loss``, ``val_accuracy``, ``val_f1_macro``.
            epochs: the total number of epochs.
            ckpt_path: a checkpoint to resume from (:meth:`save_checkpoint`).

        Returns:
            The :class:`History`.

        Raises:
            NonFiniteLossError: the loss became NaN/inf (the message names the step;
                checkpoints already written are kept, nothing is overwritten).
            KeyboardInterrupt: after Ctrl-C, once a checkpoint of the current state is saved
                (:attr:`interrupted_checkpoint`).
        """
        if ckpt_path is not None:
            self.load_checkpoint(ckpt_path)
        if epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs}")
        self._train_loader = train_loader
        self._apply_pending_loader_rng(train_loader)
        self.should_stop, self.stop_reason = False, ""
        if self.out_dir is not None:
            os.makedirs(self.out_dir, exist_ok=True)
        self._open_writer()
        epoch_bar = None
        try:
            for cb in self.callbacks:
                cb.on_fit_start(self)
            if self._bars_on():
                from tqdm.auto import tqdm

                epoch_bar = tqdm(total=epochs, initial=self.epoch, desc="epochs", unit="epoch", dynamic_ncols=True)
            with self._catch_sigint():
                while self.epoch < epochs and not self.should_stop:
                    record = self._train_epoch(train_loader, epochs)
                    if val_loader is not None:
                        val, self._val_samples = self._evaluate(val_loader)
                        record.update({f"val_{k}": v for k, v in val.items()})
                    self._end_epoch(record, epochs)
                    if epoch_bar is not None:
                        epoch_bar.update(1)
                    if self._sigint:
                        raise KeyboardInterrupt
            if not self.stop_reason and self.epoch >= epochs:
                self.stop_reason = f"finished {self.epoch} epochs"
            for cb in self.callbacks:
                cb.on_fit_end(self)
        except KeyboardInterrupt as exc:
            self._on_interrupt()
            for cb in self.callbacks:
                cb.on_exception(self, exc)
            raise
        except BaseException as exc:
            for cb in self.callbacks:
                cb.on_exception(self, exc)
            raise
        finally:
            if epoch_bar is not None:
                epoch_bar.close()
            self._close_writer()
            self._save_history()
        if len(self.history):
            from .diagnosis import diagnose

            self.diagnosis = diagnose(self.history, samples=self._val_samples)
            self.print(f"diagnosis: {self.diagnosis}")
        return self.history

    @contextlib.contextmanager
    def _catch_sigint(self):
        """The first Ctrl-C stops after the running step (a consistent checkpoint); a second one at once."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handler(signum, frame):
            if self._sigint:
                raise KeyboardInterrupt
            self._sigint = True

        try:
            previous = signal.signal(signal.SIGINT, handler)
        except ValueError:  # not in the main interpreter
            yield
            return
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _loader_generator(self, loader):
        gen = getattr(loader, "generator", None)
        return gen if gen is not None and hasattr(gen, "get_state") else None

    def _train_epoch(self, loader, epochs: int) -> dict:
        self.model.train()
        for cb in self.callbacks:
            cb.on_train_epoch_start(self)
        gen = self._loader_generator(loader)
        mid, self._mid_epoch = self._mid_epoch, None
        if mid is not None:  # replay the epoch's start, skip the batches already trained on
            set_rng_state(mid["epoch_start_rng"])
            if gen is not None and mid.get("epoch_start_loader_rng") is not None:
                gen.set_state(mid["epoch_start_loader_rng"])
        self._epoch_start = {"epoch_start_rng": get_rng_state(),
                             "epoch_start_loader_rng": gen.get_state() if gen is not None else None}
        lr = float(self.optimizer.param_groups[0]["lr"])
        it = iter(loader)
        skip = 0
        part = {"loss_sum": 0.0, "seen": 0, "correct": 0, "counted": 0, "seconds": 0.0, "lr": lr}
        if mid is not None:
            skip = int(mid["batch"])
            for _ in range(skip):
                next(it)
            _set_state_in_place(default_generator, mid["rng"])
            if gen is not None and mid.get("loader_rng") is not None:
                _set_state_in_place(gen, mid["loader_rng"])
            part.update(mid["partial"])
        self._partial = part
        self._batch_in_epoch = skip
        try:
            total = len(loader)
        except TypeError:
            total = None
        bar = None
        if self._bars_on():
            from tqdm.auto import tqdm

            bar = tqdm(total=total, initial=skip, desc=f"epoch {self.epoch + 1}/{epochs}", unit="batch",
                       leave=False, dynamic_ncols=True)
            self._bar = bar
        t0 = time.perf_counter() - part["seconds"]
        try:
            for batch_idx, batch in enumerate(it, start=skip):
                self._train_step(batch, batch_idx)
                part["seconds"] = time.perf_counter() - t0
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{part['loss_sum'] / max(part['seen'], 1):.4f}", refresh=False)
                if self._sigint:
                    raise KeyboardInterrupt
        finally:
            if bar is not None:
                bar.close()
                self._bar = None
        seconds = part["seconds"]
        # validation may draw from the RNG: a checkpoint taken during it restores the post-training state
        part["rng_after"] = get_rng_state()
        part["loader_rng_after"] = gen.get_state() if gen is not None else None
        record = {"epoch": self.epoch + 1, "step": self.global_step,
                  "train_loss": part["loss_sum"] / part["seen"] if part["seen"] else float("nan")}
        if part["counted"]:
            record["train_accuracy"] = part["correct"] / part["counted"]
        record.update({"lr": part["lr"], "seconds": seconds,
                       "samples_per_sec": part["seen"] / seconds if seconds > 0 else float("nan")})
        return record

    def _train_step(self, batch, batch_idx: int) -> None:
        x, y = _split_batch(batch)
        x, y = _to_device(x, self.device), _to_device(y, self.device)
        out = self.model(x)
        loss = self.loss_fn(out, y) if y is not None else self.loss_fn(out)
        value = float(loss.item())
        step = self.global_step + 1
        if not math.isfinite(value):
            kept = self._last_checkpoint_note()
            raise NonFiniteLossError(
                f"loss is {value} at step {step} (epoch {self.epoch + 1}, batch {batch_idx + 1}); training stopped "
                f"before the update. {kept}", step, self.epoch + 1)
        self.optimizer.zero_grad()
        loss.backward()
        bad = nonfinite(model_state(self.model, grads=True))
        if bad:  # a finite loss with an inf/NaN gradient would poison every parameter it touches
            self.optimizer.zero_grad()
            raise NonFiniteLossError(
                f"the loss is finite ({value:.4g}) but the {describe(bad)} is NaN or infinite at step {step} "
                f"(epoch {self.epoch + 1}, batch {batch_idx + 1}); training stopped before the update. "
                f"{self._last_checkpoint_note()}", step, self.epoch + 1)
        self.optimizer.step()
        self.global_step = step
        n = _batch_size(x)
        part = self._partial
        part["loss_sum"] += value * n
        part["seen"] += n
        if y is not None:
            o, t = _numpy(out), _numpy(y)
            if _is_classification(o, t):
                part["correct"] += int((o.argmax(axis=1) == t).sum())
                part["counted"] += n
        self._batch_in_epoch = batch_idx + 1
        if step % self.log_every_n_steps == 0:
            self.log_scalar("train/loss_step", value, step)
            self.log_scalar("train/lr_step", float(self.optimizer.param_groups[0]["lr"]), step)
        for cb in self.callbacks:
            cb.on_train_batch_end(self, value, batch_idx)
        if self.scheduler is not None and self.scheduler_interval == "step":
            self.scheduler.step()

    def _last_checkpoint_note(self) -> str:
        for cb in self.callbacks:
            path = getattr(cb, "last_model_path", "")
            if path and os.path.isfile(path):
                return (f"The last good checkpoint is kept at {path}: lower the learning "
                        "rate, normalise the inputs or clip gradients, and resume from it")
        return ("No checkpoint was written yet: lower the learning rate, normalise the inputs or clip gradients, "
                "and start again")

    def _poisoned(self) -> list[str]:
        """The parameters, buffers and optimizer states holding NaN/inf (empty when the state is sound)."""
        return nonfinite(model_state(self.model, self.optimizer))

    def _end_epoch(self, record: dict, epochs: int) -> None:
        bad = self._poisoned()
        if bad:  # e.g. inf in batch-norm running statistics: never saved, never reported as a good run
            raise NonFiniteLossError(
                f"after epoch {self.epoch + 1} (step {self.global_step}) the {describe(bad)} holds NaN or infinite "
                f"values although the loss was finite; the run diverged and nothing was saved over the "
                f"checkpoints. {self._last_checkpoint_note()}", self.global_step, self.epoch + 1)
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            if type(self.scheduler).__name__ == "ReduceLROnPlateau":
                self.scheduler.step(record.get("val_loss", record["train_loss"]))
            else:
                self.scheduler.step()
        self.epoch += 1
        self._partial = None
        self.history.append(record)
        for key, value in record.items():
            if key not in ("epoch", "step") and isinstance(value, (int, float)):
                self.log_scalar(f"epoch/{key}", value, self.epoch)
        self._save_history()
        self.print(self._epoch_line(record, epochs))
        for cb in sorted(self.callbacks, key=lambda c: c.runs_last):
            cb.on_epoch_end(self, record)
        if self._writer is not None:
            self._writer.flush()

    @staticmethod
    def _epoch_line(r: dict, epochs: int) -> str:
        parts = [f"epoch {r['epoch']}/{epochs}", f"train_loss {r['train_loss']:.4f}"]
        if "train_accuracy" in r:
            parts.append(f"train_acc {100 * r['train_accuracy']:.2f}%")
        if "val_loss" in r:
            parts.append(f"val_loss {r['val_loss']:.4f}")
        if "val_accuracy" in r:
            parts.append(f"val_acc {100 * r['val_accuracy']:.2f}%")
        if "val_f1_macro" in r:
            parts.append(f"val_f1 {r['val_f1_macro']:.4f}")
        parts += [f"lr {r['lr']:.3g}", f"{r['seconds']:.1f}s", f"{r['samples_per_sec']:.0f} samples/s"]
        return "  ".join(parts)

    # ------------------------------------------------------ evaluate/predict
    def collect(self, loader):
        """Run the model in eval mode over ``loader``: ``(outputs, targets, mean_loss)`` as NumPy arrays.

        ``targets`` and ``mean_loss`` are None when the batches hold inputs only.
        """
        return run_model(self.model, loader, self.device, self.loss_fn)

    def evaluate(self, loader) -> dict:
        """Loss and, for classification, accuracy and macro precision/recall/F1 over ``loader``.

        Returns:
            ``{"loss": …, "accuracy": …, "precision_macro": …, "recall_macro": …, "f1_macro": …}``.
        """
        return self._evaluate(loader)[0]

    def _evaluate(self, loader):
        outputs, targets, loss = self.collect(loader)
        result = {"loss": loss}
        if targets is not None and _is_classification(outputs, targets):
            result.update(classification_metrics(outputs, targets))
        return result, len(outputs)

    def predict(self, loader) -> Tensor:
        """The model's outputs (e.g. logits) for every sample of ``loader``, concatenated, on the CPU."""
        outputs, _, _ = self.collect(loader)
        return from_array(outputs)

    # ----------------------------------------------------------- checkpoints
    def state_dict(self) -> dict:
        """The full training state: model, optimizer, scheduler, RNGs, epoch, step, history, callbacks."""
        gen = self._loader_generator(self._train_loader)
        mid = None
        if self._partial is not None and self._batch_in_epoch > 0:
            part = {k: v for k, v in self._partial.items() if not k.endswith("_after")}
            rng = self._partial.get("rng_after") or get_rng_state()
            loader_rng = self._partial.get("loader_rng_after") if "rng_after" in self._partial else (
                gen.get_state() if gen is not None else None)
            mid = dict(self._epoch_start, batch=self._batch_in_epoch, partial=part, rng=rng, loader_rng=loader_rng)
        return {
            "format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION,
            "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "epoch": self.epoch, "global_step": self.global_step,
            "rng": get_rng_state(), "loader_rng": gen.get_state() if gen is not None else None,
            "mid_epoch": mid, "history": self.history.state_dict(),
            "callbacks": {cb.state_key: cb.state_dict() for cb in self.callbacks},
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore what :meth:`state_dict` returned (the loader generator on the next ``fit``)."""
        if state.get("format") != CHECKPOINT_FORMAT:
            raise ValueError("not a Trainer checkpoint (no 'format': 'deepglass.trainer'); for bare weights use "
                             "model.load_state_dict(deepglass.load(path))")
        if int(state.get("version", 0)) > CHECKPOINT_VERSION:
            raise ValueError(f"the checkpoint was written by a newer deepglass (trainer format "
                             f"{state['version']}); upgrade deepglass")
        self.model.load_state_dict(state["model"])
        self.model.to(self.device)
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None:
            if state.get("scheduler") is None:
                raise ValueError("the checkpoint has no scheduler state but this Trainer has a scheduler; "
                                 "build the Trainer as the checkpointed run was built")
            self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.global_step = int(state["epoch"]), int(state["global_step"])
        set_rng_state(state["rng"])
        self._pending_loader_rng = state.get("loader_rng")
        self._mid_epoch = state.get("mid_epoch")
        self.history.load_state_dict(state.get("history", []))
        saved = state.get("callbacks", {})
        for cb in self.callbacks:
            if cb.state_key in saved:
                cb.load_state_dict(saved[cb.state_key])

    def save_checkpoint(self, path) -> None:
        """Write the training state to ``path`` (atomic; safetensors + JSON, no pickle)."""
        from ..io import save

        bad = self._poisoned()
        if bad:
            raise NonFiniteLossError(f"not saving {path}: the {describe(bad)} holds NaN or infinite values (the run "
                                     "diverged); the file keeps its previous, good contents", self.global_step,
                                     self.epoch + 1)
        save(self.state_dict(), path)

    def load_checkpoint(self, path) -> dict:
        """Restore a checkpoint written by :meth:`save_checkpoint`; returns the raw state."""
        from ..io import load

        if not os.path.isfile(path):
            raise FileNotFoundError(f"no checkpoint at {path}")
        state = load(path, map_location=self.device)
        if not isinstance(state, dict):
            raise ValueError(f"{path} is not a training checkpoint (it holds a {type(state).__name__})")
        try:
            self.load_state_dict(state)
        except KeyError as e:
            raise ValueError(f"{path} is damaged or incomplete: the key {e} is missing from the training "
                             "state") from None
        except (TypeError, ValueError, RuntimeError) as e:
            raise ValueError(f"can't restore {path}: {e}") from None
        return state

    def _apply_pending_loader_rng(self, loader) -> None:
        pending = getattr(self, "_pending_loader_rng", None)
        gen = self._loader_generator(loader)
        if pending is not None and gen is not None:
            gen.set_state(pending)
        self._pending_loader_rng = None

    def _on_interrupt(self) -> None:
        self._sigint = False
        folder = None
        for cb in self.callbacks:
            if getattr(cb, "dirpath", None):
                folder = cb.dirpath
                break
        if folder is None:
            folder = os.path.join(self.out_dir, "checkpoints") if self.out_dir is not None else os.getcwd()
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "interrupted.safetensors")
        if self._poisoned():
            self.print(f"interrupted at epoch {self.epoch + 1}: the state holds NaN/inf, so no checkpoint was saved")
            return
        self.save_checkpoint(path)
        self.interrupted_checkpoint = path
        self.print(f"interrupted at epoch {self.epoch + 1}, step {self.global_step}: checkpoint saved to {path}")
