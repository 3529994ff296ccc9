"""Streaming metrics for training loops: ``update()`` per batch, ``compute()`` at the end.

Every metric keeps sufficient statistics (counts, or the scores themselves for
ranking metrics), so ``compute()`` equals the batch function on all the data
seen. ``merge(other)`` adds another worker's state (data-parallel evaluation);
``reset()`` clears it.

Example:
    >>> cm = ConfusionMatrix(3)
    >>> cm.update([0, 1, 2], [0, 2, 2]); cm.update([1], [1])
    >>> cm.compute().tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
"""
from __future__ import annotations

import numpy as np

from ._utils import _to_numpy, check_finite, check_same_length
from . import ranking

__all__ = ["Metric", "ConfusionMatrix", "Accuracy", "TopKAccuracy", "PrecisionRecallF1",
           "AveragePrecision", "ROCAUC", "Mean"]


def _labels(x, name, num_classes=None):
    a = _to_numpy(x, name)
    if a.ndim == 0:
        a = a.reshape(1)
    a = a.ravel() if a.ndim == 2 and a.shape[1] == 1 else a
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D class indices, got shape {a.shape}.")
    if a.dtype.kind == "f":
        check_finite(a, name)
        if np.any(a != np.round(a)):
            raise ValueError(f"{name} must hold integer class indices.")
    elif a.dtype.kind not in "biu":
        raise ValueError(f"{name} must hold integer class indices, got dtype {a.dtype}.")
    a = a.astype(np.int64)
    if num_classes is not None and len(a) and (a.min() < 0 or a.max() >= num_classes):
        bad = a[(a < 0) | (a >= num_classes)][0]
        raise ValueError(f"{name} holds label {bad}, outside the declared classes 0..{num_classes - 1}.")
    return a


