"""Resampling: ``affine_grid`` / ``grid_sample`` (the spatial transformer's sampler) and ``interpolate``.

A spatial transformer (Jaderberg et al. 2015) maps every output pixel to a
source location with an affine transform θ and reads the input there:

    (x_s, y_s)ᵀ = θ · (x_t, y_t, 1)ᵀ          (affine_grid, normalised coords in [-1, 1])
    out[n, c, i, j] = Σ_{h,w} in[n, c, h, w] · max(0, 1 − |y_s − h|) · max(0, 1 − |x_s − w|)

(bilinear sampling), which is differentiable both in the image and in the
sampling coordinates, so θ can be learned. ``interpolate`` resizes with the
same kinds of kernels on a regular grid.
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend
from ..autograd.function import Function
from ..tensor import Tensor
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
    base_t = Tensor._wrap(backend.to_device(base.astype(theta.dtype), theta.device))
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


def _source_index(xp, coord, size, padding_mode, align_corners):
    """Pixel coordinate of a normalised one, and d(pixel)/d(normalised) (PyTorch's rules)."""
    if align_corners:
        mult = (size - 1) / 2
        x = (coord + 1) * mult
    else:
        mult = size / 2
        x = ((coord + 1) * size - 1) / 2
    gm = xp.full(coord.shape, mult, dtype=coord.dtype)
    if padding_mode == "border":
        x, gc = _clip(xp, x, size)
        gm = gm * gc
    elif padding_mode == "reflection":
        x, gr = _reflect(xp, x, 0, 2 * (size - 1)) if align_corners else _reflect(xp, x, -1, 2 * size - 1)
        x, gc = _clip(xp, x, size)
        gm = gm * gr * gc
    return x, gm


class GridSample2d(Function):
    """Bilinear / nearest sampling of ``(N, C, H, W)`` at ``(N, Ho, Wo, 2)`` grid points.

    A primitive (not composed) so the gather and its adjoint scatter are one
    pass each: forward gathers the four neighbours, backward scatters the
    gradient to them with one ``bincount`` and differentiates the bilinear
    weights for the grid.
    """

    @staticmethod
    def forward(ctx, x, grid, mode, padding_mode, align_corners):
        xp = xp_of(x)
        n, c, h, w = x.shape
        _, ho, wo, _ = grid.shape
        p = ho * wo
        gx = grid[..., 0].reshape(n, p)
        gy = grid[..., 1].reshape(n, p)
        ix, mx = _source_index(xp, gx, w, padding_mode, align_corners)
        iy, my = _source_index(xp, gy, h, padding_mode, align_corners)
        flat = x.reshape(n, c, h * w)
        bn = xp.arange(n)[:, None, None]
        bc = xp.arange(c)[None, :, None]
        if mode == "nearest":
            xr, yr = xp.rint(ix), xp.rint(iy)
            corners = [(xr, yr, xp.ones_like(ix))]
        else:
            x0, y0 = xp.floor(ix), xp.floor(iy)
            wx1, wy1 = ix - x0, iy - y0
            wx0, wy0 = 1 - wx1, 1 - wy1
            corners = [(x0, y0, wx0 * wy0), (x0 + 1, y0, wx1 * wy0), (x0, y0 + 1, wx0 * wy1), (x0 + 1, y0 + 1, wx1 * wy1)]
        out = xp.zeros((n, c, p), dtype=x.dtype)
        idxs, wts, vals = [], [], []
        for cx, cy, wt in corners:
            valid = (cx >= 0) & (cx <= w - 1) & (cy >= 0) & (cy <= h - 1)
            idx = xp.where(valid, cy * w + cx, 0).astype(xp.int64)
            wt = wt * valid
            v = flat[bn, bc, idx[:, None, :]] * valid[:, None, :]   # (n, c, p), zero outside
            out += v * wt[:, None, :]
            idxs.append(idx)
            wts.append(wt)
            vals.append(v)
        ctx.shape = x.shape
        ctx.mode = mode
        ctx.grid_shape = grid.shape
        ctx.idxs, ctx.wts = idxs, wts
        if mode == "bilinear" and ctx.needs_input_grad and ctx.needs_input_grad[1]:
            ctx.vals, ctx.w = vals, (wx0, wx1, wy0, wy1, mx, my)
        return out.reshape(n, c, ho, wo)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        n, c, h, w = ctx.shape
        p = g.shape[2] * g.shape[3]
        g = g.reshape(n, c, p)
        need = ctx.needs_input_grad
        gin = ggrid = None
        if need[0]:
            base = (xp.arange(n)[:, None, None] * c + xp.arange(c)[None, :, None]) * (h * w)
            flat_idx = xp.concatenate([(base + idx[:, None, :]).ravel() for idx in ctx.idxs])
            flat_w = xp.concatenate([(g * wt[:, None, :]).ravel() for wt in ctx.wts])
            gin = xp.bincount(flat_idx, weights=flat_w, minlength=n * c * h * w).astype(g.dtype).reshape(n, c, h, w)
        if need[1]:
            if ctx.mode == "nearest":
                ggrid = xp.zeros(ctx.grid_shape, dtype=g.dtype)
            else:
                v_nw, v_ne, v_sw, v_se = ctx.vals
                wx0, wx1, wy0, wy1, mx, my = ctx.w
                dx = ((v_ne - v_nw) * wy0[:, None, :] + (v_se - v_sw) * wy1[:, None, :])
                dy = ((v_sw - v_nw) * wx0[:, None, :] + (v_se - v_ne) * wx1[:, None, :])
                gxs = (g * dx).sum(axis=1) * mx
                gys = (g * dy).sum(axis=1) * my
                ggrid = xp.stack([gxs, gys], axis=-1).reshape(ctx.grid_shape)
        return gin, ggrid, None, None, None


def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros", align_corners=None):
    """Sample ``input`` at the normalised locations in ``grid`` (the spatial transformer's sampler).

    ``grid[n, i, j] = (x, y)`` in ``[-1, 1]`` (``x`` along the width) selects a
    source point; bilinear mode returns
    ``Σ in[n, :, h, w] · max(0, 1 − |y_pix − h|) · max(0, 1 − |x_pix − w|)``,
    nearest mode the value at the rounded location.

    Args:
        input: images ``(N, C, H_in, W_in)``.
        grid: sampling points ``(N, H_out, W_out, 2)``, same dtype as ``input``.
        mode: ``"bilinear"`` or ``"nearest"`` (nearest has a zero gradient w.r.t. ``grid``).
        padding_mode: values outside the image: ``"zeros"``, ``"border"`` (clamp to
            the edge) or ``"reflection"`` (mirror at the border).
        align_corners: if True, ``±1`` are the centres of the corner pixels; if
            False (the default), their outer edges (pass the same value to
            :func:`affine_grid`).

    Shape:
        input ``(N, C, H_in, W_in)``, grid ``(N, H_out, W_out, 2)`` → ``(N, C, H_out, W_out)``.

    Returns:
        The sampled tensor; gradients flow to ``input`` and ``grid``.

    Example:
        >>> x = deepglass.randn(1, 3, 8, 8)
        >>> theta = deepglass.tensor([[[1.0, 0, 0], [0, 1, 0]]])
        >>> grid = F.affine_grid(theta, x.shape, align_corners=False)
        >>> F.grid_sample(x, grid, align_corners=False).allclose(x)   # identity θ
        True
    """
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"grid_sample: mode {mode!r} is not supported; use 'bilinear' or 'nearest'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"grid_sample: padding_mode must be 'zeros', 'border' or 'reflection', got {padding_mode!r}")
    if input.ndim != 4:
        raise NotImplementedError(f"grid_sample supports 4-D input (N, C, H, W); got {input.ndim}-D input")
    if grid.ndim != 4 or grid.shape[-1] != 2:
        raise ValueError(f"grid_sample: grid must have shape (N, H_out, W_out, 2), got {tuple(grid.shape)}")
    if grid.shape[0] != input.shape[0]:
        raise ValueError(f"grid_sample: input batch {input.shape[0]} and grid batch {grid.shape[0]} differ")
    if input.dtype != grid.dtype:
        raise ValueError(f"grid_sample: input dtype {input.dtype} and grid dtype {grid.dtype} differ; cast one of them")
    return GridSample2d.apply(input, grid, mode, padding_mode, bool(align_corners))


# ---------------------------------------------------------------- interpolate

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}


