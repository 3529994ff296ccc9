"""The end-of-training diagnosis, in the concept notes' terms (Batch size / epoch advice).

The notes read a run from its last epochs:

1. loss still falling and the metric still rising → **under-fitting** (欠拟合): not
   converged yet, train longer (more epochs);
2. training loss still falling but the validation metric falling → **over-fitting**
   (过拟合): stop earlier (early stopping, fewer epochs) or add weight decay;
3. loss and metric flat since epoch k → **converged at epoch k**: the later epochs
   were wasted compute.

:func:`diagnose` applies these rules to a :class:`~deepglass.train.History`.
"""
from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass
class Diagnosis:
    """The verdict on a run.

    Attributes:
        verdict: ``"under-fitting"``, ``"over-fitting"``, ``"converged"``, ``"diverged"`` (the training loss
            rose, reached an absurd size or stopped being finite) or ``"too-short"``.
        epoch: the epoch the verdict points at (1-based): the best epoch for
            over-fitting, the epoch the plateau began for converged, the last
            epoch otherwise.
        metric: the monitored column (e.g. ``"val_accuracy"``).
        message: one line for the log and the report.
        advice: what to do next.
    """

    verdict: str
    epoch: int
    metric: str
    message: str
    advice: str

    def __str__(self) -> str:
        return f"{self.message} → {self.advice}"

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def _series(history, key):
    vals = history[key] if len(history) else []
    if not vals or any(not isinstance(v, (int, float)) or not math.isfinite(v) for v in vals):
        return None
    return [float(v) for v in vals]


def _pick_metric(history, metric, mode):
    if metric is not None:
        s = _series(history, metric)
        if s is None:
            raise ValueError(f"diagnose: the history has no finite {metric!r} column; "
                             f"columns are {history.keys}")
        return metric, s, mode or ("min" if "loss" in metric else "max")
    for key, m in (("val_accuracy", "max"), ("val_f1_macro", "max"), ("val_loss", "min"), ("train_loss", "min")):
        s = _series(history, key)
        if s is not None:
            return key, s, m
    raise ValueError("diagnose: the history has no loss or metric column to judge; was any epoch finished?")


def _diverged(history, loss, name, values, mode):
    """The fourth case: the training loss went *up* (or was never finite): the learning rate is too high."""
    try:
        raw = history[loss] if len(history) else []
    except (KeyError, IndexError):
        return None
    if not raw:
        return None
    if all(v is None for v in raw):
        return None
    broken = [i for i, v in enumerate(raw) if not isinstance(v, (int, float)) or not math.isfinite(v)]
    losses = [float(v) for v in raw]
    n = len(losses)
    if broken:
        epoch = broken[0] + 1
        why = f"{loss} is {losses[broken[0]]} at epoch {epoch}"
    elif n >= 2 and losses[-1] > losses[0] and losses[-1] > 2.0 * min(losses):
        epoch = n
        why = f"{loss} rose from {losses[0]:.4g} (epoch 1) to {losses[-1]:.4g} (epoch {n})"
    elif min(losses) > 1e6:  # no sane loss (cross-entropy of chance: ln C) is that large
        epoch = n
        why = f"{loss} stayed above {min(losses):.4g}"
    else:
        return None
    return Diagnosis("diverged", epoch, name, f"diverged (发散): {why}",
                     "lower the learning rate (by 10x), normalise the inputs or clip gradients, and train again")


