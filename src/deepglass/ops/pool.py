"""Pooling: max and average pooling in 1, 2 and 3 dimensions (the adaptive pools: ``adaptive_pool.py``).

Pooling (the notes' 池化层) compresses a feature map — no parameters, fewer
values for the next layer. :class:`MaxPoolNd` and :class:`AvgPoolNd` are the
reference tier, written once for any number of spatial axes: they loop over the
kernel offsets and combine whole strided slices of the (padded) input, never
over pixels: a 2×2 max pool is four vectorised comparisons. Backward routes
each output gradient to the input position that produced it (max) or spreads
it evenly (average). ``max_pool1d/2d/3d`` and ``avg_pool1d/2d/3d`` (in
``pool3d.py``) check PyTorch's arguments and call them; the fast tier
(``kernels/pool.py``) replaces the 1-D/2-D max pool.

Output size: n_out = ⌊(n_in + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ``ceil_mode``,
dropping a last window that would start inside the right padding).

Behaviour kept as PyTorch 2.13 (CPU) has it, found by experiment:

- max pooling starts each window from (−∞, the window's first position at or
  past (0, 0)) and takes a value when it is greater or NaN: ties keep the first
  maximum, NaN propagates and the *last* NaN of a window wins; a window of −∞
  (or of the integer minimum) points at its first in-bounds position.
- with dilation a window may cover only padding: its value is −∞ (the integer
  minimum), its index is (first row ≥ 0)·W + (first column ≥ 0), which may lie
  outside the input, and PyTorch adds its gradient at that flat index of the
  plane. We do the same when the index lies inside the H·W plane; beyond it
  PyTorch writes into the next plane or past the end of the buffer (memory
  unsafe), and we drop the gradient instead.
- integer inputs: max pooling for int8/16/32/64 and uint8; avg_pool2d for
  int64 only (sums divided with truncation toward zero); adaptive pools and
  bool inputs raise ``NotImplementedError`` as PyTorch does.
"""
from __future__ import annotations

import itertools
import operator

import numpy as np

from ..autograd.function import Function
from ..kernels import choose
from ._util import xp_of

_TORCH_DTYPE = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
                "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64", "float16": "Half", "float32": "Float",
                "float64": "Double", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_MAX_INTS = ("int8", "int16", "int32", "int64", "uint8")


def _check_dtype(name, dtype, ints=()):
    if dtype.kind != "f" and str(dtype) not in ints:
        raise NotImplementedError(f'"{name}" not implemented for \'{_TORCH_DTYPE.get(str(dtype), str(dtype))}\'')


_POSITION = {"kernel_size": 2, "output_size": 2, "stride": 3, "padding": 4, "dilation": 5}


def _int(name, arg, v):
    try:
        return operator.index(v)
    except TypeError:
        if arg == "divisor_override":
            raise TypeError(f"{name}(): argument '{arg}' must be int, not {type(v).__name__}") from None
        raise TypeError(f"{name}(): argument '{arg}' (position {_POSITION[arg]}) must be tuple of ints, not "
                        f"{type(v).__name__}") from None


_PAIR_MSG = {"kernel_size": "must either be a single int, or a tuple of two ints",
             "stride": "must either be omitted, a single int, or a tuple of two ints",
             "padding": "must either be a single int, or a tuple of two ints",
             "dilation": "must be either a single int, or a tuple of two ints"}


def _pool_pair(name, arg, v):
    """An int or a 1-/2-sequence of ints -> a pair, with PyTorch's errors."""
    if isinstance(v, (tuple, list)):
        if len(v) not in (1, 2):
            raise RuntimeError(f"{name}: {arg} {_PAIR_MSG[arg]}")
        a = _int(name, arg, v[0])
        return (a, a) if len(v) == 1 else (a, _int(name, arg, v[1]))
    a = _int(name, arg, v)
    return (a, a)


def _pool_single(name, arg, v, style="avg"):
    """An int or a 1-sequence of ints -> the int (1-D pools), with PyTorch's errors."""
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            if style == "max":
                raise RuntimeError(f"{name}() {arg} must be an int, list of ints or tuple of ints of size 1 but got "
                                   f"size {len(v)}")
            raise RuntimeError(f"{name}() argument '{arg}' should contain one int (got {len(v)})")
        v = v[0]
    return _int(name, arg, v)


def _no_stride(stride):
    return stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)


