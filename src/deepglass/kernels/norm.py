"""Fast normalisation kernels (the reference tier is :mod:`deepglass.ops.norm`).

- :class:`NormalizeChunked` — layer/group/instance/RMS norm, whose statistics are per sample: the
  batch is cut into chunks run on the CPU threads (``parallel_for`` forward, ``parallel_reduce`` for
  the parameter gradients), each chunk running the reference's own formulas.
- :class:`BatchNormTrain` — training-mode batch norm on the ``(N, C, L)`` view: per-channel sums
  reduce the batch axis first (contiguous adds of C·L blocks), then L in float64 (as PyTorch's CPU
  kernel accumulates in double); backward in four in-place passes. Measured (one thread) on
  32×256×2×2: forward 0.39 → 0.1 ms, backward 0.66 → 0.15 ms against reductions over axes
  (0, 2, 3), which iterate the short spatial axis innermost.

Example:
    >>> import deepglass
    >>> from deepglass.kernels import kernel_for
    >>> kernel_for("layer_norm").__name__, kernel_for("batch_norm").__name__
    ('NormalizeChunked', 'BatchNormTrain')
"""
from __future__ import annotations

from ..autograd.function import Function
from ..ops._util import xp_of
from ..ops.norm import _normalize, _normalize_backward, _shaped
from ..parallel import parallel_for, parallel_reduce
from . import register


@register("rms_norm")
@register("instance_norm")
@register("group_norm")
@register("layer_norm")
class NormalizeChunked(Function):
    """:class:`~deepglass.ops.norm.Normalize` on batch chunks (statistics never span the batch axis here:
    where they do, a 1-D layer norm, the whole input is one chunk over a new leading axis)."""

    @staticmethod
    def forward(ctx, x, w, b, axes, bshape, eps, center=True):
        xp = xp_of(x)
        whole = 0 in axes
        xv, axes = (x[None], tuple(a + 1 for a in axes)) if whole else (x, axes)
        y = xp.empty(xv.shape, dtype=x.dtype)
        xhat = xp.empty(xv.shape, dtype=x.dtype)
        invstd = xp.empty(tuple(1 if a in axes else n for a, n in enumerate(xv.shape)), dtype=x.dtype)

        def rows(lo, hi):
            invstd[lo:hi] = _normalize(xp, xv[lo:hi], w, b, axes, bshape, eps, y[lo:hi], xhat[lo:hi], center)[2]

        parallel_for(xv.shape[0], rows, work=x.size * 4, xp=xp)
        if ctx.needs_input_grad:
            ctx.save_for_backward(xhat, invstd, w)
            ctx.axes, ctx.bshape, ctx.bias_shape, ctx.center = axes, bshape, None if b is None else b.shape, center
        return y[0] if whole else y

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        xp = xp_of(g)
        need = ctx.needs_input_grad
        gv = g.reshape(xhat.shape)
        gx = xp.empty(xhat.shape, dtype=g.dtype) if need[0] else None

        def rows(lo, hi):
            return _normalize_backward(xp, gv[lo:hi], xhat[lo:hi], invstd[lo:hi], w, ctx.axes, ctx.bshape,
                                       ctx.bias_shape is not None, need, None if gx is None else gx[lo:hi],
                                       ctx.center)[1:]

        gw, gb = parallel_reduce(xhat.shape[0], rows, work=g.size * 4, xp=xp)
        return None if gx is None else gx.reshape(g.shape), _shaped(gw, w), _shaped(gb, ctx.bias_shape)


def _channel_sum(x3):
    """Σ over axes 0 and 2 of ``(N, C, L)``: the batch axis in the input's dtype (contiguous adds), then L
    in float64: (C,) float64."""
    return x3.sum(axis=0).sum(axis=1, dtype="float64")


@register("batch_norm")
class BatchNormTrain(Function):
    """:class:`~deepglass.ops.norm.BatchNorm` on the ``(N, C, L)`` view with float64 channel sums (see the module)."""

    @staticmethod
    def forward(ctx, x, w, b, eps, running_mean, running_var, momentum):
        xp = xp_of(x)
        N, C = x.shape[:2]
        x3 = x.reshape(N, C, -1)
        n = x3.shape[0] * x3.shape[2]
        mean = _channel_sum(x3) / n  # float64 (C,)
        xhat = x3 - mean.astype(x.dtype)[:, None]
        var = _channel_sum(xhat * xhat) / n
        invstd = (1.0 / xp.sqrt(var + eps)).astype(x.dtype)
        xhat *= invstd[:, None]
        y = xhat * w[:, None] if w is not None else xhat.copy()
        if b is not None:
            y += b[:, None]
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += (momentum * mean).astype(running_mean.dtype)
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += (momentum * n / max(n - 1, 1) * var).astype(running_var.dtype)
        if ctx.needs_input_grad:
            ctx.save_for_backward(xhat, invstd, w)
            ctx.has_bias = b is not None
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        N, C, L = xhat.shape
        g3 = g.reshape(N, C, L)
        n = N * L
        gsum = _channel_sum(g3)  # Σ g
        gxsum = _channel_sum(g3 * xhat)  # Σ g·x̂
        gx = gw = gb = None
        if w is not None and need[1]:
            gw = gxsum.astype(w.dtype)
        if ctx.has_bias and need[2]:
            gb = gsum.astype(g.dtype)
        if need[0]:
            scale = invstd * w if w is not None else invstd
            gx = xhat * (-gxsum / n).astype(g.dtype)[:, None]
            gx += g3
            gx -= (gsum / n).astype(g.dtype)[:, None]
            gx *= scale[:, None]
            gx = gx.reshape(g.shape)
        return gx, gw, gb
