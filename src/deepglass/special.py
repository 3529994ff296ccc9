"""``deepglass.special``: PyTorch's ``torch.special`` names.

Most are the functions of :mod:`deepglass.ops.special` and :mod:`deepglass.ops.pointwise`
under SciPy's names (``gammaln`` is ``lgamma``, ``expit`` is ``sigmoid``, ``psi`` is
``digamma``); the Bessel functions PyTorch does not differentiate are plain forwards.

Example:
    >>> import deepglass as dg
    >>> dg.special.ndtr(dg.tensor([0.0]))
    tensor([0.5000])
"""
from __future__ import annotations

from ._tensor import from_array
from .ops import special as _S
from .ops._util import promote, to_float, xp_of
from .ops.activation import log_softmax as _log_softmax
from .ops.activation import softmax as _softmax
from .ops.compare import round
from .ops.elementwise import expm1, log1p, sigmoid
from .ops.pointwise import igamma as gammainc
from .ops.pointwise import igammac as gammaincc
from .ops.pointwise import xlog1py, xlogy
from .ops.reduce import logsumexp
from .ops.special import (
    digamma,
    erf,
    erfc,
    erfinv,
    exp2,
    i0,
    logit,
    mvlgamma,
    polygamma,
    sinc,
)

expit = sigmoid
gammaln = _S.lgamma
psi = digamma
multigammaln = mvlgamma


def _apply(name, input):
    return _S._FUNCS[name].apply(to_float(input))


def erfcx(input):
    """Scaled complementary error function e^(x²)·erfc(x); d/dx = 2x·erfcx(x) − 2/√π."""
    return _apply("Erfcx", input)


def ndtr(input):
    """The standard normal CDF Φ(x) = ½ erfc(−x/√2); d/dx = e^(−x²/2)/√(2π)."""
    return _apply("Ndtr", input)


def ndtri(input):
    """The inverse of Φ on (0, 1); d/dp = √(2π) e^(y²/2)."""
    return _apply("Ndtri", input)


def log_ndtr(input):
    """log Φ(x), accurate for very negative x; d/dx = φ(x)/Φ(x)."""
    return _apply("LogNdtr", input)


def entr(input):
    """Entropy term −x·log x (0 at 0, −inf for x < 0); d/dx = −(1 + log x)."""
    return _apply("Entr", input)


def i0e(input):
    """Exponentially scaled I₀: e^(−|x|)·I₀(x)."""
    return _apply("I0e", input)


def i1(input):
    """Modified Bessel function of the first kind, order 1."""
    return _apply("I1", input)


def i1e(input):
    """Exponentially scaled I₁: e^(−|x|)·I₁(x)."""
    return _apply("I1e", input)


def softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _log_softmax(input, dim, dtype=dtype)


def _plain(fn_name, input, *extra):
    """A forward without gradient through SciPy (PyTorch does not differentiate these either)."""
    x = to_float(input)
    xp = xp_of(x._array)
    sp = _S._sp(xp)
    import numpy as np

    with np.errstate(all="ignore"):
        y = getattr(sp, fn_name)(*extra, x._array) if extra else getattr(sp, fn_name)(x._array)
    if isinstance(y, tuple):
        y = y[0]
    return from_array(xp.asarray(y).astype(x.dtype, copy=False))


def bessel_j0(input):
    """Bessel function of the first kind, order 0 (no gradient, as PyTorch)."""
    return _plain("j0", input)


def bessel_j1(input):
    """Bessel function of the first kind, order 1 (no gradient)."""
    return _plain("j1", input)


def bessel_y0(input):
    """Bessel function of the second kind, order 0 (no gradient)."""
    return _plain("y0", input)


def bessel_y1(input):
    """Bessel function of the second kind, order 1 (no gradient)."""
    return _plain("y1", input)


def modified_bessel_i0(input):
    """Modified Bessel function of the first kind, order 0 (no gradient)."""
    return _plain("i0", input)


def modified_bessel_i1(input):
    """Modified Bessel function of the first kind, order 1 (no gradient)."""
    return _plain("i1", input)


def modified_bessel_k0(input):
    """Modified Bessel function of the second kind, order 0 (no gradient)."""
    return _plain("k0", input)


def modified_bessel_k1(input):
    """Modified Bessel function of the second kind, order 1 (no gradient)."""
    return _plain("k1", input)


def scaled_modified_bessel_k0(input):
    """eˣ·K₀(x) (no gradient)."""
    return _plain("k0e", input)


def scaled_modified_bessel_k1(input):
    """eˣ·K₁(x) (no gradient)."""
    return _plain("k1e", input)


def spherical_bessel_j0(input):
    """sin(x)/x, 1 at 0 (no gradient)."""
    return _plain("spherical_jn", input, 0)


def airy_ai(input):
    """The Airy function Ai(x) (no gradient)."""
    return _plain("airy", input)


def zeta(input, other):
    """The Hurwitz zeta function ζ(x, q) = Σₖ (k + q)^(−x) (no gradient, as PyTorch)."""
    import numpy as np

    a, b = promote(input, other)
    a = to_float(a) if hasattr(a, "_array") else float(a)
    b = to_float(b) if hasattr(b, "_array") else float(b)
    ref = a if hasattr(a, "_array") else b
    xp = xp_of(ref._array)
    av = a._array if hasattr(a, "_array") else a
    bv = b._array if hasattr(b, "_array") else b
    with np.errstate(all="ignore"):
        y = _S._sp(xp).zeta(av, bv)
    return from_array(xp.asarray(y).astype(ref.dtype, copy=False))


__all__ = [
    "expit", "logit", "erf", "erfc", "erfcx", "erfinv", "ndtr", "ndtri", "log_ndtr", "xlogy", "xlog1py", "entr",
    "i0", "i0e", "i1", "i1e", "sinc", "gammaln", "digamma", "psi", "polygamma", "multigammaln", "zeta",
    "logsumexp", "softmax", "log_softmax", "exp2", "expm1", "log1p", "round", "bessel_j0", "bessel_j1",
    "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
    "airy_ai", "gammainc", "gammaincc",
]
