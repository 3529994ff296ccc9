"""Data types: NumPy dtypes under PyTorch's names, and PyTorch's promotion rules.

deepglass stores data in NumPy/CuPy arrays, so a dtype *is* a ``numpy.dtype``;
``deepglass.float32 == numpy.float32`` holds.
"""
from __future__ import annotations

import builtins as _builtins

import numpy as np

float16 = half = np.dtype("float16")
float32 = float = np.dtype("float32")
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = short = np.dtype("int16")
int32 = int = np.dtype("int32")
int64 = long = np.dtype("int64")
bool = np.dtype("bool")  # noqa: A001 - PyTorch's name

_DEFAULT_FLOAT = float32

_NAMES = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "uint8": uint8,
    "int16": int16, "short": int16, "int32": int32, "int": int32,
    "int64": int64, "long": int64, "bool": bool,
}


def get_default_dtype() -> np.dtype:
    return _DEFAULT_FLOAT


def set_default_dtype(dtype) -> None:
    """Set the float dtype of new tensors built from Python floats (float32 or float64)."""
    global _DEFAULT_FLOAT
    d = as_dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"the default dtype must be a floating type, got {d}")
    _DEFAULT_FLOAT = d


def as_dtype(dtype) -> np.dtype:
    """Normalise ``dtype`` (a numpy dtype, a type, or a name like ``"float32"``)."""
    if dtype is None:
        return None
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(dtype, str):
        try:
            return _NAMES[dtype]
        except KeyError:
            raise TypeError(f"unknown dtype {dtype!r}; known: {sorted(_NAMES)}") from None
    if dtype is _builtins.float:
        return _DEFAULT_FLOAT
    if dtype is _builtins.int:
        return int64
    if dtype is _builtins.bool:
        return bool
    return np.dtype(dtype)


def is_floating(dtype) -> bool:
    return dtype.kind == "f"


def name_of(dtype) -> str:
    return f"deepglass.{np.dtype(dtype).name}"


def _category(dtype) -> int:
    # bool < integer < floating, as in PyTorch's promotion
    return 0 if dtype.kind == "b" else (2 if dtype.kind == "f" else 1)


def result_type(a: np.dtype, b: np.dtype, a_dim0: bool = False, b_dim0: bool = False) -> np.dtype:
    """PyTorch's promotion of two tensor dtypes.

    Differences from NumPy: an integer tensor with a float tensor gives the float
    tensor's dtype (NumPy gives float64 for int64+float32), and a 0-dim tensor
    does not raise the dtype of a higher-dim tensor of the same category.
    """
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    if a_dim0 != b_dim0:
        return b if a_dim0 else a
    return np.promote_types(a, b)


def scalar_result_type(dtype: np.dtype, scalar) -> np.dtype:
    """Dtype of ``tensor <op> python_scalar`` under PyTorch's rules."""
    if isinstance(scalar, _builtins.bool):
        return dtype
    if isinstance(scalar, _builtins.int):
        return int64 if dtype.kind == "b" else dtype
    if isinstance(scalar, _builtins.float):
        return dtype if dtype.kind == "f" else _DEFAULT_FLOAT
    return dtype
