"""PyTorch's legacy constructors: ``Tensor(3, 4)``, ``Tensor([1, 2])``, ``FloatTensor``, ``LongTensor`` ...

Old PyTorch programs still build tensors this way::

    w = torch.Tensor(3, 4)            # a (3, 4) float32 tensor (uninitialised in PyTorch; zeros here)
    b = torch.Tensor([1, 2])          # a float32 copy of the data
    idx = torch.LongTensor([0, 2])    # an int64 copy

``Tensor(*sizes)`` / ``Tensor(size)`` give zeros of that size (PyTorch leaves
the memory uninitialised; reading it is a bug in either); ``Tensor(data)``
copies a list or array and casts it to the type's dtype; ``Tensor(tensor)`` of
the same dtype shares its memory, as PyTorch. A tuple of integers is read as a
size, because ``x.size()`` is a plain tuple in deepglass (PyTorch's
``torch.Size``); write data as a list.

``FloatTensor``, ``DoubleTensor``, ``HalfTensor``, ``LongTensor``, ``IntTensor``,
``ShortTensor``, ``CharTensor``, ``ByteTensor`` and ``BoolTensor`` build a
``deepglass.Tensor`` of their dtype, and ``isinstance(x, deepglass.LongTensor)``
tells whether ``x`` is an int64 CPU tensor, as in PyTorch.

Example:
    >>> deepglass.Tensor(2, 3).shape
    (2, 3)
    >>> deepglass.LongTensor([1.7, 2])
    tensor([1, 2])
    >>> isinstance(deepglass.zeros(2), deepglass.FloatTensor)
    True
"""
from __future__ import annotations

import numbers

import numpy as np

from . import backend, dtypes
from ._tensor import Tensor, from_array

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
           "ByteTensor", "BoolTensor"]

_SIGNATURES = ("new() received an invalid combination of arguments - got ({}), but expected one of: "
               "(*, device), (Tensor other), (tuple of ints size, *, device), (object data, *, device)")


def _is_size(args) -> bool:
    return all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args)


def legacy_array(dtype, args, device=None):
    """The array ``Tensor(*args, device=device)`` holds, for a tensor type of ``dtype``."""
    device = backend.as_device(device) if device is not None else None
    xp = backend.get_array_module(device) if device is not None else np
    if len(args) == 1 and isinstance(args[0], tuple) and _is_size(args[0]):
        args = args[0]
    if _is_size(args):  # (), (3,), (3, 4): a fresh tensor of that size
        if any(a < 0 for a in args):
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(args)}: {list(args)}")
        return xp.zeros(tuple(int(a) for a in args) if args else (0,), dtype=dtype)
    if len(args) != 1:
        raise TypeError(_SIGNATURES.format(", ".join(type(a).__name__ for a in args)))
    data = args[0]
    if isinstance(data, Tensor):
        if data.dtype == dtype and (device is None or data.device == device):
            return data._array  # the same memory, as PyTorch
        return data.to(dtype=dtype, device=device)._array
    if not isinstance(data, (list, tuple, np.ndarray)) and not backend.is_cuda_array(data):
        raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    from .creation import tensor

    return tensor(data, dtype=dtype, device=device)._array.copy()


class _TensorType(type):
    """The metaclass of ``FloatTensor`` and friends: calling builds a Tensor; isinstance checks the dtype."""

    def __call__(cls, *args, device=None):
        return from_array(legacy_array(cls.dtype, args, device))

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and not obj.is_cuda and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'deepglass.{cls.__name__}'>"


def _tensor_type(name: str, dtype):
    return _TensorType(name, (), {"dtype": np.dtype(dtype), "__doc__": f"Legacy constructor of "
                                  f"{dtypes.name_of(np.dtype(dtype))} tensors (see deepglass._legacy)."})


FloatTensor = _tensor_type("FloatTensor", np.float32)
DoubleTensor = _tensor_type("DoubleTensor", np.float64)
HalfTensor = _tensor_type("HalfTensor", np.float16)
LongTensor = _tensor_type("LongTensor", np.int64)
IntTensor = _tensor_type("IntTensor", np.int32)
ShortTensor = _tensor_type("ShortTensor", np.int16)
CharTensor = _tensor_type("CharTensor", np.int8)
ByteTensor = _tensor_type("ByteTensor", np.uint8)
BoolTensor = _tensor_type("BoolTensor", np.bool_)
