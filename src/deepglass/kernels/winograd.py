"""conv2d by Winograd minimal filtering F(2×2, 3×3) (Lavin & Gray 2016): 3×3, stride 1, dilation 1, ungrouped.

The padded input is cut into 4×4 tiles at stride 2; each yields a 2×2 output tile as

    Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A,   summed over the input channels,

with (rows of the 1-D transforms; their entries are 0, ±1 and ½, so they are exact in binary floating point)

    Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]
    G  = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]
    Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].

The sum over channels of the element-wise product is, for each of the 16 tile positions (ξ, ν), one GEMM
``M[ξν] (tiles, O) = V[ξν] (tiles, C) · U[ξν] (C, O)``: 16·C·O multiply-adds per 2×2 outputs instead of 36·C·O,
2.25× fewer. The transforms are sums and differences of strided views (no GEMM with K = 4).

Backward is the exact adjoint of the same computation: ∂M = A ∂Y Aᵀ per tile, then ∂U[ξν] = V[ξν]ᵀ ∂M[ξν]
(the weight gradient, ∂g = Gᵀ ∂U G) and ∂V[ξν] = ∂M[ξν] U[ξν]ᵀ, scattered back through Bᵀ (the input
gradient): 32 GEMMs of the forward's shape. An inf or NaN would spread over its tile, so a non-finite input or
weight takes the direct kernels and a non-finite gradient the direct backward.

Float32 error against a float64 reference: 3–6·10⁻⁷ of the largest |output| (the direct kernels: 3–5·10⁻⁷);
tests/kernels/test_conv_kernels.py holds the output and both gradients to 2·10⁻⁶.

Speed (2 cores under load, Winograd and the direct kernels interleaved in one process, median of 31 forward +
backward calls, float32): 32×64×16×16 → 64: 48.8 vs 55.0 ms; 32×128×8×8 → 128: 46.3 vs 53.1 ms; 32×64×8×8 → 64:
14.5 vs 14.9 ms. On 4×4 and 2×2 maps (4 and 1 tiles per image) it was slower (32×512×2×2 → 512: 96 vs 72 ms),
hence MIN_SIDE. The ResNet-18 step at 32 px (only layer1's four 8×8 convs qualify) was not faster: per-round
medians, fresh processes alternating, 148–306 ms without and 157–304 ms with (two of four rounds slower).

Example:
    >>> import deepglass as dg, deepglass.nn.functional as F
    >>> from deepglass.kernels import winograd
    >>> winograd.ENABLED = True                      # off by default (see ENABLED below)
    >>> y = F.conv2d(dg.ones(1, 16, 8, 8, requires_grad=True), dg.ones(4, 16, 3, 3), padding=1)
    >>> y.grad_fn.kernel.__name__, float(y[0, 0, 0, 0]), float(y[0, 0, 3, 3])
    ('_Winograd', 64.0, 144.0)
    >>> winograd.ENABLED = False
"""
from __future__ import annotations

import numpy as np

from ..ops._util import xp_of
from ..parallel import parallel_for, parallel_reduce
from .conv import Scratch, _blocks

# Off by default: faster on one 3×3 conv at 16×16 and 8×8 (−12 %), but the ResNet-18 step at 32 px got
# ~3 % slower with it (97 vs 100 ms, fresh processes alternating, quiet machine). Set True to use it.
ENABLED = False  # when True, the conv2d fast path uses this kernel where :func:`fits` says so
MIN_CHANNELS = 16  # below this the transforms cost more than the multiply-adds they save
MIN_SIDE = 8  # smaller maps (4×4, 2×2: 4 and 1 tiles per image) measured slower than the direct kernels

