"""Ranking metrics from scores: PR and ROC curves, AP, AUC (scikit-learn semantics).

Plus two things scikit-learn lacks and the concept notes ask for: the F1 versus
confidence sweep (:func:`f1_confidence_curve`) and the interpolated AP variants
of PASCAL VOC and COCO (:func:`interpolated_average_precision`).

Operating points: sort the scores in descending order; every distinct score
``s`` is a threshold ("predict positive when score >= s"); tied scores are one
point. At each threshold ``TP(s)`` and ``FP(s)`` are cumulative counts.

``average_precision_score`` and ``roc_auc_score`` also take multilabel
targets, as scikit-learn: ``y_true`` an indicator matrix ``(n, n_labels)`` and
``y_score`` one score column per label; each column is a binary problem,
averaged by ``average`` (``"macro"``, ``"weighted"``, ``"micro"``, ``None``, or
``"samples"``: one binary problem per row). The curves take one binary target.
"""
from __future__ import annotations

import warnings
from itertools import combinations
from typing import NamedTuple

import numpy as np

from ._utils import (
    UndefinedMetricWarning,
    _to_numpy,
    check_finite,
    check_same_length,
    column,
    sample_weights,
    type_of_target,
)

__all__ = [
    "precision_recall_curve",
    "average_precision_score",
    "roc_curve",
    "auc",
    "roc_auc_score",
    "f1_confidence_curve",
    "interpolated_average_precision",
    "F1ConfidenceCurve",
]


def _scores(y_score, name="y_score") -> np.ndarray:
    s = _to_numpy(y_score, name)
    if s.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {s.dtype}.")
    s = s.astype(np.float64, copy=False)
    check_finite(s, name)
    return s


def _unique(y: np.ndarray) -> np.ndarray:
    """``np.unique`` without the sort for small-range integer labels (the common case)."""
    if y.dtype.kind in "biu" and len(y):
        lo, hi = int(y.min()), int(y.max())
        if hi - lo < 1 << 16:
            counts = np.bincount(y.astype(np.int64) - lo)
            return (np.flatnonzero(counts) + lo).astype(y.dtype)
    return np.unique(y)


def _positive_mask(y_true: np.ndarray, pos_label) -> np.ndarray:
    """Boolean positives; without ``pos_label`` labels must be {0,1} or {-1,1}."""
    if y_true.dtype.kind == "f":
        check_finite(y_true, "y_true")
    if pos_label is None:
        if y_true.dtype.kind not in "biuf":
            raise ValueError(
                f"y_true takes values {np.unique(y_true)}; with non-numeric labels pass pos_label."
            )
        if y_true.dtype == bool:
            return y_true
        lo, hi = (y_true.min(), y_true.max()) if len(y_true) else (0, 0)
        ok = (lo, hi) in ((0, 1), (-1, 1), (0, 0), (-1, -1), (1, 1))
        if ok and lo != hi:
            ok = np.count_nonzero((y_true == lo) | (y_true == hi)) == len(y_true)
        if not ok:
            raise ValueError(
                f"y_true takes values {np.unique(y_true)}, which are not {{0, 1}} or {{-1, 1}}; "
                "pass pos_label to say which label is positive."
            )
        return y_true == 1
    return y_true == pos_label


def _binary_counts(y_true, y_score, pos_label=None, sample_weight=None):
    """Cumulative ``fps, tps`` at each distinct score (descending) and those scores."""
    y_true = _to_numpy(y_true, "y_true")
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        raise ValueError(
            f"{type_of_target(y_true, 'y_true')} format is not supported: a curve is for one binary "
            "target; pass one label's column at a time (y_true[:, j], y_score[:, j])."
        )
    y_true = column(y_true, "y_true")
    y_score = _scores(y_score)
    if y_score.ndim != 1:
        raise ValueError(f"y_score must be 1-D for a binary curve, got shape {y_score.shape}.")
    check_same_length(("y_true", y_true), ("y_score", y_score))
    if len(y_true) == 0:
        raise ValueError("y_true and y_score are empty; at least one sample is required.")
    w = sample_weights(sample_weight, len(y_true))
    pos = _positive_mask(y_true, pos_label)
    order = np.argsort(y_score, kind="stable")[::-1]
    s = y_score[order]
    p = pos[order]
    last = np.flatnonzero(s[1:] != s[:-1])
    idx = np.append(last, len(s) - 1)
    if w is None:
        tps = np.cumsum(p, dtype=np.float64)[idx]
        fps = 1.0 + idx - tps
    else:
        wo = w[order].astype(np.float64)
        tps = np.cumsum(p * wo)[idx]
        fps = np.cumsum((~p) * wo)[idx]
    return fps, tps, s[idx]


