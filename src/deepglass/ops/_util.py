"""Small helpers shared by the op files: array modules, dtype promotion, argument checks."""
from __future__ import annotations

import numbers

import numpy as np

from .. import backend, dtypes
from .._tensor import Tensor, from_array

xp_of = backend.array_module_of


def as_tensor_like(value, like: Tensor) -> Tensor:
    """Turn an array or nested list into a Tensor on ``like``'s device."""
    if isinstance(value, Tensor):
        return value
    arr = np.asarray(value)
    if arr.dtype.kind == "f" and arr.dtype != like.dtype and like.dtype.kind == "f":
        arr = arr.astype(like.dtype)
    return from_array(backend.to_device(arr, like.device))


def is_scalar(x) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, Tensor)


def py_scalar(x):
    """NumPy scalars behave like Python numbers in deepglass's promotion (as in PyTorch)."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def promote(a, b):
    """Apply PyTorch's type promotion to a binary op's operands.

    Returns ``(a, b)`` where tensors were cast (differentiably) to the result
    dtype and Python scalars are left as scalars.
    """
    from .elementwise import _cast

    b = py_scalar(b)
    a = py_scalar(a)
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        da, db = a._array.dtype, b._array.dtype
        if da == db:
            return a, b
        rt = dtypes.result_type(da, db, a._array.ndim == 0, b._array.ndim == 0)
        return (a if da == rt else _cast(a, rt)), (b if db == rt else _cast(b, rt))
    if isinstance(a, Tensor):
        if not is_scalar(b):
            b = as_tensor_like(b, a)
            return promote(a, b)
        rt = dtypes.scalar_result_type(a._array.dtype, b)
        return (a if rt == a._array.dtype else _cast(a, rt)), b
    if isinstance(b, Tensor):
        if not is_scalar(a):
            return promote(as_tensor_like(a, b), b)
        rt = dtypes.scalar_result_type(b._array.dtype, a)
        return a, (b if rt == b._array.dtype else _cast(b, rt))
    raise TypeError(f"expected at least one Tensor, got {type(a).__name__} and {type(b).__name__}")


def to_float(x: Tensor) -> Tensor:
    """Integer and bool tensors become the default float dtype (as PyTorch's exp, log... do)."""
    if x._array.dtype.kind in "fc":
        return x
    from .elementwise import _cast

    return _cast(x, dtypes.get_default_dtype())


def no_complex(t, name, hint="compare abs() or the real parts instead", error=RuntimeError):
    """PyTorch's ordering ops refuse complex tensors (complex numbers have no order); ``error`` is its class."""
    if isinstance(t, Tensor) and t._array.dtype.kind == "c":
        raise error(f"{name} is not supported for complex tensors; {hint}")


def normalize_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def normalize_dims(dim, ndim: int):
    """``None`` -> all axes; an int or a sequence -> a sorted tuple of non-negative axes.

    A 0-dim tensor accepts dim 0 or -1 (as PyTorch) and reduces over all (its one element): None.
    """
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        axes = tuple(sorted(normalize_dim(d, ndim) for d in dim))
    else:
        axes = (normalize_dim(dim, ndim),)
    return axes if ndim else None


def ensure_tensor(x, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name} must be a deepglass.Tensor, got {type(x).__name__}")
    return x


def along_axis_index(xp, idx, axis: int) -> tuple:
    """The full index that puts ``idx`` on ``axis`` (and the identity elsewhere), for ``add.at`` scatters."""
    n = idx.ndim
    grids = [xp.arange(size).reshape((1,) * i + (size,) + (1,) * (n - i - 1)) for i, size in enumerate(idx.shape)]
    grids[axis] = idx  # (xp.indices(sparse=True) would do, but CuPy's indices has no sparse)
    return tuple(grids)
