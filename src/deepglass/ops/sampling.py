"""Resampling: ``affine_grid`` / ``grid_sample`` (the spatial transformer's sampler) and ``interpolate``.

A spatial transformer (Jaderberg et al. 2015) maps every output pixel to a
source location with an affine transform θ and reads the input there:

    (x_s, y_s)ᵀ = θ · (x_t, y_t, 1)ᵀ          (affine_grid, normalised coords in [-1, 1])
    out[n, c, i, j] = Σ_{h,w} in[n, c, h, w] · max(0, 1 − |y_s − h|) · max(0, 1 − |x_s − w|)

(bilinear sampling), which is differentiable both in the image and in the
sampling coordinates, so θ can be learned. ``grid_sample`` also samples
nearest and bicubic (Keys' cubic convolution, A = −0.75) on images, and
nearest and trilinear on volumes. ``interpolate`` resizes with the same kinds
of kernels on a regular grid (nearest, nearest-exact, (bi/tri)linear, bicubic)
or by area averaging.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from .. import backend
from .._tensor import from_array
from ..autograd.function import Function
from ._util import xp_of
from .linalg import matmul

# ---------------------------------------------------------------- affine_grid


def _base_coords(n: int, align_corners: bool) -> np.ndarray:
    """Normalised pixel-centre coordinates along one axis (PyTorch's linspace_from_neg_one)."""
    if n <= 1:
        return np.zeros(max(n, 0))
    c = np.linspace(-1.0, 1.0, n)
    return c if align_corners else c * (n - 1) / n


def affine_grid(theta, size, align_corners=None):
    """Sampling grid of an affine transform, for :func:`grid_sample`.

    Each output location's normalised coordinates ``(x_t, y_t)`` (``-1`` left/top,
    ``+1`` right/bottom) are mapped to source coordinates
    ``(x_s, y_s)ᵀ = θ · (x_t, y_t, 1)ᵀ`` (and ``(x, y, z)`` for volumes).

    Args:
        theta: affine matrices, ``(N, 2, 3)`` for images or ``(N, 3, 4)`` for volumes.
        size: the output size ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        align_corners: if True, ``-1`` and ``1`` are the centres of the corner pixels;
            if False (the default, as PyTorch's), their outer edges.

    Shape:
        theta ``(N, 2, 3)`` → grid ``(N, H, W, 2)``; theta ``(N, 3, 4)`` → ``(N, D, H, W, 3)``.

    Returns:
        The grid; gradients flow back to ``theta``.

    Example:
        >>> theta = deepglass.tensor([[[1.0, 0, 0], [0, 1, 0]]])
        >>> affine_grid(theta, (1, 1, 2, 2), align_corners=False).shape
        (1, 2, 2, 2)
    """
    align_corners = bool(align_corners)
    size = tuple(int(s) for s in size)
    if not theta.dtype.kind == "f":
        raise ValueError(f"affine_grid: theta must be a floating-point tensor, got {theta.dtype}")
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3):
            raise ValueError(f"affine_grid: expected theta of shape (N, 2, 3) for a 2-D size, got {tuple(theta.shape)}")
        n, _, h, w = size
        ys, xs = np.meshgrid(_base_coords(h, align_corners), _base_coords(w, align_corners), indexing="ij")
        base = np.stack([xs, ys, np.ones_like(xs)], axis=-1).reshape(1, h * w, 3)
        out_shape = (n, h, w, 2)
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[1:]) != (3, 4):
            raise ValueError(f"affine_grid: expected theta of shape (N, 3, 4) for a 3-D size, got {tuple(theta.shape)}")
        n, _, d, h, w = size
        zs, ys, xs = np.meshgrid(_base_coords(d, align_corners), _base_coords(h, align_corners),
                                 _base_coords(w, align_corners), indexing="ij")
        base = np.stack([xs, ys, zs, np.ones_like(xs)], axis=-1).reshape(1, d * h * w, 4)
        out_shape = (n, d, h, w, 3)
    else:
        raise NotImplementedError(f"affine_grid only supports 4-D and 5-D sizes, got size {size}")
    if theta.shape[0] != n:
        raise ValueError(f"affine_grid: theta has batch size {theta.shape[0]} but size asks for {n}")
    base_t = from_array(backend.to_device(base.astype(theta.dtype), theta.device))
    return matmul(base_t, theta.transpose(1, 2)).reshape(out_shape)


