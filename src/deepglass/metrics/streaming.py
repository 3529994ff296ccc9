"""Streaming metrics for training loops: ``update()`` per batch, ``compute()`` at the end.

Every metric keeps sufficient statistics (counts, or the scores themselves for
ranking metrics), so ``compute()`` equals the batch function on all the data
seen. ``merge(other)`` adds another worker's state (data-parallel evaluation);
``reset()`` clears it.

Multilabel targets (0/1 indicator matrices ``(n, n_labels)``): ``Accuracy``
counts exact rows (subset accuracy), ``PrecisionRecallF1(n_labels,
multilabel=True)`` keeps one 2x2 matrix per label (and per-sample sums for
``average="samples"``), ``AveragePrecision`` and ``ROCAUC`` keep the score
matrix and average over labels. ``ConfusionMatrix`` is single-label only.

Example:
    >>> cm = ConfusionMatrix(3)
    >>> cm.update([0, 1, 2], [0, 2, 2]); cm.update([1], [1])
    >>> cm.compute().tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
"""
from __future__ import annotations

import numpy as np

from . import ranking
from ._utils import _to_numpy, check_finite, check_same_length

__all__ = ["Metric", "ConfusionMatrix", "Accuracy", "TopKAccuracy", "PrecisionRecallF1",
           "AveragePrecision", "ROCAUC", "Mean"]


def _labels(x, name, num_classes=None):
    a = _to_numpy(x, name)
    if a.ndim == 0:
        a = a.reshape(1)
    a = a.ravel() if a.ndim == 2 and a.shape[1] == 1 else a
    if a.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D class indices, got shape {a.shape}; for multilabel indicator "
            "matrices use PrecisionRecallF1(n_labels, multilabel=True) or Accuracy."
        )
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


