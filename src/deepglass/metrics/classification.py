"""Classification metrics computed from predicted labels (scikit-learn semantics).

Every function has scikit-learn's name, keyword arguments and results (they are
tested equal to scikit-learn to 1e-12). Only binary and multiclass targets are
supported: multilabel indicator matrices raise ``ValueError``.

The concept notes' formulas, for one class with TP, FP, FN counts:

    precision P = TP / (TP + FP)        recall R = TP / (TP + FN)
    F_beta = (1 + beta^2) TP / ((1 + beta^2) TP + beta^2 FN + FP)
           = (1 + beta^2) P R / (beta^2 P + R)
"""
from __future__ import annotations

import warnings

import numpy as np

from ._utils import (
    _to_numpy,
    UndefinedMetricWarning,
    check_labels_1d,
    check_same_length,
    column,
    sample_weights,
)

__all__ = [
    "confusion_matrix",
    "accuracy_score",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
    "top_k_accuracy_score",
]

_AVERAGES = (None, "micro", "macro", "weighted", "samples")


def _check_targets(y_true, y_pred):
    """Return ``(kind, sorted_present_labels, y_true, y_pred)`` for 1-D label arrays."""
    y_true = column(y_true, "y_true")
    y_pred = column(y_pred, "y_pred")
    check_same_length(("y_true", y_true), ("y_pred", y_pred))
    if len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty; at least one sample is required.")
    check_labels_1d(y_true, "y_true")
    check_labels_1d(y_pred, "y_pred")
    if (y_true.dtype.kind in "US") != (y_pred.dtype.kind in "US"):
        raise ValueError("y_true and y_pred mix string and numeric labels.")
    present = np.union1d(y_true, y_pred)
    kind = "binary" if len(present) <= 2 else "multiclass"
    return kind, present, y_true, y_pred


