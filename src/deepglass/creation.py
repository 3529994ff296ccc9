"""Tensor creation: ``tensor``, ``zeros``, ``randn``... with ``dtype``, ``device``, ``requires_grad``.

Python floats become the default dtype (float32), Python ints int64 and bools
bool, as in PyTorch; NumPy arrays keep their dtype.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import backend, dtypes
from ._tensor import Tensor, from_array
from .random import numpy_generator


def _finish(arr, dtype, device, requires_grad) -> Tensor:
    if dtype is not None:
        arr = arr.astype(dtypes.as_dtype(dtype), copy=False)
    arr = backend.to_device(arr, backend.as_device(device)) if device is not None else arr
    t = from_array(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer_array(data) -> np.ndarray:
    if isinstance(data, Tensor):
        return data._array
    if backend.is_cuda_array(data):
        return data
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _nested_tensors_to_lists(data)
    arr = np.asarray(data)
    if arr.dtype == np.float64 and not isinstance(data, np.generic):
        arr = arr.astype(dtypes.get_default_dtype())
    if arr.dtype == np.complex128 and not isinstance(data, np.generic):
        arr = arr.astype(dtypes.default_complex())
    if arr.dtype.kind == "i" and arr.dtype != np.int64:
        arr = arr.astype(np.int64)
    if arr.dtype.kind in "OUS":
        raise TypeError(f"can't build a tensor from {type(data).__name__} with elements of type {arr.dtype}")
    return arr


def _flat(x):
    if isinstance(x, (list, tuple)):
        for y in x:
            yield from _flat(y)
    else:
        yield x


def _nested_tensors_to_lists(x):
    if isinstance(x, Tensor):
        return backend.to_numpy(x._array)
    if isinstance(x, (list, tuple)):
        return [_nested_tensors_to_lists(y) for y in x]
    return x


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested list, NumPy array or tensor).

    Example:
        >>> tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
    """
    arr = _infer_array(data)
    xp = backend.array_module_of(arr)
    arr = xp.array(arr, copy=True)
    if device is None and isinstance(data, Tensor):
        device = data.device
    return _finish(arr, dtype, device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array (or tensor) when it can."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    arr = _infer_array(data) if not isinstance(data, np.ndarray) else data
    return _finish(arr, dtype, device, False)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (changes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(ndarray).__name__}")
    return from_array(ndarray)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, numbers.Integral) or s < 0:
            raise ValueError(f"sizes must be non-negative integers, got {size}")
    return tuple(int(s) for s in size)


def _filled(fill, size, dtype, device, requires_grad):
    dtype = dtypes.as_dtype(dtype) or dtypes.get_default_dtype()
    xp = backend.get_array_module(backend.as_device(device))
    with backend.device_context(backend.as_device(device)):
        arr = xp.empty(size, dtype=dtype) if fill is None else xp.full(size, fill, dtype=dtype)
    return _finish(arr, None, None, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """Zeros of ``size`` (``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``)."""
    return _filled(0, _size(_size_kw(size, kw, "zeros")), dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    return _filled(1, _size(_size_kw(size, kw, "ones")), dtype, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """A tensor whose values are whatever the memory held (fill it before use)."""
    return _filled(None, _size(_size_kw(size, kw, "empty")), dtype, device, requires_grad)


def _size_kw(size, kw, name=None):
    """``size=`` given by keyword (as PyTorch accepts); ``memory_format``/``pin_memory``/``layout`` are ignored."""
    given = kw.pop("size", None)
    for k in ("memory_format", "pin_memory", "layout", "out"):
        kw.pop(k, None)
    if kw:
        raise TypeError(f"got unexpected keyword arguments {sorted(kw)}")
    if given is not None:
        if size:
            raise TypeError("size given both by position and by keyword")
        return (given,) if isinstance(given, int) else tuple(given)
    if not size and name is not None:  # zeros() with no size at all (zeros(()) is a 0-d tensor)
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"; '
                        f"pass the shape, e.g. {name}(2, 3), or {name}(()) for a 0-d tensor")
    return size


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = (dtypes.bool if isinstance(fill_value, bool) else
                 dtypes.int64 if isinstance(fill_value, numbers.Integral) else dtypes.get_default_dtype())
    return _filled(fill_value, _size((size,) if isinstance(size, int) else tuple(size)), dtype, device, requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    arr = np.eye(n, m if m is not None else n, dtype=dtypes.as_dtype(dtype) or dtypes.get_default_dtype())
    return _finish(arr, None, device, requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps; int64 when all arguments are integers, else float32."""
    if end is None:
        start, end = 0, start
    vals = [start, end, step]
    if dtype is None:
        dtype = dtypes.int64 if all(isinstance(v, numbers.Integral) for v in vals) else dtypes.get_default_dtype()
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step}); use a step of the other sign")
    n = max(int(np.ceil((end - start) / step)), 0)
    arr = (start + step * np.arange(n, dtype=np.float64)) if dtypes.as_dtype(dtype).kind == "f" else np.arange(start, end, step)
    return _finish(np.asarray(arr).astype(dtypes.as_dtype(dtype)), None, device, requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    # 0-d tensor bounds count with their exact value (a float32 4.3 is 4.300000190734863), in float64
    start, end = (b.item() if isinstance(b, Tensor) else b for b in (start, end))
    arr = np.linspace(start, end, steps).astype(dtypes.as_dtype(dtype) or dtypes.get_default_dtype())
    return _finish(arr, None, device, requires_grad)


def _check_float_dtype(dt, kernel):
    if np.dtype(dt).kind != "f":   # PyTorch's error for rand/randn(..., dtype=int64) and rand_like of an int tensor
        from .ops.linalg import _torch_name

        raise NotImplementedError(f'"{kernel}" not implemented for \'{_torch_name(np.dtype(dt)).capitalize()}\'')


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """Uniform on [0, 1), drawn from ``generator`` (the seeded default one when None)."""
    dt = dtypes.as_dtype(dtype) or dtypes.get_default_dtype()
    _check_float_dtype(dt, "check_uniform_bounds")
    arr = numpy_generator(generator).random(_size(_size_kw(size, kw))).astype(dt)
    return _finish(arr, None, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """Standard normal samples."""
    dt = dtypes.as_dtype(dtype) or dtypes.get_default_dtype()
    _check_float_dtype(dt, "normal_kernel_cpu")
    arr = numpy_generator(generator).standard_normal(_size(_size_kw(size, kw))).astype(dt)
    return _finish(arr, None, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``, as PyTorch.

    Example:
        >>> deepglass.randint(10, (3,)).shape
        (3,)
    """
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() needs a size, e.g. randint(0, 10, (3,))")
    arr = numpy_generator(generator).integers(low, high, size=tuple(size), dtype=np.int64)
    return _finish(arr, dtype, device, requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n−1."""
    arr = numpy_generator(generator).permutation(n).astype(np.int64)
    return _finish(arr, dtype, device, requires_grad)


def _like(fn):
    def like(input, *args, dtype=None, device=None, requires_grad: bool = False, **kwargs):
        return fn(*args, input.shape, dtype=dtype or input.dtype, device=device or input.device,
                  requires_grad=requires_grad, **kwargs)

    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"``{fn.__name__}`` with the shape (and by default dtype and device) of ``input``."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(input, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randint_like(input, low, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high) in ``input``'s shape (and by default dtype and device):
    ``randint_like(x, high)`` or ``randint_like(x, low, high)``."""
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)
