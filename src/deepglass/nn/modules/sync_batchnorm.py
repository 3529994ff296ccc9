"""``SyncBatchNorm``: batch normalisation whose statistics cover the global batch of all processes.

With :class:`~deepglass.nn.parallel.DistributedDataParallel` each process sees B of the N·B
samples; an ordinary BatchNorm then normalises with its own B samples' statistics. SyncBatchNorm
all-reduces per channel the sums Σx, Σx² and the count n over every process, so that

    μ = Σx / n,   σ² = Σx² / n − μ²,   y = γ·(x − μ)/√(σ² + ε) + β

are those of BatchNorm on the global batch (the sums travel in float64). Backward all-reduces
Σ dy and Σ dy·x̂ the same way:

    dx = γ/√(σ² + ε) · (dy − Σdy/n − x̂·Σ(dy·x̂)/n),   dγ = Σ_local dy·x̂,   dβ = Σ_local dy

(dγ, dβ stay local: DistributedDataParallel averages them like every other gradient). Outside
training, or when no process group is initialised (or it has one process), it is BatchNorm.
Unlike PyTorch, it runs on CPU tensors as well as GPU ones.
"""
from __future__ import annotations

import numpy as np

from ..._tensor import bump_version, from_array
from ...autograd.function import Function
from ...ops._util import xp_of
from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _all_reduce_sum(arr):
    from ... import distributed as dist

    t = from_array(arr)
    dist.all_reduce(t)
    return t._array


class SyncBatchNormFunction(Function):
    """Training-mode batch norm with statistics all-reduced over the default process group."""

    @staticmethod
    def forward(ctx, x, w, b, eps, running_mean, running_var, momentum):
        xp = xp_of(x)
        C = x.shape[1]
        axes, bshape = (0,) + tuple(range(2, x.ndim)), (1, C) + (1,) * (x.ndim - 2)
        x64 = x.astype(np.float64)
        stats = xp.concatenate([x64.sum(axis=axes), (x64 * x64).sum(axis=axes),
                                xp.asarray([x.size // C], dtype=np.float64)])
        stats = _all_reduce_sum(stats)
        n = stats[-1]
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {tuple(x.shape)} "
                             f"(and {int(n)} value(s) per channel over all processes)")
        mean = stats[:C] / n
        var = xp.maximum(stats[C:2 * C] / n - mean * mean, 0.0)
        invstd = 1.0 / xp.sqrt(var + eps)
        xhat = ((x64 - mean.reshape(bshape)) * invstd.reshape(bshape)).astype(x.dtype)
        y = xhat * w.reshape(bshape) if w is not None else xhat.copy()
        if b is not None:
            y += b.reshape(bshape)
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += (momentum * mean).astype(running_mean.dtype)
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += (momentum * var * n / (n - 1)).astype(running_var.dtype)
        if ctx.needs_input_grad:
            ctx.save_for_backward(xhat, invstd, w)
            ctx.geom = (axes, bshape, n, b is not None)
        return y

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        axes, bshape, n, has_b = ctx.geom
        xp = xp_of(g)
        C = g.shape[1]
        g64, xhat64 = g.astype(np.float64), xhat.astype(np.float64)
        local_dy, local_dy_xhat = g64.sum(axis=axes), (g64 * xhat64).sum(axis=axes)
        sums = _all_reduce_sum(xp.concatenate([local_dy, local_dy_xhat]))
        scale = invstd * (w.astype(np.float64) if w is not None else 1.0)
        gx = (scale.reshape(bshape) * (g64 - (sums[:C] / n).reshape(bshape)
                                       - xhat64 * (sums[C:] / n).reshape(bshape))).astype(g.dtype)
        gw = local_dy_xhat.astype(g.dtype) if w is not None else None
        gb = local_dy.astype(g.dtype) if has_b else None
        return gx, gw, gb, None, None, None  # eps, running_mean, running_var: no gradient


class SyncBatchNorm(_BatchNorm):
    """Batch norm over the global batch of all processes (PyTorch's ``torch.nn.SyncBatchNorm``).

    Args:
        num_features: C of an ``(N, C, *)`` input.
        eps, momentum, affine, track_running_stats: as :class:`BatchNorm2d`.
        process_group: None (the default group).

    Shape:
        Input ``(N, C, *)``; output the same.

    Example:
        >>> bn = nn.SyncBatchNorm(3)            # one process: the same as BatchNorm
        >>> y = bn(dg.randn(4, 3, 2, 2))
        >>> round(float(y.mean()), 6) == 0.0, y.shape
        (True, (4, 3, 2, 2))
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, process_group=None,
                 device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def _synchronise(self) -> bool:
        from ... import distributed as dist

        return self.training and dist.is_initialized() and dist.get_world_size() > 1

    def forward(self, input):
        if not self._synchronise():
            return super().forward(input)
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            raise RuntimeError(f"SyncBatchNorm: expected input with {self.num_features} channels (dim 1), "
                               f"got {input.shape[1]} (input shape {tuple(input.shape)}); check num_features")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._array[...] += 1
            bump_version(self.num_batches_tracked)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._array)
        rm = self.running_mean if self.track_running_stats else None
        rv = self.running_var if self.track_running_stats else None
        y = SyncBatchNormFunction.apply(input, self.weight, self.bias, self.eps, rm, rv, factor)
        for t in (rm, rv):
            if t is not None:
                bump_version(t)
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Replace every BatchNorm*D in ``module`` by a SyncBatchNorm sharing its parameters and buffers.

        Example:
            >>> m = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
            >>> type(nn.SyncBatchNorm.convert_sync_batchnorm(m)[1]).__name__
            'SyncBatchNorm'
        """
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                module.track_running_stats, process_group)
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