# the 1-D transforms as sparse rows: out[a] = Σ coef · src[k]
_BT = (((0, 1), (2, -1)), ((1, 1), (2, 1)), ((2, 1), (1, -1)), ((1, 1), (3, -1)))  # input, forward
_AT = (((0, 1), (1, 1), (2, 1)), ((1, 1), (2, -1), (3, -1)))  # output, forward
_A = (((0, 1),), ((0, 1), (1, 1)), ((0, 1), (1, -1)), ((1, -1),))  # adjoint of the output transform
_B = (((0, 1),), ((1, 1), (2, -1), (3, 1)), ((0, -1), (1, 1), (2, 1)), ((3, -1),))  # adjoint of the input one
_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
# per-thread temporaries, reused across calls; the batch is worked in ~1 MB blocks so that each stage finds
# the previous one's output in cache (measured on 16×64×16×16 → 64, one thread: 10.9 ms in one block)
_CANVAS, _TILES, _TMP, _PROD, _OUT = Scratch("w_canvas"), Scratch("w_tiles"), Scratch("w_tmp"), Scratch("w_prod"), \
    Scratch("w_out")
_GRAD_TILES, _GRAD_IN = Scratch("w_grad_tiles"), Scratch("w_grad_in")


def fits(geom, w_shape, C) -> bool:
    """True if conv2d of this geometry runs on Winograd: 3×3 taps, stride 1, dilation 1, groups 1, pads ≤ 2."""
    return (ENABLED and tuple(w_shape[2:]) == (3, 3) and geom.stride == (1, 1) and geom.dilation == (1, 1)
            and geom.groups == 1 and C >= MIN_CHANNELS and min(geom.out) >= MIN_SIDE and max(geom.pads) <= 2
            and min(geom.pads) >= 0)


def _lin(xp, out, terms, src):
    """out = Σ coef · src(k) over ``terms`` ((k, ±1), ...), written into ``out``."""
    (k0, c0), rest = terms[0], terms[1:]
    if not rest:
        if c0 == 1:
            out[...] = src(k0)
        else:
            xp.negative(src(k0), out=out)
        return
    (k1, c1), rest = rest[0], rest[1:]
    if c0 == c1:
        xp.add(src(k0), src(k1), out=out)
    else:
        xp.subtract(*((src(k0), src(k1)) if c0 == 1 else (src(k1), src(k0))), out=out)
    if c0 == c1 == -1:
        xp.negative(out, out=out)
    for k, c in rest:
        (xp.add if c == 1 else xp.subtract)(out, src(k), out=out)


def _transform(xp, terms, rows, tmp, cols, dst):
    """dst(b)[a] = Σ_k Σ_l T[a, k] T[b, l] src[k, l], as two vectorised 1-D passes (8–16 NumPy calls in all).

    ``rows(k)`` gives the sources' row k for every column l at once; the first pass writes ``tmp[a]``;
    ``cols(tmp, l)`` gives column l of every ``tmp[a]`` (the a axis first) and ``dst(b)`` where column b goes.
    """
    for a, t in enumerate(terms):
        _lin(xp, tmp[a], t, rows)
    for b, t in enumerate(terms):
        _lin(xp, dst(b), t, lambda l: cols(tmp, l))


def _split(a, th, tw):
    """An NHWC map ``(n, 2·th, 2·tw, C)`` as ``(n, th, 2, tw, 2, C)``: pixel (2·ty + k, 2·tx + l) at [:, ty, k, tx, l]."""
    n, _, _, c = a.shape
    return a.reshape(n, th, 2, tw, 2, c)


def _tiles(geom):
    (Ho, Wo) = geom.out
    return (Ho + 1) // 2, (Wo + 1) // 2


class _NoGrad:
    needs_input_grad = ()


