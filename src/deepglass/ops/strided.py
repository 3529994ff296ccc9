"""Strided views and allocations: ``as_strided`` (+ ``_copy``, ``_scatter``), ``empty_strided``, ``empty_permuted``.

A deepglass tensor is a NumPy/CuPy array, and the array that owns its memory plays the part of
PyTorch's storage: ``as_strided(x, size, stride, storage_offset)`` is the view of that memory
(flat, in elements) starting ``storage_offset`` elements in, stepping ``stride[k]`` elements
along dim k. Its gradient is PyTorch's: the incoming gradient is added into a zero storage at
every position the view reads (a position read twice gets both), and the input's gradient is
read back from that storage at the input's own positions.
"""
from __future__ import annotations

import numpy as np

from .. import backend, dtypes
from .._tensor import as_view, from_array
from ..autograd.function import Function
from ._util import xp_of


def _ptr(a) -> int:
    return a.__array_interface__["data"][0] if isinstance(a, np.ndarray) else a.data.ptr


def _storage(arr):
    """(flat storage, offset in elements of ``arr``'s first element, ``arr``'s strides in elements)."""
    root = arr
    while isinstance(getattr(root, "base", None), type(arr)):
        root = root.base
    item = arr.dtype.itemsize
    if root.dtype != arr.dtype or not root.flags.c_contiguous or any(s % item for s in arr.strides):
        # memory deepglass did not lay out itself (a reinterpreting view): its own copy is the storage
        arr = xp_of(arr).ascontiguousarray(arr)
        root = arr
    offset = (_ptr(arr) - _ptr(root)) // item
    return root.reshape(-1), offset, tuple(s // item for s in arr.strides)


def _positions(xp, offset, size, stride):
    """Storage index of every element of the (size, stride, offset) geometry, shaped ``size``."""
    pos = xp.full(tuple(size), offset, dtype=np.int64)
    for k, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[k] = n
        pos = pos + (xp.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


def _check_geometry(size, stride, offset, numel, name):
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"{name}: mismatch in length of strides and shape ({len(stride)} strides for "
                           f"{len(size)} sizes)")
    if any(n < 0 for n in size):
        raise RuntimeError(f"{name}: negative size in {size}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"{name}: Negative strides are not supported at the moment, got strides: {list(stride)}")
    if offset < 0:
        raise RuntimeError(f"{name}: Tensor: invalid storage offset {offset}")
    if all(size):
        last = offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= numel:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset} "
                               f"need {last + 1} elements, but the storage holds {numel}: pick a smaller size/stride")
    return size, stride


class AsStrided(Function):
    @staticmethod
    def forward(ctx, x, size, stride, storage_offset):
        xp = xp_of(x)
        flat, x_offset, x_strides = _storage(x)
        offset = x_offset if storage_offset is None else int(storage_offset)
        size, stride = _check_geometry(size, stride, offset, flat.size, "as_strided")
        ctx.geom = (flat.size, x_offset, x.shape, x_strides, offset, size, stride)
        item = x.dtype.itemsize
        return xp.lib.stride_tricks.as_strided(flat[offset:], shape=size, strides=tuple(s * item for s in stride))

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        numel, x_offset, x_shape, x_strides, offset, size, stride = ctx.geom
        storage = xp.zeros(numel, dtype=g.dtype)
        xp.add.at(storage, _positions(xp, offset, size, stride), g)
        return storage[_positions(xp, x_offset, x_shape, x_strides)], None, None, None


def as_strided(input, size, stride, storage_offset=None):
    """The view of ``input``'s memory with the given sizes and element strides (PyTorch's ``as_strided``).

    ``storage_offset`` counts elements from the start of the memory ``input`` lives in (default:
    where ``input`` itself starts). Writing through an overlapping view is undefined, as in PyTorch.

    Example:
        >>> import deepglass as dg
        >>> dg.as_strided(dg.arange(6.0), (2, 2), (1, 2))
        tensor([[0., 2.],
                [1., 3.]])
    """
    return as_view(AsStrided.apply(input, tuple(size), tuple(stride), storage_offset), input)