class Metric:
    """Base class: subclasses define ``reset``, ``update``, ``compute``, ``merge``."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_same(self, other):
        if type(other) is not type(self):
            raise ValueError(f"cannot merge {type(other).__name__} into {type(self).__name__}.")

    def __repr__(self):
        return f"{type(self).__name__}()"


class ConfusionMatrix(Metric):
    """Running confusion matrix, rows = true class, columns = predicted class.

    Args:
        num_classes: labels must be integers in ``[0, num_classes)``.
    """

    def __init__(self, num_classes: int):
        if int(num_classes) < 1:
            raise ValueError(f"num_classes must be >= 1, got {num_classes}.")
        self.num_classes = int(num_classes)
        super().__init__()

    def reset(self):
        self.matrix = np.zeros((self.num_classes, self.num_classes), dtype=np.int64)

    def update(self, y_true, y_pred):
        """Add a batch; ``y_pred`` may be labels ``(n,)`` or scores ``(n, num_classes)`` (argmax)."""
        p = _to_numpy(y_pred, "y_pred")
        if p.ndim == 2 and p.shape[1] == self.num_classes and self.num_classes > 1:
            p = p.argmax(axis=1)
        t = _labels(y_true, "y_true", self.num_classes)
        p = _labels(p, "y_pred", self.num_classes)
        check_same_length(("y_true", t), ("y_pred", p))
        c = self.num_classes
        self.matrix += np.bincount(t * c + p, minlength=c * c).reshape(c, c)

    def compute(self, normalize=None):
        """The matrix; ``normalize`` as in :func:`deepglass.metrics.confusion_matrix`."""
        cm = self.matrix.copy()
        if normalize is None:
            return cm
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            elif normalize == "all":
                cm = cm / cm.sum()
            else:
                raise ValueError(f"normalize must be None, 'true', 'pred' or 'all'; got {normalize!r}.")
        return np.nan_to_num(cm)

    def merge(self, other):
        self._check_same(other)
        if other.num_classes != self.num_classes:
            raise ValueError("cannot merge confusion matrices with different num_classes.")
        self.matrix += other.matrix
        return self


class Accuracy(Metric):
    """Running accuracy ``correct / seen``; predictions may be labels or scores (argmax)."""

    def reset(self):
        self.correct = 0
        self.total = 0

    def update(self, y_true, y_pred):
        p = _to_numpy(y_pred, "y_pred")
        if p.ndim == 2:
            p = p.argmax(axis=1)
        t = _labels(y_true, "y_true")
        p = _labels(p, "y_pred")
        check_same_length(("y_true", t), ("y_pred", p))
        self.correct += int(np.sum(t == p))
        self.total += len(t)

    def compute(self) -> float:
        if self.total == 0:
            raise ValueError("Accuracy.compute() called before any update().")
        return self.correct / self.total

    def merge(self, other):
        self._check_same(other)
        self.correct += other.correct
        self.total += other.total
        return self


class TopKAccuracy(Accuracy):
    """Running top-k accuracy from scores ``(n, n_classes)`` (ties: later class first, as scikit-learn)."""

    def __init__(self, k: int = 5):
        self.k = int(k)
        super().__init__()

    def update(self, y_true, y_score):
        s = _to_numpy(y_score, "y_score").astype(np.float64)
        if s.ndim != 2:
            raise ValueError(f"y_score must be (n, n_classes), got shape {s.shape}.")
        check_finite(s, "y_score")
        t = _labels(y_true, "y_true", s.shape[1])
        check_same_length(("y_true", t), ("y_score", s))
        top = np.argsort(s, axis=1, kind="stable")[:, ::-1][:, : self.k]
        self.correct += int((top == t[:, None]).any(axis=1).sum())
        self.total += len(t)


class PrecisionRecallF1(ConfusionMatrix):
    """Precision, recall and F1 from a running confusion matrix.

    ``compute()`` returns ``{"precision", "recall", "f1"}`` equal to
    :func:`deepglass.metrics.precision_recall_fscore_support` on all data seen
    with ``labels=range(num_classes)``.

    Args:
        num_classes: number of classes.
        average: ``None``, ``"micro"``, ``"macro"`` or ``"weighted"``.
        zero_division: 0, 1 or ``np.nan`` for 0/0.
    """

    def __init__(self, num_classes: int, average="macro", zero_division=0.0):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"average must be None, 'micro', 'macro' or 'weighted'; got {average!r}.")
        self.average = average
        self.zero_division = zero_division
        super().__init__(num_classes)

    def compute(self):
        from .classification import _divide, _nanaverage

        cm = self.matrix
        tp = np.diag(cm).astype(np.float64)
        pred = cm.sum(axis=0).astype(np.float64)
        true = cm.sum(axis=1).astype(np.float64)
        if self.average == "micro":
            tp, pred, true = np.array([tp.sum()]), np.array([pred.sum()]), np.array([true.sum()])
        zd = self.zero_division
        p = _divide(tp, pred, "precision", "predicted", self.average, (), zd)
        r = _divide(tp, true, "recall", "true", self.average, (), zd)
        f = _divide(2 * tp, true + pred, "f-score", "true nor predicted", self.average, (), zd)
        if self.average is None:
            return {"precision": p, "recall": r, "f1": f}
        w = true if self.average == "weighted" else None
        return {k: float(_nanaverage(v, w)) for k, v in (("precision", p), ("recall", r), ("f1", f))}


class _ScoreStore(Metric):
    """Keeps every (label, score) pair so that ranking metrics are exact."""

    def reset(self):
        self._true, self._score = [], []

    def update(self, y_true, y_score):
        t = _to_numpy(y_true, "y_true").ravel()
        s = _to_numpy(y_score, "y_score").astype(np.float64).ravel()
        check_finite(s, "y_score")
        check_same_length(("y_true", t), ("y_score", s))
        self._true.append(t)
        self._score.append(s)

    def _data(self):
        if not self._true:
            raise ValueError(f"{type(self).__name__}.compute() called before any update().")
        return np.concatenate(self._true), np.concatenate(self._score)

    def merge(self, other):
        self._check_same(other)
        self._true += other._true
        self._score += other._score
        return self


class AveragePrecision(_ScoreStore):
    """Running binary average precision (exact: the scores are kept)."""

    def compute(self) -> float:
        return ranking.average_precision_score(*self._data())


class ROCAUC(_ScoreStore):
    """Running binary ROC AUC (exact: the scores are kept)."""

    def compute(self) -> float:
        return ranking.roc_auc_score(*self._data())


class Mean(Metric):
    """Running (optionally weighted) mean, e.g. of the loss."""

    def reset(self):
        self.total = 0.0
        self.weight = 0.0

    def update(self, value, weight=1.0):
        v = _to_numpy(value, "value").astype(np.float64)
        check_finite(v, "value")
        w = float(weight) * (v.size if v.ndim else 1)
        self.total += float(v.mean()) * w if v.size else 0.0
        self.weight += w if v.size else 0.0

    def compute(self) -> float:
        if self.weight == 0:
            raise ValueError("Mean.compute() called before any update().")
        return self.total / self.weight

    def merge(self, other):
        self._check_same(other)
        self.total += other.total
        self.weight += other.weight
        return self