def _pool_out(n, k, s, p, d, ceil_mode):
    num = n + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        o = -(-num // s) + 1
        if (o - 1) * s >= n + p:
            o -= 1
    else:
        o = num // s + 1
    return o


def _offset_slice(i, d, s, n_out):
    return slice(i * d, i * d + s * (n_out - 1) + 1, s)


def _half(v):
    return v // 2 if v >= 0 else -(-v // 2)  # C++ division (toward zero), as in PyTorch's checks


def _check_pool(name, input, k, s, p, d):
    """PyTorch's checks, in its order and words (prefixed with the op's name)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{name}: non-empty 3D or 4D (batch mode) tensor expected for input, got shape "
                           f"{list(input.shape)}")
    if 0 in s:
        raise RuntimeError(f"{name}: stride should not be zero")
    for a in range(2):
        if p[a] < 0:
            raise RuntimeError(f"{name}: pad must be non-negative, but got pad: {p[a]}")
        if p[a] > _half(d[a] * (k[a] - 1) + 1):
            raise RuntimeError(f"{name}: pad should be at most half of effective kernel size, but got pad={p[a]}, "
                               f"kernel_size={k[a]} and dilation={d[a]}")
    if min(k) <= 0:
        raise RuntimeError(f"{name}: kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}")
    if min(s) <= 0:
        raise RuntimeError(f"{name}: stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if min(d) <= 0:
        raise RuntimeError(f"{name}: dilation should be greater than zero, but got dilationH: {d[0]} "
                           f"dilationW: {d[1]}")
    if 0 in tuple(input.shape[-3:]):
        raise RuntimeError(f"{name}: Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(input.shape)}")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:  # PyTorch also bounds the padding by the *undilated* kernel
        raise RuntimeError(f"{name}: pad should be smaller than or equal to half of kernel size, but got "
                           f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")


def _geometry(name, input, kernel_size, stride, padding, dilation, ceil_mode):
    k = _pool_pair(name, "kernel_size", kernel_size)
    s = k if _no_stride(stride) else _pool_pair(name, "stride", stride)
    p, d = _pool_pair(name, "padding", padding), _pool_pair(name, "dilation", dilation)
    _check_pool(name, input, k, s, p, d)
    C, H, W = input.shape[-3:]
    Ho = _pool_out(H, k[0], s[0], p[0], d[0], ceil_mode)
    Wo = _pool_out(W, k[1], s[1], p[1], d[1], ceil_mode)
    if Ho < 1 or Wo < 1:
        raise RuntimeError(f"{name}: Given input size: ({C}x{H}x{W}). Calculated output size: ({C}x{Ho}x{Wo}). "
                           f"Output size is too small")
    return k, s, p, d, Ho, Wo


def _canvas(xp, x, p, k, s, d, out, fill):
    """The input padded with ``fill`` on every spatial axis to cover every window (no copy when nothing is padded)."""
    sizes = x.shape[2:]
    full = tuple(max(n + 2 * p[a], (out[a] - 1) * s[a] + d[a] * (k[a] - 1) + 1) for a, n in enumerate(sizes))
    if full == tuple(sizes):
        return x
    c = xp.full(x.shape[:2] + full, fill, dtype=x.dtype)
    c[(slice(None), slice(None)) + tuple(slice(p[a], p[a] + n) for a, n in enumerate(sizes))] = x
    return c


def _window_slices(offset, s, d, out):
    """The strided slice of the canvas that kernel offset ``offset`` (one per axis) reads for every output."""
    return (Ellipsis,) + tuple(_offset_slice(o, d[a], s[a], out[a]) for a, o in enumerate(offset))


def _first_inside(n_out, k, s, p, d):
    """Per output position: the first kernel offset whose position is ≥ 0 (PyTorch's starting index)."""
    start = np.arange(n_out) * s - p
    return np.where(start < 0, -(start // d), 0), start


def _flat(positions, sizes):
    """Per-axis positions (NumPy vectors, one per output along that axis) -> flat index d·H·W + h·W + w,
    broadcast over the output grid."""
    n = len(sizes)
    flat = 0
    for a, pos in enumerate(positions):
        flat = flat * sizes[a] + pos.reshape((1,) * a + (-1,) + (1,) * (n - a - 1))
    return flat


def _scatter_flat(xp, g, flat, shape, n):
    """Adds each gradient at its flat index of its own plane (the last ``n`` axes; indices outside are dropped)."""
    if not g.size:
        return xp.zeros(shape, dtype=g.dtype)
    plane = int(np.prod(shape[len(shape) - n:]))
    planes = g.size // int(np.prod(g.shape[g.ndim - n:]))
    f = flat.reshape(planes, -1)
    ok = (f >= 0) & (f < plane)
    idx = f + xp.arange(planes).reshape(planes, 1) * plane
    gx = xp.bincount(idx[ok], weights=g.reshape(planes, -1)[ok], minlength=planes * plane)
    return gx.astype(g.dtype).reshape(shape)


# --------------------------------------------------------------- max pool
class MaxPoolNd(Function):
    """y = max over each (dilated) window, in 1, 2 or 3 dimensions; the gradient goes to the maximum.

    A running maximum over the kernel offsets, each offset a strided slice of the input padded with −∞
    (the integer minimum): a value is taken where it is greater, or NaN (so ties keep the first maximum
    and the last NaN wins). Next to it the flat index (d·H·W + h·W + w) of each maximum; every window
    starts from its first in-bounds position. Backward adds each output gradient at its index (an index
    outside the plane, from a window of padding alone, is dropped). ``with_indices=True``: the indices are a
    second, non-differentiable output (``return_indices``). The fast tier: ``kernels/pool.py``.

    Example:
        >>> x = deepglass.tensor([[[1.0, 3.0, 2.0, 5.0, 4.0]]])
        >>> y = MaxPoolNd.apply(x, (2,), (2,), (0,), (1,), (2,))   # kernel, stride, padding, dilation, output size
        >>> y.tolist()
        [[[3.0, 5.0]]]
    """

    @staticmethod
    def forward(ctx, x, k, s, p, d, out, with_indices=False):
        xp = xp_of(x)
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        c = _canvas(xp, x, p, k, s, d, out, fill)
        sizes = x.shape[2:]
        starts = [_first_inside(out[a], k[a], s[a], p[a], d[a]) for a in range(len(k))]
        y = xp.full(x.shape[:2] + tuple(out), fill, dtype=x.dtype)
        flat = xp.asarray(_flat([st + i0 * d[a] for a, (i0, st) in enumerate(starts)], sizes))
        for offset in itertools.product(*map(range, k)):
            window = c[_window_slices(offset, s, d, out)]
            take = window > y
            if x.dtype.kind == "f":
                take |= xp.isnan(window)
            xp.copyto(y, window, where=take)
            here = xp.asarray(_flat([st + offset[a] * d[a] for a, (_, st) in enumerate(starts)], sizes))
            flat = xp.where(take, here, flat)
        ctx.indices, ctx.shape = flat, x.shape
        return _two_outputs(ctx, y, flat, with_indices)

    @staticmethod
    def backward(ctx, g, g_indices=None):
        return _scatter_flat(xp_of(g), g, ctx.indices, ctx.shape, len(ctx.shape) - 2)


def _two_outputs(ctx, y, indices, with_indices):
    """``y``, or ``(y, indices)`` with the indices marked as carrying no gradient (max pools' second output)."""
    if not with_indices:
        return y
    ctx.mark_non_differentiable(indices)
    return y, indices


def _max_pool(name, op, input, k, s, p, d, out, return_indices):
    """max pooling of a batched input with checked geometry, on ``op``'s kernel or the reference."""
    _check_dtype(name, input.dtype, _MAX_INTS)
    return choose(op, MaxPoolNd).apply(input, k, s, p, d, out, with_indices=return_indices)


def _squeeze_out(r, dim, return_indices):
    return (r[0].squeeze(dim), r[1].squeeze(dim)) if return_indices else r.squeeze(dim)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling: the largest value of each (dilated) window.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``; float, int8/16/32/64 or uint8.
        kernel_size: int or pair; stride: defaults to kernel_size; padding: implicit −∞ on both sides
            (at most half the kernel); dilation: spacing of the window's elements.
        ceil_mode: round the output size up (a window may hang over the border).
        return_indices: also return the flat (h·W + w) index of each maximum.

    Shape:
        H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ceil_mode), likewise W_out.

    Returns:
        ``(N, C, H_out, W_out)``, and the int64 indices when ``return_indices``.
        NaN propagates (the last NaN of a window is the one indexed); a window covering only padding
        (possible with dilation) gives −∞, see the module notes for its index and gradient.

    Example:
        >>> max_pool2d(deepglass.randn(1, 1, 4, 4), 2).shape
        (1, 1, 2, 2)
    """
    k, s, p, d, Ho, Wo = _geometry("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode)
    if input.ndim == 3:
        return _squeeze_out(_max_pool("max_pool2d", "max_pool2d", input.unsqueeze(0), k, s, p, d, (Ho, Wo),
                                      return_indices), 0, return_indices)
    return _max_pool("max_pool2d", "max_pool2d", input, k, s, p, d, (Ho, Wo), return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-D max pooling over an ``(N, C, L)`` or ``(C, L)`` input (max_pool2d with height 1).

    Args:
        kernel_size, stride (default: kernel_size), padding (at most half the kernel), dilation: ints
            (or 1-tuples); ceil_mode, return_indices: as :func:`max_pool2d` (indices index L).

    Shape:
        L_out = ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ceil_mode).

    Returns:
        ``(N, C, L_out)``, and the int64 indices when ``return_indices``.

    Example:
        >>> max_pool1d(deepglass.randn(2, 3, 8), 2).shape
        (2, 3, 4)
    """
    name = "max_pool1d"
    if input.ndim not in (2, 3) or 0 in tuple(input.shape[-2:]):
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(input.shape)}")
    k = _pool_single(name, "kernel_size", kernel_size, "max")
    s = k if _no_stride(stride) else _pool_single(name, "stride", stride, "max")
    p = _pool_single(name, "padding", padding, "max")
    d = _pool_single(name, "dilation", dilation, "max")
    for arg, v in (("kernel_size", k), ("stride", s), ("dilation", d)):
        if v <= 0:
            raise RuntimeError(f"{name}() {arg} must be greater than zero, but got {v}")
    if p < 0:
        raise RuntimeError(f"{name}() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"{name}() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    L = input.shape[-1]
    Lo = _pool_out(L, k, s, p, d, ceil_mode)
    if Lo < 1:
        raise RuntimeError(f"{name}() Invalid computed output size: {Lo}")
    x = input if input.ndim == 3 else input.unsqueeze(0)
    r = _max_pool(name, name, x, (k,), (s,), (p,), (d,), (Lo,), return_indices)
    return r if input.ndim == 3 else _squeeze_out(r, 0, return_indices)


# --------------------------------------------------------------- avg pool
def _avg_divisor(xp, n, k, s, p, n_out, count_include_pad):
    start = np.arange(n_out) * s - p
    end = np.minimum(start + k, n + p)
    size = end - start
    if not count_include_pad:
        size = np.minimum(end, n) - np.maximum(start, 0)
    return size


class AvgPoolNd(Function):
    """y = (Σ of each window) / divisor, in 1, 2 or 3 dimensions; backward spreads g/divisor over the window.

    The sum runs over the kernel offsets, each a strided slice of the zero-padded input; ``divisor`` is a
    number or one per output position (int64 inputs: the quotient truncated toward zero, as PyTorch).

    Example:
        >>> x = deepglass.tensor([[[1.0, 3.0, 2.0, 6.0]]])
        >>> AvgPoolNd.apply(x, (2,), (2,), (0,), (2,), 2.0).tolist()   # kernel, stride, padding, output size, divisor
        [[[2.0, 4.0]]]
    """

    @staticmethod
    def forward(ctx, x, k, s, p, out, divisor):
        xp = xp_of(x)
        one = (1,) * len(k)
        c = _canvas(xp, x, p, k, s, one, out, 0)
        y = xp.zeros(x.shape[:2] + tuple(out), dtype=x.dtype)
        for offset in itertools.product(*map(range, k)):
            y += c[_window_slices(offset, s, one, out)]
        if x.dtype.kind == "f":
            y /= divisor
        else:  # integer division rounding toward zero
            q = xp.abs(y) // xp.abs(divisor)
            y = xp.where((y < 0) != (xp.asarray(divisor) < 0), -q, q).astype(x.dtype)
        ctx.geometry = (x.shape, c.shape, k, s, p, out, divisor)
        return y

    @staticmethod
    def backward(ctx, g):
        shape, cshape, k, s, p, out, divisor = ctx.geometry
        one = (1,) * len(k)
        gs = g / divisor
        gc = xp_of(g).zeros(cshape, dtype=g.dtype)
        for offset in itertools.product(*map(range, k)):
            gc[_window_slices(offset, s, one, out)] += gs
        return gc[(slice(None), slice(None)) + tuple(slice(p[a], p[a] + n) for a, n in enumerate(shape[2:]))]


def _avg_divisor(n, k, s, p, n_out, count_include_pad):
    """Per output position along one axis: the window's element count (clipped at the padded border; without
    the padding when not ``count_include_pad``)."""
    start = np.arange(n_out) * s - p
    end = np.minimum(start + k, n + p)
    if not count_include_pad:
        return np.minimum(end, n) - np.maximum(start, 0)
    return end - start


def _avg_pool(name, input, k, s, p, out, count_include_pad, divisor_override):
    """average pooling of a batched input with checked geometry (any number of spatial axes)."""
    _check_dtype(name, input.dtype, ("int64",))
    integer = input.dtype.kind != "f"
    if divisor_override is not None:
        divisor = divisor_override if integer else float(divisor_override)
    else:
        sizes = input.shape[2:]
        div = np.ones((), dtype=np.int64)
        for a in range(len(k)):
            div = np.multiply.outer(div, _avg_divisor(sizes[a], k[a], s[a], p[a], out[a], count_include_pad))
        div = div.astype(np.int64 if integer else input.dtype)
        if (div == div.flat[0]).all():
            divisor = int(div.flat[0]) if integer else float(div.flat[0])
        else:
            divisor = xp_of(input._array).asarray(div)
    return AvgPoolNd.apply(input, k, s, p, out, divisor)


def _divisor_override(name, divisor_override):
    if divisor_override is None:
        return None
    if isinstance(divisor_override, bool):
        raise TypeError(f"{name}(): argument 'divisor_override' must be int, not bool")
    d = _int(name, "divisor_override", divisor_override)
    if d == 0:
        raise RuntimeError(f"{name}: divisor must be not zero")
    return d


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling: the mean of each window.

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``; float or int64 (int64 means are truncated toward zero).
        kernel_size: int or pair; stride: defaults to kernel_size; padding: implicit zeros (at most half the kernel).
        ceil_mode: round the output size up (a window hanging over the right border counts only the padding
            it covers, never the part past it).
        count_include_pad: count the zero padding in the divisor (PyTorch's default True).
        divisor_override: a non-zero int to divide every window's sum by instead.

    Shape:
        H_out = ⌊(H + 2p − k)/s⌋ + 1 (⌈⌉ with ceil_mode), likewise W_out.

    Returns:
        ``(N, C, H_out, W_out)``.

    Example:
        >>> avg_pool2d(deepglass.ones(1, 1, 4, 4), 2)[0, 0, 0, 0].item()
        1.0
    """
    k, s, p, _, Ho, Wo = _geometry("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)
    divisor_override = _divisor_override("avg_pool2d", divisor_override)
    if input.ndim == 3:
        return _avg_pool("avg_pool2d", input.unsqueeze(0), k, s, p, (Ho, Wo), count_include_pad,
                         divisor_override).squeeze(0)
    return _avg_pool("avg_pool2d", input, k, s, p, (Ho, Wo), count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling over an ``(N, C, L)`` or ``(C, L)`` input (avg_pool2d with height 1).

    Args:
        kernel_size, stride (default: kernel_size), padding (at most half the kernel): ints (or 1-tuples);
        ceil_mode, count_include_pad: as :func:`avg_pool2d`.

    Shape:
        L_out = ⌊(L + 2p − k)/s⌋ + 1 (⌈⌉ with ceil_mode).

    Returns:
        ``(N, C, L_out)``.

    Example:
        >>> avg_pool1d(deepglass.ones(1, 2, 6), 3).shape
        (1, 2, 2)
    """
    name = "avg_pool1d"
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {name})")
    k = _pool_single(name, "kernel_size", kernel_size)
    s = k if _no_stride(stride) else _pool_single(name, "stride", stride)
    p = _pool_single(name, "padding", padding)
    x = input.unsqueeze(-2)  # (N, C, 1, L) or (C, 1, L): PyTorch's errors then speak of that shape
    k2, s2, p2, _, Ho, Wo = _geometry(name, x, (1, k), (1, s), (0, p), 1, ceil_mode)
    x4 = x if x.ndim == 4 else x.unsqueeze(0)
    y = _avg_pool(name, x4, k2, s2, p2, (Ho, Wo), count_include_pad, None).squeeze(2)
    return y if input.ndim == 3 else y.squeeze(0)


__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d"]