def as_strided_copy(input, size, stride, storage_offset=None):
    """:func:`as_strided` as a new tensor with its own memory."""
    return AsStrided.apply(input, tuple(size), tuple(stride), storage_offset).clone()


class AsStridedScatter(Function):
    @staticmethod
    def forward(ctx, x, src, size, stride, storage_offset):
        xp = xp_of(x)
        flat = xp.ascontiguousarray(x).reshape(-1).copy()
        offset = 0 if storage_offset is None else int(storage_offset)
        size, stride = _check_geometry(size, stride, offset, flat.size, "as_strided_scatter")
        if tuple(src.shape) != size:
            raise RuntimeError(f"as_strided_scatter: expected src to have a size equal to the slice of self. src size "
                               f"= {list(src.shape)}, slice size = {list(size)}")
        pos = _positions(xp, offset, size, stride)
        flat[pos] = src
        ctx.pos, ctx.shape = pos, x.shape
        return flat.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        flat = g.reshape(-1)
        gsrc = flat[ctx.pos]
        gx = flat.copy()
        gx[ctx.pos] = 0
        return gx.reshape(ctx.shape), gsrc, None, None, None


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` (row-major) whose ``as_strided(size, stride, storage_offset)`` view holds ``src``.

    Example:
        >>> import deepglass as dg
        >>> dg.as_strided_scatter(dg.zeros(4), dg.ones(2), (2,), (2,))
        tensor([1., 0., 1., 0.])
    """
    if src.dtype != input.dtype:
        src = src.to(input.dtype)
    return AsStridedScatter.apply(input, src, tuple(size), tuple(stride), storage_offset)


def _allocate(shape_in_memory, dtype, device, requires_grad):
    dt = dtypes.as_dtype(dtype) or dtypes.get_default_dtype()
    xp = backend.array_module_of(backend.to_device(np.zeros(0), backend.as_device(device or "cpu")))
    return xp.zeros(shape_in_memory, dtype=dt)


def _finish(arr, requires_grad):
    t = from_array(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor with the given sizes and element strides (its values are unspecified; deepglass zeros them).

    Example:
        >>> import deepglass as dg
        >>> dg.empty_strided((2, 3), (1, 2)).is_contiguous()
        False
    """
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    numel = 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    _check_geometry(size, stride, 0, max(numel, 1), "empty_strided")
    buf = _allocate(numel, dtype, device, requires_grad)
    item = buf.dtype.itemsize
    arr = xp_of(buf).lib.stride_tricks.as_strided(buf, shape=size, strides=tuple(s * item for s in stride))
    return _finish(arr, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """A new tensor of shape ``size`` whose memory holds dim ``physical_layout[0]`` outermost (values unspecified).

    ``empty_permuted((2, 3, 4, 5), (0, 2, 3, 1))`` is a channels-last tensor.

    Example:
        >>> import deepglass as dg
        >>> dg.empty_permuted((2, 3), (1, 0)).shape
        (2, 3)
    """
    size, layout_ = tuple(int(n) for n in size), tuple(int(p) for p in physical_layout)
    if sorted(layout_) != list(range(len(size))):
        raise RuntimeError(f"empty_permuted: physical_layout {list(layout_)} must be a permutation of the "
                           f"{len(size)} dims of size {list(size)}")
    buf = _allocate(tuple(size[p] for p in layout_), dtype, device, requires_grad)
    return _finish(buf.transpose(tuple(np.argsort(layout_))), requires_grad)


def new_empty_strided(input, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                      pin_memory=False):
    """:func:`empty_strided` with ``input``'s dtype and device unless given (a Tensor method)."""
    return empty_strided(size, stride, dtype=dtype or input.dtype, device=device or input.device,
                         requires_grad=requires_grad)


__all__ = ["as_strided", "as_strided_copy", "as_strided_scatter", "empty_strided", "empty_permuted", "resize_as_"]


def _resize_layout(storage, n, size, fmt):
    """``n`` elements of ``storage`` (grown, uninitialised past its end) seen as ``size`` in ``fmt``'s order."""
    from .._memory_format import _RANK, _check, channels_last, channels_last_3d, preserve_format

    fmt = _check(fmt) if fmt is not None else None
    if fmt is preserve_format:
        raise RuntimeError("Unsupported memory format preserve_format: resize_ takes contiguous_format, "
                           "channels_last or channels_last_3d")
    if fmt is channels_last or fmt is channels_last_3d:
        rank = _RANK[fmt.name]
        if len(size) != rank:
            raise RuntimeError(f"required rank {rank} tensor to use {fmt.name} format (got size {tuple(size)})")
    xp = xp_of(storage)
    if n > storage.size:                       # PyTorch grows the storage; the new elements are uninitialised
        grown = xp.empty(n, storage.dtype)
        grown[:storage.size] = storage
        storage = grown
    flat = storage[:n]
    if fmt is channels_last or fmt is channels_last_3d:
        order = (0,) + tuple(range(2, len(size))) + (1,)               # N, spatial..., C in memory
        back = (0, len(size) - 1) + tuple(range(1, len(size) - 1))
        return flat.reshape(tuple(size[k] for k in order)).transpose(back)
    return flat.reshape(tuple(size))


def resize_(self, *sizes, memory_format=None):
    """PyTorch's ``Tensor.resize_(*sizes, memory_format=None)``: give ``self`` a new shape in place.

    The memory from ``self``'s first element on (PyTorch's storage from the storage offset) is
    read row-major (or in ``memory_format``'s order) as the new shape: the first
    ``prod(sizes)`` elements are kept; when more are needed the memory grows and the new
    elements are uninitialised. The same shape without ``memory_format`` changes nothing.
    A view may be resized, as in PyTorch; when it grows, its new memory is its own (PyTorch
    grows the shared storage, so the base would see the move too).
    Raises RuntimeError on a tensor that requires grad. Returns ``self``.

    >>> import deepglass as dg
    >>> x = dg.arange(6.)
    >>> x.resize_(2, 2)
    tensor([[0., 1.],
            [2., 3.]])
    >>> tuple(x.shape)
    (2, 2)
    """
    from .._tensor import bump_version

    if not sizes:
        raise TypeError("resize_() missing 1 required positional argument: 'size' (pass the new shape, e.g. "
                        "x.resize_(2, 3) or x.resize_(()) for a 0-d tensor)")
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"resize_(): argument 'size' must be tuple of ints, not {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"resize_(): negative size {int(s)} in {tuple(int(v) for v in sizes)}; "
                               f"sizes must be >= 0")
    size = tuple(int(s) for s in sizes)
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if size == tuple(self._array.shape) and memory_format is None:
        return self
    n = int(np.prod(size, dtype=np.int64))
    storage, offset, _ = _storage(self._array)
    self._array = _resize_layout(storage[offset:], n, size, memory_format)
    bump_version(self)
    return self


def resize_as_(input, the_template, memory_format=None):
    """PyTorch's ``torch.resize_as_(input, the_template, memory_format=None)`` (and the Tensor method):
    ``input.resize_(the_template.shape, memory_format=memory_format)``. Returns ``input``.

    >>> import deepglass as dg
    >>> dg.resize_as_(dg.arange(4.), dg.zeros(2, 2))
    tensor([[0., 1.],
            [2., 3.]])
    """
    from .._tensor import Tensor

    if not isinstance(the_template, Tensor):
        raise TypeError(f"resize_as_(): argument 'the_template' must be Tensor, not {type(the_template).__name__}")
    return resize_(input, tuple(the_template.shape), memory_format=memory_format)
