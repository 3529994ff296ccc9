"""Activation functions (the notes' 激活函数 table, and the common ReLU relatives).

Each one brings non-linearity; without it a stack of layers collapses to a
single linear map. Primitives are written here with their derivatives; the rest
are composed from existing ops. PyTorch's further activations (thresholds,
shrinkage, SELU/CELU, Mish, GLU, RReLU, softmin, ...) are in ``activation_more.py``.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ._util import normalize_dim, to_float, xp_of
from .elementwise import sigmoid, tanh  # noqa: F401  (re-exported: F.sigmoid, F.tanh)


class ReLU(Function):
    """max(x, 0); derivative 1 for x > 0, else 0 (PyTorch uses 0 at x = 0)."""

    @staticmethod
    def forward(ctx, x):
        y = xp_of(x).maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y > 0)


def relu(input, inplace: bool = False):
    """ReLU(x) = max(x, 0).

    Its gradient is exactly 1 for every active unit, so stacking layers does not
    shrink it the way sigmoid's (at most 1/4) does — this eases vanishing gradients.
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(relu)
    return ReLU.apply(input)


class Softmax(Function):
    """softmax(x)_i = e^(x_i − max) / Σ_j e^(x_j − max); d = y ⊙ (g − Σ g⊙y)."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = xp_of(x)
        if x.size == 0:  # max has no identity: an empty input gives an empty output
            ctx.save_for_backward(x)
            ctx.axis = axis
            return x.copy()
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        y = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(axis=ctx.axis, keepdims=True)


class LogSoftmax(Function):
    """log softmax(x) = x − max − log Σ e^(x − max) (stable); d = g − softmax·Σ g (fused)."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = xp_of(x)
        if x.size == 0:  # max has no identity: an empty input gives an empty output
            ctx.save_for_backward(x)
            ctx.axis = axis
            return x.copy()
        shifted = x - x.max(axis=axis, keepdims=True)
        y = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - xp_of(g).exp(y) * g.sum(axis=ctx.axis, keepdims=True)


def _softmax_dim(ndim, dim):
    if dim is None:
        # PyTorch's legacy implicit choice
        dim = 0 if ndim in (0, 1, 3) else 1
    return normalize_dim(dim, ndim)


def softmax(input, dim=None, dtype=None):
    """Turn scores into probabilities that are non-negative and sum to 1 along ``dim``.

    softmax(x_i) = e^{x_i} / Σ_j e^{x_j}; used on a classifier's last layer.
    """
    if dtype is not None:
        input = input.to(dtype)
    input = to_float(input)
    if input.ndim == 0:
        return Softmax.apply(input.reshape(1), 0).reshape(())
    return Softmax.apply(input, _softmax_dim(input.ndim, dim))


def log_softmax(input, dim=None, dtype=None):
    """log(softmax(x)) computed without overflow or log(0)."""
    if dtype is not None:
        input = input.to(dtype)
    input = to_float(input)
    if input.ndim == 0:
        return LogSoftmax.apply(input.reshape(1), 0).reshape(())
    return LogSoftmax.apply(input, _softmax_dim(input.ndim, dim))




