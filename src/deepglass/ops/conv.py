"""Convolution: conv1d and conv2d (conv_transpose2d and unfold/fold reuse these helpers in their own files).

A convolution is one large matrix product once the input windows are laid out
as rows (im2col). Here the input is copied once into a channels-last (NHWC)
padded canvas; a strided view then exposes every window as
``(N, Ho, Wo, G, kh, kw, C/G)`` and one contiguous copy of it is the column
buffer ``(N·Ho·Wo, kh·kw·C)`` — each window row is kw·C contiguous floats, so
the copy streams. One GEMM against the weight matrix ``(kh·kw·C, O)`` gives
the output (plus one transpose back to NCHW). The input gradient is the
adjoint (col2im): a loop over the kh·kw kernel offsets that adds strided
slices into the padded canvas — never a loop over pixels or batch items.
On the CPU each kernel runs on one contiguous chunk of the batch per thread
(``parallel.parallel_chunks``), so the gathers and sums use every core too.

Output size (the notes' 感受野 formula, with dilation d):
n_out = ⌊(n_in + 2p − d(k−1) − 1)/s⌋ + 1.
"""
from __future__ import annotations

import threading

import numpy as np

from ..autograd.function import Function
from ..parallel import parallel_chunks
from ._util import xp_of


# ----------------------------------------------------------------- helpers
def _pair(v, name="argument"):
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]), int(v[0]))
        if len(v) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {v!r}")
        return (int(v[0]), int(v[1]))
    return (int(v), int(v))


def _single(v, name="argument"):
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise ValueError(f"{name} must be an int or a 1-tuple, got {v!r}")
        return int(v[0])
    return int(v)


def conv_out_size(n, k, s, p_total, d):
    """⌊(n + p_total − d(k−1) − 1)/s⌋ + 1 (p_total = both sides' padding)."""
    return (n + p_total - d * (k - 1) - 1) // s + 1


def _as_strided(xp, a, shape, strides):
    return xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


# Scratch arrays for temporaries that never leave an op (GEMM outputs, padded canvases): one growable
# buffer per purpose and thread, reused across calls. A fresh 10 MB NumPy array costs ~1.5k page faults
# (~2-4 ms) on first touch, as much as the slice-adds around the GEMM. CuPy has its own pool.
_scratch = threading.local()
_SCRATCH_MAX = 64 << 20  # bytes; larger temporaries are allocated per call


def _buffer(xp, tag, shape, dtype):
    """An uninitialised ``shape`` array from the scratch buffer ``tag`` (valid until the next call with ``tag``)."""
    size = 1
    for n in shape:
        size *= n
    dtype = np.dtype(dtype)
    if xp is not np or size * dtype.itemsize > _SCRATCH_MAX:
        return xp.empty(shape, dtype=dtype)
    bufs = getattr(_scratch, "bufs", None)
    if bufs is None:
        bufs = _scratch.bufs = {}
    buf = bufs.get(tag)
    if buf is None or buf.nbytes < size * dtype.itemsize:
        buf = bufs[tag] = np.empty(size * dtype.itemsize, dtype=np.uint8)
    return buf[:size * dtype.itemsize].view(dtype).reshape(shape)


def _padded_nhwc(xp, x, pads, tag):
    """NCHW ``x`` -> NHWC canvas padded with zeros by ``pads = (top, bottom, left, right)``, in the scratch
    buffer ``tag`` (only the borders are zeroed)."""
    N, C, H, W = x.shape
    pt, pb, pl, pr = pads
    c = _buffer(xp, tag, (N, H + pt + pb, W + pl + pr, C), x.dtype)
    if pt:
        c[:, :pt] = 0
    if pb:
        c[:, pt + H:] = 0
    if pl:
        c[:, pt:pt + H, :pl] = 0
    if pr:
        c[:, pt:pt + H, pl + W:] = 0
    c[:, pt:pt + H, pl:pl + W, :] = x.transpose(0, 2, 3, 1)
    return c


