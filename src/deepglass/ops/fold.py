"""im2col and col2im as public ops: ``unfold`` (sliding windows to columns) and ``fold`` (back, summing overlaps).

These are the layouts convolution is built on; ``fold`` is ``unfold``'s adjoint.
"""
from __future__ import annotations

from ..autograd.function import Function
from ._util import xp_of
from .conv import _as_strided, _fold_into, _pair, conv_out_size


# ------------------------------------------------------------ unfold/fold
def _nchw_windows(xp, xpad, Ho, Wo, k, s, d):
    """Strided view ``(N, C, kh, kw, Ho, Wo)`` of an NCHW padded array (PyTorch's unfold order)."""
    N, C, _, _ = xpad.shape
    sN, sC, sH, sW = xpad.strides
    return _as_strided(xp, xpad, (N, C, k[0], k[1], Ho, Wo), (sN, sC, sH * d[0], sW * d[1], sH * s[0], sW * s[1]))


class Unfold(Function):
    """im2col: (N, C, H, W) -> (N, C·kh·kw, L); its adjoint is fold."""

    @staticmethod
    def forward(ctx, x, k, d, p, s):
        xp = xp_of(x)
        N, C, H, W = x.shape
        Ho = conv_out_size(H, k[0], s[0], 2 * p[0], d[0])
        Wo = conv_out_size(W, k[1], s[1], 2 * p[1], d[1])
        xpad = xp.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1]))) if p != (0, 0) else x
        xpad = xp.ascontiguousarray(xpad)
        cols = xp.ascontiguousarray(_nchw_windows(xp, xpad, Ho, Wo, k, s, d))
        ctx.geom = (x.shape, k, d, p, s, Ho, Wo)
        return cols.reshape(N, C * k[0] * k[1], Ho * Wo)

    @staticmethod
    def backward(ctx, g):
        (N, C, H, W), k, d, p, s, Ho, Wo = ctx.geom
        xp = xp_of(g)
        canvas = xp.zeros((N, C, H + 2 * p[0], W + 2 * p[1]), dtype=g.dtype)
        _fold_into(canvas, g.reshape(N, C, k[0], k[1], Ho, Wo), s, d)
        return canvas[:, :, p[0]:p[0] + H, p[1]:p[1] + W]


class Fold(Function):
    """col2im: (N, C·kh·kw, L) -> (N, C, H, W), overlapping values summed; its adjoint is unfold."""

    @staticmethod
    def forward(ctx, cols, out_size, k, d, p, s, Ho, Wo):
        xp = xp_of(cols)
        N, CK, _ = cols.shape
        C = CK // (k[0] * k[1])
        H, W = out_size
        canvas = xp.zeros((N, C, H + 2 * p[0], W + 2 * p[1]), dtype=cols.dtype)
        _fold_into(canvas, cols.reshape(N, C, k[0], k[1], Ho, Wo), s, d)
        ctx.geom = (k, d, p, s, Ho, Wo)
        return xp.ascontiguousarray(canvas[:, :, p[0]:p[0] + H, p[1]:p[1] + W])

    @staticmethod
    def backward(ctx, g):
        k, d, p, s, Ho, Wo = ctx.geom
        xp = xp_of(g)
        N, C, H, W = g.shape
        gpad = xp.pad(g, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
        cols = xp.ascontiguousarray(_nchw_windows(xp, gpad, Ho, Wo, k, s, d))
        return cols.reshape(N, C * k[0] * k[1], Ho * Wo)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks (im2col): column l holds the C·kh·kw values of window l.

    Args:
        input: ``(N, C, H, W)`` (or ``(C, H, W)``).
        kernel_size, dilation, padding, stride: int or pair.

    Shape:
        ``(N, C·kh·kw, L)`` with L = H_out·W_out, H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1.

    Returns:
        The column tensor; ``conv2d(x, w) == (w.view(O, -1) @ unfold(x, k)).view(N, O, H_out, W_out)``.

    Example:
        >>> unfold(deepglass.randn(1, 2, 4, 4), 2).shape
        (1, 8, 9)
    """
    if input.ndim == 3:
        return unfold(input.unsqueeze(0), kernel_size, dilation, padding, stride).squeeze(0)
    if input.ndim != 4:
        raise RuntimeError(f"unfold: expected a 3-D or 4-D input, got shape {tuple(input.shape)}")
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    H, W = input.shape[2:]
    if conv_out_size(H, k[0], s[0], 2 * p[0], d[0]) < 1 or conv_out_size(W, k[1], s[1], 2 * p[1], d[1]) < 1:
        raise RuntimeError(f"unfold: input {tuple(input.shape)} is smaller than the kernel {k} (dilation {d}, "
                           f"padding {p}); add padding")
    return Unfold.apply(input, k, d, p, s)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks into an image (col2im), summing where blocks overlap.

    Args:
        input: ``(N, C·kh·kw, L)`` (or unbatched ``(C·kh·kw, L)``).
        output_size: ``(H, W)`` of the image; kernel_size, dilation, padding, stride as unfold.

    Shape:
        L must equal H_out·W_out for these arguments; output ``(N, C, H, W)``.

    Returns:
        The image tensor; ``fold(unfold(x))`` multiplies each pixel by the number of windows covering it.

    Example:
        >>> fold(deepglass.ones(1, 4, 9), (4, 4), 2).shape
        (1, 1, 4, 4)
    """
    if input.ndim == 2:
        return fold(input.unsqueeze(0), output_size, kernel_size, dilation, padding, stride).squeeze(0)
    if input.ndim != 3:
        raise RuntimeError(f"fold: expected a 2-D or 3-D input, got shape {tuple(input.shape)}")
    size = _pair(output_size, "output_size")
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    if input.shape[1] % (k[0] * k[1]):
        raise RuntimeError(f"fold: input.shape[1]={input.shape[1]} must be divisible by kh·kw={k[0] * k[1]}")
    Ho = conv_out_size(size[0], k[0], s[0], 2 * p[0], d[0])
    Wo = conv_out_size(size[1], k[1], s[1], 2 * p[1], d[1])
    if Ho * Wo != input.shape[2]:
        raise RuntimeError(f"fold: expected {Ho * Wo} blocks (= {Ho}x{Wo}) for output_size {size}, kernel {k}, "
                           f"got L={input.shape[2]}; check output_size and the unfold arguments")
    return Fold.apply(input, size, k, d, p, s, Ho, Wo)


__all__ = ["unfold", "fold"]
