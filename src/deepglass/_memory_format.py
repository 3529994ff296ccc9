"""Memory formats (``deepglass.contiguous_format``, ``channels_last`` ...): the element order of a tensor's memory.

A deepglass tensor is a NumPy/CuPy array, so a memory format is a stride order: ``channels_last``
keeps an ``(N, C, H, W)`` tensor's values and shape but stores C fastest (an NHWC buffer seen
through a transposed view), as PyTorch does; ``preserve_format`` keeps the input's order and
``contiguous_format`` makes it row-major.
"""
from __future__ import annotations

from .autograd.function import Function


class memory_format:
    """One of PyTorch's memory formats (compared by identity; ``repr`` as PyTorch's)."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"deepglass.{self.name}"


preserve_format = memory_format("preserve_format")
contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

_RANK = {"channels_last": 4, "channels_last_3d": 5}


def _check(fmt) -> memory_format:
    if fmt is None:
        return preserve_format
    if not isinstance(fmt, memory_format):
        raise TypeError(f"memory_format must be a deepglass memory format (deepglass.preserve_format, "
                        f"contiguous_format, channels_last or channels_last_3d), not {type(fmt).__name__}")
    return fmt


def _laid_out(arr, fmt: memory_format):
    """``arr`` with ``fmt``'s element order (itself when it already has it)."""
    from . import backend

    xp = backend.array_module_of(arr)
    if fmt is preserve_format:
        return arr
    if fmt is contiguous_format:
        return arr if arr.flags.c_contiguous else xp.ascontiguousarray(arr)
    rank = _RANK[fmt.name]
    if arr.ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt.name} format (got shape {tuple(arr.shape)})")
    order = (0,) + tuple(range(2, rank)) + (1,)          # N, spatial..., C
    if arr.transpose(order).flags.c_contiguous:
        return arr
    back = (0, rank - 1) + tuple(range(1, rank - 1))
    return xp.ascontiguousarray(arr.transpose(order)).transpose(back)


def is_in_format(arr, fmt: memory_format) -> bool:
    """PyTorch's ``is_contiguous(memory_format=fmt)``."""
    if fmt is contiguous_format or fmt is preserve_format:
        return bool(arr.flags.c_contiguous)
    rank = _RANK[fmt.name]
    if arr.ndim != rank:
        return False
    return bool(arr.transpose((0,) + tuple(range(2, rank)) + (1,)).flags.c_contiguous)


class Relayout(Function):
    """The same values in another memory order; the gradient passes through."""

    @staticmethod
    def forward(ctx, x, fmt):
        out = _laid_out(x, fmt)
        return out.copy() if out is x else out

    @staticmethod
    def backward(ctx, g):
        return g, None


def relayout(t, fmt, copy: bool = False):
    """``t`` in memory format ``fmt``: ``t`` itself when already so (unless ``copy``), else a new tensor."""
    fmt = _check(fmt)
    if not copy and _laid_out(t._array, fmt) is t._array:
        return t
    return Relayout.apply(t, fmt)
