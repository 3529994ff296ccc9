"""Input conversion and validation shared by the metrics modules."""
from __future__ import annotations

import warnings

import numpy as np


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined (e.g. a division by zero) and was set by rule."""


def _to_numpy(x, name: str = "input") -> np.ndarray:
    """Convert arrays, lists and deepglass/PyTorch-like tensors to NumPy.

    Anything that is not already an ``ndarray`` but has a ``.numpy()`` method
    (a deepglass ``Tensor``) is converted through it, then ``np.asarray``.
    """
    if x is None:
        raise ValueError(f"{name} is None; pass an array, a list or a Tensor.")
    if not isinstance(x, np.ndarray) and hasattr(x, "numpy"):
        if hasattr(x, "detach"):
            x = x.detach()
        if hasattr(x, "cpu"):
            x = x.cpu()
        x = x.numpy()
    try:
        return np.asarray(x)
    except (ValueError, TypeError) as e:  # ragged lists: say which argument
        raise ValueError(f"{name} is not a rectangular array of numbers ({e})") from None


def check_finite(a: np.ndarray, name: str) -> None:
    """Raise ValueError if a float array holds NaN or infinity."""
    if a.dtype.kind in "fc" and a.size and not np.isfinite(a).all():
        bad = "NaN" if np.isnan(a).any() else "infinity"
        raise ValueError(f"{name} contains {bad}; remove or replace those entries.")


def check_same_length(*pairs) -> None:
    """``pairs`` are ``(name, array)``; raise if first dimensions differ."""
    pairs = [(n, a) for n, a in pairs if a is not None]
    lengths = {n: len(a) for n, a in pairs}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{n} has {k}" for n, k in lengths.items())
        raise ValueError(f"Inconsistent numbers of samples: {detail}.")


def column(x, name: str) -> np.ndarray:
    """A 1-D array from a 1-D or (n, 1) input."""
    a = _to_numpy(x, name)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a.ravel()
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label or score per sample), got shape {a.shape}.")
    return a


def is_multilabel(y: np.ndarray) -> bool:
    """True for a multilabel indicator matrix, as ``sklearn.utils.multiclass.is_multilabel``.

    That is a 2-D array with at least two columns (one per label), holding at
    most two distinct values, which are integers (bool, int or whole floats).
    Normally the values are 0 and 1; like scikit-learn, the metrics count any
    non-zero entry as "label present".

    Example:
        >>> is_multilabel(np.array([[1, 0, 1], [0, 0, 1]])), is_multilabel(np.array([[1], [0]]))
        (True, False)
    """
    if y.ndim != 2 or y.shape[1] < 2 or y.dtype.kind not in "biuf":
        return False
    if y.size == 0 or y.dtype.kind == "b":
        return True
    lo, hi = y.min(), y.max()
    if y.dtype.kind == "f" and not (np.isfinite(lo) and np.isfinite(hi) and lo == np.round(lo) and hi == np.round(hi)):
        return False
    return bool(lo == hi or np.all((y == lo) | (y == hi)))


def type_of_target(y, name: str = "y") -> str:
    """The kind of target ``y`` is, with the names of ``sklearn.utils.multiclass.type_of_target``.

    * ``"binary"``: 1-D (or one column) with at most two distinct values;
    * ``"multiclass"``: 1-D (or one column) with more than two distinct values;
    * ``"multilabel-indicator"``: see :func:`is_multilabel`;
    * ``"multiclass-multioutput"``: 2-D, several columns, more than two values;
    * ``"continuous"`` / ``"continuous-multioutput"``: floats that are not all whole;
    * ``"unknown"``: anything else (0-D, 3-D, objects that are not strings).

    Raises ValueError for NaN or infinity (as scikit-learn does).

    Example:
        >>> type_of_target([0, 2, 1]), type_of_target([[0, 1], [1, 1]]), type_of_target([0.5, 1])
        ('multiclass', 'multilabel-indicator', 'continuous')
    """
    y = _to_numpy(y, name)
    if is_multilabel(y):
        return "multilabel-indicator"
    if y.ndim not in (1, 2):
        return "unknown"
    if not min(y.shape):
        return "binary" if y.ndim == 1 else "unknown"
    if y.dtype.kind == "O" and not isinstance(y.flat[0], str):
        return "unknown"
    suffix = "-multioutput" if y.ndim == 2 and y.shape[1] > 1 else ""
    if y.dtype.kind == "f":
        check_finite(y, name)
        if np.any(y != np.round(y)):
            return "continuous" + suffix
    if suffix or len(np.unique(y)) > 2:
        return "multiclass" + suffix
    return "binary"


def sample_weights(sample_weight, n: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    w = column(sample_weight, "sample_weight")
    if len(w) != n:
        raise ValueError(f"sample_weight has {len(w)} entries but there are {n} samples.")
    check_finite(w.astype(np.float64) if w.dtype.kind in "biu" else w, "sample_weight")
    return w


def check_labels_1d(y: np.ndarray, name: str) -> None:
    """Labels must be discrete: reject NaN and non-integer floats."""
    if y.dtype.kind == "f":
        check_finite(y, name)
        if np.any(y != np.round(y)):
            raise ValueError(
                f"{name} holds continuous values; classification metrics need discrete "
                "labels (threshold scores first, or use a ranking metric)."
            )
    elif y.dtype.kind == "O":
        kinds = {type(v) for v in y.tolist()}
        if len(kinds) > 1 and not all(issubclass(k, (int, np.integer)) for k in kinds):
            raise ValueError(f"{name} mixes label types {sorted(k.__name__ for k in kinds)}.")


def warn(msg: str) -> None:
    warnings.warn(msg, UndefinedMetricWarning, stacklevel=3)
