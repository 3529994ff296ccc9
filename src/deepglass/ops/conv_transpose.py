"""Transposed convolution (``conv_transpose2d``, and ``conv_transpose1d`` as a height-1 case): the adjoint of conv2d.

Its forward is conv2d's input gradient — one GEMM into columns, then col2im's
strided slice-adds — and its backward is a conv2d forward. Output size:
H_out = (H − 1)·s − 2p + d(k − 1) + output_padding + 1.
"""
from __future__ import annotations

from ..autograd.function import Function
from ._util import xp_of
from .conv import _check_conv, _pair, _scatter_nhwc, _single, _windows_nhwc


# ------------------------------------------------------- conv_transpose2d
class ConvTranspose2d(Function):
    """The adjoint of conv2d: x·Wᵀ as one GEMM, then col2im into the output canvas (fused for speed)."""

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, dilation, groups):
        xp = xp_of(x)
        N, C, H, W = x.shape
        _, og, kh, kw = w.shape
        G = groups
        cg = C // G
        O = og * G
        Hc = (H - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_padding[0]
        Wc = (W - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_padding[1]
        Ho, Wo = Hc - 2 * padding[0], Wc - 2 * padding[1]
        M = N * H * W
        x2 = xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).reshape(M, G, cg).transpose(1, 0, 2)  # (G, M, cg)
        wt = w.reshape(G, cg, og, kh, kw).transpose(0, 1, 3, 4, 2).reshape(G, cg, kh * kw * og)
        cols = xp.matmul(x2, wt)  # (G, M, kh·kw·og)
        cols7 = cols.transpose(1, 0, 2).reshape(N, H, W, G, kh, kw, og)
        canvas = xp.zeros((N, Hc, Wc, O), dtype=x.dtype)
        _scatter_nhwc(canvas, cols7, stride, dilation)
        out = canvas[:, padding[0]:padding[0] + Ho, padding[1]:padding[1] + Wo, :]
        if b is not None:
            out += b
        y = xp.ascontiguousarray(out.transpose(0, 3, 1, 2))
        if ctx.needs_input_grad:
            ctx.save_for_backward(x2 if ctx.needs_input_grad[1] else None, wt)
            ctx.geom = (x.shape, w.shape, Hc, Wc, stride, padding, dilation, G, b is not None)
        return y

    @staticmethod
    def backward(ctx, g):
        x2, wt = ctx.saved_tensors
        (N, C, H, W), wshape, Hc, Wc, stride, padding, dilation, G, has_b = ctx.geom
        need = ctx.needs_input_grad
        xp = xp_of(g)
        _, og, kh, kw = wshape
        cg, O, M = C // G, og * G, N * H * W
        _, _, Ho, Wo = g.shape
        gx = gw = gb = None
        if has_b and need[2]:
            gb = g.sum(axis=(0, 2, 3))
        gcanvas = xp.zeros((N, Hc, Wc, O), dtype=g.dtype)
        gcanvas[:, padding[0]:padding[0] + Ho, padding[1]:padding[1] + Wo, :] = g.transpose(0, 2, 3, 1)
        gcols = xp.ascontiguousarray(_windows_nhwc(xp, gcanvas, H, W, (kh, kw), stride, dilation, G))
        gcols = gcols.reshape(M, G, kh * kw * og).transpose(1, 0, 2)  # (G, M, K)
        if need[0]:
            gx2 = xp.matmul(gcols, wt.transpose(0, 2, 1))  # (G, M, cg)
            gx = xp.ascontiguousarray(gx2.transpose(1, 0, 2).reshape(N, H, W, C).transpose(0, 3, 1, 2))
        if need[1]:
            gwt = xp.matmul(x2.transpose(0, 2, 1), gcols)  # (G, cg, K)
            gw = xp.ascontiguousarray(gwt.reshape(G, cg, kh, kw, og).transpose(0, 1, 4, 2, 3)).reshape(wshape)
        return gx, gw, gb


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
        >>> conv_transpose2d(deepglass.randn(1, 4, 5, 5), deepglass.randn(4, 2, 3, 3), stride=2).shape
        (1, 2, 11, 11)
    """
    if input.ndim == 3:
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                dilation).squeeze(0)
    groups = int(groups)
    _check_conv("conv_transpose2d", input, weight, bias, groups, 2, transposed=True)
    stride, padding = _pair(stride, "stride"), _pair(padding, "padding")
    output_padding, dilation = _pair(output_padding, "output_padding"), _pair(dilation, "dilation")
    for a in range(2):
        if output_padding[a] >= max(stride[a], dilation[a]):
            raise ValueError(f"conv_transpose2d: output_padding {output_padding} must be smaller than either stride "
                             f"{stride} or dilation {dilation}")
    H, W = input.shape[2:]
    kh, kw = weight.shape[2:]
    Ho = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kh - 1) + output_padding[0] + 1
    Wo = (W - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kw - 1) + output_padding[1] + 1
    if Ho < 1 or Wo < 1:
        raise RuntimeError(f"conv_transpose2d: output size ({Ho}, {Wo}) is too small; reduce padding {padding}")
    return ConvTranspose2d.apply(input, weight, bias, stride, padding, output_padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution over ``(N, C, L)`` (a conv_transpose2d with height 1).

    Args:
        input: ``(N, C, L)`` or ``(C, L)``; weight ``(C, O/groups, k)``; bias ``(O,)`` or None.
        stride, padding, output_padding, dilation: int or 1-tuple; groups: int.

    Shape:
        L_out = (L − 1)·s − 2p + d(k − 1) + output_padding + 1; output ``(N, O, L_out)``.

    Example:
        >>> conv_transpose1d(deepglass.randn(1, 4, 5), deepglass.randn(4, 2, 3), stride=2).shape
        (1, 2, 11)
    """
    if input.ndim == 2:
        return conv_transpose1d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                dilation).squeeze(0)
    if input.ndim != 3 or weight.ndim != 3:
        raise RuntimeError(f"conv_transpose1d: expected a 3-D input (N, C, L) and a 3-D weight, got "
                           f"{tuple(input.shape)} and {tuple(weight.shape)}")
    s, p = _single(stride, "stride"), _single(padding, "padding")
    op, d = _single(output_padding, "output_padding"), _single(dilation, "dilation")
    try:
        out = conv_transpose2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, s), (0, p), (0, op), groups, (1, d))
    except (RuntimeError, ValueError) as e:
        raise type(e)(str(e).replace("conv_transpose2d", "conv_transpose1d")) from None
    return out.squeeze(2)


__all__ = ["conv_transpose1d", "conv_transpose2d"]
