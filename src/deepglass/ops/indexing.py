"""Scatter and index ops: scatter (src / value / ``reduce=``), scatter_reduce, index_add,
index_copy, index_fill, index_put, masked_select, masked_scatter, take, take_along_dim.

A scatter writes ``src`` into a copy of ``input`` at positions named by ``index``;
its backward reads the output gradient back at the same positions::

    scatter(x, d, idx, src):  out[..., idx[i], ...] = src[i]       ∂/∂src = G[idx],  ∂/∂x = G (0 where written)
    index_add(x, d, idx, s):  out[..., idx[i], ...] += α·s[i]       ∂/∂s = α·G[idx], ∂/∂x = G

``grid`` below is the full index (``along_axis_index``) that puts ``index`` on one axis.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import along_axis_index, normalize_dim, xp_of
from .reduce import TakeAlongDim

_UFUNC = {"sum": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum", "mean": "add"}


def _check_index(index, name):
    if not isinstance(index, Tensor) or index.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


class ScatterReduce(Function):
    """out = input, then each src[i] combined into out[grid[i]] with ``reduce`` (None: overwrite)."""

    @staticmethod
    def forward(ctx, x, src, grid, reduce, include_self):
        xp = xp_of(x)
        out = x.copy()
        ishape = np.broadcast_shapes(*[gr.shape for gr in grid])           # the index's shape
        src = src[tuple(slice(0, s) for s in ishape)] if hasattr(src, "shape") and src.ndim else \
            xp.broadcast_to(xp.asarray(src, dtype=x.dtype), ishape)
        ctx.grid, ctx.reduce, ctx.include_self, ctx.src_shape = grid, reduce, include_self, np.shape(src)
        if reduce is None:
            out[grid] = src
        else:
            hit = xp.zeros(x.shape, dtype=bool)
            hit[grid] = True
            if not include_self:
                ident = {"sum": 0, "mean": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[reduce]
                if x.dtype.kind != "f" and reduce in ("amax", "amin"):
                    info = np.iinfo(x.dtype)
                    ident = info.min if reduce == "amax" else info.max
                out[hit] = ident
            getattr(xp, _UFUNC[reduce]).at(out, grid, src)
            if reduce == "mean":
                count = xp.zeros(x.shape, dtype=x.dtype)
                xp.add.at(count, grid, 1)
                count = count + (1 if include_self else 0)
                count = xp.where(count == 0, 1, count)
                out = out / count if x.dtype.kind == "f" else out // count
                ctx.count = count
            ctx.hit = hit
        ctx.save_for_backward(x, src, out)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, src, out = ctx.saved_tensors
        xp, grid, reduce = xp_of(g), ctx.grid, ctx.reduce
        need = ctx.needs_input_grad
        if reduce is None:
            gx = g.copy()
            gx[grid] = 0
            return gx, (g[grid] if need[1] else None), None, None, None
        if reduce == "sum":
            gx = g if ctx.include_self else xp.where(ctx.hit, 0, g)
            return gx, g[grid], None, None, None
        if reduce == "mean":
            gm = g / ctx.count
            gx = gm if ctx.include_self else xp.where(ctx.hit, 0, g)
            return gx, gm[grid], None, None, None
        if reduce == "prod":
            others = xp.ones(x.shape, dtype=g.dtype)           # ∂out/∂x = the product of what was scattered in
            xp.multiply.at(others, grid, src)
            gx = g * others if ctx.include_self else xp.where(ctx.hit, 0, g)
            with np.errstate(all="ignore"):
                gs = xp.where(src == 0, 0, (g * out)[grid] / xp.where(src == 0, 1, src))
            for k in zip(*xp.nonzero(src == 0)):               # a zero source: the product of the others there
                pos = tuple(gr[tuple(min(i, n - 1) for i, n in zip(k, gr.shape))] for gr in grid)
                same = xp.ones(src.shape, dtype=bool)
                for gr, p in zip(grid, pos):
                    same &= xp.broadcast_to(gr == p, src.shape)
                same[k] = False
                rest = src[same].prod() * (x[pos] if ctx.include_self else 1)
                gs[k] = g[pos] * rest
            return gx, gs, None, None, None
        # amax / amin: the gradient is shared evenly among the elements equal to the result
        self_tie = (x == out) if ctx.include_self else ~ctx.hit
        src_tie = src == out[grid]
        count = self_tie.astype(g.dtype)
        xp.add.at(count, grid, src_tie.astype(g.dtype))
        share = g / xp.where(count == 0, 1, count)
        return xp.where(self_tie, share, 0), xp.where(src_tie, share[grid], 0), None, None, None


def _grid(input, dim, index, name):
    _check_index(index, name)
    axis = normalize_dim(dim, input.ndim) if input.ndim else 0
    idx = index._array if index.ndim else index._array.reshape(1)
    xp = xp_of(idx)
    if idx.size and (bool((idx < -input.shape[axis]).any()) if input.ndim else False):
        raise RuntimeError(f"{name}(): index out of bounds")
    if input.ndim and index.ndim != input.ndim:
        raise RuntimeError(f"{name}(): Index tensor must have the same number of dimensions as self tensor")
    if input.ndim and idx.size and bool((idx >= input.shape[axis]).any()):
        raise RuntimeError(f"{name}(): index {int(idx.max())} is out of bounds for dimension {axis} with size "
                           f"{input.shape[axis]}")
    return along_axis_index(xp, idx, axis) if input.ndim else (xp.zeros(idx.shape, dtype=np.int64),)


def _scatter(input, dim, index, src, reduce, include_self, name):
    x = input if input.ndim else input.reshape(1)
    if index.numel() == 0:
        return input.clone()
    grid = _grid(x, dim, index if index.ndim else index.reshape(1), name)
    if isinstance(src, Tensor):
        if src.dtype != input.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        s = src if src.ndim else src.reshape(1)
    else:
        s = src
    out = ScatterReduce.apply(x, s, grid, reduce, include_self)
    return out.reshape(()) if input.ndim == 0 else out


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """Write ``src`` (or the number ``value``) into a copy of input at ``index`` along ``dim``.

    ``reduce`` 'add' / 'multiply' combines instead of overwriting.

    Example:
        >>> import deepglass as dg
        >>> dg.scatter(dg.zeros(3), 0, dg.tensor([2, 0]), dg.tensor([5.0, 7.0]))
        tensor([7., 0., 5.])
    """
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() needs src (a Tensor) or value (a number)")
    mode = {None: None, "add": "sum", "multiply": "prod"}.get(reduce, "bad")
    if mode == "bad":
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
    return _scatter(input, dim, index, src, mode, True, "scatter")


def scatter_reduce(input, dim, index, src, reduce, *, include_self: bool = True):
    """Combine ``src`` into input at ``index`` with 'sum', 'prod', 'mean', 'amax' or 'amin'."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return _scatter(input, dim, index, src, reduce, include_self, "scatter_reduce")


