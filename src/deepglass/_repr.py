"""How a Tensor prints: PyTorch's layout (``tensor([1., 2.], grad_fn=<MulBackward>)``).

Example:
    >>> deepglass.tensor([1.0, 2.5])
    tensor([1.0000, 2.5000])
"""
from __future__ import annotations

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


def _format_array(arr: np.ndarray) -> str:
    if arr.size == 0:
        return "[]"
    opts = dict(separator=", ", prefix="tensor(", threshold=1000, edgeitems=3)
    if arr.dtype.kind == "f":
        finite = arr[np.isfinite(arr)]
        if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
            return np.array2string(arr, formatter={"float_kind": lambda v: _int_float(v)}, **opts)
        return np.array2string(arr, precision=4, floatmode="fixed", **opts)
    if arr.dtype.kind == "b":
        return np.array2string(arr, formatter={"bool": lambda v: "True" if v else "False"}, **opts)
    return np.array2string(arr, **opts)


def _int_float(v) -> str:
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{int(v)}."
