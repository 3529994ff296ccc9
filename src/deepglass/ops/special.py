"""Unary math beyond the notes: tan and the inverse/hyperbolic trigonometry, erf and the
gamma family, Bessel functions, logit, sinc, log2/log10/exp2, and small helpers
(frac, nan_to_num, deg2rad, signbit ...).

Every differentiable function here is one primitive ``y = f(x)`` with its derivative
``dy/dx = df(x, y)`` written beside it in one table row, e.g.::

    tan:    y = tan x          dy/dx = 1 + y²
    erfinv: y = erf⁻¹(x)       dy/dx = (√π / 2)·e^(y²)
    lgamma: y = log|Γ(x)|      dy/dx = ψ(x)                (the digamma function)

SciPy's special functions (CuPy's ``cupyx.scipy.special`` on the GPU) are the
engine for the transcendental ones; they are imported on first use.
"""
from __future__ import annotations

import math

from .. import dtypes
from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import to_float, xp_of


def _sp(xp):
    """SciPy's special module for NumPy arrays, CuPy's for CuPy arrays (imported lazily)."""
    if xp.__name__ == "numpy":
        import scipy.special

        return scipy.special
    import cupyx.scipy.special

    return cupyx.scipy.special


def _errstate(xp):
    import numpy as np

    return np.errstate(all="ignore")


def _primitive(name: str, f, df):
    """A ``Function`` subclass ``name`` for y = f(xp, x) with dy/dx = df(xp, x, y)."""

    def forward(ctx, x):
        xp = xp_of(x)
        with _errstate(xp):
            y = f(xp, x)
        y = y.astype(x.dtype, copy=False)
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = xp_of(g)
        with _errstate(xp):
            d = df(xp, x, y)
        if d.dtype.kind == "c":  # PyTorch's complex convention: grad · conj(f'(z))
            d = d.conj()
        return g * d.astype(g.dtype, copy=False)

    return type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                                     "__doc__": f"{name}: y = f(x), one primitive of ops.special"})


_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)

# name: (f(xp, x), df(xp, x, y))
_TABLE = {
    "Tan": (lambda xp, x: xp.tan(x), lambda xp, x, y: 1 + y * y),
    "Asin": (lambda xp, x: xp.arcsin(x), lambda xp, x, y: 1 / xp.sqrt(1 - x * x)),
    "Acos": (lambda xp, x: xp.arccos(x), lambda xp, x, y: -1 / xp.sqrt(1 - x * x)),
    "Atan": (lambda xp, x: xp.arctan(x), lambda xp, x, y: 1 / (1 + x * x)),
    "Sinh": (lambda xp, x: xp.sinh(x), lambda xp, x, y: xp.cosh(x)),
    "Cosh": (lambda xp, x: xp.cosh(x), lambda xp, x, y: xp.sinh(x)),
    "Asinh": (lambda xp, x: xp.arcsinh(x), lambda xp, x, y: 1 / xp.sqrt(x * x + 1)),
    "Acosh": (lambda xp, x: xp.arccosh(x), lambda xp, x, y: 1 / xp.sqrt(x * x - 1) if x.dtype.kind != "c"
              else 1 / (xp.sqrt(x - 1) * xp.sqrt(x + 1))),   # complex: the principal branch, as PyTorch
    "Atanh": (lambda xp, x: xp.arctanh(x), lambda xp, x, y: 1 / (1 - x * x)),
    "Log2": (lambda xp, x: xp.log2(x), lambda xp, x, y: 1 / (x * math.log(2))),
    "Log10": (lambda xp, x: xp.log10(x), lambda xp, x, y: 1 / (x * math.log(10))),
    "Exp2": (lambda xp, x: xp.exp2(x), lambda xp, x, y: y * math.log(2)),
    "Erf": (lambda xp, x: _sp(xp).erf(x), lambda xp, x, y: (2 / _SQRT_PI) * xp.exp(-x * x)),
    "Erfc": (lambda xp, x: _sp(xp).erfc(x), lambda xp, x, y: (-2 / _SQRT_PI) * xp.exp(-x * x)),
    "Erfinv": (lambda xp, x: _sp(xp).erfinv(x), lambda xp, x, y: (_SQRT_PI / 2) * xp.exp(y * y)),
    "Erfcx": (lambda xp, x: _sp(xp).erfcx(x), lambda xp, x, y: 2 * x * y - 2 / _SQRT_PI),
    "Lgamma": (lambda xp, x: _sp(xp).gammaln(x), lambda xp, x, y: _sp(xp).digamma(x)),
    "Digamma": (lambda xp, x: _digamma(xp, x), lambda xp, x, y: _sp(xp).polygamma(xp.asarray(1), x)),
    "I0": (lambda xp, x: _sp(xp).i0(x), lambda xp, x, y: _sp(xp).i1(x)),
    "I0e": (lambda xp, x: _sp(xp).i0e(x), lambda xp, x, y: _sp(xp).i1e(x) - xp.sign(x) * y),
    "I1": (lambda xp, x: _sp(xp).i1(x), lambda xp, x, y: _i1_slope(xp, x, y, _sp(xp).i0(x), 0)),
    "I1e": (lambda xp, x: _sp(xp).i1e(x), lambda xp, x, y: _i1_slope(xp, x, y, _sp(xp).i0e(x), 1)),
    "Ndtr": (lambda xp, x: _sp(xp).ndtr(x), lambda xp, x, y: xp.exp(-x * x / 2) / _SQRT_2PI),
    "Ndtri": (lambda xp, x: _sp(xp).ndtri(x), lambda xp, x, y: _SQRT_2PI * xp.exp(y * y / 2)),
    "LogNdtr": (lambda xp, x: _sp(xp).log_ndtr(x), lambda xp, x, y: xp.exp(-x * x / 2 - y) / _SQRT_2PI),
    "Entr": (lambda xp, x: _entr(xp, x), lambda xp, x, y: -(1 + xp.log(x))),
    "Sinc": (lambda xp, x: xp.sinc(x), lambda xp, x, y: _sinc_slope(xp, x, y)),
    "Frac": (lambda xp, x: x - xp.trunc(x), lambda xp, x, y: xp.ones_like(x)),
}


