"""Normalisation: batch_norm, layer_norm, group_norm.

Each standardises activations, x̂ = (x − μ)/√(σ² + ε), then applies a learned
scale and shift, y = γ·x̂ + β; what differs is the set of values μ and σ²
are taken over (batch norm: the batch and spatial positions of one channel;
layer norm: the trailing ``normalized_shape`` of one sample; group norm: one
group of channels of one sample). Forward and backward are fused in one
primitive for speed and stability (the backward is the closed form
dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂)), no chain of small ops).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import parallel_chunks
from ._util import xp_of


class Normalize(Function):
    """y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² (biased) over ``axes``; optional running-stat update.

    When the statistics are per sample (axis 0 not in ``axes``, no running stats: layer norm, group
    norm) each batch chunk runs on its own thread on the CPU (``parallel_chunks``).
    """

    @staticmethod
    def forward(ctx, x, w, b, axes, bshape, eps, running_mean=None, running_var=None, momentum=0.1):
        xp = xp_of(x)
        if running_mean is None and running_var is None and 0 not in axes and x.ndim > 1:
            y = xp.empty(x.shape, dtype=x.dtype)
            xhat = xp.empty(x.shape, dtype=x.dtype)
            invstd = xp.empty(tuple(1 if a in axes else n for a, n in enumerate(x.shape)), dtype=x.dtype)

            def chunk(n0, n1):
                invstd[n0:n1] = _normalize(xp, x[n0:n1], w, b, axes, bshape, eps, y[n0:n1], xhat[n0:n1])[2]

            parallel_chunks(chunk, x.shape[0], x.size * 4, xp)
        else:
            y, xhat, invstd, mean, var = _normalize(xp, x, w, b, axes, bshape, eps)
            n = x.size // mean.size
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += (momentum * mean.reshape(running_mean.shape)).astype(running_mean.dtype)
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += (momentum * n / max(n - 1, 1) * var.reshape(running_var.shape)).astype(running_var.dtype)
        if ctx.needs_input_grad:
            ctx.save_for_backward(xhat, invstd, w)
            ctx.geom = (axes, bshape, b.shape if b is not None else None)
        return y

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        axes, bshape, bsh = ctx.geom
        xp = xp_of(g)
        need = ctx.needs_input_grad
        if 0 in axes or g.ndim == 1:
            gx, gw, gb = _normalize_backward(xp, g, xhat, invstd, w, axes, bshape, bsh is not None, need)
        else:
            gx = xp.empty(g.shape, dtype=g.dtype) if need[0] else None

            def chunk(n0, n1):
                return _normalize_backward(xp, g[n0:n1], xhat[n0:n1], invstd[n0:n1], w, axes, bshape, bsh is not None,
                                           need, None if gx is None else gx[n0:n1])[1:]

            parts = parallel_chunks(chunk, g.shape[0], g.size * 4, xp)
            gw, gb = parts[0]
            for gwc, gbc in parts[1:]:
                gw = gw if gwc is None else gw + gwc
                gb = gb if gbc is None else gb + gbc
        return gx, (gw.reshape(w.shape) if gw is not None else None), (gb.reshape(bsh) if gb is not None else None)


def _normalize(xp, x, w, b, axes, bshape, eps, y=None, xhat=None):
    """(y, x̂, 1/σ, μ, σ²) over ``axes`` (keepdims), y = x̂·γ + β; ``y`` and ``x̂`` written into the given arrays."""
    mean = x.mean(axis=axes, keepdims=True)
    xhat = xp.subtract(x, mean, out=xhat)
    var = (xhat * xhat).mean(axis=axes, keepdims=True)
    invstd = 1.0 / xp.sqrt(var + eps)
    xhat *= invstd
    if w is not None:
        y = xp.multiply(xhat, w.reshape(bshape), out=y)
    elif y is None:
        y = xhat.copy()
    else:
        y[...] = xhat
    if b is not None:
        y += b.reshape(bshape)
    return y, xhat, invstd, mean, var


def _normalize_backward(xp, g, xhat, invstd, w, axes, bshape, has_b, need, gx=None):
    """(dx, dγ, dβ) with dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂)) (written into ``gx`` when given); dγ, dβ summed
    over the non-parameter axes."""
    gw = gb = None
    pshape = (1,) * (g.ndim - len(bshape)) + tuple(bshape)
    other = tuple(a for a in range(g.ndim) if pshape[a] == 1)
    if w is not None and need[1]:
        gw = (g * xhat).sum(axis=other)
    if has_b and need[2]:
        gb = g.sum(axis=other)
    if need[0]:
        gxh = g * w.reshape(bshape) if w is not None else g
        gx = xp.subtract(gxh, gxh.mean(axis=axes, keepdims=True), out=gx)
        gx -= xhat * (gxh * xhat).mean(axis=axes, keepdims=True)
        gx *= invstd
    return gx, gw, gb


class BatchNormTrain(Function):
    """Training-mode batch norm over ``(N, C, *)`` with batch statistics (fused for speed).

    Works on the ``(N, C, L)`` view: per-channel sums reduce the batch axis first (contiguous
    adds of C·L blocks) and then L, the second in float64 (PyTorch's CPU kernel accumulates in double); the
    output is x̂·γ + β, the backward dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂)) in four in-place
    passes. Measured (one thread) on 32×256×2×2: forward 0.39 → 0.1 ms, backward 0.66 → 0.15 ms;
    Normalize's reductions over axes (0, 2, 3) iterate the short spatial axis innermost.
    """

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
        if w is not None:
            y = xhat * w[:, None]
        else:
            y = xhat.copy()
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
            ctx.has_b = b is not None
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
        if ctx.has_b and need[2]:
            gb = gsum.astype(g.dtype)
        if need[0]:
            scale = invstd * w if w is not None else invstd
            gx = xhat * (-gxsum / n).astype(g.dtype)[:, None]
            gx += g3
            gx -= (gsum / n).astype(g.dtype)[:, None]
            gx *= scale[:, None]
            gx = gx.reshape(g.shape)
        return gx, gw, gb


def _channel_sum(x3):
    """Σ over axes 0 and 2 of ``(N, C, L)``: the batch axis in the input's dtype (contiguous adds), then L
    in float64: (C,) float64."""
    return x3.sum(axis=0).sum(axis=1, dtype="float64")


class AffineStats(Function):
    """Eval-mode batch norm: y = x·s + t with s = γ/√(running_var + ε), t = β − running_mean·s."""

    @staticmethod
    def forward(ctx, x, w, b, rm, rv, bshape, eps):
        xp = xp_of(x)
        invstd = (1.0 / xp.sqrt(rv.astype(x.dtype) + eps)).reshape(bshape)
        mean = rm.astype(x.dtype).reshape(bshape)
        scale = invstd * w.reshape(bshape) if w is not None else invstd
        y = (x - mean) * scale
        if b is not None:
            y += b.reshape(bshape)
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, mean, invstd, scale)
            ctx.geom = (w is not None, b is not None)
        return y

    @staticmethod
    def backward(ctx, g):
        x, mean, invstd, scale = ctx.saved_tensors
        has_w, has_b = ctx.geom
        need = ctx.needs_input_grad
        axes = (0,) + tuple(range(2, g.ndim))
        gx = g * scale if need[0] else None
        gw = ((g * (x - mean)).sum(axis=axes) * invstd.reshape(-1)) if has_w and need[1] else None
        gb = g.sum(axis=axes) if has_b and need[2] else None
        return gx, gw, gb


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Batch normalisation over the channel dimension 1 of ``(N, C, *)``.

    In training, μ and σ² are the batch statistics per channel (over N and all spatial positions)
    and the running statistics are updated in place:
    running = (1 − momentum)·running + momentum·batch (σ² unbiased, n/(n−1)).
    In evaluation (``training=False``) the running statistics are used instead.
    y = γ·(x − μ)/√(σ² + ε) + β — keeps each layer's input distribution steady, allowing larger learning rates.

    Args:
        input: ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)``.
        running_mean, running_var: ``(C,)`` tensors (or None: always use batch statistics).
        weight, bias: γ and β, ``(C,)`` or None.
        training: use batch statistics (and update the running ones).
        momentum: weight of the new batch in the running statistics.
        eps: added to σ² for stability.

    Shape:
        Output has the input's shape.

    Returns:
        The normalised tensor.

    Example:
        >>> x = deepglass.randn(8, 3, 4, 4)
        >>> y = batch_norm(x, deepglass.zeros(3), deepglass.ones(3), training=True)
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected at least a 2-D input (N, C, ...), got shape {tuple(input.shape)}")
    C = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"batch_norm: {name} should contain {C} elements (one per channel of input "
                               f"{tuple(input.shape)}), not {t.numel()}; check num_features")
    bshape = (1, C) + (1,) * (input.ndim - 2)
    if training or running_mean is None or running_var is None:
        n = input.numel() // C
        if training and n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {tuple(input.shape)}")
        rm = running_mean.data if training and running_mean is not None else None
        rv = running_var.data if training and running_var is not None else None
        if rm is not None:
            running_mean._version += 1
        if rv is not None:
            running_var._version += 1
        return BatchNormTrain.apply(input, weight, bias, eps, rm, rv, momentum)
    return AffineStats.apply(input, weight, bias, running_mean.data, running_var.data, bshape, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation over the trailing ``normalized_shape`` dimensions of each sample.

    y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over the last ``len(normalized_shape)`` dims —
    independent of the batch, so it behaves the same in training and evaluation (Transformers).

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: int or tuple, the trailing shape to normalise over.
        weight, bias: γ and β of shape ``normalized_shape``, or None.
        eps: added to σ².

    Shape:
        Output has the input's shape.

    Returns:
        The normalised tensor.

    Example:
        >>> layer_norm(deepglass.randn(2, 5, 8), (8,)).shape
        (2, 5, 8)
    """
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
    if tuple(input.shape[input.ndim - len(ns):]) != ns or len(ns) > input.ndim:
        raise RuntimeError(f"layer_norm: given normalized_shape={list(ns)}, expected input with shape [*, "
                           f"{', '.join(map(str, ns))}], but got input of size {list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"layer_norm: {name} of shape {tuple(t.shape)} does not match normalized_shape {ns}")
    axes = tuple(range(input.ndim - len(ns), input.ndim))
    return Normalize.apply(input, weight, bias, axes, ns, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation: channels split into ``num_groups`` groups, each standardised per sample.

    y = γ_c·(x − μ_g)/√(σ²_g + ε) + β_c, μ_g and σ²_g over a group's channels and positions —
    independent of the batch size (good for small batches); num_groups = 1 is layer norm over (C, H, W),
    num_groups = C is instance norm.

    Args:
        input: ``(N, C, *)``.
        num_groups: divides C.
        weight, bias: ``(C,)`` or None.
        eps: added to σ².

    Shape:
        Output has the input's shape.

    Returns:
        The normalised tensor.

    Example:
        >>> group_norm(deepglass.randn(2, 6, 4, 4), 3).shape
        (2, 6, 4, 4)
    """
    if input.ndim < 2:
        raise RuntimeError(f"group_norm: expected an input (N, C, *), got shape {tuple(input.shape)}")
    N, C = input.shape[:2]
    if num_groups < 1 or C % num_groups:
        raise RuntimeError(f"group_norm: expected number of channels in input ({C}) to be divisible by "
                           f"num_groups ({num_groups}); choose num_groups dividing {C}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"group_norm: {name} should have {C} elements, got {t.numel()}")
    xg = input.reshape(N, num_groups, -1)
    y = Normalize.apply(xg, None, None, (2,), (1, 1, 1), eps).reshape(input.shape)
    bshape = (C,) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y


__all__ = ["batch_norm", "layer_norm", "group_norm"]
