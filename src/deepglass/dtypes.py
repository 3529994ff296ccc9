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
complex64 = cfloat = np.dtype("complex64")
complex128 = cdouble = np.dtype("complex128")
# no chalf/complex32: NumPy has no complex type with float16 parts

_DEFAULT_FLOAT = float32

_NAMES = {
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "int8": int8, "uint8": uint8,
    "int16": int16, "short": int16, "int32": int32, "int": int32,
    "int64": int64, "long": int64, "bool": bool,
    "complex64": complex64, "cfloat": complex64, "complex128": complex128, "cdouble": complex128,
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
    if dtype is _builtins.complex:
        return default_complex()
    return np.dtype(dtype)


def is_floating(dtype) -> bool:
    return dtype.kind == "f"


def is_complex_dtype(dtype) -> bool:
    return np.dtype(dtype).kind == "c"


def to_complex(dtype) -> np.dtype:
    """The complex dtype whose parts have ``dtype``'s precision (float16 -> complex64: NumPy has no complex32)."""
    return complex128 if np.dtype(dtype) in (float64, complex128) else complex64


def to_real(dtype) -> np.dtype:
    """The dtype of a complex dtype's real and imaginary parts (a real dtype maps to itself)."""
    dtype = np.dtype(dtype)
    return {complex64: float32, complex128: float64}.get(dtype, dtype)


def default_complex() -> np.dtype:
    """The complex dtype of a tensor built from Python complex numbers (follows the default float dtype)."""
    return to_complex(_DEFAULT_FLOAT)


def name_of(dtype) -> str:
    return f"deepglass.{np.dtype(dtype).name}"


def _category(dtype) -> int:
    # bool < integer < floating < complex, as in PyTorch's promotion
    return {"b": 0, "f": 2, "c": 3}.get(dtype.kind, 1)


def result_type(a: np.dtype, b: np.dtype, a_dim0: bool = False, b_dim0: bool = False) -> np.dtype:
    """PyTorch's promotion of two tensor dtypes.

    Differences from NumPy: an integer tensor with a float tensor gives the float
    tensor's dtype (NumPy gives float64 for int64+float32), and a 0-dim tensor
    does not raise the dtype of a higher-dim tensor of the same category.
    Complex with float keeps the larger precision (float64 + complex64 -> complex128),
    except that a 0-dim complex tensor takes the precision of a higher-dim float one.
    """
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        hi, lo, hi_dim0, lo_dim0 = (a, b, a_dim0, b_dim0) if ca > cb else (b, a, b_dim0, a_dim0)
        if hi.kind == "c" and lo.kind == "f":  # complex with float: the float's precision counts too
            if hi_dim0 and not lo_dim0:
                return to_complex(lo)
            if hi_dim0 == lo_dim0:
                return to_complex(np.promote_types(to_real(hi), lo))
        return hi
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
        return dtype if dtype.kind in "fc" else _DEFAULT_FLOAT
    if isinstance(scalar, _builtins.complex):
        return dtype if dtype.kind == "c" else (to_complex(dtype) if dtype.kind == "f" else default_complex())
    return dtype
