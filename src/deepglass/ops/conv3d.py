"""Volumetric convolution: conv3d over ``(N, C, D, H, W)`` inputs — the same ``ConvNd`` as conv1d/conv2d.

Output size per spatial axis: n_out = ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1.
"""
from __future__ import annotations

from ..kernels import choose
from ._conv_args import convolve
from .conv import ConvNd


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation, as PyTorch) over an NCDHW input.

    y[n, o, z, h, w] = b[o] + Σ_c Σ_{a,i,j} W[o, c, a, i, j] · x_pad[n, c, s·z + d·a, s·h + d·i, s·w + d·j]

    Args:
        input: ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``.
        weight: ``(O, C/groups, kd, kh, kw)``.
        bias: ``(O,)`` or None.
        stride, dilation: int or triple.
        padding: int, triple, ``'valid'`` or ``'same'`` (output size = input size, stride 1).
        groups: split the channels into groups convolved separately.

    Shape:
        D_out = ⌊(D + 2p − d(k−1) − 1)/s⌋ + 1, likewise H_out, W_out; output ``(N, O, D_out, H_out, W_out)``.

    Returns:
        The output tensor.

    Example:
        >>> conv3d(deepglass.randn(1, 2, 5, 6, 7), deepglass.randn(4, 2, 3, 3, 3), padding=1).shape
        (1, 4, 5, 6, 7)
    """
    return convolve(choose("conv3d", ConvNd), "conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


__all__ = ["conv3d"]
