"""Scans and order statistics: cumprod, cummax/cummin, logcumsumexp; NaN-aware sums and means;
median, nanmedian, mode, kthvalue, quantile/nanquantile; var_mean/std_mean, aminmax; diff,
trapezoid and its cumulative form; cov, corrcoef, renorm, dist.

Order statistics pick one element per row; their values are a ``TakeAlongDim`` of the
input, so the gradient goes back to the picked positions. The rest are composed from
existing ops (their gradients come for free) except the two scans with a formula::

    cumprod:      y_j = Π_{k≤j} x_k        ∂L/∂x_i = Σ_{j≥i} g_j · Π_{k≤j, k≠i} x_k
    logcumsumexp: y_j = log Σ_{k≤j} e^x_k  ∂L/∂x_i = Σ_{j≥i} g_j · e^(x_i − y_j)
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import dtypes
from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import normalize_dim, to_float, xp_of
from .reduce import TakeAlongDim, values_indices

aminmax_return_type = namedtuple("aminmax", ["min", "max"])


def _axis(input, dim, name):
    if input.ndim == 0:
        normalize_dim(dim, 0)
        return None
    return normalize_dim(dim, input.ndim)


def _rev_cumsum(xp, a, axis):
    return xp.flip(xp.cumsum(xp.flip(a, axis), axis=axis), axis)


class CumProd(Function):
    @staticmethod
    def forward(ctx, x, axis):
        y = xp_of(x).cumprod(x, axis=axis)
        ctx.axis = axis
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp, axis = xp_of(g), ctx.axis
        if not bool((x == 0).any()):
            return _rev_cumsum(xp, g * y, axis) / x
        # with zeros: for each i, the cumulative product with x_i replaced by 1 (an n×n table per row)
        n = x.shape[axis]
        xm = xp.moveaxis(x, axis, -1)
        gm = xp.moveaxis(g, axis, -1)
        eye = xp.eye(n, dtype=bool)
        table = xp.where(eye, 1, xm[..., None, :])                  # (..., i, k)
        prods = xp.cumprod(table, axis=-1)                           # (..., i, j)
        upper = xp.triu(xp.ones((n, n), dtype=bool))                 # j ≥ i
        grad = (xp.where(upper, prods, 0) * gm[..., None, :]).sum(-1)
        return xp.moveaxis(grad, -1, axis)


def cumprod(input, dim, *, dtype=None):
    """Cumulative product along ``dim``; integers accumulate as int64 (as PyTorch).

    Example:
        >>> import deepglass as dg
        >>> dg.cumprod(dg.tensor([1.0, 2.0, 3.0]), 0)
        tensor([1., 2., 6.])
    """
    if dtype is not None:
        input = input.to(dtype)
    elif input.dtype.kind in "bui":
        input = input.to(dtypes.int64)
    axis = _axis(input, dim, "cumprod")
    if axis is None:
        return input.clone()
    if input.dtype.kind != "f":
        return from_array(xp_of(input._array).cumprod(input._array, axis=axis))
    return CumProd.apply(input, axis)


def _cum_extreme(input, dim, is_max):
    axis = _axis(input, dim, "cummax" if is_max else "cummin")
    xp = xp_of(input._array)
    if axis is None:
        return values_indices(input.clone(), from_array(xp.zeros((), dtype=np.int64)))
    x = input._array
    if x.size == 0:
        return values_indices(input.clone(), from_array(xp.zeros(x.shape, dtype=np.int64)))
    acc = xp.maximum if is_max else xp.minimum
    vals = acc.accumulate(x, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    pos = xp.arange(x.shape[axis]).reshape(shape)
    hit = (x == vals) | (xp.isnan(x) if x.dtype.kind == "f" else False)  # ties: the latest index (PyTorch)
    idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=axis).astype(np.int64)
    values = TakeAlongDim.apply(input, idx, axis) if input.requires_grad else from_array(vals)
    return values_indices(values, from_array(idx))


def cummax(input, dim):
    """Running maximum along ``dim`` and where it was found (the latest index among ties)."""
    return _cum_extreme(input, dim, True)


def cummin(input, dim):
    """Running minimum along ``dim`` and where it was found (the latest index among ties)."""
    return _cum_extreme(input, dim, False)


class LogCumSumExp(Function):
    @staticmethod
    def forward(ctx, x, axis):
        xp = xp_of(x)
        with np.errstate(all="ignore"):
            if xp is np:
                y = np.logaddexp.accumulate(x, axis=axis)
            else:
                m = xp.max(x, axis=axis, keepdims=True)
                m = xp.where(xp.isfinite(m), m, 0)
                y = xp.log(xp.cumsum(xp.exp(x - m), axis=axis)) + m
        ctx.axis = axis
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp, axis = xp_of(g), ctx.axis
        dt = g.dtype
        x, y, g = x.astype(np.float64), y.astype(np.float64), g.astype(np.float64)   # cancellation in float32
        with np.errstate(all="ignore"):
            # Σ_{j≥i} g_j e^(x_i − y_j), shifted by the row's last y for range
            c = xp.take(y, [-1], axis=axis)
            c = xp.where(xp.isfinite(c), c, 0)
            s = _rev_cumsum(xp, g * xp.exp(c - y), axis)
            return xp.where(xp.isneginf(x), 0, s * xp.exp(x - c)).astype(dt)


def logcumsumexp(input, dim):
    """log Σ_{k≤j} e^(x_k) along ``dim``, without overflow.

    Example:
        >>> import deepglass as dg
        >>> dg.logcumsumexp(dg.tensor([0.0, 0.0]), 0)
        tensor([0.0000, 0.6931])
    """
    axis = _axis(input, dim, "logcumsumexp")
    x = to_float(input)
    if axis is None:
        return x.clone()
    return LogCumSumExp.apply(x, axis)


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Σ over ``dim`` treating NaN as 0 (the gradient at a NaN is 0)."""
    from .compare import isnan
    from .elementwise import where
    from .reduce import sum as _sum

    if input.dtype.kind != "f":
        return _sum(input, dim, keepdim, dtype=dtype)
    return _sum(where(isnan(input), 0.0, input), dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Mean over the non-NaN elements along ``dim``."""
    from .compare import isnan, logical_not
    from .reduce import sum as _sum

    if input.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got "
                           f"{dtypes.name_of(input.dtype)}")
    count = _sum(logical_not(isnan(input)), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / count.to(input.dtype if dtype is None else dtype)


# ---------------------------------------------------------------- order statistics


def _pick(input, idx, axis, keepdim):
    """values_indices of ``input`` at ``idx`` (keepdims-shaped) along ``axis``."""
    values = TakeAlongDim.apply(input, idx, axis) if input.requires_grad else \
        from_array(xp_of(idx).take_along_axis(input._array, idx, axis=axis))
    if not keepdim:
        values = values.squeeze(axis)
        idx = idx.squeeze(axis)
    return values_indices(values, from_array(idx.astype(np.int64)))


def _rowwise(input, dim, name):
    """(input viewed with ≥ 1 dim, axis, was_0d)."""
    if input.ndim == 0:
        normalize_dim(dim, 0)
        return input.reshape(1), 0, True
    axis = normalize_dim(dim, input.ndim)
    if input.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    return input, axis, False


def _median_index(xp, x, axis, ignore_nan):
    order = xp.argsort(x, axis=axis, kind="stable")            # NaN sort last
    n = x.shape[axis]
    if x.dtype.kind == "f":
        nans = xp.isnan(x).sum(axis=axis, keepdims=True)
    else:
        nans = xp.zeros([1 if a == axis else s for a, s in enumerate(x.shape)], dtype=np.int64)
    valid = n - nans
    if ignore_nan:
        k = xp.where(valid > 0, (valid - 1) // 2, 0)
    else:
        k = xp.where(nans > 0, valid, (n - 1) // 2)            # any NaN: the (first) NaN, as PyTorch
    return xp.take_along_axis(order, k.astype(np.int64), axis=axis)


def _median(input, dim, keepdim, ignore_nan, name):
    xp = xp_of(input._array)
    if dim is None:
        flat = input.reshape(-1)
        if flat.numel() == 0:
            return from_array(xp.full((), np.nan, dtype=input.dtype)) if input.dtype.kind == "f" else \
                flat.sum()
        idx = _median_index(xp, flat._array, 0, ignore_nan)
        return _pick(flat, idx, 0, False).values.reshape(())
    x, axis, was0 = _rowwise(input, dim, name)
    out = _pick(x, _median_index(xp, x._array, axis, ignore_nan), axis, keepdim or was0)
    if was0:
        return values_indices(out.values.reshape(()), out.indices.reshape(()))
    return out


def median(input, dim=None, keepdim: bool = False):
    """The lower median (of all elements, or per row with ``(values, indices)``); NaN if a NaN is present.

    Example:
        >>> import deepglass as dg
        >>> dg.median(dg.tensor([3.0, 1.0, 2.0, 4.0]))
        tensor(2.)
    """
    return _median(input, dim, keepdim, False, "median")


def nanmedian(input, dim=None, keepdim: bool = False):
    """The lower median ignoring NaN (NaN only where a row is all NaN)."""
    return _median(input, dim, keepdim, True, "nanmedian")


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):
    """The k-th smallest value (k from 1) along ``dim`` and its index."""
    x, axis, was0 = _rowwise(input, dim, "kthvalue")
    n = x.shape[axis]
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {dim} (k = {k}, size {n})")
    xp = xp_of(x._array)
    order = xp.argsort(x._array, axis=axis, kind="stable")
    idx = xp.take(order, [k - 1], axis=axis)
    out = _pick(x, idx, axis, keepdim or was0)
    return values_indices(out.values.reshape(()), out.indices.reshape(())) if was0 else out


def mode(input, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and its last index."""
    x, axis, was0 = _rowwise(input, dim, "mode")
    xp = xp_of(x._array)
    a = xp.moveaxis(x._array, axis, -1)
    lead = a.shape[:-1]
    rows = a.reshape(-1, a.shape[-1])
    best = np.empty(rows.shape[0], dtype=np.int64)
    host = np.asarray(rows.get() if hasattr(rows, "get") else rows)
    for r, row in enumerate(host):
        vals, counts = np.unique(row, return_counts=True)
        v = vals[np.argmax(counts)]
        best[r] = np.flatnonzero((row == v) | (np.isnan(row) & np.isnan(v)) if row.dtype.kind == "f" else row == v)[-1]
    idx = xp.asarray(best).reshape(lead + (1,))
    idx = xp.moveaxis(idx, -1, axis)
    out = _pick(x, idx, axis, keepdim or was0)
    return values_indices(out.values.reshape(()), out.indices.reshape(())) if was0 else out


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name):
    from .elementwise import where
    from .shape import gather, sort

    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise ValueError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                         f"Got {interpolation}")
    xp = xp_of(input._array)
    scalar_q = not isinstance(q, Tensor)
    qa = xp.asarray([q] if scalar_q else q._array, dtype=input.dtype).reshape(-1)
    if not scalar_q and q.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if bool(((qa < 0) | (qa > 1)).any()):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    x = input.reshape(-1) if dim is None else (input.reshape(1) if input.ndim == 0 else input)
    axis = 0 if dim is None or input.ndim == 0 else normalize_dim(dim, input.ndim)
    if x.shape[axis] == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    s = sort(x, axis).values                                   # NaN last
    xm = _movedim(s, axis, -1)                                 # (..., n)
    n = xm.shape[-1]
    nan = xp.isnan(xm._array)
    valid = (n - nan.sum(-1, keepdims=True)) if ignore_nan else xp.full(xm.shape[:-1] + (1,), n)
    pos = qa.reshape((1,) * (xm.ndim - 1) + (-1,)) * (xp.maximum(valid, 1) - 1)     # (..., Q)
    if interpolation == "nearest":
        pos = xp.round(pos)                                     # half to even, as PyTorch
    lo = xp.floor(pos).astype(np.int64)
    hi = xp.ceil(pos).astype(np.int64)
    a = gather(xm, -1, from_array(lo))
    b = gather(xm, -1, from_array(hi))
    if interpolation in ("lower", "nearest"):
        out = a
    elif interpolation == "higher":
        out = b
    elif interpolation == "midpoint":
        out = (a + b) * 0.5
    elif not scalar_q and q.requires_grad:                       # the weight depends on q: d/dq = (b − a)(N − 1)
        qt = q.to(input.dtype).reshape((1,) * (xm.ndim - 1) + (-1,))
        w = qt * from_array((xp.maximum(valid, 1) - 1).astype(input.dtype)) - from_array(lo.astype(input.dtype))
        out = a + (b - a) * w
    else:
        w = from_array((pos - lo).astype(input.dtype))
        out = a + (b - a) * w
    bad = (nan.any(-1, keepdims=True) if not ignore_nan else (valid == 0))
    if bool(bad.any()):
        out = where(from_array(xp.broadcast_to(bad, out.shape)), float("nan"), out)
    out = _movedim(out, -1, 0)                                 # (Q, ...)
    if keepdim:
        if dim is None:
            out = out.reshape((out.shape[0],) + (1,) * input.ndim)
        elif input.ndim:
            out = out.unsqueeze(axis + 1)
    if scalar_q:
        out = out.squeeze(0)
    return out