# ---------------------------------------------------------------- the rest of the table
class LeakyReLU(Function):
    """max(x, 0) + a·min(x, 0); derivative 1 for x > 0, else a."""

    @staticmethod
    def forward(ctx, x, a):
        pos = x > 0
        ctx.pos, ctx.a = pos, a
        return xp_of(x).where(pos, x, x * a)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).where(ctx.pos, g, g * ctx.a)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """LeakyReLU(x) = max(αx, x) (α = ``negative_slope``, 0.01 by default).

    A ReLU unit whose input stays negative gets zero gradient forever (a "dead ReLU");
    the small slope α keeps a gradient flowing for x < 0 (YOLO uses it).

    Args:
        input: any shape. negative_slope: α. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> leaky_relu(deepglass.tensor([-1.0, 2.0]))
        tensor([-0.0100,  2.0000])
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(leaky_relu, negative_slope)
    return LeakyReLU.apply(to_float(input), float(negative_slope))


class PReLU(Function):
    """max(x, 0) + w·min(x, 0) with w per channel (dim 1) or shared; dw = Σ g·min(x, 0)."""

    @staticmethod
    def forward(ctx, x, w, wshape):
        xp = xp_of(x)
        wb = w.reshape(wshape)
        pos = x > 0
        ctx.save_for_backward(x, wb)
        ctx.pos, ctx.w_shape = pos, w.shape
        return xp.where(pos, x, x * wb)

    @staticmethod
    def backward(ctx, g):
        x, wb = ctx.saved_tensors
        xp = xp_of(g)
        need = ctx.needs_input_grad
        gx = xp.where(ctx.pos, g, g * wb) if need[0] else None
        gw = None
        if need[1]:
            gw = xp.where(ctx.pos, 0, g * x)
            axes = tuple(a for a in range(g.ndim) if wb.ndim <= a or wb.shape[a] == 1)
            gw = gw.sum(axis=axes).reshape(ctx.w_shape)
        return gx, gw, None


def prelu(input, weight):
    """PReLU(x) = max(0, x) + a·min(0, x) with a learnable a (one shared, or one per channel of dim 1).

    LeakyReLU whose slope is learnt (the notes: "若α为可学习参数，则为PReLU").

    Args:
        input: ``(N, C, *)`` (or 0-/1-D with a single weight). weight: ``(1,)`` or ``(C,)``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> prelu(deepglass.tensor([[-2.0, 1.0]]), deepglass.tensor([0.25])).tolist()
        [[-0.5, 1.0]]
    """
    n = weight.numel()
    if n != 1:
        if input.ndim < 2 or input.shape[1] != n:
            raise RuntimeError(f"prelu: mismatch of parameter numbers and input channel size: weight has {n} "
                               f"elements but input {tuple(input.shape)} has "
                               f"{input.shape[1] if input.ndim > 1 else 1} channels (dim 1)")
        wshape = (1, n) + (1,) * (input.ndim - 2)
    else:
        wshape = (1,) * input.ndim      # a 0-d input keeps its shape, as PyTorch
    return PReLU.apply(input, weight, wshape)


class ELU(Function):
    """scale·x for x > 0, scale·α(e^{s·x} − 1) otherwise (s = ``input_scale``: 1 for ELU/SELU, 1/α for CELU);
    derivative scale, or s·scale·α·e^{s·x} (the negative branch at x = 0, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, alpha, scale=1.0, input_scale=1.0):
        xp = xp_of(x)
        pos = x > 0
        neg = xp.minimum(x, 0)
        y = xp.where(pos, x * scale, (alpha * scale) * xp.expm1(neg * input_scale))
        ctx.pos, ctx.coef = pos, (alpha, scale, input_scale)
        ctx.save_for_backward(neg)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (neg,) = ctx.saved_tensors
        alpha, scale, s = ctx.coef
        xp = xp_of(g)
        # e^{s·x} itself: y + α would lose every digit once e^{s·x} falls below the float's epsilon
        dneg = ((s * scale * alpha) * xp.exp(neg * s)).astype(g.dtype, copy=False)
        return xp.where(ctx.pos, g * scale, g * dneg)


def elu(input, alpha=1.0, inplace=False):
    """ELU(x) = x if x > 0 else α(eˣ − 1).

    Unlike ReLU it has negative values, so the mean activation sits near zero, which brings the
    gradient closer to the natural gradient and speeds learning; costlier (an exponential).

    Args:
        input: any shape. alpha: the value approached for x → −∞ is −α. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(elu(deepglass.tensor([-1.0])).item(), 4)
        -0.6321
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(elu, alpha)
    return ELU.apply(to_float(input), float(alpha))


def _erf(xp, x):
    """erf for NumPy/CuPy arrays (SciPy/CuPyX when present, else a 1.2e-7-accurate Chebyshev fit)."""
    if xp is np:
        try:
            from scipy.special import erf
            return erf(x)
        except ImportError:
            pass
    else:
        try:
            from cupyx.scipy.special import erf
            return erf(x)
        except ImportError:
            pass
    z = xp.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    erfc = t * xp.exp(poly)
    return xp.where(x >= 0, 1.0 - erfc, erfc - 1.0).astype(x.dtype)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


class GELU(Function):
    """x·Φ(x) (exact) or its tanh approximation; derivatives Φ + xφ and the tanh form's."""

    @staticmethod
    def forward(ctx, x, approximate):
        xp = xp_of(x)
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            t = xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
            ctx.t = t
            return 0.5 * x * (1 + t)
        cdf = 0.5 * (1.0 + _erf(xp, x * (1 / math.sqrt(2.0))))
        ctx.cdf = cdf
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        if ctx.approximate == "tanh":
            t = ctx.t
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return g * d
        pdf = xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return g * (ctx.cdf + x * pdf)


