"""Adaptive pooling: average or max pooling to a fixed output size (reference tier, any number of axes; the
2-D and 1-D functions here, the 3-D ones in ``pool3d.py``; the GEMM kernel of 2-D average in ``kernels/pool.py``).

Output cell i along an axis of n inputs pools the window [⌊i·n/n_out⌋, ⌈(i+1)·n/n_out⌉): windows
tile the input (overlapping by one where n_out does not divide n); ``output_size = 1`` is global
pooling. Behaviour as PyTorch 2.13 (CPU): the last NaN of a window wins adaptive max, an inf or NaN
in adaptive average only changes the windows that hold it, integer inputs raise.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..kernels import choose
from ._util import xp_of
from .pool import _check_dtype, _int, _scatter_flat, _squeeze_out, _two_outputs


# --------------------------------------------------------------- adaptive
def _adaptive_bounds(n, n_out):
    i = np.arange(n_out)
    return (i * n) // n_out, -((-(i + 1) * n) // n_out)  # floor(i·n/o), ceil((i+1)·n/o)


def _adaptive_size(name, input, output_size):
    if input.ndim not in (3, 4):
        colon = ":" if "max" in name else ""
        raise RuntimeError(f"{name}(): Expected 3D or 4D tensor, but got{colon} {list(input.shape)}")
    for a in range(1, input.ndim):
        if input.shape[a] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {list(input.shape)} with dimension {a} being empty")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise RuntimeError(f"{name}: output_size must be 2")
        o = tuple(input.shape[-2 + a] if output_size[a] is None else _int(name, "output_size", output_size[a])
                  for a in range(2))
    else:
        o = (_int(name, "output_size", output_size),) * 2
    if min(o) < 0:
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{o[0]}, {o[1]}}}")
    return o


class AdaptiveAvgPoolNd(Function):
    """Window means over the last len(bounds) axes, one axis at a time (the windows are separable).

    ``bounds``: per axis, the (start, end) vectors of its windows. Slices keep an inf/NaN inside the windows
    that hold it, as PyTorch. Backward spreads g/(window size) over each window, axis by axis in reverse.
    The fast tier (``kernels/pool.py``) uses averaging matrices and a GEMM.

    Example:
        >>> x = deepglass.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]])
        >>> AdaptiveAvgPoolNd.apply(x, ((np.array([0, 2]), np.array([3, 5])),)).tolist()   # windows [0, 3), [2, 5)
        [[[2.0, 4.0]]]
    """

    @staticmethod
    def forward(ctx, x, bounds):
        xp = xp_of(x)
        y = x
        for axis, (lo, hi) in zip(range(-len(bounds), 0), bounds):
            tail = (slice(None),) * (-axis - 1)
            means = [y[(Ellipsis, slice(a, b)) + tail].mean(axis=axis, keepdims=True) for a, b in zip(lo, hi)]
            y = xp.concatenate(means, axis=axis) if means else y[(Ellipsis, slice(0, 0)) + tail]  # output size 0
        ctx.shape, ctx.bounds = x.shape, bounds
        return y

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        n = len(ctx.bounds)
        for axis, (lo, hi) in zip(range(-1, -n - 1, -1), ctx.bounds[::-1]):
            tail = (slice(None),) * (-axis - 1)
            spread = xp.zeros(g.shape[:g.ndim + axis] + (ctx.shape[axis],) + g.shape[g.ndim + axis + 1:], dtype=g.dtype)
            for o, (a, b) in enumerate(zip(lo, hi)):
                spread[(Ellipsis, slice(a, b)) + tail] += g[(Ellipsis, slice(o, o + 1)) + tail] / (b - a)
            g = spread
        return g


def _adaptive_avg(name, input, output_size):
    o = _adaptive_size(name, input, output_size)
    _check_dtype(name, input.dtype)
    bounds = tuple(_adaptive_bounds(input.shape[-len(o) + a], o[a]) for a in range(len(o)))
    return choose(name, AdaptiveAvgPoolNd).apply(input, bounds)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size: window i spans [⌊i·H/H_out⌋, ⌈(i+1)·H/H_out⌉).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)`` (floating point).
        output_size: int or pair (None keeps that input size); ``1`` is global average pooling.

    Shape:
        ``(N, C, H_out, W_out)``.

    Returns:
        The pooled tensor.

    Example:
        >>> adaptive_avg_pool2d(deepglass.randn(2, 3, 7, 5), 1).shape
        (2, 3, 1, 1)
    """
    return _adaptive_avg("adaptive_avg_pool2d", input, output_size)


def _output_size_1d(name, output_size):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got {len(output_size)})")
        output_size = output_size[0]
    if output_size is None:
        raise TypeError(f"{name}(): argument 'output_size' (position 2) must be tuple of ints, not NoneType")
    return _int(name, "output_size", output_size)