# ---------------------------------------------------------------- grid_sample


def _clip(xp, x, size):
    hi = size - 1
    g = ((x > 0) & (x < hi)).astype(x.dtype)
    return xp.clip(x, 0, hi), g


def _reflect(xp, x, twice_low, twice_high):
    if twice_low == twice_high:
        z = xp.zeros_like(x)
        return z, z
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    x = x - lo
    sgn = xp.where(x < 0, -1.0, 1.0).astype(x.dtype)
    x = xp.abs(x)
    extra = xp.fmod(x, span)
    even = (xp.floor(x / span) % 2) == 0
    return xp.where(even, extra + lo, span - extra + lo), xp.where(even, sgn, -sgn)


def _unnormalize(coord, size, align_corners):
    """Pixel coordinate of a normalised one (no padding), and the constant d(pixel)/d(normalised)."""
    if align_corners:
        return (coord + 1) * ((size - 1) / 2), (size - 1) / 2
    return ((coord + 1) * size - 1) / 2, size / 2


def _source_index(xp, coord, size, padding_mode, align_corners):
    """Pixel coordinate of a normalised one, and d(pixel)/d(normalised) (PyTorch's rules)."""
    x, mult = _unnormalize(coord, size, align_corners)
    gm = xp.full(coord.shape, mult, dtype=coord.dtype)
    if padding_mode == "border":
        x, gc = _clip(xp, x, size)
        gm = gm * gc
    elif padding_mode == "reflection":
        x, gr = _reflect(xp, x, 0, 2 * (size - 1)) if align_corners else _reflect(xp, x, -1, 2 * size - 1)
        x, gc = _clip(xp, x, size)
        gm = gm * gr * gc
    return x, gm


def _pad_tap(xp, x, size, padding_mode, align_corners):
    """Bicubic: the padding mode applied to one tap's (integer) pixel coordinate, as PyTorch does."""
    if padding_mode == "border":
        return xp.clip(x, 0, size - 1)
    if padding_mode == "reflection":
        x = _reflect(xp, x, 0, 2 * (size - 1))[0] if align_corners else _reflect(xp, x, -1, 2 * size - 1)[0]
        return xp.clip(x, 0, size - 1)
    return x


_CUBIC_A = -0.75


def _cubic_weights(t):
    """Keys' cubic-convolution weights (A = −0.75) of the taps at −1, 0, 1, 2 for a fraction ``t``, and d/dt."""
    a = _CUBIC_A

    def near(s):       # |s| ≤ 1: (A+2)|s|³ − (A+3)|s|² + 1
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def d_near(s):
        return (3 * (a + 2) * s - 2 * (a + 3)) * s

    def far(s):        # 1 < |s| < 2: A|s|³ − 5A|s|² + 8A|s| − 4A
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a

    def d_far(s):
        return (3 * a * s - 10 * a) * s + 8 * a

    u = 1 - t
    return ([far(t + 1), near(t), near(u), far(u + 1)],
            [d_far(t + 1), d_near(t), -d_near(u), -d_far(u + 1)])


