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
    return np.asarray(x)


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
        raise ValueError(
            f"{name} must be 1-D (one label or score per sample), got shape {a.shape}; "
            "multilabel indicator matrices are not supported."
        )
    return a


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