def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None,
                           drop_intermediate=False):
    """Precision and recall at every distinct score threshold.

    ``P(s) = TP(s) / (TP(s) + FP(s))``, ``R(s) = TP(s) / #positives``. The arrays
    run from the lowest threshold to the highest and end with the point
    ``precision=1, recall=0`` (no threshold for it).

    Args:
        y_true: binary labels ({0,1} or {-1,1}, or any two labels with ``pos_label``).
        y_score: scores, higher meaning more positive.
        pos_label: the positive label.
        sample_weight: optional weights.
        drop_intermediate: drop thresholds where recall does not change... as
            scikit-learn: points with equal TP on both sides are dropped.

    Returns:
        ``(precision, recall, thresholds)``; the first two have one more entry.

    Example:
        >>> p, r, t = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> p.round(3).tolist(), r.tolist(), t.tolist()
        ([0.5, 0.667, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0], [0.1, 0.35, 0.4, 0.8])
    """
    fps, tps, thr = _binary_counts(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and len(fps) > 2:
        keep = np.concatenate([[True], (np.diff(tps[:-1]) != 0) | (np.diff(tps[1:]) != 0), [True]])
        fps, tps, thr = fps[keep], tps[keep], thr[keep]
    ps = tps + fps
    precision = np.divide(tps, ps, out=np.zeros_like(tps), where=ps != 0)
    if tps[-1] == 0:
        warnings.warn("No positive class found in y_true, recall is set to one for all thresholds.",
                      UserWarning, stacklevel=2)
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.append(precision[::-1], 1.0), np.append(recall[::-1], 0.0), thr[::-1]


def _binary_ap(y_true, y_score, pos_label=None, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        precision, recall, _ = precision_recall_curve(y_true, y_score, pos_label=pos_label,
                                                      sample_weight=sample_weight)
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def _average_over_columns(metric, y_true_2d, y_score_2d, average, sample_weight=None):
    """Apply a binary ``metric`` column-wise and average (one-vs-rest), as scikit-learn.

    ``"micro"`` pools every entry into one binary problem; ``"samples"`` applies
    ``metric`` to each row instead and averages the rows weighted by
    ``sample_weight``; scores of zero weight count as 0 (so their NaN cannot spread).
    """
    if average not in (None, "micro", "macro", "weighted", "samples"):
        raise ValueError("average has to be one of (None, 'micro', 'macro', 'weighted', 'samples'); "
                         f"got {average!r}.")
    if average == "micro":
        w = None if sample_weight is None else np.repeat(sample_weight, y_true_2d.shape[1])
        return float(metric(y_true_2d.ravel(), y_score_2d.ravel(), sample_weight=w))
    if average == "samples":
        scores = np.array([metric(t, s) for t, s in zip(y_true_2d, y_score_2d)], dtype=np.float64)
        if sample_weight is not None:
            scores[np.asarray(sample_weight) == 0] = 0
        return float(np.average(scores, weights=sample_weight))
    weights = None
    if average == "weighted":
        if sample_weight is None:
            weights = y_true_2d.sum(axis=0).astype(np.float64)
        else:
            weights = (y_true_2d * np.asarray(sample_weight)[:, None]).sum(axis=0)
        if np.isclose(weights.sum(), 0.0):
            return 0.0
    scores = np.array([metric(y_true_2d[:, c], y_score_2d[:, c], sample_weight=sample_weight)
                       for c in range(y_true_2d.shape[1])])
    if average is None:
        return scores
    if weights is not None:
        scores[weights == 0] = 0
    return float(np.average(scores, weights=weights))


def _one_hot(y_true, classes):
    return (y_true[:, None] == classes[None, :]).astype(np.int64)


def _indicator_inputs(y_true, y_score, sample_weight):
    """``(y_true, y_score, w)`` checked for a 2-D ``y_true``: a multilabel indicator
    matrix ``(n, n_labels)`` with one score column per label."""
    kind = type_of_target(y_true, "y_true")
    if kind != "multilabel-indicator":
        raise ValueError(
            f"{kind} format is not supported: a 2-D y_true must be a 0/1 indicator matrix of shape "
            "(n_samples, n_labels) (multilabel); pass 1-D labels for binary or multiclass targets."
        )
    y_score = _scores(y_score)
    check_same_length(("y_true", y_true), ("y_score", y_score))
    if y_score.shape != y_true.shape:
        raise ValueError(
            f"y_score has shape {y_score.shape} but y_true is a multilabel indicator matrix of shape "
            f"{y_true.shape}; pass one score column per label."
        )
    return y_true, y_score, sample_weights(sample_weight, len(y_true))


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1, sample_weight=None):
    """Average precision, the step-wise area under the PR curve (no interpolation).

    ``AP = sum_n (R_n - R_{n-1}) P_n`` over thresholds in decreasing order.
    For multiclass ``y_true`` (``y_score`` of shape ``(n, n_classes)``, columns in
    sorted label order) AP is computed one-vs-rest and averaged: ``"macro"``,
    ``"weighted"`` (by class support), ``"micro"`` (all pairs pooled),
    ``"samples"`` (per row, then averaged) or ``None``. A multilabel indicator
    matrix ``y_true`` ``(n, n_labels)`` is averaged the same way, column by column.

    Args:
        y_true: labels, or a multilabel indicator matrix.
        y_score: scores (1-D for binary, 2-D for multiclass and multilabel).
        average: see above (ignored for binary targets).
        pos_label: positive label for binary targets (must stay 1 otherwise).
        sample_weight: optional weights.

    Returns:
        float (array of per-class values when ``average is None``).

    Example:
        >>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
        0.8333
        >>> y_true = np.array([[1, 0], [0, 1], [1, 1]])
        >>> y_score = np.array([[0.9, 0.2], [0.3, 0.6], [0.2, 0.7]])
        >>> average_precision_score(y_true, y_score, average=None).round(4).tolist()
        [0.8333, 1.0]
    """
    y_true = _to_numpy(y_true, "y_true")
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        if pos_label != 1:
            raise ValueError("Parameter pos_label is fixed to 1 for multilabel-indicator y_true. "
                             "Do not set pos_label or set pos_label to 1.")
        y_true, y_score, w = _indicator_inputs(y_true, y_score, sample_weight)
        return _average_over_columns(lambda t, s, sample_weight=None: _binary_ap(t, s, 1, sample_weight),
                                     y_true, y_score, average, w)
    y_true = column(y_true, "y_true")
    y_score = _scores(y_score)
    check_same_length(("y_true", y_true), ("y_score", y_score))
    w = sample_weights(sample_weight, len(y_true))
    present = _unique(y_true)
    if len(present) <= 2:
        if len(present) == 2 and pos_label not in present.tolist():
            raise ValueError(f"pos_label={pos_label} is not a valid label. It should be one of {present}")
        if y_score.ndim != 1:
            y_score = column(y_score, "y_score")
        return _binary_ap(y_true, y_score, pos_label=pos_label, sample_weight=w)
    if pos_label != 1:
        raise ValueError("Parameter pos_label is fixed to 1 for multiclass y_true. "
                         "Do not set pos_label or set pos_label to 1.")
    onehot = _one_hot(y_true, present)
    if y_score.shape != onehot.shape:
        raise ValueError("`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` "
                         f"contains multiple classes. Got `y_score.shape={y_score.shape}`.")
    return _average_over_columns(lambda t, s, sample_weight=None: _binary_ap(t, s, 1, sample_weight),
                                 onehot, y_score, average, w)


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """Receiver operating characteristic: FPR and TPR at every distinct threshold.

    ``TPR = TP / P``, ``FPR = FP / N``; starts at ``(0, 0)`` with threshold ``inf``.

    Args:
        y_true: binary labels.
        y_score: scores.
        pos_label: the positive label.
        sample_weight: optional weights.
        drop_intermediate: drop collinear points that do not change the curve.

    Returns:
        ``(fpr, tpr, thresholds)`` (thresholds decreasing).

    Example:
        >>> fpr, tpr, thr = roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], pos_label=2)
        >>> fpr.tolist(), tpr.tolist(), thr.tolist()
        ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0], [inf, 0.8, 0.4, 0.35, 0.1])
    """
    fps, tps, thr = _binary_counts(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and len(fps) > 2:
        keep = np.concatenate([[True], (np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0), [True]])
        fps, tps, thr = fps[keep], tps[keep], thr[keep]
    tps = np.append(0.0, tps)
    fps = np.append(0.0, fps)
    thr = np.append(np.inf, thr)
    if fps[-1] <= 0:
        warnings.warn("No negative samples in y_true, false positive value should be meaningless",
                      UndefinedMetricWarning, stacklevel=2)
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warnings.warn("No positive samples in y_true, true positive value should be meaningless",
                      UndefinedMetricWarning, stacklevel=2)
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thr


def auc(x, y):
    """Area under a curve by the trapezoidal rule; ``x`` must be monotonic.

    ``AUC = sum_i (x_{i+1} - x_i) (y_i + y_{i+1}) / 2``

    Example:
        >>> auc([0, 0.5, 1], [0, 1, 1])
        0.75
    """
    x = column(x, "x").astype(np.float64)
    y = column(y, "y").astype(np.float64)
    check_same_length(("x", x), ("y", y))
    if len(x) < 2:
        raise ValueError(f"At least 2 points are needed to compute area under curve, but x.shape = {len(x)}")
    direction = 1
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1
        else:
            raise ValueError(f"x is neither increasing nor decreasing : {x}.")
    return float(direction * np.trapezoid(y, x))


def _binary_roc_auc(y_true, y_score, sample_weight=None):
    if len(_unique(y_true)) != 2:
        warnings.warn("Only one class is present in y_true. ROC AUC score is not defined in that case.",
                      UndefinedMetricWarning, stacklevel=3)
        return np.nan
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight=sample_weight)
    return auc(fpr, tpr)


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, multi_class="raise",
                  labels=None):
    """Area under the ROC curve.

    Binary: the trapezoid area under :func:`roc_curve`. Multiclass (``y_score`` of
    shape ``(n, n_classes)`` with rows summing to 1): ``multi_class="ovr"``
    averages one-vs-rest AUCs (``"macro"``, ``"weighted"`` by prevalence,
    ``"micro"``), ``"ovo"`` is Hand & Till's mean over class pairs of
    ``(AUC(a|a,b) + AUC(b|a,b)) / 2`` (``"weighted"``: by pair prevalence).
    Multilabel (``y_true`` an indicator matrix ``(n, n_labels)``, ``y_score`` the
    same shape, any scores): one binary AUC per column, averaged by ``average``
    (``"macro"``, ``"weighted"`` by support, ``"micro"``, ``"samples"`` per row,
    ``None``); ``multi_class`` and ``labels`` are ignored. A column (or, for
    ``"samples"``, a row) with a single class has an undefined AUC (NaN, warned).

    Args:
        y_true: labels, or a multilabel indicator matrix.
        y_score: scores or class probabilities.
        average: averaging for multiclass and multilabel.
        sample_weight: optional weights (not with ``"ovo"``).
        multi_class: ``"ovr"`` or ``"ovo"``; required for multiclass.
        labels: all labels in column order for multiclass.

    Returns:
        float (array per class for ``ovr`` or multilabel with ``average=None``).

    Example:
        >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        0.75
        >>> roc_auc_score(np.array([[1, 0], [0, 1], [1, 1], [0, 0]]),
        ...               np.array([[0.9, 0.2], [0.3, 0.6], [0.2, 0.7], [0.1, 0.8]]), average=None).tolist()
        [0.75, 0.5]
    """
    y_true = _to_numpy(y_true, "y_true")
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        y_true, y_score, w = _indicator_inputs(y_true, y_score, sample_weight)
        return _average_over_columns(_binary_roc_auc, y_true, y_score, average, w)
    y_true = column(y_true, "y_true")
    y_score = _scores(y_score)
    check_same_length(("y_true", y_true), ("y_score", y_score))
    if len(y_true) == 0:  # as scikit-learn
        raise ValueError("Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required: y_true and "
                         "y_score are empty.")
    kind = type_of_target(y_true, "y_true")
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"{kind} format is not supported: y_true must hold class labels, not scores "
                         "(for continuous targets use a regression metric).")
    w = sample_weights(sample_weight, len(y_true))
    present = _unique(y_true)
    if len(present) > 2 or (y_score.ndim == 2 and y_score.shape[1] > 2):
        return _multiclass_roc_auc(y_true, y_score, labels, multi_class, average, w)
    if y_score.ndim == 2:
        y_score = column(y_score, "y_score")
    if average not in (None, "micro", "macro", "weighted", "samples"):
        raise ValueError(f"average has to be one of None, 'micro', 'macro', 'weighted'; got {average!r}.")
    # the larger of two labels is the positive one; a single label means no positives
    positives = (y_true == present[-1]) if len(present) == 2 else np.zeros(len(y_true), dtype=bool)
    return _binary_roc_auc(positives.astype(np.int64), y_score, w)


