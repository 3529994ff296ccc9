"""Volumetric pooling: max/avg/adaptive-avg/adaptive-max pooling over ``(N, C, D, H, W)`` inputs.

The argument checks of the 3-D functions; the work is the N-dimensional
reference tier of :mod:`deepglass.ops.pool` (:class:`MaxPoolNd`,
:class:`AvgPoolNd`) and :mod:`deepglass.ops.adaptive_pool`. Max pooling follows
PyTorch's rules: each window starts from its first in-bounds position, a value
is taken when it is greater or NaN (ties keep the first maximum, NaN
propagates, the last NaN wins); the gradient goes to the flat (d·H·W + h·W + w)
index of each maximum. Average pooling divides by the window's size (clipped at
the padded border; without the padding when ``count_include_pad=False``) or by
``divisor_override``. Adaptive windows span [⌊i·n/n_out⌋, ⌈(i+1)·n/n_out⌉).

Integer inputs as PyTorch's CPU kernels take them: max_pool3d for int8/16/32/64
and uint8, avg_pool3d for int64 (sums divided with truncation toward zero); the
adaptive pools raise ``NotImplementedError`` for integers.
"""
from __future__ import annotations

from ..kernels import choose
from ._util import xp_of
from .adaptive_pool import AdaptiveAvgPoolNd, AdaptiveMaxPoolNd, _adaptive_bounds, _max_index
from .pool import (
    _MAX_INTS,
    _avg_pool,
    _check_dtype,
    _divisor_override,
    _half,
    _max_pool,
    _no_stride,
    _pool_out,
)


def _triple(name, arg, v):
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * 3
        if len(v) != 3:
            raise RuntimeError(f"{name}: {arg} must either be a single int, or a tuple of three ints")
        return tuple(int(i) for i in v)
    return (int(v),) * 3


def _geometry(name, input, kernel_size, stride, padding, dilation, ceil_mode):
    if input.ndim not in (4, 5):
        raise RuntimeError(f"{name}: non-empty 4D or 5D (batch mode) tensor expected for input, got shape "
                           f"{list(input.shape)}")
    k = _triple(name, "kernel_size", kernel_size)
    s = k if _no_stride(stride) else _triple(name, "stride", stride)
    p, d = _triple(name, "padding", padding), _triple(name, "dilation", dilation)
    if min(k) <= 0:
        raise RuntimeError(f"{name}: kernel size should be greater than zero, but got {k}")
    if min(s) <= 0:
        raise RuntimeError(f"{name}: stride should be greater than zero, but got {s}")
    if min(d) <= 0:
        raise RuntimeError(f"{name}: dilation should be greater than zero, but got {d}")
    for a in range(3):
        if p[a] < 0 or p[a] > k[a] // 2 or p[a] > _half(d[a] * (k[a] - 1) + 1):
            raise RuntimeError(f"{name}: pad should be smaller than or equal to half of kernel size, but got "
                               f"padding={p}, kernel_size={k}")
    if 0 in tuple(input.shape[-4:]):
        raise RuntimeError(f"{name}: Expected 4D or 5D tensor with optional 0 dim batch size for input, but got: "
                           f"{list(input.shape)}")
    out = tuple(_pool_out(n, k[a], s[a], p[a], d[a], ceil_mode) for a, n in enumerate(input.shape[-3:]))
    if min(out) < 1:
        raise RuntimeError(f"{name}: Given input size: {tuple(input.shape[-4:])}. Calculated output size: "
                           f"{(input.shape[-4],) + out}. Output size is too small")
    return k, s, p, d, out


