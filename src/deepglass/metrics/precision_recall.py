"""Precision, recall and F-scores (scikit-learn semantics), from the counts of ``classification.py``.

The concept notes' formulas, for one class with TP, FP, FN counts:

    precision P = TP / (TP + FP)        recall R = TP / (TP + FN)
    F_beta = (1 + beta^2) TP / ((1 + beta^2) TP + beta^2 FN + FP)
           = (1 + beta^2) P R / (beta^2 P + R)

``average`` combines the classes as scikit-learn does: ``"micro"`` pools the counts,
``"macro"`` averages the per-class scores, ``"weighted"`` weights them by support,
``"samples"`` averages over the rows of multilabel targets, ``None`` returns them all.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._utils import (
    UndefinedMetricWarning,
    sample_weights,
)
from .classification import _AVERAGES, _MULTILABEL, _check_targets, _counts

__all__ = [
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
]


def _check_zero_division(zero_division):
    if isinstance(zero_division, str) and zero_division == "warn":
        return np.float64(0.0)
    if isinstance(zero_division, (int, float, np.integer, np.floating)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return np.float64(zero_division)
        if np.isnan(zero_division):
            return np.float64(np.nan)
    raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan; got {zero_division!r}.")


def _divide(num, den, metric, modifier, average, warn_for, zero_division):
    """``num / den`` with ``zero_division`` where ``den == 0`` (and the warning)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    mask = den == 0.0
    result = num / np.where(mask, 1.0, den)
    if not mask.any():
        return result
    result[mask] = _check_zero_division(zero_division)
    if zero_division == "warn" and metric in warn_for:
        # per-label values say "samples"; per-sample values (average="samples") say "labels"
        each, over = ("label", "sample") if average == "samples" else ("sample", "label")
        if len(result) == 1:
            where = "due to"
        else:
            where = f"in {over}s with"
        warnings.warn(
            f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
            f"{each}s. Use `zero_division` parameter to control this behavior.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
    return result


def _nanaverage(a, weights=None):
    if len(a) == 0:
        return np.nan
    mask = np.isnan(a)
    if mask.all():
        return np.nan
    if weights is None:
        return np.mean(a[~mask])
    a, weights = a[~mask], np.asarray(weights, dtype=np.float64)[~mask]
    if weights.sum() == 0:  # all weights zero: ignore them, as scikit-learn does
        return np.mean(a)
    return np.average(a, weights=weights)


def precision_recall_fscore_support(
    y_true,
    y_pred,
    *,
    beta=1.0,
    labels=None,
    pos_label=1,
    average=None,
    warn_for=("precision", "recall", "f-score"),
    sample_weight=None,
    zero_division="warn",
):
    """Precision, recall, F-beta and support per class or averaged.

    F-beta is computed from the counts, ``(1 + b^2) TP / (b^2 (TP + FN) + TP + FP)``,
    so it is defined even when precision or recall is not. For multilabel
    indicator matrices every column is a class (a binary problem) and
    ``average="samples"`` computes P, R, F per row, then averages the rows:
    ``P_samples = (1/n) sum_i |true_i & pred_i| / |pred_i|``.

    Args:
        y_true: true labels ``(n,)`` or indicator matrix ``(n, n_labels)``.
        y_pred: predicted labels, or an indicator matrix of the same shape.
        beta: weight of recall in the F score (``beta >= 0``).
        labels: labels to report (and, with ``average``, to average over);
            column indices for indicator matrices.
        pos_label: positive class when ``average="binary"``.
        average: ``None`` (per class), ``"binary"``, ``"micro"`` (global counts),
            ``"macro"`` (unweighted mean of classes), ``"weighted"`` (mean weighted
            by support), ``"samples"`` (mean over samples, weighted by
            ``sample_weight``; indicator matrices only). NaN entries
            (``zero_division=np.nan``) are left out of the averages.
        warn_for: which metrics warn when ill-defined.
        sample_weight: optional weights.
        zero_division: value for 0/0: ``"warn"`` (0 and a warning), 0, 1 or NaN.

    Returns:
        ``(precision, recall, fbeta, support)``: arrays per label when
        ``average is None``, otherwise floats and ``support=None``.

    Example:
        >>> p, r, f, s = precision_recall_fscore_support([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1])
        >>> f.round(3).tolist(), s.tolist()
        ([0.8, 0.0, 0.0], [2, 2, 2])
        >>> y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]])
        >>> y_pred = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0]])
        >>> p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="samples")
        >>> round(p, 4), round(r, 4), round(f, 4)
        (0.8333, 0.8333, 0.7778)
    """
    _check_zero_division(zero_division)
    if not np.isscalar(beta) or beta < 0:
        raise ValueError(f"beta should be >= 0, got {beta!r}.")
    if average not in _AVERAGES and average != "binary":
        raise ValueError("average has to be one of (None, 'micro', 'macro', 'weighted', 'samples', 'binary').")
    kind, present, y_true, y_pred = _check_targets(y_true, y_pred)
    w = sample_weights(sample_weight, len(y_true))
    if average == "binary":
        if kind != "binary":
            choices = "[None, 'micro', 'macro', 'weighted'" + (", 'samples']" if kind == _MULTILABEL else "]")
            raise ValueError(
                f"Target is {kind} but average='binary'. Please choose another average "
                f"setting, one of {choices}."
            )
        if pos_label not in present.tolist() and len(present) >= 2:
            raise ValueError(f"pos_label={pos_label} is not a valid label. It should be one of {present}")
        labels = [pos_label]
    elif pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive class.",
            UserWarning,
            stacklevel=2,
        )
    tp_sum, pred_sum, true_sum, _ = _counts(kind, present, y_true, y_pred, w, labels, average == "samples")
    # through FP and FN, as scikit-learn goes through its multilabel confusion matrix
    pred_sum = tp_sum + (pred_sum - tp_sum)
    true_sum = tp_sum + (true_sum - tp_sum)
    if average == "micro":
        tp_sum, pred_sum, true_sum = (np.array([s.sum()]) for s in (tp_sum, pred_sum, true_sum))

    precision = _divide(tp_sum, pred_sum, "precision", "predicted", average, warn_for, zero_division)
    recall = _divide(tp_sum, true_sum, "recall", "true", average, warn_for, zero_division)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        denom = beta2 * true_sum.astype(np.float64) + pred_sum.astype(np.float64)
        f_score = _divide(
            (1 + beta2) * tp_sum.astype(np.float64), denom, "f-score", "true nor predicted",
            average, warn_for, zero_division,
        )
    if average is None:
        return precision, recall, f_score, true_sum
    weights = {"weighted": true_sum, "samples": w}.get(average)
    return (
        float(_nanaverage(precision, weights)),
        float(_nanaverage(recall, weights)),
        float(_nanaverage(f_score, weights)),
        None,
    )


