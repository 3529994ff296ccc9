"""Registry entries for deepglass.ops.special and deepglass.ops.pointwise (issue 14's math)."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _unary(lo=None, hi=None, scale=1.0):
    """Samples in (lo, hi): a matrix, a broadcastable 3-D tensor, an empty one, a transposed view, a 0-d one."""
    def make(rng):
        def x(shape):
            a = rng.standard_normal(shape) * scale
            if lo is not None and hi is not None:
                a = lo + (hi - lo) * rng.uniform(0.05, 0.95, shape)
            elif lo is not None:
                a = lo + np.abs(a) + 0.1
            return np.asarray(a)

        return [Sample(x((3, 4))), Sample(x((2, 1, 3))), Sample(x((0,))), Sample(x((4, 3)).T), Sample(x(()))]

    return make


def _binary(pos_b=False):
    def make(rng):
        def b(shape):
            v = rng.standard_normal(shape)
            return np.abs(v) + 0.5 if pos_b else v

        return [Sample(rng.standard_normal((3, 4)), b((3, 4))), Sample(rng.standard_normal((2, 3, 4)), b((4,))),
                Sample(rng.standard_normal((3, 1)), b((1, 5))), Sample(rng.standard_normal((4, 3)).T, b((4,))),
                Sample(rng.standard_normal(()), b((2, 2)))]

    return make


def _ints(rng):
    return [Sample(rng.integers(-20, 20, (3, 4)), rng.integers(1, 20, (3, 4))),
            Sample(rng.integers(-20, 20, (5,)), rng.integers(1, 20, (5,)))]


def _shifts(rng):
    return [Sample(rng.integers(-100, 100, (3, 4)), rng.integers(0, 8, (3, 4))),
            Sample(rng.integers(-100, 100, (5,)), 3)]


def _no_tie(rng):
    a = rng.standard_normal((3, 4))
    b = a + rng.uniform(0.1, 1, (3, 4)) * rng.choice([-1, 1], (3, 4))
    b[0, 0] = np.nan
    return [Sample(a, b), Sample(rng.standard_normal((2, 3)), rng.standard_normal((3,)) + 3)]


def _u(name, fn=None, tfn=None, **kw):
    """An entry whose deepglass and torch callables share the name."""
    dgf = fn or getattr(dg, name)
    tf = tfn or getattr(torch, name)
    samples = kw.pop("samples")
    return OpInfo(name, dgf, tf, samples, **kw)


_ALIASES = {"asin": ("arcsin",), "acos": ("arccos",), "atan": ("arctan",), "asinh": ("arcsinh",),
            "acosh": ("arccosh",), "atanh": ("arctanh",), "atan2": ("arctan2",)}

ENTRIES = [
    _u("tan", samples=_unary(-1.2, 1.2)),
    _u("asin", samples=_unary(-0.9, 0.9), aliases=_ALIASES["asin"]),
    _u("acos", samples=_unary(-0.9, 0.9), aliases=_ALIASES["acos"]),
    _u("atan", samples=_unary(), aliases=_ALIASES["atan"]),
    _u("sinh", samples=_unary()), _u("cosh", samples=_unary()),
    _u("asinh", samples=_unary(), aliases=_ALIASES["asinh"]),
    _u("acosh", samples=_unary(lo=1.0), aliases=_ALIASES["acosh"]),
    _u("atanh", samples=_unary(-0.9, 0.9), aliases=_ALIASES["atanh"]),
    _u("log2", samples=_unary(lo=0.0)), _u("log10", samples=_unary(lo=0.0)), _u("exp2", samples=_unary()),
    _u("erf", samples=_unary()), _u("erfc", samples=_unary()), _u("erfinv", samples=_unary(-0.9, 0.9)),
    _u("lgamma", samples=_unary(lo=0.0)), _u("digamma", samples=_unary(lo=0.0)),
    OpInfo("polygamma", lambda x: dg.polygamma(2, x), lambda x: torch.polygamma(2, x), _unary(lo=0.3),
           rtol=1e-4, note="SciPy vs PyTorch series for ψ⁽²⁾"),
    OpInfo("mvlgamma", lambda x: dg.mvlgamma(x, p=3), lambda x: torch.mvlgamma(x, p=3), _unary(lo=1.0)),
    _u("i0", samples=_unary()), _u("sinc", samples=_unary()),
    _u("frac", samples=_unary(scale=3.0)),
    _u("logit", samples=_unary(0.0, 1.0)),
    OpInfo("logit_eps", lambda x: dg.logit(x, eps=0.2), lambda x: torch.logit(x, eps=0.2), _unary(0.0, 1.0)),
    OpInfo("nan_to_num", dg.nan_to_num, torch.nan_to_num,
           lambda rng: [Sample(np.array([np.nan, np.inf, -np.inf, 1.5, -2.0])),
                        Sample(np.array([[np.nan, 2.0], [np.inf, 3.0]]), nan=1.0, posinf=9.0, neginf=-9.0)]),
    _u("deg2rad", samples=_unary(scale=90.0)), _u("rad2deg", samples=_unary()),
    _u("signbit", samples=_unary(), grad=False), _u("isposinf", samples=_unary(), grad=False),
    _u("isneginf", samples=_unary(), grad=False), _u("isreal", samples=_unary(), grad=False),
    _u("sgn", samples=_unary(), gradcheck=False), _u("positive", samples=_unary()),
    _u("fix", samples=_unary(scale=3.0), grad=False),
    # pointwise
    _u("atan2", samples=_binary(), aliases=_ALIASES["atan2"]),
    _u("hypot", samples=_binary()), _u("logaddexp", samples=_binary()), _u("logaddexp2", samples=_binary()),
    _u("xlogy", samples=_binary(pos_b=True)),
    _u("copysign", samples=_binary()), _u("fmod", samples=_binary(pos_b=True), gradcheck=False,
                                          note="the b-gradient −trunc(a/b) jumps"),
    _u("fmax", samples=_no_tie), _u("fmin", samples=_no_tie),
    OpInfo("lerp", dg.lerp, torch.lerp,
           lambda rng: [Sample(rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), 0.3),
                        Sample(rng.standard_normal((3, 4)), rng.standard_normal((4,)), rng.uniform(0, 1, (3, 1)))]),
    OpInfo("float_power", dg.float_power, torch.float_power,
           lambda rng: [Sample(np.abs(rng.standard_normal((3, 4))) + 0.5, rng.standard_normal((3, 4))),
                        Sample(np.abs(rng.standard_normal((3,))) + 0.5, 2.5)]),
    OpInfo("ldexp", dg.ldexp, torch.ldexp, lambda rng: [Sample(rng.standard_normal((3, 4)), rng.integers(0, 4, (3, 4)))],
           note="exponents >= 0: for a negative integer exponent PyTorch 2.13's gradient is 0 (integer 2^e), ours 2^e"),
    OpInfo("frexp", dg.frexp, torch.frexp, lambda rng: [Sample(rng.standard_normal((3, 4)) * 100)], grad=False),
    OpInfo("heaviside", dg.heaviside, torch.heaviside,
           lambda rng: [Sample(np.array([-1.0, 0.0, 2.0]), np.array([0.5, 0.5, 0.5]))], grad=False),
    OpInfo("nextafter", dg.nextafter, torch.nextafter, lambda rng: [Sample(rng.standard_normal((3,)), np.zeros(3))],
           grad=False),
    _u("gcd", samples=_ints, grad=False), _u("lcm", samples=_ints, grad=False),
    _u("bitwise_left_shift", samples=_shifts, grad=False), _u("bitwise_right_shift", samples=_shifts, grad=False),
    OpInfo("isin", dg.isin, torch.isin,
           lambda rng: [Sample(rng.integers(0, 6, (3, 4)), rng.integers(0, 6, (5,))),
                        Sample(rng.integers(0, 6, (3, 4)), 3)], grad=False),
    OpInfo("clamp_min", dg.clamp_min, torch.clamp_min, lambda rng: [Sample(rng.standard_normal((3, 4)), 0.1)]),
    OpInfo("clamp_max", dg.clamp_max, torch.clamp_max, lambda rng: [Sample(rng.standard_normal((3, 4)), 0.1)]),
    OpInfo("rsub", dg.rsub, torch.rsub, _binary()),
    OpInfo("igamma", dg.igamma, torch.igamma,
           lambda rng: [Sample(rng.uniform(0.5, 3, (3, 4)), rng.uniform(0.1, 4, (3, 4)), grad=(1,))],
           note="PyTorch has no derivative with respect to the first argument"),
    OpInfo("igammac", dg.igammac, torch.igammac,
           lambda rng: [Sample(rng.uniform(0.5, 3, (3, 4)), rng.uniform(0.1, 4, (3, 4)), grad=(1,))]),
    # deepglass.special (the namespace; most names are the functions above)
    OpInfo("special.erfcx", dg.special.erfcx, torch.special.erfcx, _unary(scale=2.0)),
    OpInfo("special.ndtr", dg.special.ndtr, torch.special.ndtr, _unary()),
    OpInfo("special.ndtri", dg.special.ndtri, torch.special.ndtri, _unary(0.0, 1.0)),
    OpInfo("special.log_ndtr", dg.special.log_ndtr, torch.special.log_ndtr, _unary(scale=3.0)),
    OpInfo("special.entr", dg.special.entr, torch.special.entr, _unary(lo=0.0)),
    OpInfo("special.i0e", dg.special.i0e, torch.special.i0e, _unary()),
    OpInfo("special.i1", dg.special.i1, torch.special.i1, _unary()),
    OpInfo("special.i1e", dg.special.i1e, torch.special.i1e, _unary()),
    OpInfo("special.xlog1py", dg.special.xlog1py, torch.special.xlog1py, _binary(pos_b=True)),
    OpInfo("special.zeta", dg.special.zeta, torch.special.zeta,
           lambda rng: [Sample(rng.uniform(1.5, 4, (3, 4)), rng.uniform(0.5, 3, (3, 4)))], grad=False),
    OpInfo("special.bessel_j0", dg.special.bessel_j0, torch.special.bessel_j0, _unary(), grad=False),
    OpInfo("special.modified_bessel_k1", dg.special.modified_bessel_k1, torch.special.modified_bessel_k1,
           _unary(lo=0.0), grad=False),
]
