"""Activation functions (the notes' 激活函数 table).

Each one brings non-linearity; without it a stack of layers collapses to a
single linear map. Primitives are written here with their derivatives; the rest
are composed from existing ops.
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend, random
from ..autograd.function import Function
from .elementwise import neg, sigmoid, tanh  # noqa: F401  (sigmoid, tanh re-exported: F.sigmoid, F.tanh)
from .shape import narrow
from ._util import normalize_dim, to_float, xp_of


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
    return ReLU.apply(input)


class Softmax(Function):
    """softmax(x)_i = e^(x_i − max) / Σ_j e^(x_j − max); d = y ⊙ (g − Σ g⊙y)."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = xp_of(x)
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
        input: any shape. negative_slope: α. inplace: accepted; a new tensor is returned.

    Returns:
        Same shape as ``input``.

    Example:
        >>> leaky_relu(deepglass.tensor([-1.0, 2.0])).tolist()
        [-0.01, 2.0]
    """
    return LeakyReLU.apply(to_float(input), float(negative_slope))


class PReLU(Function):
    """max(x, 0) + w·min(x, 0) with w per channel (dim 1) or shared; dw = Σ g·min(x, 0)."""

    @staticmethod
    def forward(ctx, x, w, wshape):
        xp = xp_of(x)
        wb = w.reshape(wshape)
        pos = x > 0
        ctx.save_for_backward(x, wb)
        ctx.pos = pos
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
            gw = gw.sum(axis=axes).reshape(-1)
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
        wshape = (1,) * max(input.ndim, 1)
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
        input: any shape. alpha: the value approached for x → −∞ is −α. inplace: accepted.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(elu(deepglass.tensor([-1.0])).item(), 4)
        -0.6321
    """
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
        input: any shape. inplace: accepted; a new tensor is returned.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(silu(deepglass.tensor([1.0])).item(), 4)
        0.7311
    """
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
        input: any shape. min_val, max_val: the bounds (min_val ≤ max_val). inplace: accepted.

    Returns:
        Same shape and dtype as ``input``.

    Example:
        >>> hardtanh(deepglass.tensor([-2.0, 0.5, 3.0])).tolist()
        [-1.0, 0.5, 1.0]
    """
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
        input: any shape. inplace: accepted.

    Returns:
        Same shape as ``input``.

    Example:
        >>> relu6(deepglass.tensor([-1.0, 3.0, 9.0])).tolist()
        [0.0, 3.0, 6.0]
    """
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
        input: any shape. inplace: accepted.

    Returns:
        Same shape as ``input``.

    Example:
        >>> hardswish(deepglass.tensor([-4.0, 0.0, 4.0])).tolist()
        [-0.0, 0.0, 4.0]
    """
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


# ------------------------------------------------------ thresholds and shrinkage
class Threshold(Function):
    """x if x > t else v; derivative 1 for x > t, 0 otherwise (0 at x = t, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, t, v):
        keep = x > t
        ctx.keep = keep
        return xp_of(x).where(keep, x, v).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.keep


def threshold(input, threshold, value, inplace=False):
    """Threshold(x) = x if x > ``threshold`` else ``value``.

    Integer tensors stay integer (``value`` truncated), as in PyTorch.

    Args:
        input: any shape. threshold: the cut. value: what replaces x ≤ threshold. inplace: accepted.

    Returns:
        Same shape and dtype as ``input``.

    Example:
        >>> threshold(deepglass.tensor([0.5, 1.0, 2.0]), 1.0, -5.0).tolist()
        [-5.0, -5.0, 2.0]
    """
    if input.dtype == np.bool_:
        raise NotImplementedError("threshold: bool inputs are not supported; convert with .float() first")
    if input.dtype.kind in "iu":
        return Threshold.apply(input, threshold, int(value))
    return Threshold.apply(input, float(threshold), float(value))


class _Shrink(Function):
    """Hard (x where |x| > λ) or soft (x ∓ λ where |x| > λ) shrinkage, 0 on [−λ, λ];
    derivative 1 outside [−λ, λ], 0 on it (the ends included, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, lambd, soft):
        xp = xp_of(x)
        outside = ~((x >= -lambd) & (x <= lambd))
        ctx.outside = outside
        if soft:
            y = xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, 0))
        else:
            y = xp.where(outside, x, 0)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.outside