class GridSample(Function):
    """Nearest / (bi,tri)linear / bicubic sampling of ``(N, C, *spatial)`` at grid points ``(N, *out, ndim)``.

    A primitive (not composed) so the gather and its adjoint scatter are one
    pass each. Every spatial axis contributes a few taps (1 for nearest, 2 for
    linear, 4 for bicubic), each an integer pixel coordinate with a weight and
    the weight's derivative in the (unnormalised) sampling coordinate; the
    output sums the values at every combination of taps times the product of
    the weights. Taps outside the input read 0 (their weight is masked).
    Forward also accumulates ``∂out/∂coord`` per axis when the grid needs a
    gradient; backward scatters the gradient to the input with one
    ``bincount`` (NumPy and CuPy alike) and contracts ``∂out/∂coord`` with it
    for the grid.
    """

    @staticmethod
    def forward(ctx, x, grid, mode, padding_mode, align_corners):
        xp = xp_of(x)
        n, c = x.shape[:2]
        sp = tuple(x.shape[2:])
        nd = len(sp)
        p = int(np.prod(grid.shape[1:-1]))
        need_grid = mode != "nearest" and bool(ctx.needs_input_grad and ctx.needs_input_grad[1])
        axes, mults = [], []
        for a, size in enumerate(sp):
            coord = grid[..., nd - 1 - a].reshape(n, p)   # grid[..., 0] is x (the last axis)
            if mode == "bicubic":
                ix, mult = _unnormalize(coord, size, align_corners)
                x0 = xp.floor(ix)
                ws, dws = _cubic_weights(ix - x0)
                coords = [_pad_tap(xp, x0 + (k - 1), size, padding_mode, align_corners) for k in range(4)]
            else:
                ix, mult = _source_index(xp, coord, size, padding_mode, align_corners)
                if mode == "nearest":
                    coords, ws, dws = [xp.rint(ix)], [xp.ones_like(ix)], [None]
                else:
                    x0 = xp.floor(ix)
                    t = ix - x0
                    coords, ws, dws = [x0, x0 + 1], [1 - t, t], [-xp.ones_like(t), xp.ones_like(t)]
            taps = []
            for cx, wk, dk in zip(coords, ws, dws):
                valid = (cx >= 0) & (cx <= size - 1)
                taps.append((xp.where(valid, cx, 0).astype(xp.int64), valid, wk, dk))
            axes.append(taps)
            mults.append(mult)
        strides = [int(np.prod(sp[a + 1:])) for a in range(nd)]
        flat = x.reshape(n, c, -1)
        bn = xp.arange(n)[:, None, None]
        bc = xp.arange(c)[None, :, None]
        out = xp.zeros((n, c, p), dtype=x.dtype)
        dacc = [xp.zeros((n, c, p), dtype=x.dtype) for _ in range(nd)] if need_grid else None
        idxs, wts = [], []
        for combo in itertools.product(*axes):   # at most 4 × 4 (bicubic) or 2 × 2 × 2 taps
            idx = sum(tap[0] * s for tap, s in zip(combo, strides))   # in range: invalid coords were set to 0
            valid = combo[0][1]
            for tap in combo[1:]:
                valid = valid & tap[1]
            v = flat[bn, bc, idx[:, None, :]] * valid[:, None, :]   # (n, c, p), zero outside
            wt = combo[0][2]
            for tap in combo[1:]:
                wt = wt * tap[2]
            wt = wt * valid
            out += v * wt[:, None, :]
            if need_grid:
                for a in range(nd):
                    dw = combo[a][3]
                    for b, tap in enumerate(combo):
                        if b != a:
                            dw = dw * tap[2]
                    dacc[a] += v * dw[:, None, :]
            idxs.append(idx)
            wts.append(wt)
        ctx.shape = x.shape
        ctx.grid_shape = grid.shape
        ctx.idxs, ctx.wts = idxs, wts
        ctx.dacc, ctx.mults = dacc, mults
        return out.reshape((n, c) + tuple(grid.shape[1:-1]))

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        n, c = ctx.shape[:2]
        npix = int(np.prod(ctx.shape[2:]))
        g = g.reshape(n, c, -1)
        need = ctx.needs_input_grad
        gin = ggrid = None
        if need[0]:
            base = (xp.arange(n)[:, None, None] * c + xp.arange(c)[None, :, None]) * npix
            flat_idx = xp.concatenate([(base + idx[:, None, :]).ravel() for idx in ctx.idxs])
            flat_w = xp.concatenate([(g * wt[:, None, :]).ravel() for wt in ctx.wts])
            gin = xp.bincount(flat_idx, weights=flat_w, minlength=n * c * npix).astype(g.dtype).reshape(ctx.shape)
        if need[1]:
            if ctx.dacc is None:   # nearest: piecewise constant in the grid
                ggrid = xp.zeros(ctx.grid_shape, dtype=g.dtype)
            else:
                nd = len(ctx.dacc)
                comps = [(g * ctx.dacc[a]).sum(axis=1) * ctx.mults[a] for a in range(nd)]
                ggrid = xp.stack(comps[::-1], axis=-1).reshape(ctx.grid_shape)   # back to (x, y[, z]) order
        return gin, ggrid, None, None, None



