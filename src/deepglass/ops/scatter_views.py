"""Writing into a view of a copy: select_scatter, slice_scatter, diagonal_scatter, put,
index_reduce.

``*_scatter(input, src, ...)`` returns a copy of input whose view (a selected index,
a slice, a diagonal) holds ``src``. One primitive does them all: the view is a
function ``key(array) -> view``; the backward splits the gradient the same way::

    out = input;  view(out) = src        ∂L/∂src = view(G),   ∂L/∂input = G with view(G) = 0
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import normalize_dim, xp_of


class ViewScatter(Function):
    @staticmethod
    def forward(ctx, x, src, view):
        out = x.copy()
        view(out)[...] = src
        ctx.view = view
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g.copy()
        view = ctx.view
        view(gx)[...] = 0
        return gx, view(g).copy(), None


def _check_src(input, src, view_shape, name):
    if src.dtype != input.dtype:
        raise RuntimeError(f"{name}(): expected src to have the same dtype as input")
    if tuple(src.shape) != tuple(view_shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(view_shape)}")


def select_scatter(input, src, dim: int, index: int):
    """A copy of input with ``input.select(dim, index)`` replaced by ``src``.

    Example:
        >>> import deepglass as dg
        >>> dg.select_scatter(dg.zeros(2, 2), dg.ones(2), 0, 1)
        tensor([[0., 0.],
                [1., 1.]])
    """
    axis = normalize_dim(dim, input.ndim)
    size = input.shape[axis]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {axis}")
    key = (slice(None),) * axis + (index % size, Ellipsis)     # Ellipsis: a writable 0-d view for 1-D input
    _check_src(input, src, input.shape[:axis] + input.shape[axis + 1:], "select_scatter")
    return ViewScatter.apply(input, src, lambda a: a[key])


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1):
    """A copy of input with the slice ``start:end:step`` along ``dim`` replaced by ``src``."""
    axis = normalize_dim(dim, input.ndim)
    key = (slice(None),) * axis + (slice(start, end, step),)
    view_shape = np.empty(input.shape, dtype=bool)[key].shape
    _check_src(input, src, view_shape, "slice_scatter")
    return ViewScatter.apply(input, src, lambda a: a[key])


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A copy of input with its diagonal (``offset``, ``dim1``, ``dim2``) replaced by ``src``."""
    d1, d2 = normalize_dim(dim1, input.ndim), normalize_dim(dim2, input.ndim)
    n1, n2 = input.shape[d1], input.shape[d2]
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    rows = np.arange(length) + max(-offset, 0)
    cols = np.arange(length) + max(offset, 0)

    def view(a):
        return _DiagView(a, d1, d2, rows, cols)

    rest = [s for i, s in enumerate(input.shape) if i not in (d1, d2)]
    _check_src(input, src, tuple(rest) + (length,), "diagonal_scatter")
    return ViewScatter.apply(input, src, view)


class _DiagView:
    """``view[...] = v`` and ``view.copy()`` for a diagonal of ``a`` (diagonals are not writable NumPy views)."""

    def __init__(self, a, d1, d2, rows, cols):
        self.a, self.d1, self.d2 = a, d1, d2
        xp = xp_of(a)
        self.rows, self.cols = xp.asarray(rows), xp.asarray(cols)

    def _moved(self):
        return xp_of(self.a).moveaxis(self.a, (self.d1, self.d2), (-2, -1))

    def __setitem__(self, key, value):
        self._moved()[..., self.rows, self.cols] = value          # moveaxis is a view: this writes into a

    def copy(self):
        return self._moved()[..., self.rows, self.cols].copy()


class Put(Function):
    @staticmethod
    def forward(ctx, x, src, idx, accumulate):
        xp = xp_of(x)
        out = x.copy().reshape(-1)
        flat = src.reshape(-1)
        if accumulate:
            xp.add.at(out, idx, flat)
        else:
            out[idx] = flat
        ctx.idx, ctx.accumulate, ctx.shape, ctx.src_shape = idx, accumulate, x.shape, src.shape
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        flat = g.reshape(-1)
        gs = flat[ctx.idx].reshape(ctx.src_shape)
        if ctx.accumulate:
            return g, gs, None, None
        gx = flat.copy()
        gx[ctx.idx] = 0
        return gx.reshape(ctx.shape), gs, None, None


def put(input, index, source, accumulate: bool = False):
    """A copy of input (viewed as 1-D) with ``source`` written at ``index`` (added with ``accumulate``)."""
    n = input.numel()
    idx = index._array.reshape(-1)
    if idx.size and (bool((idx >= n).any()) or bool((idx < -n).any())):
        raise IndexError(f"put(): index out of range for tensor of {n} elements")
    if source.numel() != idx.size:
        raise RuntimeError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source.numel()}, index.numel() = {idx.size}")
    return Put.apply(input, source, idx % max(n, 1), accumulate)


def index_reduce(input, dim: int, index, source, reduce: str, *, include_self: bool = True):
    """Combine source's slices into input's slices ``index`` along ``dim`` with 'prod', 'mean', 'amax', 'amin'."""
    from .indexing import scatter_reduce

    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    axis = normalize_dim(dim, input.ndim) if input.ndim else 0
    x = input if input.ndim else input.reshape(1)
    s = source if source.ndim else source.reshape(1)
    shape = [1] * s.ndim
    shape[axis] = -1
    full = index.reshape(shape).expand(*s.shape)
    out = scatter_reduce(x, axis, full.contiguous(), s, reduce, include_self=include_self)
    return out.reshape(()) if input.ndim == 0 else out



__all__ = ["select_scatter", "slice_scatter", "diagonal_scatter", "put", "index_reduce"]
