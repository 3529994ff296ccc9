"""Reductions: sum, mean, prod, max/min, var/std, logsumexp, cumsum, norm.

The backward of a reduction puts the reduced axes back (``_unreduce``) and
broadcasts the incoming gradient over them.
"""
from __future__ import annotations

import functools
from collections import namedtuple

import numpy as np

from .. import dtypes
from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import along_axis_index, no_complex, normalize_dim, normalize_dims, to_float, xp_of

values_indices = namedtuple("values_indices", ["values", "indices"])
# PyTorch's named tuples have these names; deepglass uses one shape for all
max_return_type = min_return_type = sort_return_type = topk_return_type = values_indices


def _unreduce(g, shape, axes, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input ``shape``."""
    if axes is None:
        return g.reshape((1,) * len(shape))
    if keepdim:
        return g
    return xp_of(g).expand_dims(g, axes)


def _drop_axes(out, axes, keepdim):
    """Drop the reduced axes of a ``keepdims=True`` result unless ``keepdim``."""
    if keepdim:
        return out
    return out.reshape(()) if axes is None else out.squeeze(axis=axes)


class Sum(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim, dtype):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        return x.sum(axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        g = _unreduce(g, ctx.shape, ctx.axes, ctx.keepdim)
        return xp_of(g).broadcast_to(g, ctx.shape)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Sum over ``dim`` (all elements when None). Bool/int inputs sum as int64 (PyTorch)."""
    axes = normalize_dims(dim, input.ndim)
    dtype = dtypes.as_dtype(dtype)
    if dtype is None and input.dtype.kind in "biu":
        dtype = dtypes.int64
    return Sum.apply(input, axes, keepdim, dtype)


class Mean(Function):
    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        n = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        ctx.n = n
        return x.mean(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        g = _unreduce(g, ctx.shape, ctx.axes, ctx.keepdim) / ctx.n if ctx.n else _unreduce(g, ctx.shape, ctx.axes, ctx.keepdim)
        return xp_of(g).broadcast_to(g, ctx.shape)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Arithmetic mean over ``dim``; needs a floating dtype (as in PyTorch)."""
    if dtype is not None:
        input = input.to(dtype)
    if input.dtype.kind not in "fc":
        raise RuntimeError(
            f"mean(): could not infer output dtype; input dtype is {dtypes.name_of(input.dtype)}, "
            "pass dtype=deepglass.float32 or call .float() first"
        )
    return Mean.apply(input, normalize_dims(dim, input.ndim), keepdim)


class Prod(Function):
    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.save_for_backward(x)
        ctx.axis, ctx.keepdim = axis, keepdim
        return x.prod(axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        # d/dx_i prod = product of the others: exclusive cumulative products from
        # both sides, which stays exact when some x_j are zero.
        (x,) = ctx.saved_tensors
        xp = xp_of(x)
        axis = ctx.axis
        if x.ndim == 0:     # a 0-d input is its own product: the gradient passes through
            return g.reshape(())
        if axis is None:
            flat = x.reshape(-1)
            g = g.reshape(())
            others = _prod_of_others(xp, flat, 0).reshape(x.shape)
            return g * others.conj()
        others = _prod_of_others(xp, x, axis)
        g = g if ctx.keepdim else xp.expand_dims(g, axis)
        return g * others.conj()  # conj: PyTorch's convention for complex inputs (a no-op on reals)


def _prod_of_others(xp, x, axis):
    ones_shape = list(x.shape)
    ones_shape[axis] = 1
    one = xp.ones(ones_shape, dtype=x.dtype)
    left = xp.cumprod(xp.concatenate([one, x], axis=axis), axis=axis)
    right = xp.flip(xp.cumprod(xp.flip(xp.concatenate([x, one], axis=axis), axis), axis=axis), axis)
    n = x.shape[axis]
    sl = [slice(None)] * x.ndim
    sl_l = list(sl)
    sl_l[axis] = slice(0, n)
    sl_r = list(sl)
    sl_r[axis] = slice(1, n + 1)
    return left[tuple(sl_l)] * right[tuple(sl_r)]


def prod(input, dim=None, keepdim: bool = False, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    elif input.dtype.kind in "bui":
        input = input.to(dtypes.int64)
    axis = None if dim is None else normalize_dim(dim, input.ndim)
    return Prod.apply(input, axis, keepdim)


class AMax(Function):
    """max/min over axes; the gradient is shared evenly between tied maxima (PyTorch's amax)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, is_max):
        out = x.max(axis=axes, keepdims=True) if is_max else x.min(axis=axes, keepdims=True)
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return _drop_axes(out, axes, keepdim)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = _unreduce(g, x.shape, ctx.axes, ctx.keepdim)
        mask = (x == out)
        count = mask.sum(axis=ctx.axes, keepdims=True)
        return g * mask / count


def amax(input, dim=None, keepdim: bool = False):
    no_complex(input, "amax", error=NotImplementedError)
    _check_nonempty(input, "amax")
    return AMax.apply(input, normalize_dims(dim, input.ndim), keepdim, True)


def amin(input, dim=None, keepdim: bool = False):
    no_complex(input, "amin", error=NotImplementedError)
    _check_nonempty(input, "amin")
    return AMax.apply(input, normalize_dims(dim, input.ndim), keepdim, False)


def _check_nonempty(input, name):
    if input._array.size == 0:
        raise RuntimeError(f"{name}(): cannot reduce an empty tensor (shape {tuple(input.shape)})")


class TakeAlongDim(Function):
    """Values at ``indices`` along ``axis``; the gradient goes back to those positions."""

    @staticmethod
    def forward(ctx, x, indices, axis):
        ctx.shape, ctx.axis = x.shape, axis
        ctx.save_for_backward(indices)
        return xp_of(x).take_along_axis(x, indices, axis=axis)

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        xp = xp_of(g)
        out = xp.zeros(ctx.shape, dtype=g.dtype)
        xp.put_along_axis(out, idx, g, axis=ctx.axis) if idx.shape[ctx.axis] == 1 else _scatter_add_along(xp, out, idx, g, ctx.axis)
        return out, None


def _scatter_add_along(xp, out, idx, g, axis):
    # indices along `axis` may repeat (gather): accumulate with add.at on full index grids
    xp.add.at(out, along_axis_index(xp, idx, axis), g)


def _max_min(input, dim, keepdim, is_max):
    name = "max" if is_max else "min"
    if dim is None:
        _check_nonempty(input, name)
        return AMax.apply(input, None, False, is_max)
    axis = normalize_dim(dim, input.ndim)
    if input.ndim and input.shape[axis] == 0:
        raise IndexError(f"{name}(): cannot reduce over dimension {dim} of size 0")
    xp = xp_of(input._array)
    data = input._array if input.ndim else input._array.reshape(1)
    ax = axis if input.ndim else 0
    # argmax/argmin return the first NaN, so NaN propagates through max/min as in PyTorch
    idx = (xp.argmax if is_max else xp.argmin)(data, axis=ax, keepdims=True)
    values = TakeAlongDim.apply(input if input.ndim else input.reshape(1), idx, ax)
    if not input.ndim:  # a 0-d input gives 0-d results, keepdim or not (as PyTorch)
        values, idx = values.reshape(()), idx.reshape(())
    elif not keepdim:
        values, idx = values.squeeze(ax), idx.squeeze(ax)
    return values_indices(values, from_array(idx.astype(np.int64, copy=False)))


def max(input, dim=None, keepdim: bool = False, *, out=None):
    """Largest value; with ``dim``, a named tuple ``(values, indices)``.

    ``max(a, b)`` with two tensors is the element-wise maximum.
    """
    if isinstance(dim, Tensor):
        from .elementwise import maximum

        return maximum(input, dim)
    no_complex(input, "max", error=NotImplementedError)
    return _max_min(input, dim, keepdim, True)


def min(input, dim=None, keepdim: bool = False, *, out=None):
    if isinstance(dim, Tensor):
        from .elementwise import minimum

        return minimum(input, dim)
    no_complex(input, "min", error=NotImplementedError)
    return _max_min(input, dim, keepdim, False)


def _arg_extreme(input, dim, keepdim, find):
    no_complex(input, find.__name__ + "()")
    xp = xp_of(input._array)
    if dim is None:
        out = find(input._array)
        return from_array(xp.asarray(out, dtype=np.int64).reshape((1,) * input.ndim if keepdim else ()))
    return from_array(find(input._array, axis=normalize_dim(dim, input.ndim), keepdims=keepdim).astype(np.int64))


def argmax(input, dim=None, keepdim: bool = False):
    """Index of the largest value (of the flattened tensor when ``dim`` is None)."""
    return _arg_extreme(input, dim, keepdim, xp_of(input._array).argmax)


def argmin(input, dim=None, keepdim: bool = False):
    """Index of the smallest value (of the flattened tensor when ``dim`` is None)."""
    return _arg_extreme(input, dim, keepdim, xp_of(input._array).argmin)


class Var(Function):
    """Σ(x − x̄)² / (N − correction); d/dx_i = 2(x_i − x̄)/(N − correction)."""

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim):
        xp = xp_of(x)
        m = x.mean(axis=axes, keepdims=True)
        d = x - m
        n = x.size if axes is None else int(np.prod([x.shape[a] for a in axes]))
        denom = n - correction
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (d * d).sum(axis=axes, keepdims=keepdim) / x.dtype.type(denom) if denom > 0 else \
                xp.full((d * d).sum(axis=axes, keepdims=keepdim).shape, np.nan, dtype=x.dtype)
        ctx.save_for_backward(d)
        ctx.axes, ctx.keepdim, ctx.denom = axes, keepdim, denom
        return out

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        g = _unreduce(g, d.shape, ctx.axes, ctx.keepdim)
        return g * (2 / ctx.denom if ctx.denom > 0 else np.nan) * d


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Variance with Bessel's ``correction`` (default 1; ``unbiased=False`` means 0).

    ``var(x, unbiased)`` with a bool second argument is PyTorch's ``var(input, unbiased)`` overload
    (over every element), not a dim.
    """
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if input.dtype.kind == "c":  # E|z − Ez|² = var(Re z) + var(Im z): a real result, as PyTorch
        from .complex import imag, real

        return var(real(input), dim, keepdim=keepdim, correction=correction) + \
            var(imag(input), dim, keepdim=keepdim, correction=correction)
    input = to_float(input)
    return Var.apply(input, normalize_dims(dim, input.ndim), correction, keepdim)


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Standard deviation: sqrt(var)."""
    from .elementwise import sqrt

    return sqrt(var(input, dim, unbiased, keepdim, correction=correction))


class LogSumExp(Function):
    """log Σ e^x, computed as m + log Σ e^(x−m) so it never overflows; gradient softmax(x)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = xp_of(x)
        m = x.max(axis=axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        s = xp.exp(x - m).sum(axis=axes, keepdims=True)
        out = xp.log(s) + m
        ctx.save_for_backward(x, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return _drop_axes(out, axes, keepdim)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        g = _unreduce(g, x.shape, ctx.axes, ctx.keepdim)
        return g * xp_of(x).exp(x - out)


def logsumexp(input, dim, keepdim: bool = False):
    input = to_float(input)
    return LogSumExp.apply(input, normalize_dims(dim, input.ndim), keepdim)


class CumSum(Function):
    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return xp_of(x).cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        return xp.flip(xp.cumsum(xp.flip(g, ctx.axis), axis=ctx.axis), ctx.axis)


def cumsum(input, dim, *, dtype=None):
    if dtype is not None:
        input = input.to(dtype)
    elif input.dtype.kind in "bui":
        input = input.to(dtypes.int64)
    axis = normalize_dim(dim, input.ndim)     # a 0-d input accepts dim 0 or -1 only, as PyTorch
    if input.ndim == 0:
        return input.clone()
    return CumSum.apply(input, axis)


class VectorNorm(Function):
    """(Σ|x|^p)^(1/p); p = inf gives max|x|, p = 0 counts non-zeros."""

    @staticmethod
    def forward(ctx, x, ord, axes, keepdim):
        xp = xp_of(x)
        a = xp.abs(x)
        if ord == float("inf"):
            out = a.max(axis=axes, keepdims=True)
        elif ord == float("-inf"):
            out = a.min(axis=axes, keepdims=True)
        elif ord == 0:
            out = (a != 0).sum(axis=axes, keepdims=True).astype(x.dtype)
        elif ord == 2:
            out = xp.sqrt((x * x).sum(axis=axes, keepdims=True))
        elif ord == 1:
            out = a.sum(axis=axes, keepdims=True)
        else:
            out = (a ** ord).sum(axis=axes, keepdims=True) ** (1.0 / ord)
        ctx.save_for_backward(x, out)
        ctx.ord, ctx.axes, ctx.keepdim = ord, axes, keepdim
        return _drop_axes(out, axes, keepdim)

    @staticmethod
    def backward(ctx, g):
        x, out = ctx.saved_tensors
        xp = xp_of(x)
        p = ctx.ord
        g = _unreduce(g, x.shape, ctx.axes, ctx.keepdim)
        if p == 0:
            return xp.zeros_like(x)
        if p in (float("inf"), float("-inf")):
            a = xp.abs(x)
            mask = a == out
            return g * xp.sign(x) * mask / mask.sum(axis=ctx.axes, keepdims=True)
        if p == 1:
            return g * xp.sign(x)
        if p == 2:
            # x / ||x||, with 0 where the norm is 0 (PyTorch's subgradient)
            with np.errstate(divide="ignore", invalid="ignore"):
                r = xp.where(out == 0, 0, x / out)
            return g * r
        # sign(x)·|x|^(p−1) / ‖x‖^(p−1), with 0 where x or the norm is 0 (|x|^(p−1) is infinite at 0 for p < 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = xp.where((out == 0) | (x == 0), 0, xp.sign(x) * xp.abs(x) ** (p - 1) / out ** (p - 1))
        return g * r


def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None):
    """The vector p-norm over ``dim`` (all elements when None), as ``torch.linalg.vector_norm``."""
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind == "c":  # the norm of the moduli (a real result, as PyTorch)
        from .elementwise import abs as _abs

        x = _abs(x)
    x = to_float(x)
    return VectorNorm.apply(x, float(ord), normalize_dims(dim, x.ndim), keepdim)


def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None):
    """``torch.norm``: the Frobenius/2-norm by default, or the vector p-norm over ``dim``."""
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":      # the sum of the singular values of the matrices in dims ``dim`` (default: the last two)
        from ..linalg import matrix_norm

        if dim is None and input.ndim != 2:
            raise RuntimeError(f"norm: 'nuc' without dim needs a 2-D input, got {input.ndim}-D; pass dim=(d0, d1)")
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else tuple(dim), keepdim, dtype=dtype)
    if isinstance(p, str):
        raise ValueError(f"norm: unsupported p={p!r}; use a number, inf, 'fro' or 'nuc'")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def all(input, dim=None, keepdim: bool = False):
    xp = xp_of(input._array)
    return from_array(xp.asarray(input._array.astype(bool).all(axis=normalize_dims(dim, input.ndim), keepdims=keepdim)))


def any(input, dim=None, keepdim: bool = False):
    xp = xp_of(input._array)
    return from_array(xp.asarray(input._array.astype(bool).any(axis=normalize_dims(dim, input.ndim), keepdims=keepdim)))


def count_nonzero(input, dim=None):
    xp = xp_of(input._array)
    return from_array(xp.asarray(xp.count_nonzero(input._array, axis=normalize_dims(dim, input.ndim))).astype(np.int64))


__all__ = [
    "sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std", "logsumexp",
    "cumsum", "vector_norm", "norm", "all", "any", "count_nonzero",
]


def _numpy_keywords(fn):
    """Accept NumPy's ``axis=`` / ``keepdims=`` for ``dim=`` / ``keepdim=``, as PyTorch's reductions do."""

    def reduction(input, *args, **kwargs):
        if kwargs:
            if "axis" in kwargs:
                if "dim" in kwargs:
                    raise TypeError(f"{fn.__name__}() got both dim and its alias axis")
                kwargs["dim"] = kwargs.pop("axis")
            if "keepdims" in kwargs:
                if "keepdim" in kwargs:
                    raise TypeError(f"{fn.__name__}() got both keepdim and its alias keepdims")
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(input, *args, **kwargs)

    functools.update_wrapper(reduction, fn)
    return reduction


for _name in ("sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std", "logsumexp",
              "cumsum", "vector_norm", "norm", "all", "any", "count_nonzero"):
    globals()[_name] = _numpy_keywords(globals()[_name])
del _name