def _windows_nhwc(xp, canvas, Ho, Wo, k, s, d, groups):
    """Strided view ``(N, Ho, Wo, G, kh, kw, C/G)`` of every window of an NHWC canvas (no copy)."""
    N, _, _, C = canvas.shape
    sN, sH, sW, sC = canvas.strides
    cg = C // groups
    return _as_strided(xp, canvas, (N, Ho, Wo, groups, k[0], k[1], cg),
                       (sN, sH * s[0], sW * s[1], sC * cg, sH * d[0], sW * d[1], sC))


def _scatter_nhwc(canvas, cols7, s, d):
    """col2im: add ``cols7 (N, Ho, Wo, G, kh, kw, C/G)`` into the NHWC canvas, one strided slice per offset."""
    N, Ho, Wo, G, kh, kw, cg = cols7.shape
    c5 = canvas.reshape(canvas.shape[0], canvas.shape[1], canvas.shape[2], G, cg)
    for i in range(kh):
        r0 = i * d[0]
        rs = slice(r0, r0 + s[0] * (Ho - 1) + 1, s[0])
        for j in range(kw):
            c0 = j * d[1]
            c5[:, rs, c0:c0 + s[1] * (Wo - 1) + 1:s[1]] += cols7[:, :, :, :, i, j]
    return canvas


def _weight_matrix(w, groups):
    """(O, C/G, kh, kw) -> (G, kh·kw·C/G, O/G), rows ordered as the column buffer."""
    O, cg, kh, kw = w.shape
    og = O // groups
    return w.reshape(groups, og, cg, kh, kw).transpose(0, 3, 4, 2, 1).reshape(groups, kh * kw * cg, og)


def _fold_into(canvas, cols6, s, d):
    """col2im in NCHW: add ``cols6 (N, C, kh, kw, Ho, Wo)`` into ``canvas`` one kernel offset at a time."""
    N, C, kh, kw, Ho, Wo = cols6.shape
    for i in range(kh):
        rs = slice(i * d[0], i * d[0] + s[0] * (Ho - 1) + 1, s[0])
        for j in range(kw):
            canvas[:, :, rs, j * d[1]:j * d[1] + s[1] * (Wo - 1) + 1:s[1]] += cols6[:, :, i, j]
    return canvas


