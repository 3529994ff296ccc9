"""Convolution, the reference tier: im2col, one GEMM, and col2im as its adjoint — once for 1, 2 and 3 dims.

The notes' convolution (cross-correlation, as PyTorch), for group g of G and window offset t:

    y[n, o, p] = b[o] + Σ_{c ∈ g} Σ_t W[o, c, t] · x_pad[n, c, s·p + d·t]

Output size along each spatial axis (the notes' receptive-field formula, with dilation d):

    n_out = ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1

1. im2col copies, for each kernel offset t, one strided slice of the padded input into the
   column buffer ``cols (N, C, *k, *out)`` — prod(k) slice copies, never a loop over pixels.
2. One GEMM per group: ``W (G, O/G, C/G·prod(k)) @ cols (N, G, C/G·prod(k), L)``.
3. Backward: ∂W = Σ_n g·colsᵀ; ∂cols = Wᵀ·g, and col2im — im2col's adjoint, the same slices
   *added* back into a zero canvas — turns ∂cols into ∂x.

Fast kernels for the same ops live in ``deepglass/kernels/conv*.py``; ``choose`` picks them unless
``deepglass.use_reference_kernels()`` is on.
"""
from __future__ import annotations

import itertools
import math

from ..autograd.function import Function
from ..kernels import choose
from ._conv_args import convolve
from ._util import xp_of


def conv_out_size(n, k, s, p_total, d):
    """⌊(n + p_total − d(k−1) − 1)/s⌋ + 1 (``p_total``: both sides' padding).

    Example:
        >>> conv_out_size(32, 5, 1, 4, 1), conv_out_size(7, 3, 2, 2, 1), conv_out_size(10, 3, 1, 0, 2)
        (32, 4, 6)
    """
    return (n + p_total - d * (k - 1) - 1) // s + 1


def _windows(k, s, d, out):
    """For every kernel offset t: (t, the slices of the padded input that offset t reads for all outputs)."""
    for t in itertools.product(*(range(kk) for kk in k)):
        yield t, tuple(slice(ti * di, ti * di + si * (oi - 1) + 1, si) for ti, si, di, oi in zip(t, s, d, out))


def im2col(xpad, k, s, d, out):
    """``xpad (N, C, *padded)`` -> ``cols (N, C, *k, *out)`` with cols[n, c, t, p] = xpad[n, c, s·p + d·t]."""
    xp = xp_of(xpad)
    cols = xp.empty(xpad.shape[:2] + tuple(k) + tuple(out), dtype=xpad.dtype)
    for t, window in _windows(k, s, d, out):
        cols[(..., *t) + (slice(None),) * len(out)] = xpad[(..., *window)]
    return cols


def col2im(cols, padded, s, d):
    """The adjoint of im2col: add ``cols (N, C, *k, *out)`` back into a zero ``(N, C, *padded)`` canvas."""
    n = (cols.ndim - 2) // 2
    k, out = cols.shape[2:2 + n], cols.shape[2 + n:]
    canvas = xp_of(cols).zeros(cols.shape[:2] + tuple(padded), dtype=cols.dtype)
    for t, window in _windows(k, s, d, out):
        canvas[(..., *window)] += cols[(..., *t) + (slice(None),) * n]
    return canvas


