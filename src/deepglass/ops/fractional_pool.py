"""Fractional max pooling (Graham, 2014): ``fractional_max_pool2d`` / ``fractional_max_pool3d``.

The output size need not divide the input size: each (n, c) plane draws a number
u ∈ [0, 1) per spatial axis (``_random_samples``, shape (N, C, dims), from the
seeded generator unless given) and its windows start at (PyTorch's intervals)

    start_i = ⌊(i + u)·α⌋ − ⌊u·α⌋  (i < out − 1),   start_{out−1} = in − k,   α = (in − k)/(out − 1)

computed in the input's dtype. Each output is the maximum of the ``k``-sized window
at its start (the first maximum in row-major window order), and the indices are
flat positions within the input plane, as ``max_pool`` returns; the gradient flows to
that position. As in PyTorch's kernels, ``_random_samples[..., 0]`` drives W and ``[..., 1]`` H
in 2-D, while in 3-D columns 0, 1, 2 drive T, H, W.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from .._tensor import from_array
from ..autograd.function import Function
from ..random import numpy_generator
from ._util import xp_of


def _starts(xp, u, n_in, n_out, k, dtype):
    """(planes, n_out) window starts for the samples u (planes,)."""
    i = xp.arange(max(n_out - 1, 0), dtype=dtype)[None, :]
    if n_out > 1:
        alpha = dtype.type(n_in - k) / dtype.type(n_out - 1)
        seq = ((i + u[:, None]) * alpha).astype(np.int64) - (u[:, None] * alpha).astype(np.int64)
    else:
        seq = xp.zeros((u.shape[0], 0), np.int64)
    last = xp.full((u.shape[0], 1), n_in - k, np.int64)
    return xp.concatenate([seq, last], axis=1)[:, :n_out]


class FractionalMaxPool(Function):
    @staticmethod
    def forward(ctx, x, samples, kernel, out_size):
        xp = xp_of(x)
        nd = len(kernel)
        lead, spatial = x.shape[:-nd], x.shape[-nd:]
        planes = int(np.prod(lead, dtype=np.int64))
        if planes == 0:                                  # an empty batch
            idx = xp.zeros(lead + tuple(out_size), np.int64)
            ctx.mark_non_differentiable(idx)
            ctx.geom = (idx.reshape((0,) + tuple(out_size)), 0, x.shape)
            return xp.zeros(lead + tuple(out_size), x.dtype), idx
        xf = x.reshape((planes,) + spatial)
        u = samples.reshape(planes, nd)
        # per axis a (planes, out, k) array of input positions; PyTorch's kernels read the samples as
        # (W, H) in 2-D but (T, H, W) in 3-D
        cols = [1, 0] if nd == 2 else [0, 1, 2]
        pos = [(_starts(xp, u[:, cols[a]], spatial[a], out_size[a], kernel[a], x.dtype)[:, :, None]
                + xp.arange(kernel[a])[None, None, :]) for a in range(nd)]
        strides = [int(np.prod(spatial[a + 1:], dtype=np.int64)) for a in range(nd)]
        # flat positions of every (out..., k...) element: shape (planes, o1, .., ond, k1, .., knd)
        flat = xp.zeros((planes,) + tuple(out_size) + tuple(kernel), np.int64)
        for a in range(nd):
            shape = [planes] + [1] * (2 * nd)
            shape[1 + a], shape[1 + nd + a] = out_size[a], kernel[a]
            flat = flat + (pos[a] * strides[a]).reshape(shape)
        flat = flat.reshape((planes,) + tuple(out_size) + (int(np.prod(kernel)),))
        vals = xp.take_along_axis(xf.reshape(planes, -1), flat.reshape(planes, -1), axis=1).reshape(flat.shape)
        arg = vals.argmax(axis=-1)[..., None]
        out = xp.take_along_axis(vals, arg, axis=-1)[..., 0]
        idx = xp.take_along_axis(flat, arg, axis=-1)[..., 0]
        ctx.geom = (idx, planes, x.shape)
        idx_out = idx.reshape(lead + tuple(out_size))
        ctx.mark_non_differentiable(idx_out)
        return out.reshape(lead + tuple(out_size)), idx_out

    @staticmethod
    def backward(ctx, g, g_idx):
        idx, planes, shape = ctx.geom
        xp = xp_of(g)
        gx = xp.zeros((planes, int(np.prod(shape[-idx.ndim + 1:], dtype=np.int64))), g.dtype)
        if planes == 0:
            return gx.reshape(shape), None
        rows = xp.broadcast_to(xp.arange(planes).reshape((planes,) + (1,) * (idx.ndim - 1)), idx.shape)
        if hasattr(xp.add, "at"):
            xp.add.at(gx, (rows.reshape(-1), idx.reshape(-1)), g.reshape(-1))
        else:
            import cupyx

            cupyx.scatter_add(gx, (rows.reshape(-1), idx.reshape(-1)), g.reshape(-1))
        return gx.reshape(shape), None


def _tuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _fractional(nd, name, input, kernel_size, output_size, output_ratio, return_indices, _random_samples):
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point input, got {input.dtype}")
    kernel = tuple(int(k) for k in _tuple(kernel_size, nd))
    spatial = tuple(input.shape[-nd:])
    if output_size is None:
        ratio = _tuple(output_ratio, nd)
        if len(ratio) != nd:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        output_size = tuple(int(s * r) for s, r in zip(spatial, ratio))
    out = tuple(int(o) for o in _tuple(output_size, nd))
    axes = ("height", "width") if nd == 2 else ("time", "height", "width")
    for a in range(nd):
        if out[a] + kernel[a] - 1 > spatial[a]:
            raise RuntimeError(f"{name}(): pool {axes[a]} {kernel[a]} too large relative to input {axes[a]} "
                               f"{spatial[a]}")
    n_batch = 1 if input.ndim == nd + 1 else input.shape[0]
    channels = input.shape[-nd - 1]
    if _random_samples is None:
        u = numpy_generator(None).random((n_batch, channels, nd)).astype(input.dtype)
        _random_samples = from_array(backend.to_device(u, input.device))
    elif tuple(_random_samples.shape) != (n_batch, channels, nd):
        raise RuntimeError(f"{name}: _random_samples must have shape ({n_batch}, {channels}, {nd}), got "
                           f"{tuple(_random_samples.shape)}")
    samples = _random_samples.detach()._array.astype(input.dtype, copy=False)
    y, idx = FractionalMaxPool.apply(input, samples, kernel, out)
    return (y, idx) if return_indices else y


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """2-D fractional max pooling over (N, C, H, W) or (C, H, W) (see the module docstring).

    Example:
        >>> import deepglass as dg
        >>> F.fractional_max_pool2d(dg.randn(1, 2, 7, 7), 2, output_size=(4, 3)).shape
        (1, 2, 4, 3)
    """
    return _fractional(2, "fractional_max_pool2d", input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """3-D fractional max pooling over (N, C, T, H, W) or (C, T, H, W) (see the module docstring).

    Example:
        >>> import deepglass as dg
        >>> F.fractional_max_pool3d(dg.randn(1, 2, 5, 6, 7), 2, output_ratio=0.5).shape
        (1, 2, 2, 3, 3)
    """
    return _fractional(3, "fractional_max_pool3d", input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool2d`` returning ``(output, indices)``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """``fractional_max_pool3d`` returning ``(output, indices)``."""
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True, _random_samples)


__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]