def _digamma(xp, x):
    # PyTorch: digamma(0) = -inf (SciPy gives nan at the pole)
    return xp.where(x == 0, -xp.inf * xp.copysign(1, x), _sp(xp).digamma(x))


def _i1_slope(xp, x, y, i0_like, scaled):
    # d/dx I1(x) = I0(x) − I1(x)/x (½ at 0); the scaled form subtracts sign(x)·I1e(x) too
    slope = xp.where(x == 0, 0.5, i0_like - y / xp.where(x == 0, 1, x))
    return slope - xp.sign(x) * y if scaled else slope


def _sinc_slope(xp, x, y):
    # d/dx sin(πx)/(πx) = (cos(πx) − sinc(x)) / x, and 0 at x = 0
    safe = xp.where(x == 0, 1, x)
    return xp.where(x == 0, 0, (xp.cos(math.pi * x) - y) / safe)


def _entr(xp, x):
    # −x·log x for x > 0, 0 at 0, −∞ below (as PyTorch); NaN stays NaN
    return xp.where(x > 0, -x * xp.log(xp.where(x > 0, x, 1)), xp.where(x == 0, 0, -xp.inf)) + 0 * x


_FUNCS = {name: _primitive(name, f, df) for name, (f, df) in _TABLE.items()}


def _apply(name, input):
    return _FUNCS[name].apply(to_float(input))


def tan(input):
    """tan x; d/dx = 1 + tan² x.

    Example:
        >>> import deepglass as dg
        >>> dg.tan(dg.tensor([0.0, 0.5]))
        tensor([0.0000, 0.5463])
    """
    return _apply("Tan", input)


def asin(input):
    """arcsin x on [−1, 1]; d/dx = 1/√(1 − x²)."""
    return _apply("Asin", input)


def acos(input):
    """arccos x on [−1, 1]; d/dx = −1/√(1 − x²)."""
    return _apply("Acos", input)


def atan(input):
    """arctan x; d/dx = 1/(1 + x²)."""
    return _apply("Atan", input)


def sinh(input):
    """sinh x = (eˣ − e⁻ˣ)/2; d/dx = cosh x."""
    return _apply("Sinh", input)


def cosh(input):
    """cosh x = (eˣ + e⁻ˣ)/2; d/dx = sinh x."""
    return _apply("Cosh", input)


def asinh(input):
    """arsinh x = log(x + √(x² + 1)); d/dx = 1/√(x² + 1)."""
    return _apply("Asinh", input)


def acosh(input):
    """arcosh x for x ≥ 1; d/dx = 1/√(x² − 1)."""
    return _apply("Acosh", input)