def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary",
                sample_weight=None, zero_division="warn"):
    """F-beta score: ``(1 + b^2) P R / (b^2 P + R)``; see :func:`precision_recall_fscore_support`.

    Example:
        >>> round(fbeta_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro", beta=0.5), 4)
        0.2381
    """
    _, _, f, _ = precision_recall_fscore_support(
        y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label, average=average,
        warn_for=("f-score",), sample_weight=sample_weight, zero_division=zero_division,
    )
    return f


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
             sample_weight=None, zero_division="warn"):
    """F1 score ``2 P R / (P + R) = 2 TP / (2 TP + FP + FN)``.

    Example:
        >>> round(f1_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro"), 4)
        0.2667
        >>> f1_score([[0, 0, 0], [1, 1, 1], [0, 1, 1]], [[0, 0, 0], [1, 1, 1], [1, 1, 0]],
        ...          average=None).round(4).tolist()   # multilabel: one F1 per column
        [0.6667, 1.0, 0.6667]
    """
    return fbeta_score(y_true, y_pred, beta=1, labels=labels, pos_label=pos_label,
                       average=average, sample_weight=sample_weight, zero_division=zero_division)


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
    """Precision ``TP / (TP + FP)``: of the samples predicted positive, the fraction right.

    Example:
        >>> round(precision_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro"), 4)
        0.2222
    """
    p, _, _, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        warn_for=("precision",), sample_weight=sample_weight, zero_division=zero_division,
    )
    return p


def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                 sample_weight=None, zero_division="warn"):
    """Recall ``TP / (TP + FN)``: of the positive samples, the fraction found.

    Example:
        >>> round(recall_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro"), 4)
        0.3333
    """
    _, r, _, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        warn_for=("recall",), sample_weight=sample_weight, zero_division=zero_division,
    )
    return r