def _movedim(t, src, dst):
    perm = list(range(t.ndim))
    s = src % t.ndim
    perm.pop(s)
    perm.insert(dst % t.ndim, s)
    return t.permute(*perm)


def quantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """The q-th quantiles along ``dim`` (all elements when None); q a number or a 1-D tensor in [0, 1].

    Example:
        >>> import deepglass as dg
        >>> dg.quantile(dg.tensor([0.0, 1.0, 2.0, 3.0]), 0.5)
        tensor(1.5000)
    """
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """:func:`quantile` over the non-NaN elements."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


def _var_args(dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):                                  # var_mean(x, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    return dim, keepdim, correction


def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """(var, mean) over ``dim`` in one call."""
    from .reduce import mean, var

    dim, keepdim, correction = _var_args(dim, unbiased, keepdim, correction)
    return var(input, dim, keepdim=keepdim, correction=correction), mean(to_float(input), dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """(std, mean) over ``dim`` in one call."""
    from .reduce import mean, std

    dim, keepdim, correction = _var_args(dim, unbiased, keepdim, correction)
    return std(input, dim, keepdim=keepdim, correction=correction), mean(to_float(input), dim, keepdim)


def aminmax(input, *, dim=None, keepdim: bool = False):
    """(min, max) over ``dim`` (all elements when None) as a named tuple."""
    from .reduce import amax, amin

    if input.numel() == 0 and (dim is None or input.ndim == 0 or input.shape[normalize_dim(dim, input.ndim)] == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    if input.numel() == 0:                                     # an empty result (the reduced axis is not empty)
        axis = normalize_dim(dim, input.ndim)
        xp = xp_of(input._array)
        lo, hi = xp.amin(input._array, axis, keepdims=keepdim), xp.amax(input._array, axis, keepdims=keepdim)
        link = input.sum(axis, keepdim) * 0                     # keeps the (empty) results in the graph
        return aminmax_return_type(from_array(lo) + link, from_array(hi) + link)
    if dim is None and keepdim:
        return aminmax_return_type(amin(input).reshape((1,) * input.ndim), amax(input).reshape((1,) * input.ndim))
    return aminmax_return_type(amin(input, dim, keepdim), amax(input, dim, keepdim))


__all__ = [
    "cumprod", "cummax", "cummin", "logcumsumexp", "nansum", "nanmean", "median", "nanmedian", "kthvalue",
    "mode", "quantile", "nanquantile", "var_mean", "std_mean", "aminmax",
]