def atanh(input):
    """artanh x on (−1, 1); d/dx = 1/(1 − x²)."""
    return _apply("Atanh", input)


arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


def log2(input):
    """log₂ x; d/dx = 1/(x ln 2)."""
    return _apply("Log2", input)


def log10(input):
    """log₁₀ x; d/dx = 1/(x ln 10)."""
    return _apply("Log10", input)


def exp2(input):
    """2ˣ; d/dx = 2ˣ ln 2.

    Example:
        >>> import deepglass as dg
        >>> dg.exp2(dg.tensor([0.0, 3.0]))
        tensor([1., 8.])
    """
    return _apply("Exp2", input)


def erf(input):
    """erf x = (2/√π) ∫₀ˣ e^(−t²) dt; d/dx = (2/√π) e^(−x²).

    Example:
        >>> import deepglass as dg
        >>> dg.erf(dg.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8427])
    """
    return _apply("Erf", input)


def erfc(input):
    """erfc x = 1 − erf x; d/dx = −(2/√π) e^(−x²)."""
    return _apply("Erfc", input)


def erfinv(input):
    """The inverse of erf on (−1, 1); d/dx = (√π/2) e^(erfinv(x)²)."""
    return _apply("Erfinv", input)


def lgamma(input):
    """log |Γ(x)|; d/dx = ψ(x) (digamma).

    Example:
        >>> import deepglass as dg
        >>> dg.lgamma(dg.tensor([1.0, 5.0]))
        tensor([0.0000, 3.1781])
    """
    return _apply("Lgamma", input)


def digamma(input):
    """ψ(x) = d/dx log Γ(x); its derivative is the trigamma ψ′(x) = polygamma(1, x)."""
    return _apply("Digamma", input)


