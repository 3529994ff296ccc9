"""Classification metrics computed from predicted labels (scikit-learn semantics).

Every function has scikit-learn's name, keyword arguments and results (they are
tested equal to scikit-learn to 1e-12). Targets are binary or multiclass labels
of shape ``(n,)``, or multilabel indicator matrices of shape ``(n, n_labels)``
(entry ``[i, j]`` is 1 when sample ``i`` has label ``j``), as scikit-learn's
``type_of_target`` calls them. With indicator matrices ``accuracy_score`` is the
subset accuracy (every label of a sample right), each column is one binary
problem for precision/recall/F (``average="samples"`` averages over the rows
instead), and ``labels`` are column indices. ``confusion_matrix`` rejects them,
as scikit-learn does; ``multilabel_confusion_matrix`` gives one 2x2 matrix per
label. Mixing the two kinds (indicator ``y_true``, 1-D ``y_pred``) raises.

Precision, recall and F-scores, built on the counts computed here, are in
``precision_recall.py``.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._utils import (
    UndefinedMetricWarning,
    _to_numpy,
    check_labels_1d,
    check_same_length,
    column,
    is_multilabel,
    sample_weights,
    type_of_target,
)

__all__ = [
    "confusion_matrix",
    "multilabel_confusion_matrix",
    "accuracy_score",
    "top_k_accuracy_score",
]

_AVERAGES = (None, "micro", "macro", "weighted", "samples")
_MULTILABEL = "multilabel-indicator"


def _target_error(y_true: np.ndarray, y_pred: np.ndarray) -> ValueError:
    """The error for targets that are not both labels nor both indicator matrices."""
    kinds = []
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        kind = type_of_target(y, name)
        if kind == "unknown":
            return ValueError(
                f"{name} has shape {y.shape} and dtype {y.dtype}, which is not a classification "
                "target; pass 1-D labels or a 0/1 indicator matrix of shape (n_samples, n_labels)."
            )
        kinds.append(kind)
    kt, kp = kinds
    if kt != kp and {kt, kp} != {"binary", "multiclass"}:
        if any(k.startswith("continuous") for k in kinds):
            fix = ("the continuous one looks like scores: threshold them first (e.g. "
                   "(y_score >= 0.5).astype(int)) or use a ranking metric such as average_precision_score.")
        else:
            fix = ("pass both as 0/1 indicator matrices of shape (n_samples, n_labels) "
                   "(sklearn.preprocessing.MultiLabelBinarizer converts lists of labels) or both as 1-D labels.")
        return ValueError(f"Classification metrics can't handle a mix of {kt} and {kp} targets "
                          f"(y_true has shape {y_true.shape}, y_pred {y_pred.shape}); {fix}")
    if kt.startswith("continuous"):
        fix = "these look like scores: threshold them first (e.g. (y_score >= 0.5).astype(int))."
    else:
        fix = ("each column is its own multiclass problem: evaluate the columns one at a time; "
               "multilabel targets must be 0/1 indicator matrices.")
    return ValueError(f"{kt} is not supported (y_true has shape {y_true.shape}, y_pred "
                      f"{y_pred.shape}); {fix}")


def _check_targets(y_true, y_pred):
    """Return ``(kind, sorted_present_labels, y_true, y_pred)``, as scikit-learn's ``_check_targets``.

    ``kind`` is ``"binary"``, ``"multiclass"`` (1-D label arrays) or
    ``"multilabel-indicator"`` (2-D indicator matrices, whose labels are the
    column indices ``0 .. n_labels - 1``). Anything else, or a mix, raises.
    """
    y_true = _to_numpy(y_true, "y_true")
    y_pred = _to_numpy(y_pred, "y_pred")
    if not all(y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1) for y in (y_true, y_pred)):
        if not (is_multilabel(y_true) and is_multilabel(y_pred)):
            raise _target_error(y_true, y_pred)
        check_same_length(("y_true", y_true), ("y_pred", y_pred))
        if len(y_true) == 0:
            raise ValueError("y_true and y_pred are empty; at least one sample is required.")
        if y_true.shape[1] != y_pred.shape[1]:
            raise ValueError(
                "Multi-label binary indicator input with different numbers of labels: y_true has "
                f"{y_true.shape[1]} columns and y_pred {y_pred.shape[1]}; both need one column per label."
            )
        return _MULTILABEL, np.arange(y_true.shape[1]), y_true, y_pred
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
    kind, present, y_true, y_pred = _check_targets(y_true, y_pred)
    if kind == _MULTILABEL:
        raise ValueError(
            "multilabel-indicator is not supported: confusion_matrix counts one label per sample. "
            "Use multilabel_confusion_matrix for one 2x2 matrix per label."
        )
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

    For multilabel indicator matrices this is the subset accuracy: a sample
    counts only when its whole row is right, ``[y_pred[i, j] == y_true[i, j] for all j]``.

    Args:
        y_true: true labels, or an indicator matrix ``(n, n_labels)``.
        y_pred: predicted labels, or an indicator matrix of the same shape.
        normalize: return the fraction (default) or the count.
        sample_weight: optional weights.

    Returns:
        float.

    Example:
        >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
        0.5
        >>> accuracy_score(np.array([[0, 1], [1, 1]]), np.ones((2, 2)))
        0.5
    """
    kind, _, y_true, y_pred = _check_targets(y_true, y_pred)
    w = sample_weights(sample_weight, len(y_true))
    hits = (y_true == y_pred).all(axis=1) if kind == _MULTILABEL else y_true == y_pred
    if normalize:
        return float(np.average(hits, weights=w))
    return float(np.sum(hits)) if w is None else float(np.dot(hits, w))