# ----------------------------------------------------------------- conv2d
class Conv2d(Function):
    """y = im2col(x) · W + b as one GEMM (groups: one batched GEMM); fused for speed."""

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        if groups == 1 and x.shape[1] < _NCHW_MAX_C:
            return _NCHW.forward(ctx, x, w, b, stride, pads, dilation)
        xp = xp_of(x)
        N, C, H, W = x.shape
        O, cg, kh, kw = w.shape
        G = groups
        Ho = conv_out_size(H, kh, stride[0], pads[0] + pads[1], dilation[0])
        Wo = conv_out_size(W, kw, stride[1], pads[2] + pads[3], dilation[1])
        K = kh * kw * cg
        wm = _weight_matrix(w, G)
        need = ctx.needs_input_grad
        # the column buffer is saved for the weight gradient (else scratch); each batch chunk fills its rows
        cols = xp.empty((N, Ho, Wo, G, kh, kw, cg), dtype=x.dtype) if need and need[1] else None
        y = xp.empty((N, O, Ho, Wo), dtype=x.dtype)

        def chunk(n0, n1):
            n, m = n1 - n0, (n1 - n0) * Ho * Wo
            canvas = _padded_nhwc(xp, x[n0:n1], pads, "canvas")
            c = cols[n0:n1] if cols is not None else _buffer(xp, "cols", (n, Ho, Wo, G, kh, kw, cg), x.dtype)
            c[...] = _windows_nhwc(xp, canvas, Ho, Wo, (kh, kw), stride, dilation, G)
            if G == 1:
                out = xp.matmul(c.reshape(m, K), wm[0], out=_buffer(xp, "gemm", (m, O), x.dtype))
            else:
                out = xp.matmul(c.reshape(m, G, K).transpose(1, 0, 2), wm).transpose(1, 0, 2).reshape(m, O)
            if b is not None:
                out += b
            y[n0:n1] = out.reshape(n, Ho, Wo, O).transpose(0, 3, 1, 2)

        parallel_chunks(chunk, N, N * Ho * Wo * K * O, xp)
        if need:
            ctx.save_for_backward(cols, w)
            ctx.geom = (x.shape, Ho, Wo, stride, pads, dilation, G, b is not None)
        return y

    @staticmethod
    def backward(ctx, g):
        if ctx.geom[0] == "nchw":
            return _NCHW.backward(ctx, g)
        cols, w = ctx.saved_tensors
        (N, C, H, W), Ho, Wo, stride, pads, dilation, G, has_b = ctx.geom
        need = ctx.needs_input_grad
        xp = xp_of(g)
        O, cg, kh, kw = w.shape
        og = O // G
        K = kh * kw * cg
        pt, pb, pl, pr = pads
        gb = g.sum(axis=(0, 2, 3)) if has_b and need[2] else None
        wm = _weight_matrix(w, G)
        gx = xp.empty((N, C, H, W), dtype=g.dtype) if need[0] else None

        def chunk(n0, n1):
            n, m = n1 - n0, (n1 - n0) * Ho * Wo
            g2 = _buffer(xp, "gn", (n, Ho, Wo, O), g.dtype)
            g2[...] = g[n0:n1].transpose(0, 2, 3, 1)
            g2 = g2.reshape(m, O)
            gwm = None
            if need[1]:
                c = cols[n0:n1].reshape(m, G, K)
                if G == 1:
                    gwm = c[:, 0].T @ g2
                else:
                    gwm = xp.matmul(c.transpose(1, 2, 0), g2.reshape(m, G, og).transpose(1, 0, 2))
            if need[0]:
                if G == 1:
                    gcols = xp.matmul(g2, wm[0].T, out=_buffer(xp, "gemm", (m, K), g.dtype))
                else:
                    gcols = xp.matmul(g2.reshape(m, G, og).transpose(1, 0, 2), wm.transpose(0, 2, 1)).transpose(1, 0, 2)
                canvas = xp.zeros((n, H + pt + pb, W + pl + pr, C), dtype=g.dtype)
                _scatter_nhwc(canvas, gcols.reshape(n, Ho, Wo, G, kh, kw, cg), stride, dilation)
                gx[n0:n1] = canvas[:, pt:pt + H, pl:pl + W, :].transpose(0, 3, 1, 2)
            return gwm

        parts = parallel_chunks(chunk, N, N * Ho * Wo * K * O, xp)
        gw = None
        if need[1]:
            gwm = parts[0]
            for p in parts[1:]:
                gwm += p
            gw = xp.ascontiguousarray(gwm.reshape(G, kh, kw, cg, og).transpose(0, 4, 3, 1, 2)).reshape(O, cg, kh, kw)
        return gx, gw, gb


def _nchw_cols(xp, x, k, stride, pads, dilation, Ho, Wo):
    """Column buffer ``(N, kh·kw·C, Ho·Wo)`` of an NCHW input, columns ordered (kh, kw, C) as the NHWC
    kernels' (the same float32 summation order); in the scratch buffer "cols"."""
    N, C, H, W = x.shape
    kh, kw = k
    pt, pb, pl, pr = pads
    if any(pads):
        xpad = _buffer(xp, "xpad", (N, C, H + pt + pb, W + pl + pr), x.dtype)
        if pt:
            xpad[:, :, :pt] = 0
        if pb:
            xpad[:, :, pt + H:] = 0
        if pl:
            xpad[:, :, pt:pt + H, :pl] = 0
        if pr:
            xpad[:, :, pt:pt + H, pl + W:] = 0
        xpad[:, :, pt:pt + H, pl:pl + W] = x
    else:
        xpad = x
    sN, sC, sH, sW = xpad.strides
    cols = _buffer(xp, "cols", (N, kh, kw, C, Ho, Wo), x.dtype)
    cols[...] = _as_strided(xp, xpad, (N, kh, kw, C, Ho, Wo), (
        sN, sH * dilation[0], sW * dilation[1], sC, sH * stride[0], sW * stride[1]))
    return cols.reshape(N, kh * kw * C, Ho * Wo)