def _direct_backward(g, x, w, geom, need):
    """Both gradients as direct convolutions (``conv._General``), for a gradient with inf/NaN: the transforms mix
    the 16 elements of a tile, so one inf would reach gradients that the direct sum keeps finite.

    ∂x = conv(g, w with taps flipped and channels swapped, pads 2 − p); ∂w = conv(xᵀ, gᵀ) with the batch as
    channels, transposed back.
    """
    from .conv import Geometry, _General

    N, C, H, W = geom.x_shape
    O = w.shape[0]
    pt, pb, pl, pr = geom.pads
    gx = gw = None
    if need[0]:
        geom_x = Geometry(g.shape, (H, W), (1, 1), (2 - pt, 2 - pb, 2 - pl, 2 - pr), (1, 1), 1, False, None, (C, O, 3, 3))
        gx = _General.forward(_NoGrad(), g, w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1], None, geom_x)
    if need[1]:
        geom_w = Geometry((C, N, H, W), (3, 3), (1, 1), geom.pads, (1, 1), 1, False, None, (O, N) + tuple(g.shape[2:]))
        gw = _General.forward(_NoGrad(), x.transpose(1, 0, 2, 3), g.transpose(1, 0, 2, 3), None, geom_w)
        gw = gw.transpose(1, 0, 2, 3).copy()
    return gx, gw


