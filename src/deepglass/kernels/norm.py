"""Fast normalisation kernels (the reference tier is :mod:`deepglass.ops.norm`).

- :class:`NormalizeChunked` — layer/group/instance/RMS norm, whose statistics are per sample: the
  batch is cut into chunks run on the CPU threads (``parallel_for`` forward, ``parallel_reduce`` for
  the parameter gradients), each chunk running the reference's own formulas.
- :class:`BatchNormEval` — eval-mode batch norm as ``x·α + β`` on ``(N, C·L)`` rows (PyTorch's formula).
- :class:`BatchNormTrain` — training-mode batch norm on the ``(N, C, L)`` view: per-channel sums
  reduce the batch axis first (contiguous adds of C·L blocks), then L in float64 (as PyTorch's CPU
  kernel accumulates in double); backward in four in-place passes. Measured (one thread) on
  32×256×2×2: forward 0.39 → 0.1 ms, backward 0.66 → 0.15 ms against reductions over axes
  (0, 2, 3), which iterate the short spatial axis innermost. The element-wise passes run on
  ``(N, C·L)`` rows with the per-channel vectors repeated over L (2 cores, fwd / bwd on 32×256×2×2:
  160 / 153 → 83 / 96 µs; 32×128×4×4: 149 / 159 → 108 / 126 µs), and large inputs are cut into
  channel ranges on the CPU threads.

Example:
    >>> import deepglass
    >>> from deepglass.kernels import kernel_for
    >>> kernel_for("layer_norm").__name__, kernel_for("batch_norm").__name__, kernel_for("batch_norm_eval").__name__
    ('NormalizeChunked', 'BatchNormTrain', 'BatchNormEval')
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
    """:class:`~deepglass.ops.norm.BatchNorm` on the ``(N, C, L)`` view with float64 channel sums (see the module).

    Channels are independent, so large inputs are cut into channel ranges run on the CPU threads; each range
    does exactly the whole-tensor arithmetic on its channels (the same numbers with one thread or several).
    """

    @staticmethod
    def forward(ctx, x, w, b, eps, running_mean, running_var, momentum):
        xp = xp_of(x)
        N, C = x.shape[:2]
        x3 = x.reshape(N, C, -1)
        L = x3.shape[2]
        n = N * L
        mean, var = xp.empty(C, dtype="float64"), xp.empty(C, dtype="float64")
        invstd = xp.empty(C, dtype=x.dtype)
        xhat = xp.empty(x3.shape, dtype=x.dtype)
        y = xp.empty(x3.shape, dtype=xp.result_type(x, w) if w is not None else x.dtype)

        def channels(c0, c1):
            xc, xh, yc = x3[:, c0:c1], xhat[:, c0:c1], y[:, c0:c1]
            # per-channel vectors repeated over L: the element-wise passes then run on (N, c·L) rows, whose
            # long contiguous inner loop is fast also for small maps (L = 4 or 1 deep in a ResNet)
            x2, xh2, y2 = (a.reshape(N, -1) for a in (xc, xh, yc))
            m = mean[c0:c1] = _channel_sum(xc) / n
            xp.subtract(x2, xp.repeat(m.astype(x.dtype), L), out=xh2)
            v = var[c0:c1] = _channel_sum(xh * xh) / n
            inv = invstd[c0:c1] = (1.0 / xp.sqrt(v + eps)).astype(x.dtype)
            xh2 *= xp.repeat(inv, L)
            if w is not None:
                xp.multiply(xh2, xp.repeat(w[c0:c1], L), out=y2)
            else:
                y2[...] = xh2
            if b is not None:
                y2 += xp.repeat(b[c0:c1], L)

        parallel_for(C, channels, work=x3.size * 8, xp=xp)
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
        xp = xp_of(g)
        N, C, L = xhat.shape
        g3 = g.reshape(N, C, L)
        n = N * L
        gsum, gxsum = xp.empty(C, dtype="float64"), xp.empty(C, dtype="float64")
        scale = invstd * w if w is not None else invstd
        gx = xp.empty((N, C, L), dtype=xp.result_type(xhat, g, scale)) if need[0] else None

        def channels(c0, c1):
            gc, xh = g3[:, c0:c1], xhat[:, c0:c1]
            gs = gsum[c0:c1] = _channel_sum(gc)  # Σ g
            gxs = gxsum[c0:c1] = _channel_sum(gc * xh)  # Σ g·x̂
            if gx is not None:  # ∂x = (g − Σg/n − x̂·Σg·x̂/n) · γ/σ, on (N, c·L) rows as in forward
                gx2 = gx[:, c0:c1].reshape(N, -1)
                xp.multiply(xh.reshape(N, -1), xp.repeat((-gxs / n).astype(g.dtype), L), out=gx2)
                gx2 += gc.reshape(N, -1)
                gx2 -= xp.repeat((gs / n).astype(g.dtype), L)
                gx2 *= xp.repeat(scale[c0:c1], L)

        parallel_for(C, channels, work=g3.size * 7, xp=xp)
        gw = gxsum.astype(w.dtype) if w is not None and need[1] else None
        gb = gsum.astype(g.dtype) if ctx.has_bias and need[2] else None
        return (None if gx is None else gx.reshape(g.shape)), gw, gb


@register("batch_norm_eval")
class BatchNormEval(Function):
    """Eval-mode batch norm (:class:`~deepglass.ops.norm.AffineStats`) as PyTorch's CPU kernel computes it:
    ``y = x·α + β`` with ``α = γ/√(running_var + ε)`` and ``β = b − running_mean·α``, two passes on ``(N, C·L)``
    rows with α and β repeated over L (a ``(1, C, 1, 1)`` broadcast iterates the short map innermost: ResNet-18's
    20 eval batch norms at b64 took 4.4 ms that way)."""

    @staticmethod
    def forward(ctx, x, w, b, rm, rv, bshape, eps):
        xp = xp_of(x)
        N, C = x.shape[:2]
        L = x.size // (N * C)
        invstd = 1.0 / xp.sqrt(rv.astype(x.dtype) + eps)
        alpha = invstd * w if w is not None else invstd
        mean = rm.astype(x.dtype)
        beta = b - mean * alpha if b is not None else -(mean * alpha)
        y = x.reshape(N, C * L) * xp.repeat(alpha, L)
        y += xp.repeat(beta, L)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, mean, invstd, alpha)
            ctx.has_weight, ctx.has_bias = w is not None, b is not None
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, g):
        x, mean, invstd, alpha = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = xp_of(g)
        N, C = g.shape[:2]
        L = g.size // (N * C)
        g3 = g.reshape(N, C, L)
        gx = (g.reshape(N, C * L) * xp.repeat(alpha, L)).reshape(g.shape) if need[0] else None
        gw = ((g3 * (x.reshape(N, C, L) - mean[:, None])).sum(axis=(0, 2)) * invstd
              if ctx.has_weight and need[1] else None)
        gb = g3.sum(axis=(0, 2)) if ctx.has_bias and need[2] else None
        return gx, gw, gb