def _batched(fn, input, *args, return_indices=False):
    if input.ndim == 4:
        r = fn(input.unsqueeze(0), *args)
        return (r[0].squeeze(0), r[1].squeeze(0)) if return_indices else r.squeeze(0)
    return fn(input, *args)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-D max pooling: the largest value of each window.

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (float, int8/16/32/64 or uint8).
        kernel_size: int or triple; stride: defaults to kernel_size; padding: implicit −∞ (at most half the
            kernel); dilation: spacing of the window's elements.
        ceil_mode: round the output size up (a window starting in the far padding is dropped).
        return_indices: also return the flat (d·H·W + h·W + w) index of each maximum.

    Shape:
        D_out = ⌊(D + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ceil_mode), likewise H_out, W_out.

    Returns:
        The pooled tensor, or (pooled, indices).

    Example:
        >>> max_pool3d(deepglass.randn(1, 2, 4, 4, 4), 2).shape
        (1, 2, 2, 2, 2)
    """
    name = "max_pool3d"
    k, s, p, d, out = _geometry(name, input, kernel_size, stride, padding, dilation, ceil_mode)
    _check_dtype(name, input.dtype, _MAX_INTS)
    return _batched(lambda x: _max_pool(name, name, x, k, s, p, d, out, return_indices), input,
                    return_indices=return_indices)


# --------------------------------------------------------------- avg pool
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling: the mean of each window.

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``; float or int64 (int64 means truncated toward zero).
        kernel_size: int or triple; stride: defaults to kernel_size; padding: implicit zeros (at most half
            the kernel).
        ceil_mode: round the output size up (a window hanging over the far border counts only the padding
            it covers).
        count_include_pad: count the zero padding in the divisor (PyTorch's default True).
        divisor_override: divide every window's sum by this instead.

    Shape:
        D_out = ⌊(D + 2p − k)/s⌋ + 1 (⌈⌉ with ceil_mode), likewise H_out, W_out.

    Returns:
        The pooled tensor.

    Example:
        >>> avg_pool3d(deepglass.randn(1, 2, 4, 4, 4), 2).shape
        (1, 2, 2, 2, 2)
    """
    name = "avg_pool3d"
    k, s, p, _, out = _geometry(name, input, kernel_size, stride, padding, 1, ceil_mode)
    override = _divisor_override(name, divisor_override)
    return _batched(lambda x: _avg_pool(name, x, k, s, p, out, count_include_pad, override), input)


# --------------------------------------------------------------- adaptive
def _adaptive_size(name, input, output_size):
    if input.ndim not in (4, 5):
        raise RuntimeError(f"{name}(): Expected 4D or 5D tensor, but got {list(input.shape)}")
    for a in range(1, input.ndim):
        if input.shape[a] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {list(input.shape)} with dimension {a} being empty")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 3:
            raise RuntimeError(f"{name}: output_size must be 3")
        o = tuple(input.shape[-3 + a] if output_size[a] is None else int(output_size[a]) for a in range(3))
    else:
        o = (int(output_size),) * 3
    if min(o) < 0:
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received {o}")
    return o


def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed output size: window i spans [⌊i·D/D_out⌋, ⌈(i+1)·D/D_out⌉), likewise H, W.

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (floating point).
        output_size: int or triple (None keeps that input size); ``1`` is global average pooling.

    Returns:
        The pooled tensor ``(N, C, D_out, H_out, W_out)``.

    Example:
        >>> adaptive_avg_pool3d(deepglass.randn(2, 3, 5, 7, 6), 1).shape
        (2, 3, 1, 1, 1)
    """
    name = "adaptive_avg_pool3d"
    o = _adaptive_size(name, input, output_size)
    _check_dtype(name, input.dtype)
    bounds = tuple(_adaptive_bounds(input.shape[-3 + a], o[a]) for a in range(3))
    return choose(name, AdaptiveAvgPoolNd).apply(input, bounds)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (windows as :func:`adaptive_avg_pool3d`).

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (floating point).
        output_size: int or triple (None keeps that input size).
        return_indices: also return the flat (d·H·W + h·W + w) index of each maximum.

    Returns:
        The pooled tensor, or (pooled, indices).

    Example:
        >>> adaptive_max_pool3d(deepglass.randn(2, 3, 5, 7, 6), 2).shape
        (2, 3, 2, 2, 2)
    """
    name = "adaptive_max_pool3d"
    o = _adaptive_size(name, input, output_size)
    _check_dtype(name, input.dtype)
    xp = xp_of(input._array)
    index = tuple(_max_index(xp, input.shape[-3 + a], o[a]) for a in range(3))
    return AdaptiveMaxPoolNd.apply(input, index, with_indices=return_indices)


__all__ = ["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"]
