"""Fast CPU kernels for conv3d and the transposed convolutions (references: ``ops.conv.ConvNd`` and
``ops.conv_transpose.ConvTransposeNd``; same arguments, same results).

- :class:`Conv3dKernel` lays the columns out ``(G, C/G·k, N·L)`` (one GEMM for the whole batch instead of one
  per image) and adds the input gradient into a channels-first canvas whose inner rows are contiguous:
  on 4×16×8×16×16 with 32 3×3×3 filters (2 cores) ~15% faster than the reference for forward + backward.
- :class:`ConvTranspose2dKernel` works channels-last (NHWC): one GEMM ``x (N·H·W, C/G) · W (C/G, k·O/G)`` into
  columns and kh·kw strided slice-adds (col2im) whose inner runs are O contiguous floats; its backward is an
  NHWC im2col and two GEMMs. ~20% faster than the reference on 16×32×16×16, k4, stride 2.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..ops._util import xp_of
from ..ops.conv import conv_out_size
from . import register
from .conv import _as_strided


def _offsets(i, d, s, n_out):
    return slice(i * d, i * d + s * (n_out - 1) + 1, s)


@register("conv3d")
class Conv3dKernel(Function):
    """y = W · im2col(x) + b as one (group-batched) GEMM, the columns laid out (G, K, N·L)."""

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        xp = xp_of(x)
        N, C, D, H, W = x.shape
        O, cg, kd, kh, kw = w.shape
        G, og = groups, O // groups
        out = tuple(conv_out_size(n, k, s, lo + hi, d)
                    for n, k, s, (lo, hi), d in zip(x.shape[2:], w.shape[2:], stride, pads, dilation))
        K, L = cg * kd * kh * kw, out[0] * out[1] * out[2]
        canvas = xp.pad(x, ((0, 0), (0, 0)) + tuple(pads)) if any(lo or hi for lo, hi in pads) else x
        canvas = xp.ascontiguousarray(canvas)
        sN, sC, sD, sH, sW = canvas.strides
        (s0, s1, s2), (d0, d1, d2) = stride, dilation
        # (G, cg, kd, kh, kw, N, Do, Ho, Wo): each row of the copy streams along the output's W axis
        view = _as_strided(xp, canvas, (G, cg, kd, kh, kw, N) + out,
                           (cg * sC, sC, d0 * sD, d1 * sH, d2 * sW, sN, s0 * sD, s1 * sH, s2 * sW))
        cols = xp.ascontiguousarray(view).reshape(G, K, N * L)
        y = xp.matmul(w.reshape(G, og, K), cols)  # (G, og, N·L)
        y = xp.ascontiguousarray(y.reshape(O, N, L).transpose(1, 0, 2)).reshape((N, O) + out)
        if b is not None:
            y += b.reshape(1, O, 1, 1, 1)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(cols if need[1] else None, w)
            ctx.x_shape, ctx.canvas_shape, ctx.out = x.shape, canvas.shape, out
            ctx.stride, ctx.pads, ctx.dilation, ctx.groups, ctx.has_bias = stride, pads, dilation, G, b is not None
        return y

    @staticmethod
    def backward(ctx, g):
        cols, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = xp_of(g)
        N, C, D, H, W = ctx.x_shape
        O, cg, kd, kh, kw = w.shape
        G = ctx.groups
        Do, Ho, Wo = ctx.out
        K, L = cg * kd * kh * kw, Do * Ho * Wo
        gm = xp.ascontiguousarray(g.reshape(N, O, L).transpose(1, 0, 2)).reshape(G, O // G, N * L)
        gb = g.sum(axis=(0, 2, 3, 4)) if ctx.has_bias and need[2] else None
        gw = xp.matmul(gm, cols.transpose(0, 2, 1)).reshape(w.shape) if need[1] else None  # (G, og, K)
        gx = None
        if need[0]:
            gc = xp.matmul(w.reshape(G, O // G, K).transpose(0, 2, 1), gm).reshape(C, kd, kh, kw, N, Do, Ho, Wo)
            canvas = xp.zeros((C, N) + tuple(ctx.canvas_shape[2:]), dtype=g.dtype)  # channels first, like gc
            (s0, s1, s2), (d0, d1, d2) = ctx.stride, ctx.dilation
            for a in range(kd):
                sa = _offsets(a, d0, s0, Do)
                for b_ in range(kh):
                    sb = _offsets(b_, d1, s1, Ho)
                    for c in range(kw):
                        canvas[:, :, sa, sb, _offsets(c, d2, s2, Wo)] += gc[:, a, b_, c]
            (a0, _), (b0, _), (c0, _) = ctx.pads
            gx = xp.ascontiguousarray(canvas[:, :, a0:a0 + D, b0:b0 + H, c0:c0 + W].transpose(1, 0, 2, 3, 4))
        return gx, gw, gb, None, None, None, None


@register("conv_transpose2d")
class ConvTranspose2dKernel(Function):
    """The adjoint of conv2d in NHWC: x·W as one GEMM into columns, then col2im into the output canvas."""

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, dilation, groups):
        xp = xp_of(x)
        N, C, H, W = x.shape
        _, og, kh, kw = w.shape
        G, cg, O = groups, C // groups, og * groups
        (s0, s1), (d0, d1) = stride, dilation
        Hc = (H - 1) * s0 + d0 * (kh - 1) + 1 + output_padding[0]
        Wc = (W - 1) * s1 + d1 * (kw - 1) + 1 + output_padding[1]
        Ho, Wo = Hc - 2 * padding[0], Wc - 2 * padding[1]
        x2 = xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).reshape(N * H * W, G, cg).transpose(1, 0, 2)  # (G, M, cg)
        wt = w.reshape(G, cg, og, kh, kw).transpose(0, 1, 3, 4, 2).reshape(G, cg, kh * kw * og)
        cols = xp.matmul(x2, wt).transpose(1, 0, 2).reshape(N, H, W, G, kh, kw, og)
        canvas = xp.zeros((N, Hc, Wc, G, og), dtype=x.dtype)
        for i in range(kh):  # col2im: one strided slice-add per kernel offset
            for j in range(kw):
                canvas[:, _offsets(i, d0, s0, H), _offsets(j, d1, s1, W)] += cols[:, :, :, :, i, j]
        out = canvas.reshape(N, Hc, Wc, O)[:, padding[0]:padding[0] + Ho, padding[1]:padding[1] + Wo, :]
        if b is not None:
            out += b
        if ctx.needs_input_grad:
            ctx.save_for_backward(x2 if ctx.needs_input_grad[1] else None, wt)
            ctx.x_shape, ctx.w_shape, ctx.canvas, ctx.padding = x.shape, w.shape, (Hc, Wc), padding
            ctx.stride, ctx.dilation, ctx.groups, ctx.has_bias = stride, dilation, G, b is not None
        return xp.ascontiguousarray(out.transpose(0, 3, 1, 2))

    @staticmethod
    def backward(ctx, g):
        x2, wt = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = xp_of(g)
        N, C, H, W = ctx.x_shape
        _, og, kh, kw = ctx.w_shape
        G, (Hc, Wc), (p0, p1) = ctx.groups, ctx.canvas, ctx.padding
        (s0, s1), (d0, d1) = ctx.stride, ctx.dilation
        _, O, Ho, Wo = g.shape
        gb = g.sum(axis=(0, 2, 3)) if ctx.has_bias and need[2] else None
        gcanvas = xp.zeros((N, Hc, Wc, O), dtype=g.dtype)
        gcanvas[:, p0:p0 + Ho, p1:p1 + Wo, :] = g.transpose(0, 2, 3, 1)
        sN, sH, sW, sC = gcanvas.strides
        gcols = xp.ascontiguousarray(_as_strided(xp, gcanvas, (N, H, W, G, kh, kw, og),
                                                 (sN, sH * s0, sW * s1, sC * og, sH * d0, sW * d1, sC)))
        gcols = gcols.reshape(N * H * W, G, kh * kw * og).transpose(1, 0, 2)  # (G, M, K)
        gx = gw = None
        if need[0]:
            gx2 = xp.matmul(gcols, wt.transpose(0, 2, 1))  # (G, M, cg)
            gx = xp.ascontiguousarray(gx2.transpose(1, 0, 2).reshape(N, H, W, C).transpose(0, 3, 1, 2))
        if need[1]:
            gwt = xp.matmul(x2.transpose(0, 2, 1), gcols)  # (G, cg, K)
            gw = xp.ascontiguousarray(gwt.reshape(G, C // G, kh, kw, og).transpose(0, 1, 4, 2, 3)).reshape(ctx.w_shape)
        return gx, gw, gb, None, None, None, None, None


@register("conv_transpose1d")
class ConvTranspose1dKernel(Function):
    """conv_transpose1d as a conv_transpose2d of height 1 on :class:`ConvTranspose2dKernel`."""

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, dilation, groups):
        return ConvTranspose2dKernel.forward(ctx, x[:, :, None], w[:, :, None], b, (1,) + tuple(stride),
                                             (0,) + tuple(padding), (0,) + tuple(output_padding),
                                             (1,) + tuple(dilation), groups)[:, :, 0]

    @staticmethod
    def backward(ctx, g):
        gx, gw, gb = ConvTranspose2dKernel.backward(ctx, g[:, :, None])[:3]
        return (None if gx is None else gx[:, :, 0]), (None if gw is None else gw[:, :, 0]), gb, None, None, None, \
            None, None
