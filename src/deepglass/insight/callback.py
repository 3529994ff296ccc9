"""``HealthCallback``: a :class:`~deepglass.insight.health.HealthMonitor` inside the Trainer.

    trainer = Trainer(model, loss_fn, optimizer, callbacks=[HealthCallback("basic")], out_dir="runs/x")
    trainer.fit(train_loader, val_loader, epochs=10)
    print(trainer.callbacks[0].markdown)          # the "## Training health" section

Levels (``deepglass train --insight``): ``"basic"`` records every 50 steps (scalars only),
``"full"`` every 10 steps with activation and gradient histograms; ``"off"`` is no callback.
With the trainer's ``out_dir`` the scalars go to its TensorBoard log under ``health/`` and,
at the end, ``figures/health.png`` (gradient norm and update ratio per layer) and
``health.json`` (the history and the findings) are written.
"""
from __future__ import annotations

import json
import math
import os

from ..train.callbacks import Callback
from .health import HealthMonitor

__all__ = ["HealthCallback", "LEVELS", "finish_run_report"]

#: ``--insight`` levels: (record every N steps, histograms)
LEVELS = {"basic": (50, False), "full": (10, True)}


class _TrainerWriter:
    """Sends the monitor's scalars through the trainer's TensorBoard writer (a no-op without ``out_dir``)."""

    def __init__(self, trainer):
        self.trainer = trainer

    def add_scalar(self, tag, value, step):
        self.trainer.log_scalar(tag, value, step)

    def add_histogram(self, tag, values, step):
        w = getattr(self.trainer, "_writer", None)
        if w is not None:
            w.add_histogram(tag, values, step)


class HealthCallback(Callback):
    """Record training health during ``Trainer.fit`` (see :mod:`deepglass.insight.health`).

    Args:
        level: ``"basic"`` or ``"full"`` (see the module docstring).
        every: override the level's interval.

    Attributes:
        monitor: the :class:`HealthMonitor` of the last fit (None before).
        markdown: its ``## Training health`` section after the fit ("" before).
        figure: the path of ``figures/health.png`` when written.
    """

    def __init__(self, level: str = "basic", every: int | None = None):
        if level not in LEVELS:
            raise ValueError(f"insight level must be one of {', '.join(LEVELS)} (or 'off': no callback), got {level!r}")
        default_every, self.histograms = LEVELS[level]
        self.level, self.every = level, int(every or default_every)
        self.monitor = None
        self.markdown = ""
        self.figure = None

    def on_fit_start(self, trainer) -> None:
        self.monitor = HealthMonitor(trainer.model, every=self.every, writer=_TrainerWriter(trainer),
                                     histograms=self.histograms)
        self.monitor.global_step = int(trainer.global_step)

    def on_train_batch_end(self, trainer, loss: float, batch_idx: int) -> None:
        if self.monitor is not None:
            self.monitor.step()

    def on_fit_end(self, trainer) -> None:
        self.finish(trainer.out_dir)

    def on_exception(self, trainer, exception: BaseException) -> None:
        # a diverged run is exactly when the health section matters: keep what was recorded
        self.finish(trainer.out_dir)

    def finish(self, out_dir=None) -> str:
        """Remove the hooks; write ``figures/health.png`` and ``health.json`` under ``out_dir``; return the section."""
        mon = self.monitor
        if mon is None:
            return self.markdown
        mon.remove()
        rel = None
        if out_dir is not None and mon.steps:
            os.makedirs(os.path.join(out_dir, "figures"), exist_ok=True)
            rel = "figures/health.png"
            self.figure = os.path.join(out_dir, rel)
            mon.plot_gradients(self.figure)
            with open(os.path.join(out_dir, "health.json"), "w", encoding="utf-8") as f:
                json.dump(_finite(mon.as_dict()), f, indent=1)
        self.markdown = mon.markdown(rel)
        return self.markdown


def finish_run_report(run_dir, health: HealthCallback | None = None, before: str = "## Configuration") -> str:
    """Add the health section to a run folder's ``report.md`` and write ``report.html`` beside it.

    The section goes before the ``## Configuration`` heading (at the end when there is none); a
    section already there (a resumed run) is replaced. Returns the path of ``report.html``.
    """
    from .html import write_report

    md_path = os.path.join(os.fspath(run_dir), "report.md")
    section = health.markdown if health is not None else ""
    if section and os.path.isfile(md_path):
        with open(md_path, encoding="utf-8") as f:
            text = f.read()
        start = text.find("## Training health")
        if start >= 0:  # replace an earlier section
            end = text.find("\n## ", start + 1)
            text = text[:start] + (text[end + 1:] if end >= 0 else "")
        cut = text.find(before)
        section = section.rstrip() + "\n\n"
        text = text[:cut] + section + text[cut:] if cut >= 0 else text.rstrip() + "\n\n" + section
        with open(md_path, "w", encoding="utf-8") as f:
            f.write(text)
    return write_report(run_dir)


def _finite(x):
    """JSON has no inf/NaN: write them as strings."""
    if isinstance(x, float):
        return x if math.isfinite(x) else str(x)
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x