def _check_1d(name, input):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {name})")


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of an ``(N, C, L)`` or ``(C, L)`` input to ``L_out`` (adaptive_avg_pool2d with height 1).

    Args:
        output_size: int (or 1-tuple): window i spans [⌊i·L/L_out⌋, ⌈(i+1)·L/L_out⌉).

    Shape:
        ``(N, C, L_out)``.

    Returns:
        The pooled tensor.

    Example:
        >>> adaptive_avg_pool1d(deepglass.randn(2, 3, 7), 3).shape
        (2, 3, 3)
    """
    _check_1d("adaptive_avg_pool1d", input)
    o = _output_size_1d("adaptive_avg_pool1d", output_size)
    return _adaptive_avg("adaptive_avg_pool2d", input.unsqueeze(-2), (1, o)).squeeze(-2)


class AdaptiveMaxPoolNd(Function):
    """Max over each window of the last len(index) axes: gather the windows, take the max (the last NaN wins).

    ``index``: per axis an ``(n_out, k)`` array of input positions (short windows repeat their last position,
    which leaves the max unchanged). Keeps the flat index of each maximum (a second, non-differentiable output with ``with_indices``);
    backward adds the gradient there.

    Example:
        >>> x = deepglass.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]])
        >>> y, i = AdaptiveMaxPoolNd.apply(x, (np.array([[0, 1, 2], [2, 3, 4]]),), with_indices=True)
        >>> y.tolist(), i.tolist()
        ([[[3.0, 5.0]]], [[[2, 4]]])
    """

    @staticmethod
    def forward(ctx, x, index, with_indices=False):
        xp = xp_of(x)
        n, lead = len(index), x.shape[:x.ndim - len(index)]
        sizes, out, ks = x.shape[len(lead):], tuple(i.shape[0] for i in index), tuple(i.shape[1] for i in index)
        grid = tuple(i.reshape((1,) * (2 * a) + i.shape + (1,) * (2 * (n - a - 1))) for a, i in enumerate(index))
        m = len(lead)
        v = x[(Ellipsis,) + grid]  # (..., o0, k0, o1, k1, ...) -> (..., o0, o1, ..., k0·k1·...)
        v = v.transpose(tuple(range(m)) + tuple(m + 2 * a for a in range(n)) + tuple(m + 2 * a + 1 for a in range(n)))
        v = v.reshape(lead + out + (int(np.prod(ks)),))
        a = v.argmax(axis=-1)  # the first maximum (NaN counts as one)
        nan = xp.isnan(v)
        if bool(nan.any()):  # PyTorch keeps the last NaN of a window
            a = xp.where(nan.any(axis=-1), v.shape[-1] - 1 - nan[..., ::-1].argmax(axis=-1), a)
        y = xp.take_along_axis(v, a[..., None], axis=-1)[..., 0]
        flat = 0
        for ax, off in enumerate(xp.unravel_index(a, ks)):
            o = xp.arange(out[ax]).reshape((-1,) + (1,) * (n - ax - 1))
            flat = flat * sizes[ax] + index[ax][o, off]
        ctx.indices, ctx.shape, ctx.n = flat, x.shape, n
        return _two_outputs(ctx, y, flat.astype(np.int64, copy=False), with_indices)

    @staticmethod
    def backward(ctx, g, g_indices=None):
        return _scatter_flat(xp_of(g), g, ctx.indices, ctx.shape, ctx.n)


def _max_index(xp, n, n_out):
    start, end = _adaptive_bounds(n, n_out)
    k = int((end - start).max()) if n_out else 1
    idx = np.minimum(start[:, None] + np.arange(k), end[:, None] - 1)  # repeats the last element: max unchanged
    return xp.asarray(idx.astype(np.int64))


def _adaptive_max(name, input, output_size, return_indices):
    o = _adaptive_size(name, input, output_size)
    _check_dtype(name, input.dtype)
    xp = xp_of(input._array)
    index = tuple(_max_index(xp, input.shape[-len(o) + a], o[a]) for a in range(len(o)))
    return AdaptiveMaxPoolNd.apply(input, index, with_indices=return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (windows as :func:`adaptive_avg_pool2d`).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)`` (floating point).
        output_size: int or pair (None keeps that input size).
        return_indices: also return the flat (h·W + w) index of each maximum (the last NaN of a window
            when it holds NaN, as PyTorch).

    Shape:
        ``(N, C, H_out, W_out)``.

    Returns:
        The pooled tensor (and int64 indices).

    Example:
        >>> adaptive_max_pool2d(deepglass.randn(1, 2, 5, 5), (2, 3)).shape
        (1, 2, 2, 3)
    """
    return _adaptive_max("adaptive_max_pool2d", input, output_size, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of an ``(N, C, L)`` or ``(C, L)`` input to ``L_out`` (adaptive_max_pool2d with height 1).

    Args:
        output_size: int (or 1-tuple); return_indices: also return the index (into L) of each maximum.

    Shape:
        ``(N, C, L_out)``.

    Returns:
        The pooled tensor (and int64 indices).

    Example:
        >>> adaptive_max_pool1d(deepglass.randn(2, 3, 7), 3).shape
        (2, 3, 3)
    """
    _check_1d("adaptive_max_pool1d", input)
    for a in range(1, input.ndim):
        if input.shape[a] == 0:
            raise RuntimeError(f"adaptive_max_pool1d(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with dimension {a} being empty")
    o = _output_size_1d("adaptive_max_pool1d", output_size)
    r = _adaptive_max("adaptive_max_pool1d", input.unsqueeze(-2), (1, o), return_indices)
    return _squeeze_out(r, -2, return_indices)


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d"]