def _resample_matrix(n_in, n_out, mode, align_corners, scale):
    """(n_out, n_in) matrix whose rows hold one output sample's weights on the inputs."""
    m = np.zeros((n_out, n_in))
    dst = np.arange(n_out)
    if mode == "nearest":
        # PyTorch's nearest_idx: identity and exact doubling are special-cased; otherwise
        # floor(dst * scale) computed in float32
        if n_out == n_in:
            src = dst
        elif n_out == 2 * n_in:
            src = dst >> 1
        else:
            s = np.float32(n_in / n_out if scale is None else 1.0 / scale)
            src = np.minimum(np.floor(dst.astype(np.float32) * s).astype(np.int64), n_in - 1)
        m[dst, src] = 1.0
        return m
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        s = n_in / n_out if scale is None else 1.0 / scale
        src = np.maximum((dst + 0.5) * s - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    np.add.at(m, (dst, i0), 1 - lam)
    np.add.at(m, (dst, i1), lam)
    return m


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False):
    """Resize ``(N, C, *spatial)`` by nearest-neighbour or (bi/tri)linear interpolation.

    For each spatial axis an output index ``d`` reads the source coordinate
    ``s = (d + ½)·scale − ½`` (``align_corners=False``) or ``s = d·(in − 1)/(out − 1)``
    (``align_corners=True``); linear modes blend the two neighbours
    ``(1 − λ)·x[⌊s⌋] + λ·x[⌊s⌋ + 1]`` with ``λ = s − ⌊s⌋``; ``"nearest"`` reads
    ``x[⌊d·scale⌋]`` (PyTorch's legacy nearest). Each axis is one small matrix
    product, so the gradient is the transposed resampling.

    Args:
        input: ``(N, C, L)``, ``(N, C, H, W)`` or ``(N, C, D, H, W)``.
        size: output spatial size (an int or a tuple); give it or ``scale_factor``.
        scale_factor: multiplier of the spatial size (a float or a tuple).
        mode: ``"nearest"``, ``"linear"`` (3-D), ``"bilinear"`` (4-D) or ``"trilinear"`` (5-D).
        align_corners: linear modes only (see above); default False.
        recompute_scale_factor: if True, the kernel uses ``in/out`` instead of ``1/scale_factor``.
        antialias: not supported (must be False).

    Shape:
        ``(N, C, *in_spatial)`` → ``(N, C, *out_spatial)``.

    Returns:
        The resized tensor.

    Example:
        >>> x = deepglass.arange(4.0).reshape(1, 1, 2, 2)
        >>> F.interpolate(x, scale_factor=2, mode="nearest").shape
        (1, 1, 4, 4)
    """
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported; pass antialias=False")
    nsp = input.ndim - 2
    if nsp < 1 or nsp > 3:
        raise ValueError(f"interpolate expects 3-D, 4-D or 5-D input (N, C, *spatial), got {input.ndim}-D")
    if mode in _LINEAR:
        if _LINEAR[mode] != nsp:
            raise NotImplementedError(f"interpolate: mode {mode!r} needs a {_LINEAR[mode] + 2}-D input, got {input.ndim}-D")
    elif mode == "nearest":
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | trilinear (use align_corners=None with mode='nearest')")
    else:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported; use 'nearest', 'linear', "
                                  "'bilinear' or 'trilinear'")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
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
    ac = bool(align_corners)
    out = input
    # axis by axis, last first: out = out @ Mᵀ along that axis
    for k in reversed(range(nsp)):
        if in_sp[k] == out_sp[k]:  # PyTorch copies an axis whose size is unchanged, whatever the scale
            continue
        m = _resample_matrix(in_sp[k], out_sp[k], mode, ac, scales[k])
        mt = Tensor._wrap(backend.to_device(np.ascontiguousarray(m.T).astype(input.dtype), input.device))
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