def conv_forward(x, w, b, stride, pads, dilation, groups):
    """The convolution itself: pad, im2col, one GEMM per group. Returns ``(y, cols)``."""
    xp = xp_of(x)
    N, C = x.shape[:2]
    O, k, G = w.shape[0], w.shape[2:], groups
    xpad = xp.pad(x, ((0, 0), (0, 0)) + tuple(pads))
    out = tuple(conv_out_size(n, kk, s, 0, d) for n, kk, s, d in zip(xpad.shape[2:], k, stride, dilation))
    cols = im2col(xpad, k, stride, dilation, out).reshape(N, G, -1, math.prod(out))  # (N, G, C/G·prod(k), L)
    y = xp.matmul(w.reshape(G, O // G, -1), cols).reshape((N, O) + out)
    if b is not None:
        y += b.reshape((O,) + (1,) * len(out))
    return y, cols


def conv_input_grad(g, w, x_shape, stride, pads, dilation, groups):
    """∂x of conv_forward for the output gradient ``g``: ∂cols = Wᵀ·g, then col2im and crop the padding."""
    xp = xp_of(g)
    N, O, out = g.shape[0], g.shape[1], g.shape[2:]
    G, k = groups, w.shape[2:]
    gcols = xp.matmul(w.reshape(G, O // G, -1).transpose(0, 2, 1), g.reshape(N, G, O // G, -1))
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x_shape[2:], pads))
    canvas = col2im(gcols.reshape((N, x_shape[1]) + tuple(k) + tuple(out)), padded, stride, dilation)
    return canvas[(..., *(slice(lo, lo + n) for n, (lo, _) in zip(x_shape[2:], pads)))]


def conv_weight_grad(cols, g, w_shape, groups):
    """∂W = Σ_n g[n]·cols[n]ᵀ, per group (``cols`` as conv_forward returns them)."""
    N, O = g.shape[:2]
    return (g.reshape(N, groups, O // groups, -1) @ cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(w_shape)


class ConvNd(Function):
    """N-dimensional convolution: im2col + one GEMM forward, GEMMs + col2im backward.

    Arguments after ``(x, w, b)``: ``stride``, ``dilation`` (tuples, one per spatial axis),
    ``pads`` (a ``(lo, hi)`` pair per axis) and ``groups``.
    """

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        y, cols = conv_forward(x, w, b, stride, pads, dilation, groups)
        if ctx.needs_input_grad:
            ctx.save_for_backward(cols, w)
            ctx.x_shape, ctx.stride, ctx.pads, ctx.dilation, ctx.groups = x.shape, stride, pads, dilation, groups
            ctx.has_bias = b is not None
        return y

    @staticmethod
    def backward(ctx, g):
        cols, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = conv_input_grad(g, w, ctx.x_shape, ctx.stride, ctx.pads, ctx.dilation, ctx.groups) if need[0] else None
        gw = conv_weight_grad(cols, g, w.shape, ctx.groups) if need[1] else None
        gb = g.sum(axis=(0,) + tuple(range(2, g.ndim))) if ctx.has_bias and need[2] else None
        return gx, gw, gb, None, None, None, None


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as PyTorch) over an NCHW input.

    y[n, o, h, w] = b[o] + Σ_c Σ_{i,j} W[o, c, i, j] · x_pad[n, g·C/G + c, s·h + d·i, s·w + d·j]

    Args:
        input: ``(N, C, H, W)`` or unbatched ``(C, H, W)``.
        weight: ``(O, C/groups, kh, kw)``.
        bias: ``(O,)`` or None.
        stride, dilation: int or pair.
        padding: int, pair, ``'valid'`` (no padding) or ``'same'`` (output size = input size, stride 1).
        groups: split the channels into groups convolved separately (``groups = C``: depthwise).

    Shape:
        H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1, likewise W_out; output ``(N, O, H_out, W_out)``.

    Returns:
        The output tensor.

    Example:
        >>> x = deepglass.ones(1, 1, 4, 4)
        >>> conv2d(x, deepglass.ones(1, 1, 3, 3), padding=1)[0, 0].tolist()
        [[4.0, 6.0, 6.0, 4.0], [6.0, 9.0, 9.0, 6.0], [6.0, 9.0, 9.0, 6.0], [4.0, 6.0, 6.0, 4.0]]
    """
    return convolve(choose("conv2d", ConvNd), "conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over an ``(N, C, L)`` input; as conv2d with one spatial axis.

    Args:
        input: ``(N, C, L)`` or ``(C, L)``; weight ``(O, C/groups, k)``; bias ``(O,)`` or None.
        stride, padding, dilation: int (padding also ``'same'``/``'valid'``); groups as conv2d.

    Shape:
        L_out = ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1; output ``(N, O, L_out)``.

    Returns:
        The output tensor.

    Example:
        >>> conv1d(deepglass.tensor([[[1.0, 2.0, 3.0, 4.0]]]), deepglass.tensor([[[1.0, -1.0]]]))
        tensor([[[-1., -1., -1.]]])
    """
    return convolve(choose("conv1d", ConvNd), "conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


__all__ = ["conv1d", "conv2d"]
