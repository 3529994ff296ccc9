"""Normalisation: batch_norm, layer_norm, group_norm, instance_norm, rms_norm (no centring: σ² is the mean
square), local_response_norm (across a window of channels).

Each standardises activations, x̂ = (x − μ)/√(σ² + ε), then applies a learned
scale and shift, y = γ·x̂ + β; what differs is the set of values μ and σ²
are taken over (batch norm: the batch and spatial positions of one channel;
layer norm: the trailing ``normalized_shape`` of one sample; group norm: one
group of channels of one sample). Forward and backward are fused in one
primitive for speed and stability (the backward is the closed form
dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂)), no chain of small ops).

These are the reference tier (:class:`Normalize`, :class:`BatchNorm`, :class:`AffineStats`); the
functions pick a fast kernel of ``kernels/norm.py`` through ``kernels.choose`` when one is registered.
"""
from __future__ import annotations

import math

from .._tensor import bump_version
from ..autograd.function import Function
from ..kernels import choose
from ._util import xp_of


class Normalize(Function):
    """y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε), μ and σ² (biased) over ``axes`` (``center=False``: μ = 0, RMS norm).

    Backward, the closed form with ĝ = γ·g and means over ``axes``:
    dx = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))/√(σ² + ε), dγ = Σ g·x̂, dβ = Σ g (sums over the axes γ does not span).
    The fast tier (``kernels/norm.py``) runs the same on batch chunks on threads.

    Example:
        >>> x = deepglass.tensor([[1.0, 2.0, 3.0]])
        >>> [round(v, 4) for v in Normalize.apply(x, None, None, (1,), (3,), 0.0)[0].tolist()]  # axes, bshape, eps
        [-1.2247, 0.0, 1.2247]
    """

    @staticmethod
    def forward(ctx, x, w, b, axes, bshape, eps, center=True):
        y, xhat, invstd, _, _ = _normalize(xp_of(x), x, w, b, axes, bshape, eps, center=center)
        if ctx.needs_input_grad:
            ctx.save_for_backward(xhat, invstd, w)
            ctx.axes, ctx.bshape, ctx.bias_shape, ctx.center = axes, bshape, None if b is None else b.shape, center
        return y

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        gx, gw, gb = _normalize_backward(xp_of(g), g, xhat, invstd, w, ctx.axes, ctx.bshape, ctx.bias_shape is not None,
                                         ctx.needs_input_grad, center=ctx.center)
        return gx, _shaped(gw, w), _shaped(gb, ctx.bias_shape)


def _shaped(grad, like):
    """``grad`` reshaped to a parameter's shape (``like``: the parameter or its shape), or None."""
    if grad is None:
        return None
    return grad.reshape(like if isinstance(like, tuple) else like.shape)


def _normalize(xp, x, w, b, axes, bshape, eps, y=None, xhat=None, center=True):
    """(y, x̂, 1/σ, μ, σ²) over ``axes`` (keepdims), y = x̂·γ + β; ``y`` and ``x̂`` written into the given arrays.

    ``center=False`` (RMS norm): no mean is subtracted, σ² is the mean square (μ returned as None)."""
    if center:
        mean = x.mean(axis=axes, keepdims=True)
        xhat = xp.subtract(x, mean, out=xhat)
    else:
        mean = None
        if xhat is None:
            xhat = x.copy()
        else:
            xhat[...] = x
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


def _normalize_backward(xp, g, xhat, invstd, w, axes, bshape, has_b, need, gx=None, center=True):
    """(dx, dγ, dβ) with dx = γ/σ · (g − mean(g) − x̂·mean(g·x̂)) (written into ``gx`` when given; without the
    mean(g) term when not ``center``); dγ, dβ summed over the non-parameter axes."""
    gw = gb = None
    pshape = (1,) * (g.ndim - len(bshape)) + tuple(bshape)
    other = tuple(a for a in range(g.ndim) if pshape[a] == 1)
    if w is not None and need[1]:
        gw = (g * xhat).sum(axis=other)
    if has_b and need[2]:
        gb = g.sum(axis=other)
    if need[0]:
        gxh = g * w.reshape(bshape) if w is not None else g
        if center:
            gx = xp.subtract(gxh, gxh.mean(axis=axes, keepdims=True), out=gx)
        elif gx is None:
            gx = gxh.copy() if gxh is g else gxh
        else:
            gx[...] = gxh
        gx -= xhat * (gxh * xhat).mean(axis=axes, keepdims=True)
        gx *= invstd
    return gx, gw, gb