def _multiclass_roc_auc(y_true, y_score, labels, multi_class, average, w):
    if y_score.ndim != 2:
        raise ValueError("`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` "
                         f"contains multiple classes. Got `y_score.shape={y_score.shape}`.")
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError("Target scores need to be probabilities for multiclass roc_auc, i.e. they "
                         "should sum up to 1.0 over classes")
    if multi_class not in ("ovo", "ovr"):
        raise ValueError(f"multi_class must be 'ovr' or 'ovo' for multiclass ROC AUC; got {multi_class!r}.")
    options = ("micro", "macro", "weighted", None) if multi_class == "ovr" else ("macro", "weighted")
    if average not in options:
        raise ValueError(f"average must be one of {options} for multiclass problems")
    if labels is not None:
        labels = column(labels, "labels")
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(f"Number of given labels, {len(classes)}, not equal to the number of "
                             f"columns in 'y_score', {y_score.shape[1]}")
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError("Number of classes in y_true not equal to the number of columns in 'y_score'")
    if multi_class == "ovr":
        return _average_over_columns(_binary_roc_auc, _one_hot(y_true, classes), y_score, average, w)
    if w is not None:
        raise ValueError("sample_weight is not supported for multiclass one-vs-one ROC AUC.")
    encoded = np.searchsorted(classes, y_true)
    n_present = len(np.unique(encoded))
    pairs = list(combinations(range(n_present), 2))
    scores = np.empty(len(pairs))
    prevalence = np.empty(len(pairs)) if average == "weighted" else None
    for i, (a, b) in enumerate(pairs):
        a_mask = encoded == a
        b_mask = encoded == b
        ab = a_mask | b_mask
        if prevalence is not None:
            prevalence[i] = np.mean(ab)
        auc_a = _binary_roc_auc(a_mask[ab].astype(np.int64), y_score[ab, a])
        auc_b = _binary_roc_auc(b_mask[ab].astype(np.int64), y_score[ab, b])
        scores[i] = (auc_a + auc_b) / 2
    return float(np.average(scores, weights=prevalence))