def hardshrink(input, lambd=0.5):
    """HardShrink(x) = x if |x| > λ else 0 (λ = ``lambd``): zeroes small values, keeps the rest as they are.

    Args:
        input: any shape. lambd: λ.

    Returns:
        Same shape as ``input``.

    Example:
        >>> hardshrink(deepglass.tensor([-1.0, 0.3, 0.5, 2.0])).tolist()
        [-1.0, 0.0, 0.0, 2.0]
    """
    return _Shrink.apply(to_float(input), float(lambd), False)


def softshrink(input, lambd=0.5):
    """SoftShrink(x) = x − λ if x > λ, x + λ if x < −λ, else 0: the proximal map of λ|x| (sparse coding, ISTA).

    Args:
        input: any shape. lambd: λ ≥ 0.

    Returns:
        Same shape as ``input``.

    Example:
        >>> softshrink(deepglass.tensor([-1.0, 0.3, 2.0])).tolist()
        [-0.5, 0.0, 1.5]
    """
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambd must be >= 0, but got {lambd}")
    return _Shrink.apply(to_float(input), float(lambd), True)


def tanhshrink(input):
    """TanhShrink(x) = x − tanh(x): near 0 for small x (≈ x³/3), ≈ x − sign(x) for large |x|.

    Args:
        input: any shape.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(tanhshrink(deepglass.tensor([1.0])).item(), 4)
        0.2384
    """
    input = to_float(input)
    return input - tanh(input)