def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros", align_corners=None):
    """Sample ``input`` at the normalised locations in ``grid`` (the spatial transformer's sampler).

    ``grid[n, i, j] = (x, y)`` in ``[-1, 1]`` (``x`` along the width) selects a
    source point, unnormalised to pixels as ``x_pix = (x + 1)(W − 1)/2``
    (``align_corners=True``) or ``x_pix = ((x + 1)W − 1)/2`` (False). Then

    * ``"bilinear"``: ``Σ in[n, :, h, w] · max(0, 1 − |y_pix − h|) · max(0, 1 − |x_pix − w|)``
      (for 5-D input the same with a third factor along the depth: trilinear,
      which PyTorch also calls ``"bilinear"``);
    * ``"nearest"``: the value at the rounded location (half to even);
    * ``"bicubic"`` (4-D only): ``Σ_{i,j=0..3} in[n, :, y₀−1+j, x₀−1+i] · k(t_x)ᵢ · k(t_y)ⱼ``
      with ``x₀ = ⌊x_pix⌋``, ``t_x = x_pix − x₀`` and Keys' cubic-convolution
      weights (``A = −0.75``) ``k(t) = (f₂(1+t), f₁(t), f₁(1−t), f₂(2−t))``,
      ``f₁(s) = (A+2)s³ − (A+3)s² + 1``, ``f₂(s) = As³ − 5As² + 8As − 4A``.

    Points outside the input follow ``padding_mode``: ``"zeros"`` reads 0 there,
    ``"border"`` clamps to the edge, ``"reflection"`` mirrors at the border
    (at the corner-pixel centres with ``align_corners=True``, at the outer edges
    otherwise). Like PyTorch, bilinear and nearest pad the sampling location,
    bicubic pads each of its 16 tap coordinates.

    Args:
        input: images ``(N, C, H_in, W_in)`` or volumes ``(N, C, D_in, H_in, W_in)``.
        grid: sampling points ``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)``
            (``(x, y[, z])`` in the last axis), same dtype as ``input``.
        mode: ``"bilinear"``, ``"nearest"`` (zero gradient w.r.t. ``grid``) or ``"bicubic"``.
        padding_mode: ``"zeros"``, ``"border"`` or ``"reflection"``.
        align_corners: if True, ``±1`` are the centres of the corner pixels; if
            False (the default), their outer edges (pass the same value to
            :func:`affine_grid`).

    Shape:
        input ``(N, C, H_in, W_in)``, grid ``(N, H_out, W_out, 2)`` → ``(N, C, H_out, W_out)``;
        input ``(N, C, D_in, H_in, W_in)``, grid ``(N, D_out, H_out, W_out, 3)`` → ``(N, C, D_out, H_out, W_out)``.

    Returns:
        The sampled tensor; gradients flow to ``input`` and ``grid``.

    Example:
        >>> x = deepglass.randn(1, 3, 8, 8)
        >>> theta = deepglass.tensor([[[1.0, 0, 0], [0, 1, 0]]])
        >>> grid = F.affine_grid(theta, x.shape, align_corners=False)
        >>> F.grid_sample(x, grid, align_corners=False).allclose(x)   # identity θ
        True
        >>> F.grid_sample(x, grid, mode="bicubic", align_corners=False).allclose(x, atol=1e-6)
        True
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"grid_sample: mode must be 'bilinear', 'nearest' or 'bicubic', got {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"grid_sample: padding_mode must be 'zeros', 'border' or 'reflection', got {padding_mode!r}")
    if input.ndim not in (4, 5):
        raise ValueError(f"grid_sample: expected 4-D input (N, C, H, W) or 5-D input (N, C, D, H, W), "
                         f"got {input.ndim}-D input")
    nd = input.ndim - 2
    if grid.ndim != input.ndim or grid.shape[-1] != nd:
        want = "(N, H_out, W_out, 2)" if nd == 2 else "(N, D_out, H_out, W_out, 3)"
        raise ValueError(f"grid_sample: for {input.ndim}-D input the grid must have shape {want}, "
                         f"got {tuple(grid.shape)}")
    if mode == "bicubic" and nd == 3:
        raise ValueError("grid_sample: mode='bicubic' supports only 4-D input (as in PyTorch); "
                         "use 'bilinear' (trilinear) or 'nearest' for volumes")
    if grid.shape[0] != input.shape[0]:
        raise ValueError(f"grid_sample: input batch {input.shape[0]} and grid batch {grid.shape[0]} differ")
    if input.dtype != grid.dtype:
        raise ValueError(f"grid_sample: input dtype {input.dtype} and grid dtype {grid.dtype} differ; cast one of them")
    return GridSample.apply(input, grid, mode, padding_mode, bool(align_corners))


# ---------------------------------------------------------------- interpolate

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODE_DIMS = {**_LINEAR, "bicubic": 2}   # modes tied to one input rank
_NEAREST_AREA = ("nearest", "nearest-exact", "area")


def _scale32(n_in, n_out, scale):
    """PyTorch's compute_scales_value<float>: 1/scale_factor when given, else in/out, in float32."""
    return np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n_in) / np.float32(n_out)