class BatchNorm(Function):
    """Training-mode batch norm on ``(N, C, *)``: :class:`Normalize` over the batch and positions of each channel,
    plus the running statistics, running ← (1 − m)·running + m·batch (σ² unbiased: ×n/(n − 1), n values per channel).

    Example:
        >>> BatchNorm.apply(deepglass.tensor([[1.0], [3.0]]), None, None, 0.0, None, None, 0.1).tolist()
        [[-1.0], [1.0]]
    """

    @staticmethod
    def forward(ctx, x, w, b, eps, running_mean, running_var, momentum):
        axes, bshape = (0,) + tuple(range(2, x.ndim)), (1, x.shape[1]) + (1,) * (x.ndim - 2)
        y, xhat, invstd, mean, var = _normalize(xp_of(x), x, w, b, axes, bshape, eps)
        n = x.size // var.size
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += (momentum * mean.reshape(running_mean.shape)).astype(running_mean.dtype)
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += (momentum * n / max(n - 1, 1) * var.reshape(running_var.shape)).astype(running_var.dtype)
        if ctx.needs_input_grad:
            ctx.save_for_backward(xhat, invstd, w)
            ctx.axes, ctx.bshape, ctx.has_bias = axes, bshape, b is not None
        return y

    @staticmethod
    def backward(ctx, g):
        xhat, invstd, w = ctx.saved_tensors
        gx, gw, gb = _normalize_backward(xp_of(g), g, xhat, invstd, w, ctx.axes, ctx.bshape, ctx.has_bias,
                                         ctx.needs_input_grad)
        return gx, gw, gb


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
    if input.numel() == 0:   # PyTorch returns a copy of an empty input (still in the graph), whatever its shape
        from .elementwise import clone

        return clone(input)
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
        rm = running_mean._array if training and running_mean is not None else None
        rv = running_var._array if training and running_var is not None else None
        if rm is not None:
            bump_version(running_mean)
        if rv is not None:
            bump_version(running_var)
        return choose("batch_norm", BatchNorm).apply(input, weight, bias, eps, rm, rv, momentum)
    return choose("batch_norm_eval", AffineStats).apply(input, weight, bias, running_mean._array, running_var._array,
                                                        bshape, eps)


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
    return choose("layer_norm", Normalize).apply(input, weight, bias, axes, ns, eps)


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
    group_size = C // num_groups * math.prod(input.shape[2:])   # explicit: N may be 0
    xg = input.reshape(N, num_groups, group_size)
    y = choose("group_norm", Normalize).apply(xg, None, None, (2,), (1, 1, 1), eps).reshape(input.shape)
    bshape = (C,) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(bshape)
    if bias is not None:
        y = y + bias.reshape(bshape)
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Instance normalisation: each channel of each sample standardised over its spatial positions.

    y = γ_c·(x − μ_{n,c})/√(σ²_{n,c} + ε) + β_c with μ, σ² over the positions ``*`` of ``(N, C, *)`` —
    style-independent features (style transfer, GANs). With ``use_input_stats`` the per-instance statistics
    are used and, when given, the running statistics are updated in place with their average over the batch:
    running = (1 − momentum)·running + momentum·mean_n(stat_{n,c}) (σ² unbiased). Without it, the running
    statistics normalise (evaluation of a tracking layer).

    Args:
        input: ``(N, C, *)``.
        running_mean, running_var: ``(C,)`` tensors, both or neither.
        weight, bias: γ and β, ``(C,)`` or None.
        use_input_stats: normalise with the instance statistics (else the running ones).
        momentum: weight of the new batch in the running statistics.
        eps: added to σ².

    Shape:
        Output has the input's shape.

    Returns:
        The normalised tensor.

    Example:
        >>> instance_norm(deepglass.randn(2, 3, 8, 8)).shape
        (2, 3, 8, 8)
    """
    shape = tuple(input.shape)
    if use_input_stats:
        spatial = 1
        for n in shape[2:]:
            spatial *= n
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size torch.Size({list(shape)})")
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if not use_input_stats and running_mean is None:
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    if input.ndim < 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    N, C = shape[:2]
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        if t is not None and t.numel() != C:
            raise RuntimeError(f"{name} should contain {N * C} elements not {t.numel() * N}")
    if not use_input_stats:
        return AffineStats.apply(input, weight, bias, running_mean._array, running_var._array,
                                 (1, C) + (1,) * (input.ndim - 2), eps)
    x3 = input.reshape(N, C, -1)
    if running_mean is not None and N * C:
        d, L = x3._array, x3.shape[2]
        mean = d.mean(axis=2, dtype="float64")
        var = ((d - mean[..., None].astype(d.dtype)) ** 2).sum(axis=2, dtype="float64") / max(L - 1, 1)
        for buf, stat in ((running_mean, mean), (running_var, var)):
            buf._array *= 1 - momentum
            buf._array += (momentum * stat.mean(axis=0)).astype(buf.dtype)
            bump_version(buf)
    return choose("instance_norm", Normalize).apply(x3, weight, bias, (2,), (C, 1), eps).reshape(shape)


def _shape_list(ns):
    return "[" + ", ".join(map(str, ns)) + "]"


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square layer normalisation over the trailing ``normalized_shape`` dimensions.

    y = γ·x/√(mean(x²) + ε), the mean over the last ``len(normalized_shape)`` dims: layer norm without
    centring or bias (LLaMA-style Transformers); cheaper, and as good in practice.

    Args:
        input: ``(*, *normalized_shape)``, floating point.
        normalized_shape: tuple or list of ints (as PyTorch, a bare int is a TypeError).
        weight: γ of shape ``normalized_shape`` or None; cast to the input's dtype (the output keeps it).
        eps: added to the mean square; None: ``finfo(input.dtype).eps`` (float32's for float16, as
            PyTorch's opmath type).

    Shape:
        Output has the input's shape.

    Returns:
        The normalised tensor.

    Example:
        >>> rms_norm(deepglass.randn(2, 5, 8), (8,)).shape
        (2, 5, 8)
    """
    import numpy as np

    if isinstance(normalized_shape, (int, float)) or not hasattr(normalized_shape, "__iter__"):
        raise TypeError(f"rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    ns = tuple(int(s) for s in normalized_shape)
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    if len(ns) > input.ndim:
        raise ValueError(f"Input tensor must have at least {len(ns)} dimensions, but got {input.ndim}")
    if tuple(input.shape[input.ndim - len(ns):]) != ns:
        raise RuntimeError(f"Given normalized_shape={_shape_list(ns)}, expected input with shape [*{', '.join(map(str, ns))}], "
                           f"but got input of size{_shape_list(input.shape)}")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{_shape_list(weight.shape)} and normalized_shape = {_shape_list(ns)}")
    dt = np.dtype(input.dtype)
    if dt.kind != "f":
        raise NotImplementedError(f'"rms_norm" not implemented for \'{_TORCH_NAMES.get(dt.name, dt.name)}\'')
    if eps is None:
        eps = float(np.finfo(np.float32 if dt.itemsize < 4 else dt).eps)
    if dt.itemsize < 4:  # float16: computed in float32 (PyTorch's opmath type), returned in float16
        w32 = None if weight is None else weight.to("float32")
        return rms_norm(input.to("float32"), ns, w32, eps).to(dt.name)
    if weight is not None and np.dtype(weight.dtype) != dt:
        weight = weight.to(dt.name)
    axes = tuple(range(input.ndim - len(ns), input.ndim))
    return choose("rms_norm", Normalize).apply(input, weight, None, axes, ns, eps, center=False)


_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


class LocalResponseNorm(Function):
    """y = x / (k + α/n · Σ_window x²)^β, the window ``n`` channels wide (zero padded), per position."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        xp = xp_of(x)
        lo, hi = size // 2, (size - 1) // 2
        d = _window_sum(xp, x * x, lo, hi)
        d *= alpha / size
        d += k
        p = d ** -beta
        y = x * p
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, d, p)
            ctx.geom = (lo, hi, alpha / size, beta)
        return y

    @staticmethod
    def backward(ctx, g):
        x, d, p = ctx.saved_tensors
        lo, hi, a, beta = ctx.geom
        xp = xp_of(g)
        # ∂y_c/∂x_i = δ_ci·p_i − 2aβ·x_c·p_c/d_c·x_i for i in the window of c (c − lo ≤ i ≤ c + hi)
        t = _window_sum(xp, g * x * p / d, hi, lo)
        t *= x
        t *= -2.0 * a * beta
        t += g * p
        return (t,)


def _window_sum(xp, a, before, after):
    """s[:, c] = Σ a[:, c − before … c + after] along axis 1, zero outside (one slice add per offset)."""
    C = a.shape[1]
    s = a.copy()
    for o in range(1, before + 1):
        if o < C:
            s[:, o:] += a[:, :C - o]
    for o in range(1, after + 1):
        if o < C:
            s[:, :C - o] += a[:, o:]
    return s


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalisation across channels (AlexNet).

    y_c = x_c / (k + α/n · Σ_{c'} x_{c'}²)^β, the sum over the ``n = size`` channels
    c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋ (zero padded: the average of squares always divides by n).

    Args:
        input: ``(N, C, *)`` with at least 3 dimensions.
        size: channels in the window. alpha, beta, k: the formula's constants.

    Shape:
        Output has the input's shape.

    Returns:
        The normalised tensor.

    Example:
        >>> local_response_norm(deepglass.randn(2, 6, 4, 4), 3).shape
        (2, 6, 4, 4)
    """
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    if size < 1:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {size} kW: 1")
    return LocalResponseNorm.apply(input, int(size), alpha, beta, k)


__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "rms_norm", "local_response_norm"]