class Polygamma(Function):
    """ψ⁽ⁿ⁾(x), the n-th derivative of digamma; d/dx = ψ⁽ⁿ⁺¹⁾(x)."""

    @staticmethod
    def forward(ctx, x, n):
        xp = xp_of(x)
        ctx.n = n
        ctx.save_for_backward(x)
        with _errstate(xp):
            return (_digamma(xp, x) if n == 0 else _sp(xp).polygamma(xp.asarray(n), x)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        with _errstate(xp):
            return g * _sp(xp).polygamma(xp.asarray(ctx.n + 1), x).astype(g.dtype, copy=False), None


def polygamma(n: int, input):
    """ψ⁽ⁿ⁾(x) = dⁿ⁺¹/dxⁿ⁺¹ log Γ(x) for an integer n ≥ 0 (n = 0 is digamma).

    Example:
        >>> import deepglass as dg
        >>> dg.polygamma(1, dg.tensor([1.0]))
        tensor([1.6449])
    """
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n; got n = {n}")
    return Polygamma.apply(to_float(input), int(n))


def mvlgamma(input, p: int):
    """Multivariate log-gamma: log Γ_p(x) = p(p−1)/4 · log π + Σ_{i<p} log Γ(x − i/2).

    Every element must exceed (p − 1)/2. Composed from :func:`lgamma`, so its
    derivative is Σ ψ(x − i/2).

    Example:
        >>> import deepglass as dg
        >>> dg.mvlgamma(dg.tensor([2.5]), p=2)
        tensor([0.8570])
    """
    if p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1; got p = {p}")
    x = to_float(input)
    if x.numel() and bool(xp_of(x._array).any(x._array <= (p - 1) / 2)):
        raise RuntimeError(f"All elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    out = lgamma(x)
    for i in range(1, p):
        out = out + lgamma(x - i / 2)
    return out + p * (p - 1) / 4 * math.log(math.pi)


def i0(input):
    """Modified Bessel function of the first kind, order 0; d/dx I₀ = I₁."""
    return _apply("I0", input)


def sinc(input):
    """sinc x = sin(πx)/(πx), 1 at x = 0; d/dx = (cos(πx) − sinc x)/x.

    Example:
        >>> import deepglass as dg
        >>> dg.sinc(dg.tensor([0.0, 0.5]))
        tensor([1.0000, 0.6366])
    """
    return _apply("Sinc", input)


def frac(input):
    """x − trunc(x) (keeps the sign of x); d/dx = 1."""
    if input.dtype.kind != "f":
        raise RuntimeError(f"frac is not implemented for integer tensors ({dtypes.name_of(input.dtype)}); "
                           "convert with .double() first")
    return _FUNCS["Frac"].apply(input)


class _Logit(Function):
    """logit x = log(x/(1−x)), x clamped to [eps, 1−eps] when eps is given; d/dx = 1/(x(1−x)) inside."""

    @staticmethod
    def forward(ctx, x, eps):
        xp = xp_of(x)
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        ctx.eps = eps
        ctx.save_for_backward(x)
        with _errstate(xp):
            return xp.log(z / (1 - z)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        xp = xp_of(g)
        with _errstate(xp):
            slope = 1 / (x * (1 - x))
            if ctx.eps is not None:
                slope = xp.where((x < ctx.eps) | (x > 1 - ctx.eps), 0, slope)
        return g * slope.astype(g.dtype, copy=False), None


def logit(input, eps=None):
    """log(x/(1−x)), the inverse of sigmoid; with ``eps`` x is first clamped to [eps, 1 − eps].

    Example:
        >>> import deepglass as dg
        >>> dg.logit(dg.tensor([0.5, 0.75]))
        tensor([0.0000, 1.0986])
    """
    return _Logit.apply(to_float(input), eps)


class _NanToNum(Function):
    """Replace NaN, +inf, −inf by finite numbers; the gradient passes only where x was finite."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        xp = xp_of(x)
        ctx.save_for_backward(x)
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * xp_of(g).isfinite(x), None, None, None


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None):
    """NaN → ``nan``, +inf → ``posinf`` (default: the dtype's max), −inf → ``neginf`` (its min).

    Example:
        >>> import deepglass as dg
        >>> dg.nan_to_num(dg.tensor([float('nan'), 1.0]), nan=2.0)
        tensor([2., 1.])
    """
    if input.dtype.kind != "f":
        return input.clone()
    return _NanToNum.apply(input, nan, posinf, neginf)


def deg2rad(input):
    """Degrees to radians: x·π/180."""
    return to_float(input) * (math.pi / 180)


def rad2deg(input):
    """Radians to degrees: x·180/π."""
    return to_float(input) * (180 / math.pi)


def signbit(input):
    """True where the sign bit is set (−0.0 and negative numbers)."""
    return from_array(xp_of(input._array).signbit(input._array))


class _Sgn(Function):
    """sign(x): piecewise constant, so its gradient is zero (but the output stays in the graph, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        return xp_of(x).sign(x)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).zeros_like(g)


def sgn(input):
    """sign(x) for real tensors (x/|x| for complex ones in PyTorch); differentiable with a zero gradient.

    Example:
        >>> import deepglass as dg
        >>> dg.sgn(dg.tensor([-2.0, 0.0, 3.0]))
        tensor([-1., 0., 1.])
    """
    if input.dtype.kind == "c":  # z/|z| (0 at 0), composed so that its gradient follows
        from .elementwise import abs as _abs
        from .elementwise import where

        m = _abs(input)
        zero = m == 0
        return where(zero, 0j, input / where(zero, 1.0, m))
    if input.dtype.kind != "f" or not input.requires_grad:
        return from_array(xp_of(input._array).sign(input._array))
    return _Sgn.apply(input)


def positive(input):
    """Returns ``input`` itself (the unary plus)."""
    if input.dtype == dtypes.bool:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


def isposinf(input):
    """True where x = +inf."""
    return from_array(xp_of(input._array).isposinf(input._array))


def isneginf(input):
    """True where x = −inf."""
    return from_array(xp_of(input._array).isneginf(input._array))


def isreal(input):
    """True where the imaginary part is 0: everywhere, for real tensors."""
    if input.dtype.kind == "c":
        return from_array(input._array.imag == 0)
    return from_array(xp_of(input._array).ones(input.shape, dtype=bool))


def fix(input):
    """Alias of :func:`trunc` (round towards zero)."""
    from .compare import trunc

    return trunc(input)


def _check_tensor(input, name):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")


__all__ = [
    "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "asinh", "acosh", "atanh",
    "arcsinh", "arccosh", "arctanh", "log2", "log10", "exp2", "erf", "erfc", "erfinv", "lgamma", "digamma",
    "polygamma", "mvlgamma", "i0", "sinc", "frac", "logit", "nan_to_num", "deg2rad", "rad2deg", "signbit", "sgn",
    "positive", "isposinf", "isneginf", "isreal", "fix",
]