def _resample_matrix(n_in, n_out, mode, align_corners, scale, nsp=2):
    """(n_out, n_in) matrix whose rows hold one output sample's weights on the inputs."""
    m = np.zeros((n_out, n_in))
    dst = np.arange(n_out)
    if mode == "nearest":
        # PyTorch: floor(dst * scale) in float32. Its CPU 2-D kernel (for outputs up to ~124 wide; wider ones
        # take the plain formula) special-cases an unchanged axis (copy) and exact doubling (dst >> 1) even when
        # scale_factor says otherwise; its 1-D and 3-D forward kernels never do (their backward does, so
        # PyTorch's gradient there is not the adjoint of its forward; ours is)
        if nsp == 2 and n_out == n_in:
            src = dst
        elif nsp == 2 and n_out == 2 * n_in:
            src = dst >> 1
        else:
            s = _scale32(n_in, n_out, scale)
            src = np.minimum(np.floor(dst.astype(np.float32) * s).astype(np.int64), n_in - 1)
        m[dst, src] = 1.0
        return m
    if mode == "nearest-exact":
        # floorf((dst + 0.5) * scale): the product in double, rounded to float32 before the floor
        s = np.float64(_scale32(n_in, n_out, scale))
        src = np.floor(((dst + 0.5) * s).astype(np.float32)).astype(np.int64)
        m[dst, np.minimum(src, n_in - 1)] = 1.0
        return m
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        src = dst * s
    else:
        s = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
        src = (dst + 0.5) * s - 0.5
    if mode == "bicubic":
        # four taps at ⌊src⌋ − 1 … ⌊src⌋ + 2, their indices clamped to the input (no clamping of src)
        i0 = np.floor(src).astype(np.int64)
        ws, _ = _cubic_weights(src - i0)
        for k, wk in enumerate(ws):
            np.add.at(m, (dst, np.clip(i0 + k - 1, 0, n_in - 1)), wk)
        return m
    if not align_corners:
        src = np.maximum(src, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    np.add.at(m, (dst, i0), 1 - lam)
    np.add.at(m, (dst, i1), lam)
    return m


def _area(input, out_sp):
    """``mode="area"``: adaptive average pooling to ``out_sp`` (separable, so 1-D/3-D reuse the 2-D op)."""
    from .adaptive_pool import adaptive_avg_pool2d

    n, c = input.shape[:2]
    if len(out_sp) == 2:
        return adaptive_avg_pool2d(input, out_sp)
    if len(out_sp) == 1:
        (L,) = input.shape[2:]
        return adaptive_avg_pool2d(input.reshape(n, c, 1, L), (1, out_sp[0])).reshape(n, c, out_sp[0])
    d, h, w = input.shape[2:]
    do, ho, wo = out_sp
    y = adaptive_avg_pool2d(input.reshape(n, c * d, h, w), (ho, wo))                # H and W
    y = adaptive_avg_pool2d(y.reshape(n, c, d, ho * wo), (do, ho * wo))             # then D
    return y.reshape(n, c, do, ho, wo)


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False):
    """Resize ``(N, C, *spatial)`` by nearest-neighbour, (bi/tri)linear, bicubic or area interpolation.

    Every mode is separable: each spatial axis is resampled by a small
    ``(out, in)`` matrix (one matrix product per axis, so the gradient is the
    transposed resampling). With ``scale = in/out`` (or ``1/scale_factor`` when
    a scale factor is given and ``recompute_scale_factor`` is not True), output
    index ``d`` reads

    * ``"nearest"``: ``x[min(⌊d·scale⌋, in − 1)]`` (PyTorch's legacy nearest; for 4-D input an
      axis whose size is unchanged is copied and an exactly doubled one repeats each pixel, as
      PyTorch's CPU kernel does for outputs of moderate width);
    * ``"nearest-exact"``: ``x[min(⌊(d + ½)·scale⌋, in − 1)]`` (pixel centres, like
      scikit-image and PIL);
    * ``"linear"``/``"bilinear"``/``"trilinear"``: ``(1 − λ)·x[⌊s⌋] + λ·x[⌊s⌋ + 1]``,
      ``λ = s − ⌊s⌋``, at ``s = max(0, (d + ½)·scale − ½)`` (``align_corners=False``)
      or ``s = d·(in − 1)/(out − 1)`` (``align_corners=True``);
    * ``"bicubic"``: ``Σ_{k=0..3} w_k(t)·x[clamp(⌊s⌋ − 1 + k, 0, in − 1)]`` at the same
      ``s`` without the clamp at 0, ``t = s − ⌊s⌋``, with Keys' cubic-convolution
      weights for ``A = −0.75``: ``w = (f₂(1+t), f₁(t), f₁(1−t), f₂(2−t))``,
      ``f₁(u) = (A+2)u³ − (A+3)u² + 1``, ``f₂(u) = Au³ − 5Au² + 8Au − 4A``
      (values can overshoot the input range, as in PyTorch);
    * ``"area"``: adaptive average pooling to the output size: window ``d`` averages
      ``x[⌊d·in/out⌋ : ⌈(d + 1)·in/out⌉]`` (scale factors only set the output size).

    Args:
        input: ``(N, C, L)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        size: output spatial size (an int or a tuple); give it or ``scale_factor``.
        scale_factor: multiplier of the spatial size (a float or a tuple); the output
            size is ``⌊in·scale_factor⌋``.
        mode: ``"nearest"``, ``"nearest-exact"``, ``"area"`` (any rank), ``"linear"`` (3-D),
            ``"bilinear"`` or ``"bicubic"`` (4-D), ``"trilinear"`` (5-D).
        align_corners: linear and bicubic modes only (see above); default False.
        recompute_scale_factor: if True, the kernel uses ``in/out`` instead of ``1/scale_factor``
            (not meaningful with ``size``).
        antialias: not supported (must be False).

    Shape:
        ``(N, C, *in_spatial)`` → ``(N, C, *out_spatial)``.

    Returns:
        The resized tensor.

    Example:
        >>> x = deepglass.arange(4.0).reshape(1, 1, 2, 2)
        >>> F.interpolate(x, scale_factor=2, mode="nearest").shape
        (1, 1, 4, 4)
        >>> F.interpolate(x, size=(3, 3), mode="bicubic", align_corners=True)[0, 0, 1]
        tensor([1.0000, 1.5000, 2.0000])
        >>> F.interpolate(x, size=(1, 1), mode="area").item()
        1.5
    """
    if mode in _NEAREST_AREA:
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             f"linear | bilinear | bicubic | trilinear (use align_corners=None with mode={mode!r})")
    elif mode not in _MODE_DIMS:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported; use 'nearest', 'nearest-exact', "
                                  "'linear', 'bilinear', 'bicubic', 'trilinear' or 'area'")
    nsp = input.ndim - 2
    if nsp < 1 or nsp > 3:
        raise ValueError(f"interpolate expects 3-D, 4-D or 5-D input (N, C, *spatial), got {input.ndim}-D")
    if antialias:
        if mode in ("bilinear", "bicubic") and nsp == 2:
            raise NotImplementedError("interpolate: antialias=True is not supported; pass antialias=False")
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D "
                         f"tensor as input (got mode={mode!r} with {input.ndim}-D input)")
    if mode in _MODE_DIMS and _MODE_DIMS[mode] != nsp:
        raise NotImplementedError(f"interpolate: mode {mode!r} needs a {_MODE_DIMS[mode] + 2}-D input, "
                                  f"got {input.ndim}-D")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    if size is not None and recompute_scale_factor:
        raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size")
    in_sp = tuple(input.shape[2:])
    scales = [None] * nsp
    if size is not None:
        out_sp = tuple(size) if isinstance(size, (list, tuple)) else (size,) * nsp
        if len(out_sp) != nsp:
            raise ValueError(f"interpolate: size {size} has {len(out_sp)} entries but the input has {nsp} spatial dims")
        out_sp = tuple(int(s) for s in out_sp)
    else:
        sf = tuple(scale_factor) if isinstance(scale_factor, (list, tuple)) else (scale_factor,) * nsp
        if len(sf) != nsp:
            raise ValueError(f"interpolate: scale_factor {scale_factor} has {len(sf)} entries but the input has "
                             f"{nsp} spatial dims")
        out_sp = tuple(int(math.floor(i * float(s))) for i, s in zip(in_sp, sf))
        if not recompute_scale_factor:
            scales = [float(s) for s in sf]
    if any(o <= 0 for o in out_sp):
        raise ValueError(f"interpolate: output size {out_sp} must be positive")
    if mode == "area":
        return _area(input, out_sp)
    ac = bool(align_corners)
    out = input
    # axis by axis, last first: out = out @ Mᵀ along that axis
    for k in reversed(range(nsp)):
        if mode in _LINEAR and in_sp[k] == out_sp[k]:
            continue  # PyTorch's linear kernels copy an axis whose size is unchanged, whatever the scale
        m = _resample_matrix(in_sp[k], out_sp[k], mode, ac, scales[k], nsp)
        mt = from_array(backend.to_device(np.ascontiguousarray(m.T).astype(input.dtype), input.device))
        axis = 2 + k
        if axis == input.ndim - 1:
            out = matmul(out, mt)
        else:
            out = matmul(out.transpose(axis, -1), mt).transpose(axis, -1)
    if out is input:
        from .elementwise import clone

        out = clone(input)
    return out


__all__ = ["affine_grid", "grid_sample", "interpolate"]
