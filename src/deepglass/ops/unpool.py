"""Max unpooling: the partial inverse of max pooling (``max_unpool1d/2d/3d``).

``max_poolNd(x, ..., return_indices=True)`` gives each window's maximum and its
flat index within its (H·W…) plane. Unpooling writes each value back at that
index of a zero output plane::

    out[n, c].flat[indices[n, c, ...]] = input[n, c, ...]        (all other entries 0)

so its gradient reads the upstream gradient at the same indices:
``grad_input[n, c, ...] = grad_out[n, c].flat[indices[n, c, ...]]``.
The output's spatial size is ``(in − 1)·stride − 2·padding + kernel_size`` unless
``output_size`` (spatial, or with the leading N, C) picks one within ``stride``
of it, as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import xp_of


class MaxUnpool(Function):
    @staticmethod
    def forward(ctx, x, indices, out_spatial):
        xp = xp_of(x)
        planes = int(np.prod(x.shape[:-len(out_spatial)], dtype=np.int64))
        size = int(np.prod(out_spatial, dtype=np.int64))
        flat_idx = indices.reshape(planes, -1)
        rows = xp.arange(planes)[:, None]
        out = xp.zeros((planes, size), x.dtype)
        out[rows, flat_idx] = x.reshape(planes, -1)
        ctx.rows, ctx.flat_idx, ctx.in_shape = rows, flat_idx, x.shape
        return out.reshape(x.shape[:-len(out_spatial)] + tuple(out_spatial))

    @staticmethod
    def backward(ctx, g):
        planes = ctx.rows.shape[0]
        return g.reshape(planes, -1)[ctx.rows, ctx.flat_idx].reshape(ctx.in_shape), None


def _tuple(v, n):
    return tuple(int(a) for a in v) if isinstance(v, (tuple, list)) else (int(v),) * n


def _output_size(input, kernel_size, stride, padding, output_size):
    n = len(kernel_size)
    default = [(input.shape[-n + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(n)]
    if output_size is None:
        ret = default
    else:
        output_size = [int(s) for s in output_size]
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a "
                             f"length of '{len(output_size)}'")
        for d in range(n):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {d} must be between {lo} and {hi})')
        ret = output_size
    for d in range(n):
        if ret[d] < 0:
            raise ValueError(f"max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={ret[d]}")
    return tuple(ret)


def _max_unpool(n, input, indices, kernel_size, stride, padding, output_size):
    if not isinstance(indices, Tensor) or indices.dtype != np.int64:
        got = "not a Tensor" if not isinstance(indices, Tensor) else str(indices.dtype)
        raise RuntimeError(f"elements in indices should be type int64 but got: {got} (pass the indices that "
                           f"max_pool{n}d(..., return_indices=True) returns)")
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f"Input to max_unpooling{n}d should be a {n + 1}d or {n + 2}d Tensor, but got a tensor "
                           f"with {input.ndim} dimensions.")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    k = _tuple(kernel_size, n)
    s = k if stride is None else _tuple(stride, n)
    p = _tuple(padding, n)
    out_spatial = _output_size(input, k, s, p, output_size)
    size = int(np.prod(out_spatial, dtype=np.int64))
    if indices.numel():
        idx = indices._array
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= size:
            bad = hi if hi >= size else lo
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{'x'.join(map(str, out_spatial))})")
    return MaxUnpool.apply(input, indices, out_spatial)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool1d``: each value back at its index, zeros elsewhere.

    Example:
        >>> import deepglass as dg
        >>> x = dg.tensor([[[1., 5., 2., 3.]]])
        >>> y, i = F.max_pool1d(x, 2, return_indices=True)
        >>> F.max_unpool1d(y, i, 2).tolist()
        [[[0.0, 5.0, 0.0, 3.0]]]
    """
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool2d`` over (N, C, H, W) or (C, H, W).

    Example:
        >>> import deepglass as dg
        >>> x = dg.arange(16.).reshape(1, 1, 4, 4)
        >>> y, i = F.max_pool2d(x, 2, return_indices=True)
        >>> F.max_unpool2d(y, i, 2, output_size=(5, 5)).shape
        (1, 1, 5, 5)
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool3d`` over (N, C, D, H, W) or (C, D, H, W).

    Example:
        >>> import deepglass as dg
        >>> y, i = F.max_pool3d(dg.randn(1, 2, 4, 4, 4), 2, return_indices=True)
        >>> F.max_unpool3d(y, i, 2).shape
        (1, 2, 4, 4, 4)
    """
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d"]