_NCHW_MAX_C = 16


class _NCHW:
    """Conv2d's kernel for ungrouped convs with few input channels: NCHW throughout.

    The column buffer ``(N, kh·kw·C, Ho·Wo)`` is gathered from the padded NCHW input
    (each window row is a contiguous run of the image row) and one batched GEMM
    ``W (O, kh·kw·C) · cols[n]`` writes the output straight in NCHW: no NHWC canvas
    and no transposes of the (large) output and its gradient, which dominate when C
    is small (the first layer: C = 3, 64×32×32×32 output — its NCHW↔NHWC transposes
    cost ~4 ms each, as much as the GEMM). The weight gradient is
    ``Σ_n cols[n] · g[n]ᵀ``, the input gradient ``Wᵀ · g[n]`` folded back (col2im).
    """

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation):
        xp = xp_of(x)
        N, C, H, W = x.shape
        O, _, kh, kw = w.shape
        pt, pb, pl, pr = pads
        Ho = conv_out_size(H, kh, stride[0], pt + pb, dilation[0])
        Wo = conv_out_size(W, kw, stride[1], pl + pr, dilation[1])
        wk = w.transpose(0, 2, 3, 1).reshape(O, kh * kw * C)
        y = xp.empty((N, O, Ho * Wo), dtype=x.dtype)

        def chunk(n0, n1):
            for b0, b1 in _blocks(xp, n0, n1, kh * kw * C * Ho * Wo * x.itemsize):
                cols = _nchw_cols(xp, x[b0:b1], (kh, kw), stride, pads, dilation, Ho, Wo)
                xp.matmul(wk, cols, out=y[b0:b1])
                if b is not None:
                    y[b0:b1] += b.reshape(O, 1)

        parallel_chunks(chunk, N, N * O * kh * kw * C * Ho * Wo, xp)
        need = ctx.needs_input_grad
        if need:
            # the input, not the (kh·kw times larger) columns: they are gathered again in backward (~1 ms on
            # CIFAR's conv1) into the same scratch buffer, where a fresh 20 MB buffer per step cost more in
            # page faults, and the step's peak memory drops by their size
            ctx.save_for_backward(x if need[1] else None, w)
            ctx.geom = ("nchw", x.shape, Ho, Wo, stride, pads, dilation, b is not None)
        return y.reshape(N, O, Ho, Wo)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        _, (N, C, H, W), Ho, Wo, stride, pads, dilation, has_b = ctx.geom
        need = ctx.needs_input_grad
        xp = xp_of(g)
        O, _, kh, kw = w.shape
        pt, pb, pl, pr = pads
        gr = g.reshape(N, O, Ho * Wo)
        gb = gr.sum(axis=2).sum(axis=0) if has_b and need[2] else None
        wk = w.transpose(0, 2, 3, 1).reshape(O, kh * kw * C)
        canvas = xp.zeros((N, C, H + pt + pb, W + pl + pr), dtype=g.dtype) if need[0] else None

        def chunk(n0, n1):
            gwt = None
            for b0, b1 in _blocks(xp, n0, n1, kh * kw * C * Ho * Wo * g.itemsize):
                if need[1]:
                    cols = _nchw_cols(xp, x[b0:b1], (kh, kw), stride, pads, dilation, Ho, Wo)
                    part = xp.matmul(cols, gr[b0:b1].transpose(0, 2, 1)).sum(axis=0)  # (kh·kw·C, O)
                    gwt = part if gwt is None else xp.add(gwt, part, out=gwt)
                if need[0]:
                    gcols = xp.matmul(wk.T, gr[b0:b1]).reshape(b1 - b0, kh, kw, C, Ho, Wo)
                    _fold_into(canvas[b0:b1], gcols.transpose(0, 3, 1, 2, 4, 5), stride, dilation)
            return gwt

        parts = parallel_chunks(chunk, N, N * O * kh * kw * C * Ho * Wo, xp)
        gw = gx = None
        if need[1]:
            gwt = parts[0]
            for p in parts[1:]:
                gwt += p
            gw = xp.ascontiguousarray(gwt.reshape(kh, kw, C, O).transpose(3, 2, 0, 1))
        if need[0]:
            gx = canvas[:, :, pt:pt + H, pl:pl + W]
        return gx, gw, gb


