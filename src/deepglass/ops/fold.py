"""im2col and col2im as public ops: ``unfold`` (sliding windows to columns) and ``fold`` (back, summing overlaps).

These are the layouts convolution is built on; ``fold`` is ``unfold``'s adjoint.
"""
from __future__ import annotations

from ..autograd.function import Function
from ._conv_args import ntuple
from ._util import xp_of
from .conv import col2im, conv_out_size, im2col


def _pair(v, name="argument"):
    return ntuple(v, 2, name)


class Unfold(Function):
    """im2col: (N, C, H, W) -> (N, C·kh·kw, L); its adjoint is fold."""

    @staticmethod
    def forward(ctx, x, k, d, p, s):
        xp = xp_of(x)
        N, C, H, W = x.shape
        out = (conv_out_size(H, k[0], s[0], 2 * p[0], d[0]), conv_out_size(W, k[1], s[1], 2 * p[1], d[1]))
        xpad = xp.pad(x, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
        ctx.x_shape, ctx.k, ctx.d, ctx.p, ctx.s, ctx.out = x.shape, k, d, p, s, out
        return im2col(xpad, k, s, d, out).reshape(N, C * k[0] * k[1], out[0] * out[1])

    @staticmethod
    def backward(ctx, g):
        (N, C, H, W), k, p = ctx.x_shape, ctx.k, ctx.p
        canvas = col2im(g.reshape((N, C) + k + ctx.out), (H + 2 * p[0], W + 2 * p[1]), ctx.s, ctx.d)
        return canvas[:, :, p[0]:p[0] + H, p[1]:p[1] + W], None, None, None, None


class Fold(Function):
    """col2im: (N, C·kh·kw, L) -> (N, C, H, W), overlapping values summed; its adjoint is unfold."""

    @staticmethod
    def forward(ctx, cols, out_size, k, d, p, s, Ho, Wo):
        xp = xp_of(cols)
        N, CK, _ = cols.shape
        H, W = out_size
        canvas = col2im(cols.reshape((N, CK // (k[0] * k[1])) + k + (Ho, Wo)), (H + 2 * p[0], W + 2 * p[1]), s, d)
        ctx.k, ctx.d, ctx.p, ctx.s, ctx.out = k, d, p, s, (Ho, Wo)
        return xp.ascontiguousarray(canvas[:, :, p[0]:p[0] + H, p[1]:p[1] + W])

    @staticmethod
    def backward(ctx, g):
        p, k = ctx.p, ctx.k
        N, C = g.shape[:2]
        gpad = xp_of(g).pad(g, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
        gcols = im2col(gpad, k, ctx.s, ctx.d, ctx.out).reshape(N, C * k[0] * k[1], ctx.out[0] * ctx.out[1])
        return (gcols,) + (None,) * 7


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
