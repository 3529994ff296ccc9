"""conv2d's row kernel (stride 1 in height, ungrouped): a row-wise im2col and one wide GEMM.

Only the kw·C values of a window *row* are gathered, and only from the H real input rows (the height
padding is zeros and adds nothing): ``Xw (N·H·Wo, kw·C)`` is kh times smaller than the full column buffer,
and one GEMM against ``(kw·C, kh·O)`` yields every row's contribution to all kh output rows (the same
multiply-adds as the full im2col GEMM, in a wider, faster shape); kh shifted slice-adds finish the sum.
Measured on 64×32×16×16, k5 (one thread): the full gather costs ~6.6 ms and its (16384×800)·(800×32) GEMM
runs at ~50 GFLOP/s, the row gather ~0.3 ms and its (16384×160)·(160×160) GEMM at ~85. The weight gradient
reuses the saved ``Xw``; the input gradient is the adjoint GEMM plus kw width slice-adds (col2im along one
axis only).
"""
from __future__ import annotations

from ..ops._util import xp_of
from ..parallel import parallel_for, parallel_reduce
from .conv import CANVAS, COL_SUM, GEMM, GRAD_NHWC, ROW_GRAD, ROW_SUM, ROWS, _as_strided, _blocks, _padded_nhwc


def _weight_rows(xp, w):
    """``(kw·C, kh·O)`` GEMM operand ``wk[(j, c), (i, o)] = w[o, c, i, j]``, as the transposed view of a
    C-ordered ``(kh·O, kw·C)`` copy. Building that copy keeps each output channel's ``w[o]`` together
    (a 512×512×3×3 weight: ~0.9 ms), where a copy with ``o`` innermost reads the whole weight at a
    stride for every element (~5 ms); BLAS takes the transposed view as it is."""
    O, C, kh, kw = w.shape
    return xp.ascontiguousarray(w.transpose(2, 0, 3, 1)).reshape(kh * O, kw * C).T


def _row_spans(H, Ho, kh, pt, d0):
    """Kernel rows i and the output rows [lo, hi) they reach from real (unpadded) input rows lo+i·d0−pt."""
    spans = []
    for i in range(kh):
        lo, hi = max(0, pt - i * d0), min(Ho, H + pt - i * d0)
        if hi > lo:
            spans.append((i, lo, hi, lo + i * d0 - pt))
    return spans


def _sum_rows(xp, y, Ho, spans, b):
    """out[:, ho] = Σ_i y[:, ho + i·d0 − pt, :, i] (+ b) over the spans of _row_spans, NHWC."""
    N, _, Wo, _, O = y.shape
    first = next((s for s in spans if s[1] == 0 and s[2] == Ho), None)
    out = ROW_SUM.get(xp, (N, Ho, Wo, O), y.dtype)
    if first is not None:
        i, lo, hi, h0 = first
        src = y[:, h0:h0 + Ho, :, i, :]
        if b is not None:
            xp.add(src, b, out=out)
        else:
            out[...] = src
    else:
        out[...] = 0 if b is None else b
    for s in spans:
        if s is not first:
            i, lo, hi, h0 = s
            out[:, lo:hi] += y[:, h0:h0 + hi - lo, :, i, :]
    return out


def _sum_cols(xp, gxw, W, pl):
    """Stride-1 col2im along the width: gx[:, :, w] = Σ_j gxw[:, :, w + pl − j, j] for valid columns (scratch)."""
    N, H, Wo, kw, C = gxw.shape
    spans = []
    for j in range(kw):
        lo, hi = max(0, j - pl), min(W, Wo + j - pl)  # input columns w fed by window column j
        if hi > lo:
            spans.append((j, lo, hi))
    out = COL_SUM.get(xp, (N, H, W, C), gxw.dtype)
    first = next((sp for sp in spans if sp[1] == 0 and sp[2] == W), None)
    if first is not None:
        j = first[0]
        out[...] = gxw[:, :, pl - j:pl - j + W, j, :]
    else:
        out[...] = 0
    for sp in spans:
        if sp is not first:
            j, lo, hi = sp
            out[:, :, lo:hi] += gxw[:, :, lo + pl - j:hi + pl - j, j, :]
    return out