def _row_spans(H, Ho, kh, pt, d0):
    """Kernel rows i and the output rows [lo, hi) they reach from real (unpadded) input rows lo+i·d0−pt."""
    spans = []
    for i in range(kh):
        lo, hi = max(0, pt - i * d0), min(Ho, H + pt - i * d0)
        if hi > lo:
            spans.append((i, lo, hi, lo + i * d0 - pt))
    return spans


class Conv2dRows(Function):
    """Stride-1-in-height, ungrouped conv2d with a row-wise im2col (fused for speed).

    Only the kw·C values of a window *row* are gathered, and only from the H real
    input rows (the height padding is zeros and adds nothing): ``Xw (N·H·Wo, kw·C)``
    is kh times smaller than the full column buffer, and one GEMM against
    ``(kw·C, kh·O)`` yields every row's contribution to all kh output rows (the
    same multiply-adds as the full im2col GEMM, in a wider, faster shape); kh
    shifted slice-adds finish the sum. Measured on 64×32×16×16, k5 (one thread):
    the full gather costs ~6.6 ms and its (16384×800)·(800×32) GEMM runs at ~50
    GFLOP/s, the row gather ~0.3 ms and its (16384×160)·(160×160) GEMM at ~85.
    The weight gradient reuses the saved ``Xw``; the input gradient is the
    adjoint GEMM plus kw width slice-adds (col2im along one axis only).
    """

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        xp = xp_of(x)
        N, C, H, W = x.shape
        O, _, kh, kw = w.shape
        pt, pb, pl, pr = pads
        d0, d1, s1 = dilation[0], dilation[1], stride[1]
        Ho = conv_out_size(H, kh, 1, pt + pb, d0)
        Wo = conv_out_size(W, kw, s1, pl + pr, d1)
        need = ctx.needs_input_grad
        wk = w.transpose(3, 1, 2, 0).reshape(kw * C, kh * O)
        spans = _row_spans(H, Ho, kh, pt, d0)
        # xw is saved for the weight gradient (else scratch); each batch chunk fills its rows of xw and y
        xw = xp.empty((N, H, Wo, kw, C), dtype=x.dtype) if need and need[1] else None
        y = xp.empty((N, O, Ho, Wo), dtype=x.dtype)

        def chunk(n0, n1):
            for b0, b1 in _blocks(xp, n0, n1, H * Wo * kh * O * x.itemsize):
                n, m = b1 - b0, (b1 - b0) * H * Wo
                canvas = _padded_nhwc(xp, x[b0:b1], (0, 0, pl, pr), "canvas")
                sN, sH, sW, sC = canvas.strides
                rows = xw[b0:b1] if xw is not None else _buffer(xp, "xw", (n, H, Wo, kw, C), x.dtype)
                rows[...] = _as_strided(xp, canvas, (n, H, Wo, kw, C), (sN, sH, sW * s1, sW * d1, sC))
                prod = xp.matmul(rows.reshape(m, kw * C), wk, out=_buffer(xp, "gemm", (m, kh * O), x.dtype))
                out = _sum_rows(xp, prod.reshape(n, H, Wo, kh, O), Ho, spans, b)
                y[b0:b1] = out.transpose(0, 3, 1, 2)

        parallel_chunks(chunk, N, N * H * Wo * kw * C * kh * O, xp)
        if need:
            ctx.save_for_backward(xw, w)
            ctx.geom = (x.shape, Ho, Wo, stride, pads, dilation, b is not None)
        return y

    @staticmethod
    def backward(ctx, g):
        xw, w = ctx.saved_tensors
        (N, C, H, W), Ho, Wo, stride, pads, dilation, has_b = ctx.geom
        need = ctx.needs_input_grad
        xp = xp_of(g)
        O, _, kh, kw = w.shape
        pt, _, pl, pr = pads
        s1, d1 = stride[1], dilation[1]
        gb = g.sum(axis=(0, 2, 3)) if has_b and need[2] else None
        if not (need[0] or need[1]):
            return None, None, gb
        spans = {i: (lo, hi, h0) for i, lo, hi, h0 in _row_spans(H, Ho, kh, pt, dilation[0])}
        wk = w.transpose(3, 1, 2, 0).reshape(kw * C, kh * O)
        gx = xp.empty((N, C, H, W), dtype=g.dtype) if need[0] else None

        def chunk(n0, n1):
            gwk = None
            for b0, b1 in _blocks(xp, n0, n1, H * Wo * kh * O * g.itemsize):
                n, m = b1 - b0, (b1 - b0) * H * Wo
                # gp[n, h, w, i, o] = g[n, o, h − i·d0 + pt, w]: the output rows each real input row feeds
                gn = _buffer(xp, "gn", (n, Ho, Wo, O), g.dtype)
                gn[...] = g[b0:b1].transpose(0, 2, 3, 1)  # once, not kh strided reads of g
                gp = _buffer(xp, "gp", (n, H, Wo, kh, O), g.dtype)
                for i in range(kh):
                    lo, hi, h0 = spans.get(i, (0, 0, 0))
                    h1 = h0 + hi - lo
                    gp[:, :h0, :, i, :] = 0
                    gp[:, h1:, :, i, :] = 0
                    if hi > lo:
                        gp[:, h0:h1, :, i, :] = gn[:, lo:hi]
                gp = gp.reshape(m, kh * O)
                if need[1]:
                    part = xw[b0:b1].reshape(m, kw * C).T @ gp  # (kw·C, kh·O)
                    gwk = part if gwk is None else xp.add(gwk, part, out=gwk)
                if need[0]:
                    gxw = xp.matmul(gp, wk.T, out=_buffer(xp, "gemm", (m, kw * C), gp.dtype)).reshape(n, H, Wo, kw, C)
                    if s1 == 1 and d1 == 1 and kw > 1:
                        cols = _sum_cols(xp, gxw, W, pl)
                    else:
                        canvas = xp.zeros((n, H, W + pl + pr, C), dtype=g.dtype)
                        for j in range(kw):
                            canvas[:, :, j * d1:j * d1 + s1 * (Wo - 1) + 1:s1, :] += gxw[:, :, :, j, :]
                        cols = canvas[:, :, pl:pl + W, :]
                    gx[b0:b1] = cols.transpose(0, 3, 1, 2)
            return gwk

        parts = parallel_chunks(chunk, N, N * H * Wo * kw * C * kh * O, xp)
        gw = None
        if need[1]:
            gwk = parts[0]
            for p in parts[1:]:
                gwk += p
            gw = xp.ascontiguousarray(gwk.reshape(kw, C, kh, O).transpose(3, 1, 2, 0))
        return gx, gw, gb