def _index_of(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of each value in ``labels`` (``len(labels)`` when absent)."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.searchsorted(sorted_labels, values)
    clipped = np.minimum(pos, len(labels) - 1)
    found = (pos < len(labels)) & (sorted_labels[clipped] == values)
    return np.where(found, order[clipped], len(labels))


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """Confusion matrix ``C[i, j]`` = samples of true class ``i`` predicted as ``j``.

    Rows are the true labels and columns the predicted labels, as in
    scikit-learn (the notes' figure and YOLO draw the transpose; see
    ``deepglass.viz.plot_confusion_matrix(..., true_on_x=True)``).

    Args:
        y_true: true labels, shape ``(n,)``.
        y_pred: predicted labels, shape ``(n,)``.
        labels: labels indexing the matrix (order and subset); default: the sorted
            union of the labels present.
        sample_weight: optional weight per sample.
        normalize: ``None`` (counts), ``"true"`` (rows sum to 1), ``"pred"``
            (columns sum to 1) or ``"all"`` (the whole matrix sums to 1).

    Returns:
        ``ndarray`` of shape ``(n_labels, n_labels)``: int64 counts, float64 when
        normalised or weighted with floats.

    Example:
        >>> confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
        array([[2, 0, 0],
               [0, 0, 1],
               [1, 0, 2]])
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all'; got {normalize!r}.")
    _, present, y_true, y_pred = _check_targets(y_true, y_pred)
    w = sample_weights(sample_weight, len(y_true))
    if labels is None:
        labels = present
    else:
        labels = column(labels, "labels")
        if labels.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        if len(np.intersect1d(y_true, labels)) == 0:
            raise ValueError("At least one label specified must be in y_true.")
    n = len(labels)
    ti = _index_of(y_true, labels)
    pi = _index_of(y_pred, labels)
    keep = (ti < n) & (pi < n)
    flat = ti[keep] * n + pi[keep]
    if w is None:
        cm = np.bincount(flat, minlength=n * n).astype(np.int64)
    else:
        cm = np.bincount(flat, weights=w[keep].astype(np.float64), minlength=n * n)
        if w.dtype.kind in "biu":
            cm = np.rint(cm).astype(np.int64)
    cm = cm.reshape(n, n)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion matrix "
            "to have the correct shape, use the 'labels' parameter to pass all known labels.",
            UserWarning,
            stacklevel=2,
        )
    return cm


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Fraction (or number, ``normalize=False``) of samples predicted exactly right.

    ``accuracy = (1/n) * sum_i [y_pred_i == y_true_i]``

    Args:
        y_true: true labels.
        y_pred: predicted labels.
        normalize: return the fraction (default) or the count.
        sample_weight: optional weights.

    Returns:
        float.

    Example:
        >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
        0.5
    """
    _, _, y_true, y_pred = _check_targets(y_true, y_pred)
    w = sample_weights(sample_weight, len(y_true))
    hits = y_true == y_pred
    if normalize:
        return float(np.average(hits, weights=w))
    return float(np.sum(hits)) if w is None else float(np.dot(hits, w))


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
        if len(result) == 1:
            where = "due to"
        else:
            where = "in labels with"
        warnings.warn(
            f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
            "samples. Use `zero_division` parameter to control this behavior.",
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
    so it is defined even when precision or recall is not.

    Args:
        y_true: true labels.
        y_pred: predicted labels.
        beta: weight of recall in the F score (``beta >= 0``).
        labels: labels to report (and, with ``average``, to average over).
        pos_label: positive class when ``average="binary"``.
        average: ``None`` (per class), ``"binary"``, ``"micro"`` (global counts),
            ``"macro"`` (unweighted mean of classes), ``"weighted"`` (mean weighted
            by support). NaN entries (``zero_division=np.nan``) are left out of
            the averages.
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
    """
    _check_zero_division(zero_division)
    if not np.isscalar(beta) or beta < 0:
        raise ValueError(f"beta should be >= 0, got {beta!r}.")
    if average not in _AVERAGES and average != "binary":
        raise ValueError("average has to be one of (None, 'micro', 'macro', 'weighted', 'binary').")
    if average == "samples":
        raise ValueError("average='samples' is for multilabel targets, which are not supported.")
    kind, present, y_true, y_pred = _check_targets(y_true, y_pred)
    w = sample_weights(sample_weight, len(y_true))
    if average == "binary":
        if kind != "binary":
            raise ValueError(
                "Target is multiclass but average='binary'. Please choose another average "
                "setting, one of [None, 'micro', 'macro', 'weighted']."
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
    if labels is None:
        all_labels, n_labels = present, len(present)
    else:
        labels = column(labels, "labels") if not isinstance(labels, list) else np.asarray(labels)
        n_labels = len(labels)
        all_labels = np.concatenate([labels, np.setdiff1d(present, labels, assume_unique=True)])
    n = len(all_labels)
    ti = _index_of(y_true, all_labels)
    pi = _index_of(y_pred, all_labels)
    wf = None if w is None else w.astype(np.float64)
    hit = ti == pi
    tp_sum = np.bincount(ti[hit], weights=None if wf is None else wf[hit], minlength=n)[:n_labels]
    pred_sum = np.bincount(pi, weights=wf, minlength=n)[:n_labels]
    true_sum = np.bincount(ti, weights=wf, minlength=n)[:n_labels]
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
    weights = true_sum if average == "weighted" else None
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


def top_k_accuracy_score(y_true, y_score, *, k=2, normalize=True, sample_weight=None, labels=None):
    """Fraction of samples whose true label is among the ``k`` highest scores.

    Ties between scores are broken like scikit-learn (a stable ascending sort,
    reversed: among equal scores the later class ranks first).

    Args:
        y_true: true labels, shape ``(n,)``.
        y_score: scores, shape ``(n, n_classes)`` (or ``(n,)`` for binary).
        k: how many top guesses count.
        normalize: fraction (default) or count.
        sample_weight: optional weights.
        labels: all class labels in column order (needed when ``y_true`` lacks some).

    Returns:
        float.

    Example:
        >>> top_k_accuracy_score([0, 1, 2, 2], [[0.5, 0.2, 0.2], [0.3, 0.4, 0.2],
        ...                                     [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]], k=2)
        0.75
    """
    y_true = column(y_true, "y_true")
    check_labels_1d(y_true, "y_true")
    y_score = _to_numpy(y_score, "y_score").astype(np.float64)
    from ._utils import check_finite

    check_finite(y_score, "y_score")
    check_same_length(("y_true", y_true), ("y_score", y_score))
    w = sample_weights(sample_weight, len(y_true))
    uniq = np.unique(y_true)
    binary = len(uniq) <= 2 and not (labels is not None and len(labels) > 2)
    if binary:
        if y_score.ndim == 2 and y_score.shape[1] != 1:
            raise ValueError(
                f"`y_true` is binary while y_score is 2d with {y_score.shape[1]} classes. "
                "If `y_true` does not contain all the labels, `labels` must be provided."
            )
        y_score = y_score.ravel()
    elif y_score.ndim != 2:
        raise ValueError(f"`y_score` needs to be of shape (n_samples, n_classes); got {y_score.shape}.")
    n_score_classes = y_score.shape[1] if y_score.ndim == 2 else 2
    if labels is None:
        classes = uniq
        if len(classes) != n_score_classes:
            raise ValueError(
                f"Number of classes in 'y_true' ({len(classes)}) not equal to the number of "
                f"classes in 'y_score' ({n_score_classes}). Pass all classes as `labels`."
            )
    else:
        labels = column(labels, "labels")
        classes = np.unique(labels)
        if len(classes) != len(labels):
            raise ValueError("Parameter 'labels' must be unique.")
        if not np.array_equal(classes, labels):
            raise ValueError("Parameter 'labels' must be ordered.")
        if len(classes) != n_score_classes:
            raise ValueError(
                f"Number of given labels ({len(classes)}) not equal to the number of classes "
                f"in 'y_score' ({n_score_classes})."
            )
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'.")
    if k >= len(classes):
        warnings.warn(
            f"'k' ({k}) greater than or equal to 'n_classes' ({len(classes)}) will result in a "
            "perfect score and is therefore meaningless.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
    encoded = np.searchsorted(classes, y_true)
    if binary:
        if k == 1:
            threshold = 0.5 if y_score.min() >= 0 and y_score.max() <= 1 else 0
            hits = (y_score > threshold).astype(np.int64) == encoded
        else:
            hits = np.ones(len(y_score), dtype=bool)
    else:
        top = np.argsort(y_score, axis=1, kind="stable")[:, ::-1][:, :k]
        hits = (top == encoded[:, None]).any(axis=1)
    if normalize:
        return float(np.average(hits, weights=w))
    return float(np.sum(hits)) if w is None else float(np.dot(hits, w))