def _indicators(x, name, n_labels=None):
    """A multilabel indicator matrix ``(n, n_labels)`` of 0/1 values, as bool."""
    a = _to_numpy(x, name)
    if a.ndim != 2 or (n_labels is not None and a.shape[1] != n_labels):
        want = f"(n, {n_labels})" if n_labels is not None else "(n, n_labels)"
        raise ValueError(f"{name} must be a 0/1 indicator matrix of shape {want}, got shape {a.shape}.")
    if a.dtype.kind == "f":
        check_finite(a, name)
    if a.dtype.kind not in "biuf" or not np.all((a == 0) | (a == 1)):
        raise ValueError(f"{name} must hold only 0 and 1 (label absent or present); threshold scores "
                         "first, e.g. (y_score >= 0.5).")
    return a.astype(bool, copy=False)


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
    """Running accuracy ``correct / seen``; predictions may be labels or scores (argmax).

    With a multilabel indicator matrix ``y_true`` ``(n, n_labels)``, ``y_pred`` must
    be a 0/1 matrix of the same shape and a sample is correct when its whole
    row is (subset accuracy, as :func:`deepglass.metrics.accuracy_score`).
    """

    def reset(self):
        self.correct = 0
        self.total = 0

    def update(self, y_true, y_pred):
        t = _to_numpy(y_true, "y_true")
        if t.ndim == 2 and t.shape[1] > 1:
            t = _indicators(t, "y_true")
            p = _indicators(y_pred, "y_pred", t.shape[1])
            check_same_length(("y_true", t), ("y_pred", p))
            self.correct += int(np.count_nonzero((t == p).all(axis=1)))
            self.total += len(t)
            return
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

    With ``multilabel=True`` the batches are 0/1 indicator matrices
    ``(n, num_classes)`` (one column per label) and ``matrix`` is the running
    :func:`deepglass.metrics.multilabel_confusion_matrix` ``(num_classes, 2, 2)``;
    ``average="samples"`` is then available (per-sample values are summed as
    the batches arrive).

    Args:
        num_classes: number of classes (labels, when multilabel).
        average: ``None``, ``"micro"``, ``"macro"``, ``"weighted"``, or
            ``"samples"`` (multilabel only).
        zero_division: 0, 1 or ``np.nan`` for 0/0.
        multilabel: inputs are indicator matrices rather than class indices.
    """

    def __init__(self, num_classes: int, average="macro", zero_division=0.0, multilabel=False):
        options = (None, "micro", "macro", "weighted") + (("samples",) if multilabel else ())
        if average not in options:
            extra = " ('samples' needs multilabel=True)" if average == "samples" else ""
            raise ValueError(f"average must be one of {options}; got {average!r}{extra}.")
        self.average = average
        self.zero_division = zero_division
        self.multilabel = bool(multilabel)
        super().__init__(num_classes)

    def reset(self):
        if not self.multilabel:
            return super().reset()
        self.matrix = np.zeros((self.num_classes, 2, 2), dtype=np.int64)
        # per-sample precision, recall, F1: sums of the defined (non-NaN) values and their counts
        self._sample_sums = np.zeros(3)
        self._sample_counts = np.zeros(3, dtype=np.int64)

    def update(self, y_true, y_pred):
        """Add a batch: labels (or scores, argmax), or indicator matrices when multilabel."""
        if not self.multilabel:
            return super().update(y_true, y_pred)
        from .precision_recall import _divide

        t = _indicators(y_true, "y_true", self.num_classes)
        p = _indicators(y_pred, "y_pred", self.num_classes)
        check_same_length(("y_true", t), ("y_pred", p))
        both = t & p
        tp, pred, true = (np.count_nonzero(m, axis=0) for m in (both, p, t))
        self.matrix += np.stack([len(t) - pred - true + tp, pred - tp, true - tp, tp], axis=-1).reshape(-1, 2, 2)
        tp, pred, true = (np.count_nonzero(m, axis=1) for m in (both, p, t))
        zd = self.zero_division
        per_sample = (_divide(tp, pred, "precision", "predicted", "samples", (), zd),
                      _divide(tp, true, "recall", "true", "samples", (), zd),
                      _divide(2 * tp, pred + true, "f-score", "true nor predicted", "samples", (), zd))
        for i, v in enumerate(per_sample):
            ok = ~np.isnan(v)
            self._sample_sums[i] += v[ok].sum()
            self._sample_counts[i] += np.count_nonzero(ok)

    def merge(self, other):
        self._check_same(other)
        if other.multilabel != self.multilabel:
            raise ValueError("cannot merge a multilabel PrecisionRecallF1 with a single-label one.")
        super().merge(other)
        if self.multilabel:
            self._sample_sums += other._sample_sums
            self._sample_counts += other._sample_counts
        return self

    def compute(self):
        from .precision_recall import _divide, _nanaverage

        cm = self.matrix
        if self.multilabel:
            if self.average == "samples":
                values = [s / c if c else np.nan for s, c in zip(self._sample_sums, self._sample_counts)]
                return dict(zip(("precision", "recall", "f1"), map(float, values)))
            tp = cm[:, 1, 1].astype(np.float64)
            pred = tp + cm[:, 0, 1]
            true = tp + cm[:, 1, 0]
        else:
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


def _columns(t: np.ndarray) -> str:
    return f"{t.shape[1]} label columns" if t.ndim == 2 else "one binary target"


class _ScoreStore(Metric):
    """Keeps every (label, score) pair so that ranking metrics are exact.

    Binary batches are flattened; a multilabel indicator ``y_true`` ``(n, n_labels)``
    keeps its columns, with ``y_score`` of the same shape.
    """

    def __init__(self, average="macro"):
        self.average = average
        super().__init__()

    def reset(self):
        self._true, self._score = [], []

    def _check_columns(self, t, where):
        if self._true and self._true[0].shape[1:] != t.shape[1:]:
            raise ValueError(f"{where} has {_columns(t)} but the data so far has "
                             f"{_columns(self._true[0])}; every batch needs the same labels.")

    def update(self, y_true, y_score):
        t = _to_numpy(y_true, "y_true")
        s = _to_numpy(y_score, "y_score").astype(np.float64)
        if t.ndim == 2 and t.shape[1] > 1:
            if s.shape != t.shape:
                raise ValueError(f"y_score has shape {s.shape} but y_true is an indicator matrix of "
                                 f"shape {t.shape}; pass one score column per label.")
        else:
            t, s = t.ravel(), s.ravel()
        check_finite(s, "y_score")
        check_same_length(("y_true", t), ("y_score", s))
        self._check_columns(t, "this batch")
        self._true.append(t)
        self._score.append(s)

    def _data(self):
        if not self._true:
            raise ValueError(f"{type(self).__name__}.compute() called before any update().")
        return np.concatenate(self._true), np.concatenate(self._score)

    def merge(self, other):
        self._check_same(other)
        if other._true:
            self._check_columns(other._true[0], "the merged metric")
        self._true += other._true
        self._score += other._score
        return self


class AveragePrecision(_ScoreStore):
    """Running average precision (exact: the scores are kept); binary or multilabel.

    Args:
        average: how multilabel columns are averaged, as in
            :func:`deepglass.metrics.average_precision_score` (ignored for binary data).
    """

    def compute(self):
        return ranking.average_precision_score(*self._data(), average=self.average)


class ROCAUC(_ScoreStore):
    """Running ROC AUC (exact: the scores are kept); binary or multilabel.

    Args:
        average: how multilabel columns are averaged, as in
            :func:`deepglass.metrics.roc_auc_score` (ignored for binary data).
    """

    def compute(self):
        return ranking.roc_auc_score(*self._data(), average=self.average)


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