class F1ConfidenceCurve(NamedTuple):
    """Result of :func:`f1_confidence_curve` (arrays ordered by increasing threshold)."""

    thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    best_threshold: float
    best_f1: float


def f1_confidence_curve(y_true, y_score, *, pos_label=None, sample_weight=None):
    """Sweep the confidence threshold and report P, R and F1 at each (the notes' "遍历置信度").

    At threshold ``c`` a sample is predicted positive when ``score >= c``;
    ``F1(c) = 2 TP / (2 TP + FP + FN)`` (0 when undefined). The best threshold
    is the one with the highest F1; ties go to the highest confidence.

    Args:
        y_true: binary labels.
        y_score: confidences.
        pos_label: the positive label.
        sample_weight: optional weights.

    Returns:
        :class:`F1ConfidenceCurve` with ``thresholds`` (distinct scores,
        increasing), ``precision``, ``recall``, ``f1``, ``best_threshold``, ``best_f1``.

    Example:
        >>> c = f1_confidence_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> c.best_threshold, round(c.best_f1, 3)
        (0.35, 0.8)
    """
    fps, tps, thr = _binary_counts(y_true, y_score, pos_label, sample_weight)
    n_pos = tps[-1]
    fns = n_pos - tps
    ps = tps + fps
    precision = np.divide(tps, ps, out=np.zeros_like(tps), where=ps != 0)
    recall = tps / n_pos if n_pos > 0 else np.zeros_like(tps)
    den = 2 * tps + fps + fns
    f1 = np.divide(2 * tps, den, out=np.zeros_like(tps), where=den != 0)
    best = int(np.argmax(f1))  # descending thresholds: first max = highest confidence
    return F1ConfidenceCurve(thr[::-1].copy(), precision[::-1].copy(), recall[::-1].copy(),
                             f1[::-1].copy(), float(thr[best]), float(f1[best]))


