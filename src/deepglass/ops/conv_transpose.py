"""Transposed convolution ("deconvolution"), the reference tier: the adjoint of the convolution in ``ops/conv.py``.

conv_transpose(x, W) is the input gradient of conv(·, W) applied to x: one GEMM into columns
``Wᵀ·x``, then col2im (each input pixel scatters its window of ``W`` into the output at stride s).
Its backward is a convolution: ∂x = conv(∂y, W) (im2col + one GEMM), ∂W = x·im2col(∂y)ᵀ.

Output size per spatial axis: n_out = (n − 1)·s − 2p + d(k − 1) + output_padding + 1.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..kernels import choose
from ._conv_args import convolve_transposed
from ._util import xp_of
from .conv import conv_forward, conv_input_grad, conv_weight_grad


class ConvTransposeNd(Function):
    """N-dimensional transposed convolution: conv's input gradient forward, conv forward backward."""

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, dilation, groups):
        xp = xp_of(x)
        O, n_in, k = w.shape[1] * groups, x.shape[2:], w.shape[2:]
        full = tuple((m - 1) * s + d * (kk - 1) + 1 + op for m, s, d, kk, op in zip(n_in, stride, dilation, k, output_padding))
        canvas = conv_input_grad(x, w, (x.shape[0], O) + full, stride, ((0, 0),) * len(k), dilation, groups)
        y = xp.ascontiguousarray(canvas[(..., *(slice(p, f - p) for p, f in zip(padding, full)))])
        if b is not None:
            y += b.reshape((O,) + (1,) * len(k))
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
            ctx.stride, ctx.padding, ctx.output_padding = stride, padding, output_padding
            ctx.dilation, ctx.groups, ctx.has_bias = dilation, groups, b is not None
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        # the output_padding tail of the canvas is read by no window: drop it (or pad less) before convolving
        used = tuple(slice(0, n + min(0, p - op)) for n, p, op in zip(g.shape[2:], ctx.padding, ctx.output_padding))
        pads = tuple((p, max(0, p - op)) for p, op in zip(ctx.padding, ctx.output_padding))
        gx, cols = conv_forward(g[(..., *used)], w, None, ctx.stride, pads, ctx.dilation, ctx.groups)
        gw = conv_weight_grad(cols, x, w.shape, ctx.groups) if need[1] else None
        gb = g.sum(axis=(0,) + tuple(range(2, g.ndim))) if ctx.has_bias and need[2] else None
        return gx if need[0] else None, gw, gb, None, None, None, None, None


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution ("deconvolution"): the gradient of conv2d with respect to its input.

    Each input pixel scatters ``W[c]`` scaled by its value into the output at stride ``s``;
    used to upsample (decoders, segmentation heads).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)``.
        weight: ``(C, O/groups, kh, kw)`` (note: in_channels first).
        bias: ``(O,)`` or None.
        stride, padding, output_padding, dilation: int or pair; groups: int.

    Shape:
        H_out = (H − 1)·s − 2p + d(k − 1) + output_padding + 1, likewise W_out.

    Returns:
        ``(N, O, H_out, W_out)``.

    Example:
        >>> conv_transpose2d(deepglass.ones(1, 1, 2, 2), deepglass.ones(1, 1, 2, 2), stride=2)[0, 0].tolist()
        [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]]
    """
    return convolve_transposed(choose("conv_transpose2d", ConvTransposeNd), "conv_transpose2d", 2, input, weight,
                               bias, stride, padding, output_padding, groups, dilation)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution over ``(N, C, L)``.

    Args:
        input: ``(N, C, L)`` or ``(C, L)``; weight ``(C, O/groups, k)``; bias ``(O,)`` or None.
        stride, padding, output_padding, dilation: int or 1-tuple; groups: int.

    Shape:
        L_out = (L − 1)·s − 2p + d(k − 1) + output_padding + 1; output ``(N, O, L_out)``.

    Returns:
        ``(N, O, L_out)``.

    Example:
        >>> conv_transpose1d(deepglass.tensor([[[1.0, 2.0]]]), deepglass.tensor([[[1.0, 1.0, 1.0]]]), stride=2)
        tensor([[[1., 1., 3., 2., 2.]]])
    """
    return convolve_transposed(choose("conv_transpose1d", ConvTransposeNd), "conv_transpose1d", 1, input, weight,
                               bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution over ``(N, C, D, H, W)``.

    Args:
        input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``; weight ``(C, O/groups, kd, kh, kw)``; bias ``(O,)`` or None.
        stride, padding, output_padding, dilation: int or triple; groups: int.

    Shape:
        D_out = (D − 1)·s − 2p + d(k − 1) + output_padding + 1, likewise H_out, W_out.

    Returns:
        ``(N, O, D_out, H_out, W_out)``.

    Example:
        >>> conv_transpose3d(deepglass.randn(1, 4, 2, 3, 3), deepglass.randn(4, 2, 3, 3, 3), stride=2).shape
        (1, 2, 5, 7, 7)
    """
    return convolve_transposed(choose("conv_transpose3d", ConvTransposeNd), "conv_transpose3d", 3, input, weight,
                               bias, stride, padding, output_padding, groups, dilation)


__all__ = ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