class IndexAdd(Function):
    """out = x with alpha·source[i] added to the slice index[i] along axis; ∂/∂source = alpha·G[index]."""

    @staticmethod
    def forward(ctx, x, source, idx, axis, alpha, mode):
        xp = xp_of(x)
        out = xp.array(x, copy=True)
        key = (slice(None),) * axis + (idx,)
        ctx.key, ctx.axis, ctx.alpha, ctx.mode, ctx.idx = key, axis, alpha, mode, idx
        if mode == "add":
            xp.add.at(out, key, source * alpha if alpha != 1 else source)
        else:                                                  # copy / fill
            out[key] = source
        return out

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        if ctx.mode == "add":
            return g, xp.take(g, ctx.idx, axis=ctx.axis) * ctx.alpha, None, None, None, None
        gx = g.copy()
        gx[ctx.key] = 0
        gs = xp.take(g, ctx.idx, axis=ctx.axis)
        if ctx.mode == "fill":                                  # each filled slice once, however often named
            gs = xp.take(g, xp.unique(ctx.idx % g.shape[ctx.axis]), axis=ctx.axis).sum()
        return gx, gs, None, None, None, None


def _index_args(input, dim, index, name):
    if index.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if index.dtype.kind not in "iu":
        raise IndexError(f"{name}(): Expected dtype int32/int64 for index")
    axis = normalize_dim(dim, input.ndim) if input.ndim else 0
    return axis, index._array.reshape(-1)


def index_add(input, dim, index, source, *, alpha=1):
    """Add alpha·source[i] to input's slice ``index[i]`` along ``dim`` (repeated indices accumulate)."""
    axis, idx = _index_args(input, dim, index, "index_add")
    x, s = (input, source) if input.ndim else (input.reshape(1), source.reshape(1))
    out = IndexAdd.apply(x, s, idx, axis, alpha, "add")
    return out.reshape(()) if input.ndim == 0 else out


def index_copy(input, dim, index, source):
    """Copy source's slices into input's slices ``index`` along ``dim``."""
    axis, idx = _index_args(input, dim, index, "index_copy")
    x, s = (input, source) if input.ndim else (input.reshape(1), source.reshape(1))
    out = IndexAdd.apply(x, s, idx, axis, 1, "copy")
    return out.reshape(()) if input.ndim == 0 else out


def index_fill(input, dim, index, value):
    """Fill input's slices ``index`` along ``dim`` with ``value`` (a number or a 0-d tensor)."""
    axis, idx = _index_args(input, dim, index, "index_fill")
    x = input if input.ndim else input.reshape(1)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        v = value.to(input.dtype)
    else:
        v = value
    out = IndexAdd.apply(x, v, idx, axis, 1, "fill")
    return out.reshape(()) if input.ndim == 0 else out