class _Winograd:
    """conv2d by F(2×2, 3×3) (see the module); ``forward``/``backward`` as the other conv kernels'."""

    @staticmethod
    def forward(ctx, x, w, b, geom):
        xp = xp_of(x)
        N, C, H, W = x.shape
        O = w.shape[0]
        pt, _, pl, _ = geom.pads
        Ho, Wo = geom.out
        th, tw = _tiles(geom)
        need = ctx.needs_input_grad
        gk = xp.asarray(_G, dtype=x.dtype)
        t = (w.reshape(O * C * 3, 3) @ gk.T).reshape(O, C, 3, 4)  # g Gᵀ: one GEMM for every filter at once
        u = (gk @ t.transpose(2, 3, 1, 0).reshape(3, 4 * C * O)).reshape(16, C, O)  # G (g Gᵀ), as (ξν, C, O)
        v_all = xp.empty((16, N, th * tw, C), dtype=x.dtype) if need and need[1] else None
        y = xp.empty((N, O, Ho, Wo), dtype=x.dtype)

        def chunk(n0, n1):
            for b0, b1 in _blocks(xp, n0, n1, 16 * th * tw * max(C, O) * x.itemsize):
                n, p = b1 - b0, (b1 - b0) * th * tw
                canvas = _CANVAS.get(xp, (n, 2 * th + 2, 2 * tw + 2, C), x.dtype)
                canvas[:, :pt] = 0
                canvas[:, pt + H:] = 0
                canvas[:, pt:pt + H, :pl] = 0
                canvas[:, pt:pt + H, pl + W:] = 0
                canvas[:, pt:pt + H, pl:pl + W] = x[b0:b1].transpose(0, 2, 3, 1)
                v = v_all[:, b0:b1] if v_all is not None else _TILES.get(xp, (16, n, th * tw, C), x.dtype)
                v6 = v.reshape(4, 4, n, th, tw, C)
                tmp = _TMP.get(xp, (4, n, th, 2 * tw + 2, C), x.dtype)
                _transform(xp, _BT, lambda k, c=canvas: c[:, k:k + 2 * th:2], tmp,
                           lambda t, l: t[:, :, :, l:l + 2 * tw:2], lambda b, v=v6: v[:, b])
                m = xp.matmul(v.reshape(16, p, C), u, out=_PROD.get(xp, (16, p, O), x.dtype)).reshape(4, 4, n, th, tw, O)
                out = _OUT.get(xp, (n, 2 * th, 2 * tw, O), x.dtype)
                tmp = _TMP.get(xp, (2, 4, n, th, tw, O), x.dtype)
                o6 = _split(out, th, tw)
                _transform(xp, _AT, lambda k, m=m: m[k], tmp, lambda t, l: t[:, l],
                           lambda j, o=o6: xp.moveaxis(o[:, :, :, :, j], 2, 0))
                if b is not None:
                    out += b
                y[b0:b1] = out[:, :Ho, :Wo].transpose(0, 3, 1, 2)

        parallel_for(N, chunk, N * th * tw * 16 * C * O, xp)
        if need:
            ctx.save_for_backward(v_all, u, x if need[1] else None, w)
        return y

    @staticmethod
    def backward(ctx, g, geom):
        v_all, u, x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = xp_of(g)
        N, C, H, W = geom.x_shape
        O = u.shape[2]
        pt, _, pl, _ = geom.pads
        Ho, Wo = geom.out
        th, tw = _tiles(geom)
        gb = g.sum(axis=(0, 2, 3)) if geom.has_bias and need[2] else None
        if not bool(xp.isfinite(g).all()):
            return _direct_backward(g, x, w, geom, need) + (gb,)
        gx = xp.empty((N, C, H, W), dtype=g.dtype) if need[0] else None

        def chunk(n0, n1):
            du = None
            for b0, b1 in _blocks(xp, n0, n1, 16 * th * tw * max(C, O) * g.itemsize):
                n, p = b1 - b0, (b1 - b0) * th * tw
                gy = _OUT.get(xp, (n, 2 * th, 2 * tw, O), g.dtype)
                gy[:, Ho:] = 0
                gy[:, :Ho, Wo:] = 0
                gy[:, :Ho, :Wo] = g[b0:b1].transpose(0, 2, 3, 1)
                dm = _PROD.get(xp, (4, 4, n, th, tw, O), g.dtype)
                tmp = _TMP.get(xp, (4, 2, n, th, tw, O), g.dtype)
                g6 = _split(gy, th, tw)
                _transform(xp, _A, lambda k, s=g6: xp.moveaxis(s[:, :, k], 3, 0), tmp,
                           lambda t, l: t[:, l], lambda b, d=dm: d[:, b])
                dm = dm.reshape(16, p, O)
                if need[1]:
                    part = xp.matmul(v_all[:, b0:b1].reshape(16, p, C).transpose(0, 2, 1), dm)  # (16, C, O)
                    du = part if du is None else xp.add(du, part, out=du)
                if need[0]:
                    dv = xp.matmul(dm, u.transpose(0, 2, 1), out=_GRAD_TILES.get(xp, (16, p, C), g.dtype))
                    dv = dv.reshape(4, 4, n, th, tw, C)
                    dd = _TILES.get(xp, (4, 4, n, th, tw, C), g.dtype)
                    tmp = _TMP.get(xp, (4, 4, n, th, tw, C), g.dtype)
                    _transform(xp, _B, lambda k, d=dv: d[k], tmp, lambda t, l: t[:, l], lambda b, d=dd: d[:, b])
                    canvas = _GRAD_IN.get(xp, (n, 2 * th + 2, 2 * tw + 2, C), g.dtype)
                    canvas[:, 2 * th:] = 0
                    canvas[:, :2 * th, 2 * tw:] = 0
                    # tiles overlap by 2: the offsets (a, c) < 2 cover the canvas once, the others add
                    dd = dd.transpose(2, 3, 0, 4, 1, 5)  # (n, th, 4, tw, 4, C): offset (a, c) at [:, :, a, :, c]
                    _split(canvas[:, :2 * th, :2 * tw], th, tw)[...] = dd[:, :, :2, :, :2]
                    for r, c in ((2, 0), (0, 2), (2, 2)):
                        _split(canvas[:, r:r + 2 * th, c:c + 2 * tw], th, tw)[...] += dd[:, :, r:r + 2, :, c:c + 2]
                    gx[b0:b1] = canvas[:, pt:pt + H, pl:pl + W].transpose(0, 3, 1, 2)
            return (du,)

        (du,) = parallel_reduce(N, chunk, N * th * tw * 16 * C * O * 2, xp)
        gw = None
        if need[1]:
            gk = xp.asarray(_G, dtype=g.dtype)
            t = (gk.T @ du.reshape(4, 4 * C * O)).reshape(3, 4, C, O)  # Gᵀ ∂U
            gw = (t.transpose(3, 2, 0, 1).reshape(O * C * 3, 4) @ gk).reshape(O, C, 3, 3)  # (Gᵀ ∂U) G
        return gx, gw, gb