# ------------------------------------------------------------- sigmoid relatives
class Hardsigmoid(Function):
    """relu6(x + 3)/6; derivative 1/6 strictly inside (−3, 3), 0 elsewhere (±3 included, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.inside = (x > -3) & (x < 3)
        return (xp_of(x).clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return (g / 6) * ctx.inside


def hardsigmoid(input, inplace=False):
    """Hardsigmoid(x) = ReLU6(x + 3)/6: 0 below −3, 1 above 3, linear between (MobileNetV3's cheap sigmoid).

    Args:
        input: any shape. inplace: accepted.

    Returns:
        Same shape as ``input``.

    Example:
        >>> hardsigmoid(deepglass.tensor([-4.0, 0.0, 1.5, 4.0])).tolist()
        [0.0, 0.5, 0.75, 1.0]
    """
    return Hardsigmoid.apply(to_float(input))


def _sigmoid_and_neg(xp, x):
    """(σ(x), σ(−x)) from e^{−|x|}, which never overflows."""
    z = xp.exp(-xp.abs(x))
    d = 1 + z
    pos = x >= 0
    return xp.where(pos, 1 / d, z / d), xp.where(pos, z / d, 1 / d)


class LogSigmoid(Function):
    """log σ(x) = min(x, 0) − log(1 + e^{−|x|}) (no overflow for any x); derivative σ(−x) = 1 − σ(x)."""

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        ctx.save_for_backward(x)
        return (xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _sigmoid_and_neg(xp_of(g), x)[1]


def logsigmoid(input):
    """LogSigmoid(x) = log(1/(1 + e^{−x})) = −softplus(−x), computed stably.

    The naive form overflows for x ≪ 0 (e^{−x} = inf); here log σ(−1000) = −1000 and
    log σ(1000) = 0 exactly, with gradients 1 and 0.

    Args:
        input: any shape.

    Returns:
        Same shape as ``input``.

    Example:
        >>> logsigmoid(deepglass.tensor([-1000.0, 0.0])).tolist()  # doctest: +ELLIPSIS
        [-1000.0, -0.693...]
    """
    return LogSigmoid.apply(to_float(input))


class Softsign(Function):
    """x/(1 + |x|); derivative 1/(1 + |x|)²."""

    @staticmethod
    def forward(ctx, x):
        d = 1 + xp_of(x).abs(x)
        ctx.save_for_backward(d)
        return x / d

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        return g / (d * d)


def softsign(input):
    """SoftSign(x) = x/(1 + |x|) ∈ (−1, 1): tanh's shape with polynomial (slower) saturation.

    Args:
        input: any shape.

    Returns:
        Same shape as ``input``.

    Example:
        >>> softsign(deepglass.tensor([-3.0, 1.0])).tolist()
        [-0.75, 0.5]
    """
    return Softsign.apply(to_float(input))


# ------------------------------------------------------------------- ELU family
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """SELU(x) = scale·(max(0, x) + min(0, α(eˣ − 1))), α ≈ 1.6733, scale ≈ 1.0507.

    With these constants (and LeCun-normal weights) activations keep zero mean and unit
    variance through deep stacks: self-normalising networks (Klambauer et al., 2017).

    Args:
        input: any shape. inplace: accepted.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(selu(deepglass.tensor([1.0])).item(), 4)
        1.0507
    """
    return ELU.apply(to_float(input), _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """CELU(x) = max(0, x) + min(0, α(e^{x/α} − 1)): ELU made continuously differentiable for every α.

    Args:
        input: any shape. alpha: α ≠ 0. inplace: accepted.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(celu(deepglass.tensor([-1.0]), alpha=2.0).item(), 4)
        -0.7869
    """
    if alpha == 0:
        raise RuntimeError("celu: alpha cannot be 0 (CELU divides x by it)")
    return ELU.apply(to_float(input), float(alpha), 1.0, 1.0 / alpha)


# ------------------------------------------------------------ the rest of PyTorch's
class Mish(Function):
    """x·tanh(softplus(x)); derivative tanh(sp) + x·σ(x)·(1 − tanh²(sp)), sp computed without overflow."""

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x)
        t = xp.tanh(xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x))))
        ctx.save_for_backward(x, t)
        return (x * t).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        s = _sigmoid_and_neg(xp_of(g), x)[0]
        return g * (t + x * s * (1 - t * t))


def mish(input, inplace=False):
    """Mish(x) = x·tanh(softplus(x)): smooth and non-monotonic like SiLU (YOLOv4).

    Args:
        input: any shape. inplace: accepted.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(mish(deepglass.tensor([1.0])).item(), 4)
        0.8651
    """
    return Mish.apply(to_float(input))


def glu(input, dim=-1):
    """GLU(a, b) = a ⊗ σ(b), where ``input`` is split in halves a, b along ``dim`` (gated linear unit).

    The sigmoid half gates the linear half (language models, WaveNet-style convolutions).

    Args:
        input: ``(*, 2n, *)``, even along ``dim``. dim: the dimension to halve.

    Returns:
        ``(*, n, *)``.

    Example:
        >>> glu(deepglass.tensor([[1.0, 2.0, 0.0, 0.0]])).tolist()
        [[0.5, 1.0]]
    """
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = normalize_dim(dim, input.ndim)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"glu: halving dimension must be even, but dimension {d} is size {n}")
    input = to_float(input)
    return narrow(input, d, 0, n // 2) * sigmoid(narrow(input, d, n // 2, n // 2))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: x for x > 0, a·x otherwise, a ~ U(lower, upper) per element (training),
    a = (lower + upper)/2 in evaluation (Xu et al., 2015).

    The slopes are drawn from deepglass's seeded generator on the host (so a seed gives the
    same slopes on the CPU and the GPU); the gradient for x ≤ 0 is the drawn slope.

    Args:
        input: any shape. lower, upper: the slope range (lower ≤ upper).
        training: draw random slopes (False: the fixed mean slope). inplace: accepted.

    Returns:
        Same shape as ``input``.

    Example:
        >>> rrelu(deepglass.tensor([-1.0, 2.0]), 0.1, 0.3).tolist()  # doctest: +ELLIPSIS
        [-0.2..., 2.0]
    """
    if lower > upper:
        raise RuntimeError(f"rrelu: lower bound should be less than or equal to the upper bound, got "
                           f"lower={lower} > upper={upper}")
    input = to_float(input)
    if not training:
        return LeakyReLU.apply(input, (lower + upper) / 2)
    slopes = random.numpy_generator().uniform(lower, upper, input.shape).astype(input.dtype)
    return LeakyReLU.apply(input, backend.to_device(slopes, input.device))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Softmin(x) = softmax(−x) along ``dim``: probabilities that favour the smallest entries.

    Args:
        input: any shape. dim: the dimension that sums to 1 (None: PyTorch's legacy implicit choice).
        dtype: cast to it first (after negating, as PyTorch).

    Returns:
        Same shape as ``input``.

    Example:
        >>> softmin(deepglass.tensor([0.0, 0.0]), dim=0).tolist()
        [0.5, 0.5]
    """
    return softmax(neg(input), dim, dtype)


__all__ = ["relu", "softmax", "log_softmax", "softmin", "sigmoid", "tanh", "leaky_relu", "prelu", "rrelu", "elu",
           "selu", "celu", "gelu", "silu", "mish", "relu6", "hardtanh", "hardswish", "hardsigmoid", "softplus",
           "softsign", "logsigmoid", "tanhshrink", "hardshrink", "softshrink", "threshold", "glu"]
