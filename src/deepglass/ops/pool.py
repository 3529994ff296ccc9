"""Pooling: max and average pooling in 2-D, and their 1-D forms (the adaptive pools: ``adaptive_pool.py``).

Pooling (the notes' 池化层) compresses a feature map — no parameters, fewer
values for the next layer. The kernels loop over the kh·kw kernel offsets and
combine whole strided slices of the (padded) input, never over pixels: a 2×2
max pool is four vectorised comparisons. Backward routes each output gradient
to the input position that produced it (max) or spreads it evenly (average).
The 1-D functions are the 2-D kernels on a height-1 input (as conv1d/conv2d).

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

import operator

import numpy as np

from ..autograd.function import Function
from ..parallel import parallel_chunks
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


def _canvas(xp, x, p, k, s, d, Ho, Wo, fill):
    """The input padded with ``fill`` to cover every window (no copy when nothing is padded)."""
    N, C, H, W = x.shape
    Hc = max(H + 2 * p[0], (Ho - 1) * s[0] + d[0] * (k[0] - 1) + 1)
    Wc = max(W + 2 * p[1], (Wo - 1) * s[1] + d[1] * (k[1] - 1) + 1)
    if (Hc, Wc) == (H, W):
        return x
    c = xp.full((N, C, Hc, Wc), fill, dtype=x.dtype)
    c[:, :, p[0]:p[0] + H, p[1]:p[1] + W] = x
    return c


# --------------------------------------------------------------- max pool
def _first_inside(n_out, k, s, p, d):
    """Per output position: the first kernel offset whose position is ≥ 0 (PyTorch's starting index)."""
    start = np.arange(n_out) * s - p
    return np.where(start < 0, -(start // d), 0), start


def _padding_only(H, W, k, s, p, d, Ho, Wo):
    """Windows that cover only padding, whose gradient PyTorch adds at their (in-plane) flat index.

    Returns ``(oh, ow, h, w)`` arrays: output position -> input position, or None when there are none.
    """
    i0, rstart = _first_inside(Ho, k[0], s[0], p[0], d[0])
    j0, cstart = _first_inside(Wo, k[1], s[1], p[1], d[1])
    rows = rstart[:, None] + np.arange(k[0]) * d[0]
    cols = cstart[:, None] + np.arange(k[1]) * d[1]
    rin = ((rows >= 0) & (rows < H)).any(axis=1)
    cin = ((cols >= 0) & (cols < W)).any(axis=1)
    oh, ow = np.nonzero(~rin[:, None] | ~cin[None, :])
    flat = (rstart + i0 * d[0])[oh] * W + (cstart + j0 * d[1])[ow]
    keep = flat < H * W
    if not keep.any():
        return None
    return oh[keep], ow[keep], flat[keep] // W, flat[keep] % W


class MaxPool2d(Function):
    """Running max over the kernel offsets; the winning offset is kept (int8/int16) for backward."""

    @staticmethod
    def forward(ctx, x, k, s, p, d, Ho, Wo):
        xp = xp_of(x)
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        c = _canvas(xp, x, p, k, s, d, Ho, Wo, fill)
        N, C, H, W = x.shape
        out = xp.empty((N, C, Ho, Wo), dtype=x.dtype)
        arg = xp.zeros((N, C, Ho, Wo), dtype=np.int16 if k[0] * k[1] > 127 else np.int8)
        # a window starting in the padding begins at its first in-bounds offset, as PyTorch's does: that is the
        # index left when nothing in the window beats -inf (all -inf, or only padding)
        base = None
        if p != (0, 0):
            i0, _ = _first_inside(Ho, k[0], s[0], p[0], d[0])
            j0, _ = _first_inside(Wo, k[1], s[1], p[1], d[1])
            if i0.any() or j0.any():
                base = xp.asarray((i0[:, None] * k[1] + j0[None, :]).astype(arg.dtype))

        def chunk(n0, n1):
            o, a = out[n0:n1], arg[n0:n1]
            nan = x.dtype.kind == "f" and bool(xp.isnan(x[n0:n1]).any())  # NaN-aware comparisons only when needed
            if base is not None:
                a[...] = base
            for i in range(k[0]):
                rs = _offset_slice(i, d[0], s[0], Ho)
                for j in range(k[1]):
                    sl = c[n0:n1, :, rs, _offset_slice(j, d[1], s[1], Wo)]
                    if i == j == 0:
                        o[...] = sl  # where offset 0 is padding, -inf and the base offset, as PyTorch starts
                        continue
                    m = sl > o
                    if nan:
                        m |= sl != sl  # NaN propagates, and the last NaN wins, as in PyTorch
                    xp.maximum(o, sl, out=o)  # (masked copies are ~10x slower in NumPy)
                    a += m * (a.dtype.type(i * k[1] + j) - a)

        parallel_chunks(chunk, N, out.size * k[0] * k[1], xp)
        ctx.arg = arg
        ctx.geom = (x.shape, c.shape, k, s, p, d, Ho, Wo)
        ctx.stray = _padding_only(H, W, k, s, p, d, Ho, Wo) if p != (0, 0) and d != (1, 1) else None
        return out

    @staticmethod
    def backward(ctx, g):
        (N, C, H, W), cshape, k, s, p, d, Ho, Wo = ctx.geom
        xp = xp_of(g)
        arg = ctx.arg
        stray = ctx.stray
        tiled = k == s and d == (1, 1)
        # non-overlapping windows tile the canvas: each offset's slice is written once (no zero fill, no
        # read-modify-write; ~1.9x faster on 64x32x32x32); only the uncovered remainder is zeroed
        gc = xp.empty(cshape, dtype=g.dtype) if tiled else xp.zeros(cshape, dtype=g.dtype)

        def chunk(n0, n1):
            gn, an, cn = g[n0:n1], arg[n0:n1], gc[n0:n1]
            if tiled:
                cn[:, :, Ho * s[0]:] = 0
                cn[:, :, :Ho * s[0], Wo * s[1]:] = 0
            for i in range(k[0]):
                rs = _offset_slice(i, d[0], s[0], Ho)
                for j in range(k[1]):
                    dst = cn[:, :, rs, _offset_slice(j, d[1], s[1], Wo)]
                    if tiled:
                        xp.multiply(gn, an == i * k[1] + j, out=dst)
                    else:
                        dst += gn * (an == i * k[1] + j)
            if stray is not None:  # padding-only windows: PyTorch's gradient lands on their flat index
                for oh, ow, h, w in zip(*stray):
                    cn[:, :, p[0] + h, p[1] + w] += gn[:, :, oh, ow]

        parallel_chunks(chunk, N, g.size * k[0] * k[1], xp)
        return gc[:, :, p[0]:p[0] + H, p[1]:p[1] + W]


def _flat_indices(xp, arg, k, s, p, d, W):
    """Winning kernel offsets -> flat indices into the (unpadded) H·W input plane, as PyTorch returns."""
    Ho, Wo = arg.shape[-2:]
    a = arg.astype(np.int64)
    rows = xp.arange(Ho, dtype=np.int64).reshape(Ho, 1) * s[0] - p[0] + (a // k[1]) * d[0]
    cols = xp.arange(Wo, dtype=np.int64) * s[1] - p[1] + (a % k[1]) * d[1]
    return rows * W + cols


def _max_pool(name, input, k, s, p, d, Ho, Wo, return_indices):
    """max pooling of a 4-D input with checked geometry."""
    from .._tensor import from_array
    from ..autograd import grad_mode

    _check_dtype(name, input.dtype, _MAX_INTS)
    if not return_indices:
        return MaxPool2d.apply(input, k, s, p, d, Ho, Wo)
    if input.requires_grad and grad_mode._state.enabled:
        out = MaxPool2d.apply(input, k, s, p, d, Ho, Wo)
        arg = out.grad_fn.arg
    else:  # nothing to record: one forward, keeping the winning offsets
        ctx = MaxPool2d.__new__(MaxPool2d)
        out = from_array(MaxPool2d.forward(ctx, input._array, k, s, p, d, Ho, Wo))
        arg = ctx.arg
    return out, from_array(_flat_indices(xp_of(arg), arg, k, s, p, d, input.shape[3]))


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
        return _squeeze_out(_max_pool("max_pool2d", input.unsqueeze(0), k, s, p, d, Ho, Wo, return_indices), 0,
                            return_indices)
    return _max_pool("max_pool2d", input, k, s, p, d, Ho, Wo, return_indices)


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
    x = input.unsqueeze(-2) if input.ndim == 3 else input.unsqueeze(0).unsqueeze(2)
    r = _max_pool(name, x, (1, k), (1, s), (0, p), (1, d), 1, Lo, return_indices)
    r = _squeeze_out(r, 2, return_indices)
    return r if input.ndim == 3 else _squeeze_out(r, 0, return_indices)


# --------------------------------------------------------------- avg pool
def _avg_divisor(xp, n, k, s, p, n_out, count_include_pad):
    start = np.arange(n_out) * s - p
    end = np.minimum(start + k, n + p)
    size = end - start
    if not count_include_pad:
        size = np.minimum(end, n) - np.maximum(start, 0)
    return size


class AvgPool2d(Function):
    """Sum over the kernel offsets, divided by the window's element count (int64: truncated, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, k, s, p, Ho, Wo, divisor):
        xp = xp_of(x)
        one = (1, 1)
        c = _canvas(xp, x, p, k, s, one, Ho, Wo, 0)
        out = None
        for i in range(k[0]):
            rs = _offset_slice(i, 1, s[0], Ho)
            for j in range(k[1]):
                sl = c[:, :, rs, _offset_slice(j, 1, s[1], Wo)]
                if out is None:
                    out = sl.copy()
                else:
                    out += sl
        if x.dtype.kind == "f":
            out /= divisor
        else:  # integer division rounding toward zero
            q = xp.abs(out) // xp.abs(divisor)
            out = xp.where((out < 0) != (xp.asarray(divisor) < 0), -q, q).astype(x.dtype)
        ctx.geom = (x.shape, c.shape, k, s, p, Ho, Wo, divisor)
        return out

    @staticmethod
    def backward(ctx, g):
        (N, C, H, W), cshape, k, s, p, Ho, Wo, divisor = ctx.geom
        xp = xp_of(g)
        gs = g / divisor
        gc = xp.zeros(cshape, dtype=g.dtype)
        for i in range(k[0]):
            rs = _offset_slice(i, 1, s[0], Ho)
            for j in range(k[1]):
                gc[:, :, rs, _offset_slice(j, 1, s[1], Wo)] += gs
        return gc[:, :, p[0]:p[0] + H, p[1]:p[1] + W]


def _avg_pool(name, input, k, s, p, Ho, Wo, count_include_pad, divisor_override):
    """average pooling of a 4-D input with checked geometry."""
    _check_dtype(name, input.dtype, ("int64",))
    H, W = input.shape[2:]
    integer = input.dtype.kind != "f"
    if divisor_override is not None:
        divisor = divisor_override if integer else float(divisor_override)
    else:
        dh = _avg_divisor(np, H, k[0], s[0], p[0], Ho, count_include_pad)
        dw = _avg_divisor(np, W, k[1], s[1], p[1], Wo, count_include_pad)
        div = np.outer(dh, dw).astype(np.int64 if integer else input.dtype)
        if (div == div.flat[0]).all():
            divisor = int(div.flat[0]) if integer else float(div.flat[0])
        else:
            divisor = xp_of(input._array).asarray(div)
    return AvgPool2d.apply(input, k, s, p, Ho, Wo, divisor)


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
        return _avg_pool("avg_pool2d", input.unsqueeze(0), k, s, p, Ho, Wo, count_include_pad,
                         divisor_override).squeeze(0)
    return _avg_pool("avg_pool2d", input, k, s, p, Ho, Wo, count_include_pad, divisor_override)


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
    y = _avg_pool(name, x4, k2, s2, p2, Ho, Wo, count_include_pad, None).squeeze(2)
    return y if input.ndim == 3 else y.squeeze(0)


__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d"]
