"""Fast CPU kernels for conv2d and conv1d (the reference: ``ops.conv.ConvNd``; same arguments, same results).

One registered ``Function`` per op picks among three kernels by geometry:

- ``_Nchw`` (ungrouped, < 16 input channels — the first layer — or one image): NCHW throughout, no layout
  transposes, the weight in its own layout.
- ``_Rows`` (ungrouped, stride 1 in height, O ≤ kw·C — CIFAR's and ResNet's middle convs): a row-wise im2col
  kh times smaller than the full one, and one wider, faster GEMM.
- ``_General`` (everything else: groups, strides): an NHWC im2col and one GEMM (batched over groups).
- ``winograd._Winograd`` (3×3, stride 1, dilation 1, ungrouped, ≥ 16 channels, when ``winograd.ENABLED``):
  F(2×2, 3×3), 2.25× fewer multiply-adds.

Shared around them: kernel taps that only ever read padding are cropped from the weight (a 3x3 pad-1 conv on
a 1x1 map is a 1x1 conv); the batch is cut into chunks on threads (``parallel_for``/``parallel_reduce``) and,
inside a chunk, into ~1 MB cache blocks; temporaries that never leave a kernel live in per-thread scratch
buffers (:class:`Scratch`). The geometry travels in a :class:`Geometry`, not a positional tuple.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from ..autograd.function import Function
from ..ops._util import xp_of
from ..ops.conv import conv_out_size
from ..parallel import parallel_for, parallel_reduce
from . import register

NCHW_MAX_C = 16  # below this many input channels the NHWC layout costs more than it saves
BLOCK_BYTES = 1 << 20  # cache block: a GEMM operand or output of about this size per block
SCRATCH_MAX = 64 << 20  # bytes; larger temporaries are allocated per call


class Scratch:
    """A growable per-thread buffer for one kind of temporary, reused across calls (NumPy only).

    A fresh 10 MB NumPy array costs ~1.5k page faults (~2-4 ms) on first touch, as much as the slice-adds
    around a GEMM; reusing the buffer avoids them. CuPy has its own pool, so there it is a plain ``empty``.
    ``get`` returns an uninitialised array, valid until the next ``get`` of this buffer on this thread.
    """

    def __init__(self, name):
        self.name = name
        self._local = threading.local()

    def get(self, xp, shape, dtype):
        dtype = np.dtype(dtype)
        nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow, no NumPy call overhead
        if xp is not np or nbytes > SCRATCH_MAX:
            return xp.empty(shape, dtype=dtype)
        buf = getattr(self._local, "buf", None)
        if buf is None or buf.nbytes < nbytes:
            buf = self._local.buf = np.empty(nbytes, dtype=np.uint8)
        return buf[:nbytes].view(dtype).reshape(shape)


CANVAS, COLS, GEMM, GRAD_NHWC = Scratch("canvas"), Scratch("cols"), Scratch("gemm"), Scratch("grad_nhwc")
ROW_GRAD, ROWS, ROW_SUM, COL_SUM = Scratch("row_grad"), Scratch("rows"), Scratch("row_sum"), Scratch("col_sum")
XPAD = Scratch("xpad")


@dataclass(frozen=True)
class Geometry:
    """Everything about one conv2d call that its backward needs, by name."""

    x_shape: tuple  # (N, C, H, W)
    out: tuple  # (Ho, Wo)
    stride: tuple
    pads: tuple  # (top, bottom, left, right), after tap cropping
    dilation: tuple
    groups: int
    has_bias: bool
    taps: tuple | None  # (i0, i1, j0, j1): the weight's live taps when some were cropped, else None
    w_shape: tuple  # the full (uncropped) weight shape


def _as_strided(xp, a, shape, strides):
    return xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


def _blocks(xp, n0, n1, item_bytes):
    """Batch blocks ``[b0, b1)`` of ``[n0, n1)`` whose GEMM operand or output (``item_bytes`` per image)
    stays near BLOCK_BYTES (one block on the GPU, where each block costs kernel launches).

    Working block by block keeps what one step writes in the core's cache for the next: CIFAR's conv2
    forward, 32 images on one thread, 6.3 ms in one block, 5.5 ms in blocks of 8.
    """
    step = max(1, BLOCK_BYTES // max(1, item_bytes)) if xp is np else n1 - n0
    return [(b, min(b + step, n1)) for b in range(n0, n1, step)]


def _padded_nhwc(xp, x, pads, scratch):
    """NCHW ``x`` -> NHWC canvas padded with zeros by ``pads = (top, bottom, left, right)`` (borders zeroed only)."""
    N, C, H, W = x.shape
    pt, pb, pl, pr = pads
    c = scratch.get(xp, (N, H + pt + pb, W + pl + pr, C), x.dtype)
    c[:, :pt] = 0
    c[:, pt + H:] = 0
    c[:, pt:pt + H, :pl] = 0
    c[:, pt:pt + H, pl + W:] = 0
    c[:, pt:pt + H, pl:pl + W, :] = x.transpose(0, 2, 3, 1)
    return c


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


# ----------------------------------------------------------------- the registered kernels
@register("conv2d")
class Conv2dKernel(Function):
    """conv2d on the fastest of the three kernels for its geometry (arguments as ``ops.conv.ConvNd``)."""

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        (pt, pb), (pl, pr) = pads
        N, C, H, W = x.shape
        kh, kw = w.shape[2:]
        out = (conv_out_size(H, kh, stride[0], pt + pb, dilation[0]), conv_out_size(W, kw, stride[1], pl + pr, dilation[1]))
        taps = _live_taps(H, kh, stride[0], dilation[0], pt, out[0]) + _live_taps(W, kw, stride[1], dilation[1], pl,
                                                                                    out[1])
        p4, full_shape = (pt, pb, pl, pr), tuple(w.shape)
        one_image = N == 1 and groups == 1  # _Nchw below: reading the whole weight once beats copying a cropped one
        if taps != (0, kh, 0, kw) and not one_image:
            # taps that only ever see padding multiply zeros: crop them (their weight gradient is zero)
            i0, i1, j0, j1 = taps
            cropped = (pt - i0 * dilation[0], pb - (kh - i1) * dilation[0], pl - j0 * dilation[1],
                       pr - (kw - j1) * dilation[1])
            if i1 > i0 and j1 > j0 and min(cropped) >= 0:
                w, p4 = w[:, :, i0:i1, j0:j1], cropped
            else:
                taps = None
        else:
            taps = None
        kh, kw = w.shape[2:]
        rows = groups == 1 and C >= NCHW_MAX_C and stride[0] == 1 and w.shape[0] <= kw * C
        kernel = _Nchw if one_image or (groups == 1 and C < NCHW_MAX_C) else _Rows if rows else _General
        geom = Geometry(x.shape, out, stride, p4, dilation, groups, b is not None, taps, full_shape)
        if taps is None and winograd.fits(geom, w.shape, C) and bool(xp_of(x).isfinite(x.sum() + w.sum())):
            kernel = winograd._Winograd  # (an inf or NaN would spread over its 4×4 tile: direct kernels then)
        ctx.kernel, ctx.geom = kernel, geom
        return kernel.forward(ctx, x, w, b, geom)

    @staticmethod
    def backward(ctx, g):
        gx, gw, gb = ctx.kernel.backward(ctx, g, ctx.geom)
        if gw is not None and ctx.geom.taps is not None:
            i0, i1, j0, j1 = ctx.geom.taps
            full = xp_of(gw).zeros(ctx.geom.w_shape, dtype=gw.dtype)
            full[:, :, i0:i1, j0:j1] = gw
            gw = full
        return gx, gw, gb, None, None, None, None


@register("conv1d")
class Conv1dKernel(Function):
    """conv1d as a conv2d of height 1 on :class:`Conv2dKernel`."""

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        y = Conv2dKernel.forward(ctx, x[:, :, None], w[:, :, None], b, (1,) + tuple(stride), ((0, 0),) + tuple(pads),
                                 (1,) + tuple(dilation), groups)
        return y[:, :, 0]

    @staticmethod
    def backward(ctx, g):
        gx, gw, gb = Conv2dKernel.backward(ctx, g[:, :, None])[:3]
        return (None if gx is None else gx[:, :, 0]), (None if gw is None else gw[:, :, 0]), gb, None, None, None, None



# ----------------------------------------------------------------- general: NHWC im2col + one GEMM
def _weight_matrix(xp, w, groups):
    """(O, C/G, kh, kw) -> (G, kh·kw·C/G, O/G), rows ordered as the NHWC column buffer: the transposed view of a
    C-ordered (G, O/G, kh·kw·C/G) copy, whose building keeps each output channel's weights together (see
    ``conv_rows._weight_rows``)."""
    O, cg, kh, kw = w.shape
    rows = xp.ascontiguousarray(w.reshape(groups, O // groups, cg, kh, kw).transpose(0, 1, 3, 4, 2))
    return rows.reshape(groups, O // groups, kh * kw * cg).transpose(0, 2, 1)


class _General:
    """Any geometry: the input copied once into a padded NHWC canvas, a strided view of every window
    ``(N, Ho, Wo, G, kh, kw, C/G)`` copied into the column buffer (each window row is kw·C contiguous floats,
    so the copy streams), one GEMM against ``(kh·kw·C/G, O/G)`` per group. The input gradient is the adjoint:
    the GEMM back into columns and kh·kw strided slice-adds into the canvas (col2im)."""

    @staticmethod
    def forward(ctx, x, w, b, geom):
        xp = xp_of(x)
        N, C, H, W = x.shape
        O, cg, kh, kw = w.shape
        G, (Ho, Wo), (s0, s1), (d0, d1) = geom.groups, geom.out, geom.stride, geom.dilation
        K = kh * kw * cg
        wm = _weight_matrix(xp, w, G)
        need = ctx.needs_input_grad
        # the column buffer is saved for the weight gradient (else scratch); each batch chunk fills its rows
        cols = xp.empty((N, Ho, Wo, G, kh, kw, cg), dtype=x.dtype) if need and need[1] else None
        y = xp.empty((N, O, Ho, Wo), dtype=x.dtype)

        def chunk(n0, n1):
            n, m = n1 - n0, (n1 - n0) * Ho * Wo
            canvas = _padded_nhwc(xp, x[n0:n1], geom.pads, CANVAS)
            c = cols[n0:n1] if cols is not None else COLS.get(xp, (n, Ho, Wo, G, kh, kw, cg), x.dtype)
            sN, sH, sW, sC = canvas.strides
            c[...] = _as_strided(xp, canvas, (n, Ho, Wo, G, kh, kw, cg),
                                 (sN, sH * s0, sW * s1, sC * cg, sH * d0, sW * d1, sC))
            if G == 1:
                out = xp.matmul(c.reshape(m, K), wm[0], out=GEMM.get(xp, (m, O), x.dtype))
            else:
                out = xp.matmul(c.reshape(m, G, K).transpose(1, 0, 2), wm).transpose(1, 0, 2).reshape(m, O)
            if b is not None:
                out += b
            y[n0:n1] = out.reshape(n, Ho, Wo, O).transpose(0, 3, 1, 2)

        parallel_for(N, chunk, N * Ho * Wo * K * O, xp)
        if need:
            ctx.save_for_backward(cols, w)
        return y

    @staticmethod
    def backward(ctx, g, geom):
        cols, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = xp_of(g)
        N, C, H, W = geom.x_shape
        (Ho, Wo), G, (s0, s1), (d0, d1) = geom.out, geom.groups, geom.stride, geom.dilation
        O, cg, kh, kw = w.shape
        og, K = O // G, kh * kw * cg
        pt, pb, pl, pr = geom.pads
        gb = g.sum(axis=(0, 2, 3)) if geom.has_bias and need[2] else None
        wm = _weight_matrix(xp, w, G)
        gx = xp.empty((N, C, H, W), dtype=g.dtype) if need[0] else None

        def chunk(n0, n1):
            n, m = n1 - n0, (n1 - n0) * Ho * Wo
            g2 = GRAD_NHWC.get(xp, (n, Ho, Wo, O), g.dtype)
            g2[...] = g[n0:n1].transpose(0, 2, 3, 1)
            g2 = g2.reshape(m, O)
            gwm = None
            if need[1]:  # as (G, O/G, K), the layout that folds back to w's cheaply
                c = cols[n0:n1].reshape(m, G, K)
                if G == 1:
                    gwm = (g2.T @ c[:, 0])[None]
                else:
                    gwm = xp.matmul(g2.reshape(m, G, og).transpose(1, 2, 0), c.transpose(1, 0, 2))
            if need[0]:
                if G == 1:
                    gcols = xp.matmul(g2, wm[0].T, out=GEMM.get(xp, (m, K), g.dtype))
                else:
                    gcols = xp.matmul(g2.reshape(m, G, og).transpose(1, 0, 2), wm.transpose(0, 2, 1)).transpose(1, 0, 2)
                gcols = gcols.reshape(n, Ho, Wo, G, kh, kw, cg)
                canvas = xp.zeros((n, H + pt + pb, W + pl + pr, G, cg), dtype=g.dtype)
                for i in range(kh):  # col2im: one strided slice-add per kernel offset
                    rs = slice(i * d0, i * d0 + s0 * (Ho - 1) + 1, s0)
                    for j in range(kw):
                        canvas[:, rs, j * d1:j * d1 + s1 * (Wo - 1) + 1:s1] += gcols[:, :, :, :, i, j]
                gx[n0:n1] = canvas.reshape(n, H + pt + pb, W + pl + pr, C)[:, pt:pt + H, pl:pl + W].transpose(0, 3, 1, 2)
            return (gwm,)

        (gwm,) = parallel_reduce(N, chunk, N * Ho * Wo * K * O, xp)
        gw = None
        if need[1]:
            gw = xp.ascontiguousarray(gwm.reshape(G, og, kh, kw, cg).transpose(0, 1, 4, 2, 3)).reshape(O, cg, kh, kw)
        return gx, gw, gb


# ----------------------------------------------------------------- few input channels: NCHW throughout
def _nchw_cols(xp, x, k, geom):
    """Column buffer ``(N, C·kh·kw, Ho·Wo)`` of an NCHW input, rows ordered (C, kh, kw) as the weight's own
    ``(O, C·kh·kw)`` view (no copy of the weight); in the scratch buffer COLS."""
    N, C, H, W = x.shape
    kh, kw = k
    (Ho, Wo), (s0, s1), (d0, d1) = geom.out, geom.stride, geom.dilation
    pt, pb, pl, pr = geom.pads
    xpad = x
    if any(geom.pads):
        xpad = XPAD.get(xp, (N, C, H + pt + pb, W + pl + pr), x.dtype)
        xpad[:, :, :pt] = 0
        xpad[:, :, pt + H:] = 0
        xpad[:, :, pt:pt + H, :pl] = 0
        xpad[:, :, pt:pt + H, pl + W:] = 0
        xpad[:, :, pt:pt + H, pl:pl + W] = x
    sN, sC, sH, sW = xpad.strides
    cols = COLS.get(xp, (N, C, kh, kw, Ho, Wo), x.dtype)
    cols[...] = _as_strided(xp, xpad, (N, C, kh, kw, Ho, Wo), (sN, sC, sH * d0, sW * d1, sH * s0, sW * s1))
    return cols.reshape(N, C * kh * kw, Ho * Wo)


class _Nchw:
    """Ungrouped convs with few input channels (the first layer) or one image: NCHW throughout.

    The column buffer ``(N, C·kh·kw, Ho·Wo)`` is gathered from the padded NCHW input and one batched GEMM
    ``W (O, C·kh·kw) · cols[n]`` — the weight in its own layout, never copied — writes the output straight in
    NCHW: no NHWC canvas and no transposes of the (large) output and its gradient, which dominate when C is
    small (the first layer: C = 3, 64×32×32×32 output — its NCHW↔NHWC transposes cost ~4 ms each, as much
    as the GEMM), nor of the weight, which dominates for one image (a 256×256×3×3 conv on a 2×2 map reads
    2.4 MB of weights for 2.4 M multiply-adds). ∂W = Σ_n g[n] · cols[n]ᵀ, ∂x = Wᵀ · g[n] folded back
    (col2im). The columns are gathered again in backward rather than saved (~1 ms on CIFAR's conv1, where a
    fresh 20 MB buffer per step cost more in page faults).
    """

    @staticmethod
    def forward(ctx, x, w, b, geom):
        xp = xp_of(x)
        N, C, H, W = x.shape
        O, _, kh, kw = w.shape
        L = geom.out[0] * geom.out[1]
        wk = w.reshape(O, C * kh * kw)
        y = xp.empty((N, O, L), dtype=x.dtype)

        def chunk(n0, n1):
            for b0, b1 in _blocks(xp, n0, n1, kh * kw * C * L * x.itemsize):
                xp.matmul(wk, _nchw_cols(xp, x[b0:b1], (kh, kw), geom), out=y[b0:b1])
                if b is not None:
                    y[b0:b1] += b.reshape(O, 1)

        parallel_for(N, chunk, N * O * kh * kw * C * L, xp)
        need = ctx.needs_input_grad
        if need:
            ctx.save_for_backward(x if need[1] else None, w)
        return y.reshape((N, O) + tuple(geom.out))

    @staticmethod
    def backward(ctx, g, geom):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = xp_of(g)
        N, C, H, W = geom.x_shape
        O, _, kh, kw = w.shape
        (Ho, Wo), (s0, s1), (d0, d1) = geom.out, geom.stride, geom.dilation
        pt, pb, pl, pr = geom.pads
        gr = g.reshape(N, O, Ho * Wo)
        gb = gr.sum(axis=2).sum(axis=0) if geom.has_bias and need[2] else None
        wk = w.reshape(O, C * kh * kw)
        canvas = xp.zeros((N, C, H + pt + pb, W + pl + pr), dtype=g.dtype) if need[0] else None

        def chunk(n0, n1):
            gwk = None
            for b0, b1 in _blocks(xp, n0, n1, kh * kw * C * Ho * Wo * g.itemsize):
                if need[1]:
                    cols = _nchw_cols(xp, x[b0:b1], (kh, kw), geom)
                    part = xp.matmul(gr[b0:b1], cols.transpose(0, 2, 1)).sum(axis=0)  # (O, C·kh·kw)
                    gwk = part if gwk is None else xp.add(gwk, part, out=gwk)
                if need[0]:
                    gcols = xp.matmul(wk.T, gr[b0:b1]).reshape(b1 - b0, C, kh, kw, Ho, Wo)
                    cv = canvas[b0:b1]
                    for i in range(kh):  # col2im
                        rs = slice(i * d0, i * d0 + s0 * (Ho - 1) + 1, s0)
                        for j in range(kw):
                            cv[:, :, rs, j * d1:j * d1 + s1 * (Wo - 1) + 1:s1] += gcols[:, :, i, j]
            return (gwk,)

        (gwk,) = parallel_reduce(N, chunk, N * O * kh * kw * C * Ho * Wo, xp)
        gw = gwk.reshape(O, C, kh, kw) if need[1] else None
        gx = canvas[:, :, pt:pt + H, pl:pl + W] if need[0] else None
        return gx, gw, gb


from . import conv_nd, winograd  # noqa: E402,F401  (conv3d and the transposed convs register; 3×3 by F(2×2, 3×3))
from .conv_rows import _Rows  # noqa: E402  (the row kernel, in its own file; it uses the helpers above)
