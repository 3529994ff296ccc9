"""Volumetric pooling: max/avg/adaptive-avg/adaptive-max pooling over ``(N, C, D, H, W)`` inputs.

Like the 2-D kernels in :mod:`deepglass.ops.pool`, the windowed pools loop over
the kd·kh·kw kernel offsets and combine whole strided slices of the padded
input, never over voxels. Max pooling follows PyTorch's rules: each window
starts from its first in-bounds position, a value is taken when it is greater
or NaN (ties keep the first maximum, NaN propagates, the last NaN wins); the
gradient goes to the flat (d·H·W + h·W + w) index of each maximum. Average
pooling divides by the window's size (clipped at the padded border; without
the padding when ``count_include_pad=False``) or by ``divisor_override``.
Adaptive windows span [⌊i·n/n_out⌋, ⌈(i+1)·n/n_out⌉) along each axis.

Integer inputs as PyTorch's CPU kernels take them: max_pool3d for int8/16/32/64
and uint8, avg_pool3d for int64 (sums divided with truncation toward zero); the
adaptive pools raise ``NotImplementedError`` for integers.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import xp_of
from .adaptive_pool import _adaptive_bounds, _max_index
from .pool import (
    _MAX_INTS,
    _avg_divisor,
    _check_dtype,
    _divisor_override,
    _first_inside,
    _half,
    _no_stride,
    _offset_slice,
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


def _canvas(xp, x, p, k, s, d, out, fill):
    """The input padded with ``fill`` to cover every window (no copy when nothing is padded)."""
    sizes = x.shape[2:]
    full = tuple(max(n + 2 * p[a], (out[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1) for a, n in enumerate(sizes))
    if full == tuple(sizes):
        return x
    c = xp.full(x.shape[:2] + full, fill, dtype=x.dtype)
    c[:, :, p[0]:p[0] + sizes[0], p[1]:p[1] + sizes[1], p[2]:p[2] + sizes[2]] = x
    return c


def _window(c, i, j, l, k, s, d, out):  # noqa: E741
    return c[:, :, _offset_slice(i, d[0], s[0], out[0]), _offset_slice(j, d[1], s[1], out[1]),
             _offset_slice(l, d[2], s[2], out[2])]


def _scatter_flat(xp, g, flat, shape):
    """Adds each gradient at its flat index of its own D·H·W plane (indices outside the plane are dropped)."""
    plane = int(np.prod(shape[2:]))
    planes = shape[0] * shape[1]
    if not planes or not g.size:
        return xp.zeros(shape, dtype=g.dtype)
    f = flat.reshape(planes, -1)
    gv = g.reshape(planes, -1)
    ok = (f >= 0) & (f < plane)
    idx = f + xp.arange(planes).reshape(planes, 1) * plane
    gx = xp.bincount(idx[ok], weights=gv[ok], minlength=planes * plane)
    return gx.astype(g.dtype).reshape(shape)


# --------------------------------------------------------------- max pool
class MaxPool3d(Function):
    """Running max over the kernel offsets; backward scatters to the winners' flat indices."""

    @staticmethod
    def forward(ctx, x, k, s, p, d, out_size):
        xp = xp_of(x)
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        c = _canvas(xp, x, p, k, s, d, out_size, fill)
        Do, Ho, Wo = out_size
        N, C, D, H, W = x.shape
        nan = x.dtype.kind == "f" and bool(xp.isnan(x).any())
        o = None
        arg = None
        i0, dstart = _first_inside(Do, k[0], s[0], p[0], d[0])
        j0, hstart = _first_inside(Ho, k[1], s[1], p[1], d[1])
        l0, wstart = _first_inside(Wo, k[2], s[2], p[2], d[2])
        # each window starts at its first in-bounds offset (the index left when nothing beats -inf)
        base = ((i0[:, None, None] * k[1] + j0[None, :, None]) * k[2] + l0[None, None, :]).astype(np.int32)
        arg = xp.broadcast_to(xp.asarray(base), (N, C, Do, Ho, Wo)).copy()
        o = xp.full((N, C, Do, Ho, Wo), fill, dtype=x.dtype)
        for i in range(k[0]):
            for j in range(k[1]):
                for l in range(k[2]):  # noqa: E741
                    sl = _window(c, i, j, l, k, s, d, out_size)
                    m = sl > o
                    if nan:
                        m |= sl != sl
                    xp.copyto(o, sl, where=m)
                    arg[m] = (i * k[1] + j) * k[2] + l
        a = arg.astype(np.int64)
        dd = xp.asarray(dstart).reshape(Do, 1, 1) + (a // (k[1] * k[2])) * d[0]
        hh = xp.asarray(hstart).reshape(1, Ho, 1) + ((a // k[2]) % k[1]) * d[1]
        ww = xp.asarray(wstart).reshape(1, 1, Wo) + (a % k[2]) * d[2]
        ctx.flat = (dd * H + hh) * W + ww
        ctx.shape = x.shape
        return o

    @staticmethod
    def backward(ctx, g):
        return _scatter_flat(xp_of(g), g, ctx.flat, ctx.shape)


def _with_indices(fn, input, *args):
    """Applies ``fn`` (a Function with ``ctx.flat``) and returns (output, flat indices)."""
    from .._tensor import from_array
    from ..autograd import grad_mode

    if input.requires_grad and grad_mode._state.enabled:
        out = fn.apply(input, *args)
        flat = out.grad_fn.flat
    else:
        ctx = fn.__new__(fn)
        out = from_array(fn.forward(ctx, input._array, *args))
        flat = ctx.flat
    return out, from_array(flat)


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
    if return_indices:
        return _batched(lambda x: _with_indices(MaxPool3d, x, k, s, p, d, out), input, return_indices=True)
    return _batched(lambda x: MaxPool3d.apply(x, k, s, p, d, out), input)


# --------------------------------------------------------------- avg pool
class AvgPool3d(Function):
    """Sum over the kernel offsets divided by each window's divisor."""

    @staticmethod
    def forward(ctx, x, k, s, p, out_size, divisor):
        xp = xp_of(x)
        one = (1, 1, 1)
        c = _canvas(xp, x, p, k, s, one, out_size, 0)
        y = None
        for i in range(k[0]):
            for j in range(k[1]):
                for l in range(k[2]):  # noqa: E741
                    sl = _window(c, i, j, l, k, s, one, out_size)
                    if y is None:
                        y = sl.copy()
                    else:
                        y += sl
        if x.dtype.kind == "f":
            y /= divisor
        else:  # integer division rounding toward zero, as PyTorch
            q = xp.abs(y) // xp.abs(divisor)
            y = xp.where((y < 0) != (xp.asarray(divisor) < 0), -q, q).astype(x.dtype)
        ctx.geom = (x.shape, c.shape, k, s, p, out_size, divisor)
        return y

    @staticmethod
    def backward(ctx, g):
        (N, C, D, H, W), cshape, k, s, p, out_size, divisor = ctx.geom
        xp = xp_of(g)
        one = (1, 1, 1)
        gs = g / divisor
        gc = xp.zeros(cshape, dtype=g.dtype)
        for i in range(k[0]):
            for j in range(k[1]):
                for l in range(k[2]):  # noqa: E741
                    _window(gc, i, j, l, k, s, one, out_size)[...] += gs
        return gc[:, :, p[0]:p[0] + D, p[1]:p[1] + H, p[2]:p[2] + W]


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
    _check_dtype(name, input.dtype, ("int64",))
    integer = input.dtype.kind != "f"
    override = _divisor_override(name, divisor_override)
    if override is not None:
        divisor = override if integer else float(override)
    else:
        sizes = input.shape[-3:]
        dv = [_avg_divisor(np, sizes[a], k[a], s[a], p[a], out[a], count_include_pad) for a in range(3)]
        div = (dv[0][:, None, None] * dv[1][None, :, None] * dv[2][None, None, :]).astype(
            np.int64 if integer else input.dtype)
        if (div == div.flat[0]).all():
            divisor = int(div.flat[0]) if integer else float(div.flat[0])
        else:
            divisor = xp_of(input._array).asarray(div)
    return _batched(lambda x: AvgPool3d.apply(x, k, s, p, out, divisor), input)


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


class AdaptiveAvgPool3d(Function):
    """Separable window means, one axis at a time (slices: an inf/NaN stays inside its own windows)."""

    @staticmethod
    def forward(ctx, x, bounds):
        xp = xp_of(x)
        y = x
        for axis, (lo, hi) in zip((-3, -2, -1), bounds):
            parts = [y[(Ellipsis, slice(a, b)) + (slice(None),) * (-axis - 1)].mean(axis=axis, keepdims=True)
                     for a, b in zip(lo, hi)]
            y = xp.concatenate(parts, axis=axis)
        ctx.geom = (x.shape, bounds)
        return y

    @staticmethod
    def backward(ctx, g):
        shape, bounds = ctx.geom
        xp = xp_of(g)
        for axis, (lo, hi) in zip((-1, -2, -3), bounds[::-1]):
            tail = (slice(None),) * (-axis - 1)
            new = g.shape[:g.ndim + axis] + (shape[axis],) + g.shape[g.ndim + axis + 1:]
            t = xp.zeros(new, dtype=g.dtype)
            for o, (a, b) in enumerate(zip(lo, hi)):
                t[(Ellipsis, slice(a, b)) + tail] += g[(Ellipsis, slice(o, o + 1)) + tail] / (b - a)
            g = t
        return g


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
    return AdaptiveAvgPool3d.apply(input, bounds)


class AdaptiveMaxPool3d(Function):
    """Gather each (padded-by-repetition) window, take the max; backward scatters through flat indices."""

    @staticmethod
    def forward(ctx, x, idx):
        xp = xp_of(x)
        i_d, i_h, i_w = idx
        lead = x.shape[:-3]
        D, H, W = x.shape[-3:]
        (Do, kd), (Ho, kh), (Wo, kw) = i_d.shape, i_h.shape, i_w.shape
        v = x[..., i_d[:, :, None, None, None, None], i_h[None, None, :, :, None, None],
              i_w[None, None, None, None, :, :]]  # (..., Do, kd, Ho, kh, Wo, kw)
        n = len(lead)
        v = v.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3, n + 5)).reshape(
            lead + (Do, Ho, Wo, kd * kh * kw))
        a = v.argmax(axis=-1)  # the first maximum (NaN counts as one)
        nan = xp.isnan(v)
        if bool(nan.any()):  # PyTorch keeps the last NaN of a window
            a = xp.where(nan.any(axis=-1), kd * kh * kw - 1 - nan[..., ::-1].argmax(axis=-1), a)
        out = xp.take_along_axis(v, a[..., None], axis=-1)[..., 0]
        od = xp.arange(Do).reshape(Do, 1, 1)
        oh = xp.arange(Ho).reshape(1, Ho, 1)
        ow = xp.arange(Wo).reshape(1, 1, Wo)
        ctx.flat = ((i_d[od, a // (kh * kw)] * H + i_h[oh, (a // kw) % kh]) * W + i_w[ow, a % kw])
        ctx.shape = x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        shape = ctx.shape
        if len(shape) == 4:
            return _scatter_flat(xp, g[None], ctx.flat[None], (1,) + tuple(shape))[0]
        return _scatter_flat(xp, g, ctx.flat, shape)


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
    idx = tuple(_max_index(xp, input.shape[-3 + a], o[a]) for a in range(3))
    if return_indices:
        return _with_indices(AdaptiveMaxPool3d, input, idx)
    return AdaptiveMaxPool3d.apply(input, idx)


__all__ = ["max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"]