def interpolated_average_precision(y_true, y_score, *, method="voc2010", pos_label=None,
                                   sample_weight=None):
    """Interpolated AP of PASCAL VOC and COCO.

    With the interpolated precision ``P_interp(r) = max_{r' >= r} P(r')``:

    * ``"voc2007"``: 11-point, ``(1/11) sum_{r in {0, 0.1, ..., 1}} P_interp(r)``; the
      thresholds are exactly ``i / 10`` (not the drifting ``np.arange(0, 1.1, 0.1)``).
    * ``"voc2010"``: all points, ``sum_n (R_n - R_{n-1}) P_interp(R_n)``.
    * ``"coco101"``: 101-point, ``(1/101) sum_{r in {0, 0.01, ..., 1}} P_interp(r)``,
      taking the first operating point with recall >= r (0 when none), as COCO.

    Operating points are the distinct scores (ties collapsed).

    Args:
        y_true: binary labels.
        y_score: scores.
        method: ``"voc2007"``, ``"voc2010"`` or ``"coco101"``.
        pos_label: the positive label.
        sample_weight: optional weights.

    Returns:
        float (0.0 when there are no positives).

    Example:
        >>> round(interpolated_average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8],
        ...                                      method="voc2007"), 4)
        0.8485
    """
    if method not in ("voc2007", "voc2010", "coco101"):
        raise ValueError(f"method must be 'voc2007', 'voc2010' or 'coco101'; got {method!r}.")
    fps, tps, _ = _binary_counts(y_true, y_score, pos_label, sample_weight)
    if tps[-1] <= 0:
        return 0.0
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    if method == "voc2010":
        r = np.concatenate([[0.0], recall])
        return float(np.sum(np.diff(r) * envelope))
    points = np.arange(11) / 10 if method == "voc2007" else np.arange(101) / 100
    idx = np.searchsorted(recall, points, side="left")
    q = np.where(idx < len(recall), envelope[np.minimum(idx, len(recall) - 1)], 0.0)
    return float(np.mean(q))
