"""How a Tensor prints: PyTorch's layout (``tensor([1., 2.], grad_fn=<MulBackward>)``).

Example:
    >>> deepglass.tensor([1.0, 2.5])
    tensor([1.0000, 2.5000])
"""
from __future__ import annotations

import sys

import numpy as np

from . import backend, dtypes


def tensor_repr(t) -> str:
    """``repr(t)``: the values, then the device, dtype and autograd facts PyTorch shows."""
    arr = backend.to_numpy(t._array)
    body = _format_array(arr)
    extras = []
    if t.is_cuda:
        extras.append(f"device='{t.device}'")
    default = {np.dtype("float32"), np.dtype("int64"), np.dtype("bool")}
    if arr.dtype not in default or arr.size == 0 and arr.dtype != np.float32:
        extras.append(f"dtype={dtypes.name_of(arr.dtype)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    if arr.size == 0 and arr.ndim != 1:
        extras.insert(0, f"size={tuple(arr.shape)}")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"


_PRINT = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
_PROFILES = {"default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
             "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
             "full": {"precision": 4, "threshold": float("inf"), "edgeitems": 3, "linewidth": 80}}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """PyTorch's ``torch.set_printoptions``: digits, summarising threshold and edge items of a tensor's repr.

    Example:
        >>> deepglass.set_printoptions(precision=2)
        >>> deepglass.tensor([1.2345])
        tensor([1.23])
        >>> deepglass.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        _PRINT.update(_PROFILES[profile], sci_mode=None)
    for key, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                       ("linewidth", linewidth)):
        if value is not None:
            _PRINT[key] = value
    _PRINT["sci_mode"] = sci_mode


def _format_array(arr: np.ndarray) -> str:
    if arr.size == 0:
        return "[]"
    threshold = _PRINT["threshold"]
    opts = dict(separator=", ", prefix="tensor(", threshold=sys.maxsize if threshold == float("inf") else threshold,
                edgeitems=_PRINT["edgeitems"], max_line_width=_PRINT["linewidth"])
    if arr.dtype.kind == "f":
        finite = arr[np.isfinite(arr)]
        if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
            return np.array2string(arr, formatter={"float_kind": lambda v: _int_float(v)}, **opts)
        return np.array2string(arr, precision=_PRINT["precision"], floatmode="fixed",
                               suppress_small=_PRINT["sci_mode"] is False, **opts)
    if arr.dtype.kind == "b":
        return np.array2string(arr, formatter={"bool": lambda v: "True" if v else "False"}, **opts)
    return np.array2string(arr, **opts)


def _int_float(v) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{int(v)}."