def diagnose(history, metric: str | None = None, mode: str | None = None, *, loss: str = "train_loss",
             metric_tol: float | None = None, loss_tol: float = 0.02, window: int | None = None,
             samples: int | None = None) -> Diagnosis:
    """Judge a finished run as under-fitting, over-fitting or converged (the notes' three cases).

    The *metric* (default: validation accuracy, else macro-F1, else validation
    loss) is compared over the last ``window`` epochs (default ``max(2, n // 4)``)
    with the epochs before; so is the training *loss*.

    * metric at the last epoch better than every earlier one by more than
      ``metric_tol`` → under-fitting: train longer;
    * metric worse than its best by more than ``metric_tol`` while the training
      loss still falls by more than ``loss_tol`` (relative) → over-fitting since
      the best epoch: stop earlier or add weight decay;
    * otherwise converged at the first epoch whose metric is within ``metric_tol``
      of its best.

    Args:
        history: a :class:`~deepglass.train.History` (or anything indexable by column name with ``len``).
        metric: the column to judge; default picks as above.
        mode: ``"max"`` when higher is better, ``"min"`` otherwise (default from the name: ``*loss*`` → min).
        loss: the training-loss column.
        metric_tol: smallest change that counts (default for scores in [0, 1]: 0.005, or
            1.5 samples' worth when ``samples`` is given, so one sample flipping on a
            small validation set is noise; for losses 2% of the value).
        loss_tol: relative change of the training loss that counts as still falling.
        window: how many last epochs count as "the end".
        samples: the size of the validation set the metric was measured on.

    Returns:
        :class:`Diagnosis`.

    Example:
        >>> from deepglass.train import History
        >>> h = History([{"epoch": i + 1, "train_loss": 1 / (i + 1), "val_accuracy": 0.5 + 0.05 * i}
        ...              for i in range(8)])
        >>> diagnose(h).verdict
        'under-fitting'
    """
    name, values, mode = _pick_metric(history, metric, mode)
    if mode not in ("min", "max"):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    n = len(values)
    d = _diverged(history, loss, name, values, mode)
    if d is not None:
        return d
    if n < 3:
        return Diagnosis("too-short", n, name, f"only {n} epoch(s): too few to judge the curves",
                         "train longer (more epochs) to see whether loss and metric level off")
    sign = 1.0 if mode == "max" else -1.0
    g = [sign * v for v in values]  # higher is better
    if metric_tol is None:
        if mode == "max" and all(0.0 <= v <= 1.0 for v in values):
            metric_tol = max(0.005, 1.5 / samples) if samples else 0.005
        else:
            metric_tol = 0.02 * abs(values[-1])
    w = window or max(2, n // 4)
    w = min(w, n - 1)
    best_i = max(range(n), key=lambda i: (g[i], -i))  # first epoch with the best value
    losses = _series(history, loss)
    loss_falling = False
    if losses is not None:
        before = min(losses[:-w])
        loss_falling = losses[-1] < before - loss_tol * abs(before)
    metric_rising = g[-1] > max(g[:-w]) + metric_tol
    metric_fell = g[-1] < g[best_i] - metric_tol and best_i < n - 1
    shown = lambda v: f"{v:.4g}"  # noqa: E731
    if metric_rising:
        trend = "falling" if loss_falling else "flat"
        return Diagnosis(
            "under-fitting", n, name,
            f"under-fitting (欠拟合) at epoch {n}: {name} still improving "
            f"({shown(values[-w - 1])} → {shown(values[-1])} over the last {w} epochs), {loss} {trend}",
            "not converged yet: train longer (raise --epochs)")
    if metric_fell and (loss_falling or losses is None):
        return Diagnosis(
            "over-fitting", best_i + 1, name,
            f"over-fitting (过拟合) after epoch {best_i + 1}: {loss} still falling but {name} "
            f"fell from {shown(values[best_i])} to {shown(values[-1])}",
            f"stop earlier (early stopping / about {best_i + 1} epochs; the best checkpoint is kept) "
            "or add weight decay")
    k = next(i for i in range(n) if g[i] >= g[best_i] - metric_tol) + 1  # first epoch at the plateau
    wasted = "" if k == n else f"; epoch {n} added little" if k == n - 1 else f"; epochs {k + 1}-{n} added little"
    return Diagnosis(
        "converged", k, name,
        f"converged at epoch {k}: {name} reached within {shown(metric_tol)} of its best ({shown(values[best_i])}) "
        f"at epoch {k} and did not improve beyond that{wasted}",
        f"about {k} epochs are enough" + ("" if k < n else "; more epochs would not help much"))