def _column_indices(labels, n_columns: int) -> np.ndarray:
    """``labels`` as column indices of an indicator matrix, checked as scikit-learn does."""
    idx = _to_numpy(labels, "labels").ravel()
    if idx.size == 0:
        return idx.astype(np.intp)
    if idx.dtype.kind not in "biuf" or np.any(idx != np.round(idx)):
        raise ValueError(
            f"labels are column indices for multilabel targets and must be integers; got {idx.tolist()}."
        )
    if idx.max() > n_columns - 1:
        raise ValueError("All labels must be in [0, n labels) for multilabel targets. "
                         f"Got {int(idx.max())} > {n_columns - 1}")
    if idx.min() < 0:
        raise ValueError(f"All labels must be in [0, n labels) for multilabel targets. Got {int(idx.min())} < 0")
    return idx.astype(np.intp)


def _indicator_counts(y_true, y_pred, w, labels, samplewise):
    """``tp, pred, true`` per column (per row when ``samplewise``) of indicator matrices, and the total.

    A non-zero entry means "label present" (as scikit-learn); the total is the
    number (or weight) of samples, or the labels per sample when ``samplewise``.
    """
    if labels is not None:
        cols = _column_indices(labels, y_true.shape[1])
        y_true, y_pred = y_true[:, cols], y_pred[:, cols]
    t, p = y_true != 0, y_pred != 0
    masks = (t & p, p, t)
    if samplewise:
        sums = [np.count_nonzero(m, axis=1) for m in masks]
        if w is None:
            return (*sums, t.shape[1])
        return (*(s * w for s in sums), w * t.shape[1])
    if w is None:
        return (*(np.count_nonzero(m, axis=0) for m in masks), t.shape[0])
    wf = w.astype(np.float64)
    return (*(wf @ m for m in masks), w.sum())


def _label_counts(present, y_true, y_pred, w, labels):
    """``tp, pred, true`` per label of 1-D label arrays (one-vs-rest), and the total."""
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
    if hit.any():
        tp_sum = np.bincount(ti[hit], weights=None if wf is None else wf[hit], minlength=n)[:n_labels]
    else:  # scikit-learn's float zeros when nothing is right (the dtype shows in the matrices)
        tp_sum = np.zeros(n_labels)
    pred_sum = np.bincount(pi, weights=wf, minlength=n)[:n_labels]
    true_sum = np.bincount(ti, weights=wf, minlength=n)[:n_labels]
    return tp_sum, pred_sum, true_sum, (len(y_true) if w is None else w.sum())


def _counts(kind, present, y_true, y_pred, w, labels, samplewise=False):
    """``(tp, pred, true, total)``: the sufficient statistics of every set-wise metric."""
    if kind == _MULTILABEL:
        return _indicator_counts(y_true, y_pred, w, labels, samplewise)
    if samplewise:
        raise ValueError(
            "Samplewise metrics are not available outside of multilabel classification: "
            "average='samples' and samplewise=True need 0/1 indicator matrices of shape "
            "(n_samples, n_labels); use another average for binary or multiclass labels."
        )
    return _label_counts(present, y_true, y_pred, w, labels)


def multilabel_confusion_matrix(y_true, y_pred, *, sample_weight=None, labels=None, samplewise=False):
    """One 2x2 confusion matrix per label (or per sample): ``[[TN, FP], [FN, TP]]``.

    For indicator matrices ``(n, n_labels)`` column ``j`` is a binary problem:
    ``TP_j = sum_i [y_true[i, j] = 1 and y_pred[i, j] = 1]``, ``FP_j``, ``FN_j`` likewise,
    and ``TN_j = n - TP_j - FP_j - FN_j``; ``samplewise=True`` counts along each
    row instead (one matrix per sample). Binary and multiclass labels are
    binarised one-vs-rest (``samplewise`` is then an error).

    Args:
        y_true: true labels ``(n,)`` or indicator matrix ``(n, n_labels)``.
        y_pred: predictions of the same kind.
        sample_weight: optional weight per sample (every count is then a sum of weights).
        labels: which labels, in which order; column indices for indicator
            matrices (each in ``[0, n_labels)``). Default: all, sorted.
        samplewise: one matrix per sample (indicator matrices only).

    Returns:
        ``ndarray`` of shape ``(n_labels, 2, 2)`` (``(n, 2, 2)`` when samplewise):
        int64 counts; float64 sums of weights when weighted (integer weights
        stay integers samplewise), and, as scikit-learn, float64 for 1-D labels
        when no prediction is right.

    Example:
        >>> multilabel_confusion_matrix(np.array([[1, 0, 1], [0, 1, 0]]),
        ...                             np.array([[1, 0, 0], [0, 1, 1]])).tolist()
        [[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[0, 1], [1, 0]]]
    """
    kind, present, y_true, y_pred = _check_targets(y_true, y_pred)
    w = sample_weights(sample_weight, len(y_true))
    tp, pred, true, total = _counts(kind, present, y_true, y_pred, w, labels, samplewise)
    fp = pred - tp
    fn = true - tp
    tn = total - tp - fp - fn
    return np.stack([tn, fp, fn, tp], axis=-1).reshape(-1, 2, 2)


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
    y_true = _to_numpy(y_true, "y_true")
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        raise ValueError(
            f"y type must be 'binary' or 'multiclass', got '{type_of_target(y_true, 'y_true')}' "
            "instead; top-k accuracy needs one true label per sample (a 1-D y_true)."
        )
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