class _Rows:
    """The row kernel (see the module)."""

    @staticmethod
    def forward(ctx, x, w, b, geom):
        xp = xp_of(x)
        N, C, H, W = x.shape
        O, _, kh, kw = w.shape
        pt, _, pl, pr = geom.pads
        (Ho, Wo), d0, d1, s1 = geom.out, geom.dilation[0], geom.dilation[1], geom.stride[1]
        need = ctx.needs_input_grad
        wk = _weight_rows(xp, w)
        spans = _row_spans(H, Ho, kh, pt, d0)
        # xw is saved for the weight gradient (else scratch); each batch chunk fills its rows of xw and y
        xw = xp.empty((N, H, Wo, kw, C), dtype=x.dtype) if need and need[1] else None
        y = xp.empty((N, O, Ho, Wo), dtype=x.dtype)

        def chunk(n0, n1):
            for b0, b1 in _blocks(xp, n0, n1, H * Wo * kh * O * x.itemsize):
                n, m = b1 - b0, (b1 - b0) * H * Wo
                canvas = _padded_nhwc(xp, x[b0:b1], (0, 0, pl, pr), CANVAS)
                sN, sH, sW, sC = canvas.strides
                rows = xw[b0:b1] if xw is not None else ROWS.get(xp, (n, H, Wo, kw, C), x.dtype)
                rows[...] = _as_strided(xp, canvas, (n, H, Wo, kw, C), (sN, sH, sW * s1, sW * d1, sC))
                prod = xp.matmul(rows.reshape(m, kw * C), wk, out=GEMM.get(xp, (m, kh * O), x.dtype))
                y[b0:b1] = _sum_rows(xp, prod.reshape(n, H, Wo, kh, O), Ho, spans, b).transpose(0, 3, 1, 2)

        parallel_for(N, chunk, N * H * Wo * kw * C * kh * O, xp)
        if need:
            ctx.save_for_backward(xw, w)
        return y

    @staticmethod
    def backward(ctx, g, geom):
        xw, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = xp_of(g)
        N, C, H, W = geom.x_shape
        O, _, kh, kw = w.shape
        pt, _, pl, pr = geom.pads
        (Ho, Wo), s1, d1 = geom.out, geom.stride[1], geom.dilation[1]
        gb = g.sum(axis=(0, 2, 3)) if geom.has_bias and need[2] else None
        if not (need[0] or need[1]):
            return None, None, gb
        spans = {i: (lo, hi, h0) for i, lo, hi, h0 in _row_spans(H, Ho, kh, pt, geom.dilation[0])}
        wk = _weight_rows(xp, w)
        gx = xp.empty((N, C, H, W), dtype=g.dtype) if need[0] else None

        def chunk(n0, n1, per_tap=False):
            gwk = None
            for b0, b1 in _blocks(xp, n0, n1, H * Wo * kh * O * g.itemsize):
                n, m = b1 - b0, (b1 - b0) * H * Wo
                # gp[n, h, w, i, o] = g[n, o, h − i·d0 + pt, w]: the output rows each real input row feeds
                gn = GRAD_NHWC.get(xp, (n, Ho, Wo, O), g.dtype)
                gn[...] = g[b0:b1].transpose(0, 2, 3, 1)  # once, not kh strided reads of g
                gp = ROW_GRAD.get(xp, (n, H, Wo, kh, O), g.dtype)
                for i in range(kh):
                    lo, hi, h0 = spans.get(i, (0, 0, 0))
                    h1 = h0 + hi - lo
                    gp[:, :h0, :, i, :] = 0
                    gp[:, h1:, :, i, :] = 0
                    if hi > lo:
                        gp[:, h0:h1, :, i, :] = gn[:, lo:hi]
                gp = gp.reshape(m, kh * O)
                # the weight gradient as (kh·O, kw·C), wk's transpose, so that it folds back to w's layout cheaply
                if need[1] and not per_tap:
                    part = gp.T @ xw[b0:b1].reshape(m, kw * C)  # (kh·O, kw·C)
                    gwk = part if gwk is None else xp.add(gwk, part, out=gwk)
                elif need[1]:
                    gwk = xp.zeros((kh * O, kw * C), dtype=g.dtype) if gwk is None else gwk
                    for i, (lo, hi, h0) in spans.items():
                        gwk[i * O:(i + 1) * O] += (gn[:, lo:hi].reshape(-1, O).T
                                                   @ xw[b0:b1, h0:h0 + hi - lo].reshape(-1, kw * C))
                if need[0]:
                    gxw = xp.matmul(gp, wk.T, out=GEMM.get(xp, (m, kw * C), gp.dtype)).reshape(n, H, Wo, kw, C)
                    if s1 == 1 and d1 == 1 and kw > 1:
                        cols = _sum_cols(xp, gxw, W, pl)
                    else:
                        canvas = xp.zeros((n, H, W + pl + pr, C), dtype=g.dtype)
                        for j in range(kw):
                            canvas[:, :, j * d1:j * d1 + s1 * (Wo - 1) + 1:s1, :] += gxw[:, :, :, j, :]
                        cols = canvas[:, :, pl:pl + W, :]
                    gx[b0:b1] = cols.transpose(0, 3, 1, 2)
            return (gwk,)

        (gwk,) = parallel_reduce(N, chunk, N * H * Wo * kw * C * kh * O, xp)
        if need[1] and not bool(xp.isfinite(gwk).all()):
            # the one wide GEMM also multiplies input rows by the zero gradient of rows a tap never reaches, so a
            # NaN/inf input leaks into taps that never saw it (NaN·0): redo the weight gradient one GEMM per tap row
            (gwk,) = parallel_reduce(N, lambda n0, n1: chunk(n0, n1, per_tap=True), N * H * Wo * kw * C * kh * O, xp)
        gw = xp.ascontiguousarray(gwk.reshape(kh, O, kw, C).transpose(1, 3, 0, 2)) if need[1] else None
        return gx, gw, gb