_BLOCK_BYTES = 1 << 20


def _blocks(xp, n0, n1, item_bytes):
    """Batch blocks ``[b0, b1)`` of ``[n0, n1)`` whose GEMM operand or output (``item_bytes`` per image)
    stays near 1 MB (one block on the GPU, where each block costs kernel launches).

    Working block by block keeps what one step writes in the core's cache for the next (gathered
    columns for the GEMM, the GEMM's output for the shifted sums): CIFAR's conv2 forward, 32 images
    on one thread, 6.3 ms in one block, 5.5 ms in blocks of 8.
    """
    step = max(1, _BLOCK_BYTES // max(1, item_bytes)) if xp is np else n1 - n0
    return [(b, min(b + step, n1)) for b in range(n0, n1, step)]


def _sum_rows(xp, y, Ho, spans, b):
    """out[:, ho] = Σ_i y[:, ho + i·d0 − pt, :, i] (+ b) over the spans of _row_spans, NHWC."""
    N, _, Wo, _, O = y.shape
    first = next((s for s in spans if s[1] == 0 and s[2] == Ho), None)
    out = _buffer(xp, "rowsum", (N, Ho, Wo, O), y.dtype)
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
    out = _buffer(xp, "colsum", (N, H, W, C), gxw.dtype)
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


def _conv_padding(padding, k, dilation, stride, name):
    """Padding argument -> (top, bottom, left, right); 'same' may be asymmetric (extra on the far side)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions (stride={stride})")
            out = []
            for kk, dd in zip(k, dilation):
                total = dd * (kk - 1)
                out += [total // 2, total - total // 2]
            return tuple(out)
        raise ValueError(f"{name}: invalid padding string {padding!r}; use 'same', 'valid' or an int")
    p = _pair(padding, "padding")
    if min(p) < 0:
        raise ValueError(f"{name}: negative padding {padding!r} is not supported")
    return (p[0], p[0], p[1], p[1])


def _check_conv(name, input, weight, bias, groups, ndim, transposed=False):
    if input.ndim != ndim + 2:
        raise RuntimeError(
            f"{name}: expected a {ndim + 2}-D input (batched) or {ndim + 1}-D (unbatched), got shape {tuple(input.shape)}")
    if weight.ndim != ndim + 2:
        raise RuntimeError(f"{name}: expected a {ndim + 2}-D weight, got shape {tuple(weight.shape)}")
    C = input.shape[1]
    if groups < 1:
        raise ValueError(f"{name}: groups must be a positive integer, got {groups}")
    if transposed:
        if weight.shape[0] != C:
            raise RuntimeError(
                f"{name}: expected input with {weight.shape[0]} channels, got {C} (input shape {tuple(input.shape)}, "
                f"weight shape {tuple(weight.shape)}); check in_channels")
        if C % groups:
            raise RuntimeError(f"{name}: in_channels {C} is not divisible by groups={groups}")
        out_ch = weight.shape[1] * groups
    else:
        if weight.shape[1] * groups != C:
            raise RuntimeError(
                f"{name}: expected input with {weight.shape[1] * groups} channels, got {C} (input shape "
                f"{tuple(input.shape)}, weight shape {tuple(weight.shape)}, groups={groups}); check in_channels")
        if weight.shape[0] % groups:
            raise RuntimeError(f"{name}: out_channels {weight.shape[0]} is not divisible by groups={groups}")
        out_ch = weight.shape[0]
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise RuntimeError(f"{name}: expected bias of shape ({out_ch},), got {tuple(bias.shape)}")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"{name}: input dtype {input.dtype} differs from weight dtype {weight.dtype}; "
                           "convert the input (x.float()) or the model (model.double())")


def _live_taps(n, k, s, d, p_lo, n_out):
    """(first, last + 1) of the kernel taps t that reach a real input element, 0 <= o·s + t·d − p_lo < n, for
    some output position o (the bounding range; (0, 0) when none does)."""
    live = []
    for t in range(k):
        lo = p_lo - t * d  # o·s must lie in [lo, lo + n − 1]
        o = max(0, -(-lo // s))
        if o < n_out and o * s <= lo + n - 1:
            live.append(t)
    return (live[0], live[-1] + 1) if live else (0, 0)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as PyTorch) over an NCHW input.

    y[n, o] = b[o] + Σ_c Σ_{i,j} W[o, c, i, j] · x_pad[n, g·C/G + c, s·h + d·i, s·w + d·j]

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
        >>> x = deepglass.randn(1, 3, 8, 8)
        >>> conv2d(x, deepglass.randn(4, 3, 3, 3), padding=1).shape
        (1, 4, 8, 8)
    """
    if input.ndim == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    groups = int(groups)
    _check_conv("conv2d", input, weight, bias, groups, 2)
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"conv2d: stride {stride} and dilation {dilation} must be positive")
    k = tuple(weight.shape[2:])
    pads = _conv_padding(padding, k, dilation, stride, "conv2d")
    H, W = input.shape[2:]
    Ho = conv_out_size(H, k[0], stride[0], pads[0] + pads[1], dilation[0])
    Wo = conv_out_size(W, k[1], stride[1], pads[2] + pads[3], dilation[1])
    if Ho < 1 or Wo < 1:
        raise RuntimeError(
            f"conv2d: input {tuple(input.shape)} (padded {H + pads[0] + pads[1]}x{W + pads[2] + pads[3]}) is smaller "
            f"than the dilated kernel ({dilation[0] * (k[0] - 1) + 1}x{dilation[1] * (k[1] - 1) + 1}); "
            "add padding or use a larger input")
    # kernel taps that only ever see padding (a 3x3 pad-1 conv on a 1x1 map: all but the centre) multiply
    # zeros: crop them from the weight (its gradient there is zero, as the slice's backward gives)
    t = _live_taps(H, k[0], stride[0], dilation[0], pads[0], Ho) + _live_taps(W, k[1], stride[1], dilation[1], pads[2], Wo)
    if t != (0, k[0], 0, k[1]):
        i0, i1, j0, j1 = t
        cropped = (pads[0] - i0 * dilation[0], pads[1] - (k[0] - i1) * dilation[0],
                   pads[2] - j0 * dilation[1], pads[3] - (k[1] - j1) * dilation[1])
        if i1 > i0 and j1 > j0 and min(cropped) >= 0:
            weight, pads, k = weight[:, :, i0:i1, j0:j1], cropped, (i1 - i0, j1 - j0)
    # few input channels: Conv2d runs in NCHW (the NHWC layout costs more than it saves); else the row kernel
    # when its GEMM output (kh·O wide per row) beats the full im2col's kh·kw·C columns
    C = input.shape[1]
    rows = groups == 1 and C >= _NCHW_MAX_C and stride[0] == 1 and weight.shape[0] <= k[1] * C
    kernel = Conv2dRows if rows else Conv2d
    return kernel.apply(input, weight, bias, stride, pads, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over an ``(N, C, L)`` input (a conv2d with height 1).

    Args:
        input: ``(N, C, L)`` or ``(C, L)``; weight ``(O, C/groups, k)``; bias ``(O,)`` or None.
        stride, padding, dilation: int (padding also ``'same'``/``'valid'``); groups as conv2d.

    Shape:
        L_out = ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1; output ``(N, O, L_out)``.

    Returns:
        The output tensor.

    Example:
        >>> conv1d(deepglass.randn(2, 3, 10), deepglass.randn(5, 3, 3)).shape
        (2, 5, 8)
    """
    if input.ndim == 2:
        return conv1d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if input.ndim != 3 or weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D input (N, C, L) and a 3-D weight, got {tuple(input.shape)} "
                           f"and {tuple(weight.shape)}")
    pad2 = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    try:
        out = conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, _single(stride, "stride")), pad2,
                     (1, _single(dilation, "dilation")), groups)
    except RuntimeError as e:
        raise RuntimeError(str(e).replace("conv2d", "conv1d")) from None
    return out.squeeze(2)


__all__ = ["conv1d", "conv2d"]
