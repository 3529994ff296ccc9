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
    default = {np.dtype("float32"), np.dtype("int64"), np.dtype("bool"), dtypes.default_complex()}
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
    if arr.dtype.kind == "c":
        return _complex_str(arr)
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


# ------------------------------------------------------------ complex tensors: PyTorch's own layout
# (torch/_tensor_str.py: one formatter for the real parts, one for the imaginary parts)


class _PartFormatter:
    """PyTorch's ``_Formatter`` for a float array: int mode, fixed or scientific notation, and a common width."""

    def __init__(self, values: np.ndarray):
        self.int_mode, self.sci_mode, self.width = True, False, 1
        p = _PRINT["precision"]
        nz = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if nz.size == 0:
            return
        mag = np.abs(nz)
        lo, hi = mag.min(), mag.max()
        self.int_mode = bool(np.all(nz == np.ceil(nz)))
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if _PRINT["sci_mode"] is None \
            else _PRINT["sci_mode"]
        if self.sci_mode:
            self.width = max(len(f"{v:.{p}e}") for v in nz)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in nz)
        else:
            self.width = max(len(f"{v:.{p}f}") for v in nz)

    def format(self, v) -> str:
        p = _PRINT["precision"]
        if self.sci_mode:
            ret = f"{v:{self.width}.{p}e}"
        elif self.int_mode:
            ret = f"{v:.0f}" + ("" if np.isinf(v) or np.isnan(v) else ".")
        else:
            ret = f"{v:.{p}f}"
        return (self.width - len(ret)) * " " + ret


def _summarized(arr: np.ndarray, edge: int) -> np.ndarray:
    for axis in range(arr.ndim):
        if arr.shape[axis] > 2 * edge:
            arr = np.concatenate([arr.take(range(edge), axis), arr.take(range(arr.shape[axis] - edge, arr.shape[axis]), axis)],
                                 axis)
    return arr


def _complex_str(arr: np.ndarray) -> str:
    summarize = arr.size > _PRINT["threshold"]
    edge = _PRINT["edgeitems"]
    part = _summarized(arr, edge) if summarize else arr
    fr, fi = _PartFormatter(part.real), _PartFormatter(part.imag)

    def one(z) -> str:
        re, im = fr.format(z.real), (fi.format(z.imag) + "j").lstrip()
        return re + im if im[0] in "+-" else re + "+" + im

    def rec(a, indent) -> str:
        if a.ndim == 0:
            return one(a.item())
        if a.ndim == 1:
            per_line = max(1, (_PRINT["linewidth"] - indent) // (fr.width + fi.width + 3))
            n = a.shape[0]
            if summarize and n > 2 * edge:
                data = [one(z) for z in a[:edge].tolist()] + [" ..."] + [one(z) for z in a[n - edge:].tolist()]
            else:
                data = [one(z) for z in a.tolist()]
            lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
            return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
        n = a.shape[0]
        if summarize and n > 2 * edge:
            parts = [rec(a[i], indent + 1) for i in range(edge)] + ["..."] + [rec(a[i], indent + 1) for i in range(n - edge, n)]
        else:
            parts = [rec(a[i], indent + 1) for i in range(n)]
        return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"

    return rec(arr, len("tensor("))
