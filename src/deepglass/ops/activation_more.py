"""PyTorch's activations beyond the notes' table: thresholds and shrinkage, sigmoid relatives,
SELU/CELU, Mish, GLU, RReLU and softmin.

Reached through ``nn.functional`` (and their ``nn`` modules); of these only ``hardshrink`` is also a
Tensor method, as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from .. import backend, random
from ..autograd.function import Function
from ._util import normalize_dim, to_float, xp_of
from .activation import ELU, LeakyReLU, softmax
from .elementwise import neg, sigmoid, tanh
from .shape import narrow


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
        input: any shape. threshold: the cut. value: what replaces x ≤ threshold. inplace: write the result into ``input``.

    Returns:
        Same shape and dtype as ``input``.

    Example:
        >>> threshold(deepglass.tensor([0.5, 1.0, 2.0]), 1.0, -5.0).tolist()
        [-5.0, -5.0, 2.0]
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(globals()["threshold"], threshold, value)  # the argument shadows the function
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
        input: any shape. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> hardsigmoid(deepglass.tensor([-4.0, 0.0, 1.5, 4.0])).tolist()
        [0.0, 0.5, 0.75, 1.0]
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(hardsigmoid)
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
        input: any shape. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(selu(deepglass.tensor([1.0])).item(), 4)
        1.0507
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(selu)
    return ELU.apply(to_float(input), _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """CELU(x) = max(0, x) + min(0, α(e^{x/α} − 1)): ELU made continuously differentiable for every α.

    Args:
        input: any shape. alpha: α ≠ 0. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(celu(deepglass.tensor([-1.0]), alpha=2.0).item(), 4)
        -0.7869
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(celu, alpha)
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
        input: any shape. inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> round(mish(deepglass.tensor([1.0])).item(), 4)
        0.8651
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(mish)
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
        training: draw random slopes (False: the fixed mean slope). inplace: write the result into ``input``.

    Returns:
        Same shape as ``input``.

    Example:
        >>> rrelu(deepglass.tensor([-1.0, 2.0]), 0.1, 0.3).tolist()  # doctest: +ELLIPSIS
        [-0.2..., 2.0]
    """
    if inplace:  # written into input's memory, recorded in a graph (deepglass._inplace)
        return input._inplace(rrelu, lower, upper, training)
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


__all__ = ["softmin", "rrelu", "selu", "celu", "mish", "hardsigmoid", "softsign", "logsigmoid", "tanhshrink",
           "hardshrink", "softshrink", "threshold", "glu"]