def gelu(input, approximate="none"):
    """GELU(x) = x·Φ(x), Φ the standard normal CDF; ``approximate='tanh'``:
    0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).

    A smooth ReLU that weights each input by how likely it is to be "on"; the Transformer default.

    Args:
        input: any shape. approximate: ``'none'`` (exact, erf) or ``'tanh'``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(gelu(deepglass.tensor([1.0])).item(), 4)
        0.8413
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(to_float(input), approximate)


class SiLU(Function):
    """x·σ(x); derivative σ(x)(1 + x(1 − σ(x)))."""

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        s = 1.0 / (1.0 + xp.exp(-x))
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        return g * (s * (1 + x * (1 - s)))


def silu(input, inplace=False):
    """SiLU(x) = x·σ(x) (also "swish"): smooth, non-monotonic, unbounded above (EfficientNet, YOLOv5+).

    Args:
        input: any shape. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(silu(deepglass.tensor([1.0])).item(), 4)
        0.7311
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(silu)
    return SiLU.apply(to_float(input))


class Clip(Function):
    """min(max(x, lo), hi); derivative 1 strictly inside (lo, hi) (PyTorch's hardtanh rule)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.inside = (x > lo) & (x < hi)
        return xp_of(x).clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.inside


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """HardTanh(x) = min(max(x, min_val), max_val): a piecewise-linear tanh.

    The gradient is 1 strictly inside (min_val, max_val) and 0 elsewhere, the bounds
    included (PyTorch's choice). Integer tensors stay integer (bounds truncated), as in PyTorch.

    Args:
        input: any shape. min_val, max_val: the bounds (min_val ≤ max_val). inplace: write the result into ``input``.

    Returns:
        Same shape and dtype as ``input``.

    Example:
        >>> hardtanh(deepglass.tensor([-2.0, 0.5, 3.0])).tolist()
        [-1.0, 0.5, 1.0]
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(hardtanh, min_val, max_val)
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got min_val={min_val} > "
                         f"max_val={max_val}")
    if input.dtype == np.bool_:
        raise RuntimeError("hardtanh: bool inputs are not supported; convert with .float() first")
    if input.dtype.kind in "iu":
        return Clip.apply(input, int(min_val), int(max_val))
    return Clip.apply(input, float(min_val), float(max_val))


def relu6(input, inplace=False):
    """ReLU6(x) = min(max(x, 0), 6): a ReLU capped at 6 (robust in low precision; MobileNet).

    Args:
        input: any shape. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> relu6(deepglass.tensor([-1.0, 3.0, 9.0])).tolist()
        [0.0, 3.0, 6.0]
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(relu6)
    return hardtanh(input, 0.0, 6.0)


class Hardswish(Function):
    """x·relu6(x + 3)/6; derivative 0 (x < −3), x/3 + 1/2 (−3 ≤ x ≤ 3), 1 (x > 3)."""

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        ctx.save_for_backward(x)
        return x * xp.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        d = xp.where(x < -3, 0.0, xp.where(x <= 3, x / 3 + 0.5, 1.0)).astype(g.dtype)
        return g * d


def hardswish(input, inplace=False):
    """Hardswish(x) = x·ReLU6(x + 3)/6: a piecewise-polynomial SiLU, cheap on mobile hardware (MobileNetV3).

    Args:
        input: any shape. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> hardswish(deepglass.tensor([-4.0, 0.0, 4.0])).tolist()
        [-0.0, 0.0, 4.0]
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(hardswish)
    return Hardswish.apply(to_float(input))


class Softplus(Function):
    """log(1 + e^{βx})/β, linear where βx > threshold; derivative σ(βx) (1 above the threshold)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        xp = xp_of(x)
        z = x * beta
        lin = z > threshold
        y = xp.where(lin, x, xp.log1p(xp.exp(xp.minimum(z, threshold))) / beta)
        ctx.save_for_backward(z)
        ctx.lin = lin
        return y

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        xp = xp_of(g)
        s = 1.0 / (1.0 + xp.exp(-z))
        return xp.where(ctx.lin, g, g * s)


def softplus(input, beta=1.0, threshold=20.0):
    """Softplus(x) = (1/β)·log(1 + e^{βx}), a smooth ReLU that is always positive
    (reverts to x where βx > ``threshold``, for stability).

    Args:
        input: any shape. beta: sharpness β. threshold: above βx > threshold the output is x.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(softplus(deepglass.tensor([0.0])).item(), 4)
        0.6931
    """
    return Softplus.apply(to_float(input), float(beta), float(threshold))


__all__ = ["relu", "softmax", "log_softmax", "sigmoid", "tanh", "leaky_relu", "prelu", "elu", "gelu", "silu",
           "relu6", "hardtanh", "hardswish", "softplus"]
