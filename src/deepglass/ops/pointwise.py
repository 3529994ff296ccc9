"""Binary element-wise math beyond the notes: atan2, hypot, logaddexp, xlogy, copysign,
fmod, fmax/fmin, lerp, float_power, ldexp, frexp, heaviside, nextafter, gcd/lcm,
isin, bit shifts, clamp_min/clamp_max and rsub.

Each differentiable primitive writes its two partial derivatives beside the forward::

    atan2(a, b)  = arctan(a/b)       ∂/∂a = b/(a²+b²)      ∂/∂b = −a/(a²+b²)
    hypot(a, b)  = √(a²+b²)          ∂/∂a = a/h            ∂/∂b = b/h
    logaddexp    = log(eᵃ + eᵇ)      ∂/∂a = e^(a−out)      ∂/∂b = e^(b−out)
    xlogy(a, b)  = a·log b (0 at a=0) ∂/∂a = log b          ∂/∂b = a/b

Operands broadcast and promote as in PyTorch (integers become the default float
dtype for the transcendental ones); the engine sums gradients back to each shape.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import dtypes
from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import promote, to_float, xp_of


def _float_pair(a, b):
    """Promote, then make integer/bool operands floating (the default dtype)."""
    a, b = promote(a, b)
    a = to_float(a) if isinstance(a, Tensor) else float(a)
    b = to_float(b) if isinstance(b, Tensor) else float(b)
    return a, b


def _need(ctx, i):
    return ctx.needs_input_grad[i] if ctx.needs_input_grad else False


class _Binary(Function):
    """y = f(a, b); subclasses give ``f`` and ``grads`` (the two partial derivatives times g)."""

    @classmethod
    def forward(cls, ctx, a, b):
        xp = xp_of(a if hasattr(a, "dtype") and not isinstance(a, (int, float)) else b)
        with np.errstate(all="ignore"):
            y = cls.f(xp, a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @classmethod
    def backward(cls, ctx, g):
        a, b, y = ctx.saved_tensors
        with np.errstate(all="ignore"):
            ga, gb = cls.grads(xp_of(g), g, a, b, y)
        return (ga if _need(ctx, 0) else None), (gb if _need(ctx, 1) else None)


class Atan2(_Binary):
    @staticmethod
    def f(xp, a, b):
        return xp.arctan2(a, b)

    @staticmethod
    def grads(xp, g, a, b, y):
        r2 = a * a + b * b
        return g * b / r2, -g * a / r2


class Hypot(_Binary):
    @staticmethod
    def f(xp, a, b):
        return xp.hypot(a, b)

    @staticmethod
    def grads(xp, g, a, b, y):
        return g * a / y, g * b / y


class LogAddExp(_Binary):
    @staticmethod
    def f(xp, a, b):
        return xp.logaddexp(a, b)

    @staticmethod
    def grads(xp, g, a, b, y):
        # where both are ±inf and equal, each gets half (PyTorch: 1/(1+exp(b−a)))
        return g / (1 + xp.exp(b - a)), g / (1 + xp.exp(a - b))


class LogAddExp2(_Binary):
    @staticmethod
    def f(xp, a, b):
        return xp.logaddexp2(a, b)

    @staticmethod
    def grads(xp, g, a, b, y):
        return g / (1 + xp.exp2(b - a)), g / (1 + xp.exp2(a - b))


class XLogY(_Binary):
    """a·log b, defined as 0 where a = 0 (unless b is NaN)."""

    @staticmethod
    def f(xp, a, b):
        return xp.where((a == 0) & ~xp.isnan(b), 0, a * xp.log(b))

    @staticmethod
    def grads(xp, g, a, b, y):
        ga = g * xp.where((a == 0) & ~xp.isnan(b), 0, xp.log(b))
        return ga, g * a / b


class XLog1PY(_Binary):
    """a·log(1 + b), 0 where a = 0 (unless b is NaN)."""

    @staticmethod
    def f(xp, a, b):
        return xp.where((a == 0) & ~xp.isnan(b), 0, a * xp.log1p(b))

    @staticmethod
    def grads(xp, g, a, b, y):
        return g * xp.where((a == 0) & ~xp.isnan(b), 0, xp.log1p(b)), g * a / (1 + b)


class Copysign(_Binary):
    @staticmethod
    def f(xp, a, b):
        return xp.copysign(a, b)

    @staticmethod
    def grads(xp, g, a, b, y):
        # |a| with b's sign: the slope is y/a (±1), and 0 at a = 0 as in PyTorch
        return g * xp.where(a == 0, 0, y / xp.where(a == 0, 1, a)), xp.zeros_like(g)


class Fmod(_Binary):
    @staticmethod
    def f(xp, a, b):
        return xp.fmod(a, b)

    @staticmethod
    def grads(xp, g, a, b, y):
        return g, -g * xp.trunc(a / b)


class _FMaxMin(_Binary):
    """fmax/fmin: like maximum/minimum but a NaN loses to a number; ties send the gradient to ``a``."""

    @classmethod
    def grads(cls, xp, g, a, b, y):
        take_a = (cls.better(a, b)) | xp.isnan(b)
        zero = xp.zeros((), dtype=g.dtype)
        return xp.where(take_a, g, zero), xp.where(take_a, zero, g)


class FMax(_FMaxMin):
    f = staticmethod(lambda xp, a, b: xp.fmax(a, b))
    better = staticmethod(lambda a, b: a >= b)


class FMin(_FMaxMin):
    f = staticmethod(lambda xp, a, b: xp.fmin(a, b))
    better = staticmethod(lambda a, b: a <= b)


def atan2(input, other):
    """arctan(input/other) in the right quadrant.

    Example:
        >>> import deepglass as dg
        >>> dg.atan2(dg.tensor([1.0]), dg.tensor([-1.0]))
        tensor([2.3562])
    """
    return Atan2.apply(*_float_pair(input, other))


arctan2 = atan2


def hypot(input, other):
    """√(input² + other²) without overflow.

    Example:
        >>> import deepglass as dg
        >>> dg.hypot(dg.tensor([3.0]), dg.tensor([4.0]))
        tensor([5.])
    """
    return Hypot.apply(*promote(input, other))


def logaddexp(input, other):
    """log(eᵃ + eᵇ), computed as max(a, b) + log1p(e^(−|a−b|)).

    Example:
        >>> import deepglass as dg
        >>> dg.logaddexp(dg.tensor([0.0]), dg.tensor([0.0]))
        tensor([0.6931])
    """
    return LogAddExp.apply(*_float_pair(input, other))


def logaddexp2(input, other):
    """log₂(2ᵃ + 2ᵇ)."""
    return LogAddExp2.apply(*_float_pair(input, other))


def xlogy(input, other):
    """input · log(other), and 0 where input = 0 (even where other = 0).

    Example:
        >>> import deepglass as dg
        >>> dg.xlogy(dg.tensor([0.0, 2.0]), dg.tensor([0.0, 1.0]))
        tensor([0., 0.])
    """
    return XLogY.apply(*_float_pair(input, other))


def xlog1py(input, other):
    """input · log(1 + other), and 0 where input = 0."""
    return XLog1PY.apply(*_float_pair(input, other))


def copysign(input, other):
    """|input| with the sign of other (floats; integers become the default float dtype)."""
    return Copysign.apply(*_float_pair(input, other))


def fmod(input, other):
    """C's remainder a − trunc(a/b)·b: it keeps the sign of the dividend (``remainder`` keeps the divisor's).

    Example:
        >>> import deepglass as dg
        >>> dg.fmod(dg.tensor([-3.0, 3.0]), 2)
        tensor([-1., 1.])
    """
    a, b = promote(input, other)
    ref = a if isinstance(a, Tensor) else b
    if ref.dtype.kind in "iu":
        if bool(xp_of(ref._array).any(xp_of(ref._array).asarray(b._array if isinstance(b, Tensor) else b) == 0)):
            raise RuntimeError("ZeroDivisionError: fmod by zero on an integer tensor")
        xp = xp_of(ref._array)
        av = a._array if isinstance(a, Tensor) else a
        bv = b._array if isinstance(b, Tensor) else b
        return from_array(xp.asarray(xp.fmod(av, bv)).astype(ref.dtype, copy=False))
    return Fmod.apply(a, b)


def fmax(input, other):
    """Element-wise maximum that ignores NaN (NaN only where both are NaN)."""
    a, b = promote(input, other)
    if a.dtype.kind != "f":
        return from_array(xp_of(a._array).fmax(a._array, b._array))
    return FMax.apply(a, b)


def fmin(input, other):
    """Element-wise minimum that ignores NaN (NaN only where both are NaN)."""
    a, b = promote(input, other)
    if a.dtype.kind != "f":
        return from_array(xp_of(a._array).fmin(a._array, b._array))
    return FMin.apply(a, b)


def lerp(input, end, weight):
    """Linear interpolation: input + weight·(end − input) (weight a number or a tensor).

    Example:
        >>> import deepglass as dg
        >>> dg.lerp(dg.tensor([0.0, 2.0]), dg.tensor([4.0, 4.0]), 0.5)
        tensor([2., 3.])
    """
    if isinstance(weight, Tensor) and weight.dtype != input.dtype:
        raise RuntimeError(f"expected dtype {dtypes.name_of(input.dtype)} for `weight` but got dtype "
                           f"{dtypes.name_of(weight.dtype)}")
    if end.dtype != input.dtype:
        raise RuntimeError(f"expected dtype {dtypes.name_of(input.dtype)} for `end` but got dtype "
                           f"{dtypes.name_of(end.dtype)}")
    return input + weight * (end - input)


def float_power(input, exponent):
    """input ** exponent computed in float64 (the result is always float64).

    Example:
        >>> import deepglass as dg
        >>> dg.float_power(dg.tensor([2]), 3)
        tensor([8.], dtype=deepglass.float64)
    """
    from .elementwise import _cast, pow

    a = _cast(input, dtypes.float64) if isinstance(input, Tensor) else float(input)
    b = _cast(exponent, dtypes.float64) if isinstance(exponent, Tensor) else float(exponent)
    return pow(a, b)


def ldexp(input, other):
    """input · 2^other."""
    from .elementwise import mul, pow

    return mul(to_float(input), pow(2.0, to_float(other) if isinstance(other, Tensor) else other))


frexp_return_type = namedtuple("frexp", ["mantissa", "exponent"])


class Frexp(Function):
    """mantissa = x / 2^e for the exponent e of x; d mantissa/dx = 2^(−e) (e held fixed, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.save_for_backward(exponent)
        return xp_of(x).ldexp(x, -exponent)

    @staticmethod
    def backward(ctx, g):
        (e,) = ctx.saved_tensors
        return xp_of(g).ldexp(g, -e), None


def frexp(input):
    """Split into mantissa in (−1, −0.5] ∪ [0.5, 1) and an int32 exponent: x = mantissa · 2^exponent.

    Example:
        >>> import deepglass as dg
        >>> dg.frexp(dg.tensor([8.0, 0.75]))
        frexp(mantissa=tensor([0.5000, 0.7500]), exponent=tensor([4, 0], dtype=deepglass.int32))
    """
    if input.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    _, e = xp_of(input._array).frexp(input._array)
    e = e.astype(np.int32)
    return frexp_return_type(Frexp.apply(input, e), from_array(e))


def heaviside(input, values):
    """0 where x < 0, 1 where x > 0, and ``values`` where x = 0 (not differentiable)."""
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    xp = xp_of(input._array)
    return from_array(xp.heaviside(input._array, values._array).astype(input.dtype, copy=False))


class NextAfter(_Binary):
    """The neighbouring float: PyTorch passes the gradient straight through to ``input``."""

    f = staticmethod(lambda xp, a, b: xp.nextafter(a, b))
    grads = staticmethod(lambda xp, g, a, b, y: (g, None))


def nextafter(input, other):
    """The next representable float after input towards other (gradient: identity for input, as PyTorch)."""
    a, b = promote(input, other)
    return NextAfter.apply(a, b)


def _int_binary(name, input, other):
    a, b = promote(input, other)
    ref = a if isinstance(a, Tensor) else b
    if ref.dtype.kind not in "iub":
        raise RuntimeError(f"\"{name}_cpu\" not implemented for '{dtypes.name_of(ref.dtype).capitalize()}'")
    xp = xp_of(ref._array)
    av = a._array if isinstance(a, Tensor) else a
    bv = b._array if isinstance(b, Tensor) else b
    return xp, av, bv, ref.dtype


def gcd(input, other):
    """Greatest common divisor (non-negative) of integer tensors."""
    xp, a, b, dt = _int_binary("gcd", input, other)
    return from_array(xp.asarray(xp.gcd(a, b)).astype(dt, copy=False))


def lcm(input, other):
    """Least common multiple (non-negative) of integer tensors."""
    xp, a, b, dt = _int_binary("lcm", input, other)
    return from_array(xp.asarray(xp.lcm(a, b)).astype(dt, copy=False))


def _shift(input, other, left):
    name = "lshift" if left else "rshift"
    xp, a, b, dt = _int_binary(name, input, other)
    bits = dt.itemsize * 8
    a = xp.asarray(a, dtype=dt)
    b = xp.asarray(b).astype(dt, copy=False)
    big = (b >= bits) | (b < 0)
    safe = xp.where(big, 0, b)
    if left:
        out = xp.where(big, 0, xp.left_shift(a, safe))
    else:
        fill = xp.right_shift(a, bits - 1) if dt.kind == "i" else xp.zeros_like(a)
        out = xp.where(big, fill, xp.right_shift(a, safe))
    return from_array(out.astype(dt, copy=False))


def bitwise_left_shift(input, other):
    """input · 2^other on integers (bits shifted out are lost; a shift ≥ the width gives 0)."""
    return _shift(input, other, True)


def bitwise_right_shift(input, other):
    """Arithmetic right shift on signed integers, logical on unsigned."""
    return _shift(input, other, False)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """True where an element of ``elements`` occurs in ``test_elements`` (either may be a number)."""
    ref = elements if isinstance(elements, Tensor) else test_elements
    xp = xp_of(ref._array)
    e = elements._array if isinstance(elements, Tensor) else xp.asarray(elements)
    t = test_elements._array if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return from_array(xp.isin(e, t, invert=invert))


class IGamma(_Binary):
    """P(a, x) = γ(a, x)/Γ(a), the regularised lower incomplete gamma; ∂/∂x = e^(−x) x^(a−1)/Γ(a).

    PyTorch has no derivative with respect to ``a``; neither does deepglass.
    """

    f = staticmethod(lambda xp, a, x: _special(xp).gammainc(a, x))

    @staticmethod
    def grads(xp, g, a, x, y):
        sp = _special(xp)
        return None, g * xp.exp(-x + (a - 1) * xp.log(x) - sp.gammaln(a))


class IGammaC(_Binary):
    """Q(a, x) = 1 − P(a, x), the regularised upper incomplete gamma."""

    f = staticmethod(lambda xp, a, x: _special(xp).gammaincc(a, x))

    @staticmethod
    def grads(xp, g, a, x, y):
        sp = _special(xp)
        return None, -g * xp.exp(-x + (a - 1) * xp.log(x) - sp.gammaln(a))


def _special(xp):
    from .special import _sp

    return _sp(xp)


def igamma(input, other):
    """The regularised lower incomplete gamma P(input, other) (differentiable in ``other`` only, as PyTorch)."""
    return IGamma.apply(*_float_pair(input, other))


def igammac(input, other):
    """The regularised upper incomplete gamma Q(input, other) = 1 − P(input, other)."""
    return IGammaC.apply(*_float_pair(input, other))


def clamp_min(input, min):
    """max(input, min): :func:`clamp` with only a lower bound."""
    from .elementwise import clamp

    return clamp(input, min=min)


def clamp_max(input, max):
    """min(input, max): :func:`clamp` with only an upper bound."""
    from .elementwise import clamp

    return clamp(input, max=max)


def rsub(input, other, alpha=1):
    """other − alpha · input (the reflected subtraction)."""
    from .elementwise import mul, sub

    return sub(other, mul(input, alpha) if alpha != 1 else input)



__all__ = [
    "atan2", "arctan2", "hypot", "logaddexp", "logaddexp2", "xlogy", "copysign", "fmod", "fmax", "fmin", "lerp",
    "float_power", "ldexp", "frexp", "heaviside", "nextafter", "gcd", "lcm", "bitwise_left_shift",
    "bitwise_right_shift", "isin", "clamp_min", "clamp_max", "rsub", "igamma", "igammac",
]
