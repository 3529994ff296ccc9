"""Volumetric convolution: conv3d over ``(N, C, D, H, W)`` inputs (im2col in 3-D).

The input is zero-padded once; a strided view exposes every window as
``(G, C/G, kd, kh, kw, N, Do, Ho, Wo)`` and one contiguous copy of it, laid out
``(G, C/G·kd·kh·kw, N·Do·Ho·Wo)``, is the column buffer. One GEMM (batched over
the groups) against the weight matrix gives the output. Backward: the weight
gradient is colsᵀ·g (one batched GEMM), the input gradient is g·W (one batched
GEMM) followed by col2im — a loop over the kd·kh·kw kernel offsets adding
strided slices into the padded canvas, never a loop over voxels or batch items.

Output size per spatial axis: n_out = ⌊(n_in + 2p − d(k−1) − 1)/s⌋ + 1.
"""
from __future__ import annotations

from ..autograd.function import Function
from ._util import xp_of
from .conv import _as_strided, _check_conv, conv_out_size


def _triple(v, name="argument"):
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * 3
        if len(v) != 3:
            raise ValueError(f"{name} must be an int or a triple of ints, got {v!r}")
        return tuple(int(i) for i in v)
    return (int(v),) * 3


def _conv3d_padding(padding, k, dilation, stride):
    """Padding argument -> ((lo, hi), (lo, hi), (lo, hi)); 'same' puts the odd extra on the far side."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * 3
        if padding == "same":
            if stride != (1, 1, 1):
                raise ValueError(f"conv3d: padding='same' is not supported for strided convolutions (stride={stride})")
            return tuple((dd * (kk - 1) // 2, dd * (kk - 1) - dd * (kk - 1) // 2) for kk, dd in zip(k, dilation))
        raise ValueError(f"conv3d: invalid padding string {padding!r}; use 'same', 'valid' or an int")
    p = _triple(padding, "padding")
    if min(p) < 0:
        raise ValueError(f"conv3d: negative padding {padding!r} is not supported")
    return tuple((q, q) for q in p)


def _offsets(i, d, s, n_out):
    return slice(i * d, i * d + s * (n_out - 1) + 1, s)


class Conv3d(Function):
    """y = W · im2col(x) + b as one (group-batched) GEMM, the columns laid out (G, K, M)."""

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups, out_size):
        xp = xp_of(x)
        N, C, D, H, W = x.shape
        O, cg, kd, kh, kw = w.shape
        G, og = groups, O // groups
        Do, Ho, Wo = out_size
        K, L = cg * kd * kh * kw, Do * Ho * Wo
        if any(lo or hi for lo, hi in pads):
            (a0, a1), (b0, b1), (c0, c1) = pads
            canvas = xp.zeros((N, C, D + a0 + a1, H + b0 + b1, W + c0 + c1), dtype=x.dtype)
            canvas[:, :, a0:a0 + D, b0:b0 + H, c0:c0 + W] = x
        else:
            canvas = xp.ascontiguousarray(x)
        sN, sC, sD, sH, sW = canvas.strides
        (s0, s1, s2), (d0, d1, d2) = stride, dilation
        # (G, cg, kd, kh, kw, N, Do, Ho, Wo): each row of the copy streams along the output's W axis
        view = _as_strided(xp, canvas, (G, cg, kd, kh, kw, N, Do, Ho, Wo),
                           (cg * sC, sC, d0 * sD, d1 * sH, d2 * sW, sN, s0 * sD, s1 * sH, s2 * sW))
        cols = xp.ascontiguousarray(view).reshape(G, K, N * L)
        out = xp.matmul(w.reshape(G, og, K), cols)  # (G, og, N·L)
        y = xp.ascontiguousarray(out.reshape(O, N, L).transpose(1, 0, 2)).reshape(N, O, Do, Ho, Wo)
        if b is not None:
            y += b.reshape(1, O, 1, 1, 1)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(cols if need[1] else None, w)
            ctx.geom = (x.shape, canvas.shape, pads, stride, dilation, G, out_size, b is not None)
        return y

    @staticmethod
    def backward(ctx, g):
        cols, w = ctx.saved_tensors
        xshape, cshape, pads, stride, dilation, G, (Do, Ho, Wo), has_b = ctx.geom
        need = ctx.needs_input_grad
        xp = xp_of(g)
        N, C, D, H, W = xshape
        O, cg, kd, kh, kw = w.shape
        og = O // G
        K, L = cg * kd * kh * kw, Do * Ho * Wo
        gm = xp.ascontiguousarray(g.reshape(N, O, L).transpose(1, 0, 2)).reshape(G, og, N * L)
        gb = g.sum(axis=(0, 2, 3, 4)) if has_b and need[2] else None
        gw = None
        if need[1]:
            gw = xp.matmul(gm, cols.transpose(0, 2, 1)).reshape(w.shape)  # (G, og, K)
        gx = None
        if need[0]:
            gcols = xp.matmul(w.reshape(G, og, K).transpose(0, 2, 1), gm)  # (G, K, N·L)
            gc = gcols.reshape(C, kd, kh, kw, N, Do, Ho, Wo)
            canvas = xp.zeros((C, N) + tuple(cshape[2:]), dtype=g.dtype)  # channels first: slices match gc's
            (s0, s1, s2), (d0, d1, d2) = stride, dilation
            for a in range(kd):
                sa = _offsets(a, d0, s0, Do)
                for b_ in range(kh):
                    sb = _offsets(b_, d1, s1, Ho)
                    for c in range(kw):
                        canvas[:, :, sa, sb, _offsets(c, d2, s2, Wo)] += gc[:, a, b_, c]
            (a0, _), (b0, _), (c0, _) = pads
            gx = xp.ascontiguousarray(canvas[:, :, a0:a0 + D, b0:b0 + H, c0:c0 + W].transpose(1, 0, 2, 3, 4))
        return gx, gw, gb


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation, as PyTorch) over an NCDHW input.

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
    if input.ndim == 4:
        return conv3d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    groups = int(groups)
    _check_conv("conv3d", input, weight, bias, groups, 3)
    stride, dilation = _triple(stride, "stride"), _triple(dilation, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"conv3d: stride {stride} and dilation {dilation} must be positive")
    k = tuple(weight.shape[2:])
    pads = _conv3d_padding(padding, k, dilation, stride)
    out = tuple(conv_out_size(n, kk, s, lo + hi, d)
                for n, kk, s, (lo, hi), d in zip(input.shape[2:], k, stride, pads, dilation))
    if min(out) < 1:
        raise RuntimeError(f"conv3d: input {tuple(input.shape)} (padding {pads}) is smaller than the dilated kernel "
                           f"{tuple(d * (kk - 1) + 1 for kk, d in zip(k, dilation))}; add padding or use a larger input")
    return Conv3d.apply(input, weight, bias, stride, pads, dilation, groups, out)


__all__ = ["conv3d"]