class IndexPut(Function):
    """out = x with out[indices] = values (or += with accumulate)."""

    @staticmethod
    def forward(ctx, x, values, key, accumulate):
        xp = xp_of(x)
        out = x.copy()
        ctx.key, ctx.accumulate, ctx.vshape = key, accumulate, np.shape(values)
        if accumulate:
            xp.add.at(out, key, values)
        else:
            out[key] = values
        return out

    @staticmethod
    def backward(ctx, g):
        gv = g[ctx.key]
        if ctx.accumulate:
            return g, gv, None, None
        gx = g.copy()
        gx[ctx.key] = 0
        return gx, gv, None, None


def index_put(input, indices, values, accumulate: bool = False):
    """out[indices] = values (a tuple of index tensors, as ``input[indices] = values``); += with accumulate."""
    xp = xp_of(input._array)
    key = []
    for t in indices:
        if t is None:
            key.append(slice(None))
        elif t.dtype.kind == "b":
            key.extend(xp.nonzero(t._array))
        else:
            key.append(t._array)
    if values.dtype != input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got {input.dtype} for "
                           f"the destination and {values.dtype} for the source.")
    return IndexPut.apply(input, values, tuple(key), accumulate)


class MaskedSelect(Function):
    @staticmethod
    def forward(ctx, x, mask, shape):
        xp = xp_of(x)
        ctx.mask, ctx.shape = xp.broadcast_to(mask, shape), shape
        return xp.broadcast_to(x, shape)[ctx.mask]

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        full = xp.zeros(ctx.shape, dtype=g.dtype)
        full[ctx.mask] = g
        return full, None, None                                 # the engine sums it back to x's shape


def masked_select(input, mask):
    """The elements of input where ``mask`` (broadcast together) is True, as a 1-D tensor."""
    if mask.dtype.kind != "b":
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
    shape = tuple(np.broadcast_shapes(tuple(input.shape), tuple(mask.shape)))
    return MaskedSelect.apply(input, mask._array, shape)


class MaskedScatter(Function):
    @staticmethod
    def forward(ctx, x, source, mask):
        xp = xp_of(x)
        m = xp.broadcast_to(mask, x.shape)
        n = int(m.sum())
        if n > source.size:
            raise RuntimeError("masked_scatter: expected source to have at least as many elements as ones in mask")
        out = x.copy()
        out[m] = source.reshape(-1)[:n]
        ctx.m, ctx.n, ctx.src_shape = m, n, source.shape
        return out

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        gs = xp.zeros(int(np.prod(ctx.src_shape)), dtype=g.dtype)
        gs[:ctx.n] = g[ctx.m]
        return xp.where(ctx.m, 0, g), gs.reshape(ctx.src_shape), None


def masked_scatter(input, mask, source):
    """Copy source's elements, in order, into the positions where ``mask`` is True."""
    if mask.dtype.kind != "b":
        raise RuntimeError(f"masked_scatter_: expected BoolTensor for mask, got {mask.dtype}")
    if source.dtype != input.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes")
    shape = tuple(np.broadcast_shapes(tuple(input.shape), tuple(mask.shape)))
    x = input if tuple(input.shape) == shape else input.expand(*shape)
    return MaskedScatter.apply(x, source, mask._array)


class Take(Function):
    @staticmethod
    def forward(ctx, x, idx):
        ctx.shape, ctx.idx = x.shape, idx
        return x.reshape(-1)[idx]

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        flat = xp.zeros(int(np.prod(ctx.shape)), dtype=g.dtype)
        xp.add.at(flat, ctx.idx, g)
        return flat.reshape(ctx.shape), None


def take(input, index):
    """input viewed as 1-D, read at ``index`` (negative indices count from the end)."""
    n = input.numel()
    idx = index._array
    if idx.size and (bool((idx >= n).any()) or bool((idx < -n).any())):
        raise IndexError(f"take(): index out of range for tensor of size {tuple(input.shape)}")
    return Take.apply(input, idx % max(n, 1) if idx.size else idx)


def take_along_dim(input, indices, dim=None):
    """Values at ``indices`` along ``dim`` (input and indices broadcast on the other axes); flattened when None."""
    if dim is None:
        return take(input, indices.reshape(-1))
    axis = normalize_dim(dim, input.ndim)
    if indices.ndim != input.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.ndim} dimensions for input, and {indices.ndim} dimensions for indices")
    shape_x = list(np.broadcast_shapes(*[tuple(s if a != axis else 1 for a, s in enumerate(t.shape))
                                        for t in (input, indices)]))
    sx = shape_x.copy()
    sx[axis] = input.shape[axis]
    si = shape_x.copy()
    si[axis] = indices.shape[axis]
    x = input.expand(*sx) if tuple(input.shape) != tuple(sx) else input
    xp = xp_of(input._array)
    idx = xp.broadcast_to(indices._array, si) % max(input.shape[axis], 1)
    return TakeAlongDim.apply(x, xp.ascontiguousarray(idx), axis)



__all__ = [
    "scatter", "scatter_reduce", "index_add", "index_copy", "index_fill", "index_put", "masked_select",
    "masked_scatter", "take", "take_along_dim",
]
