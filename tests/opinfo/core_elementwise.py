"""Registry entries for deepglass.ops.elementwise."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _binary_samples(rng, positive_b=False):
    def b(shape):
        x = rng.standard_normal(shape)
        return np.abs(x) + 0.5 if positive_b else x

    return [
        Sample(rng.standard_normal((3, 4)), b((3, 4))),
        Sample(rng.standard_normal((2, 3, 4)), b((4,))),            # broadcasting
        Sample(rng.standard_normal((3, 1)), b((1, 5))),             # both broadcast
        Sample(rng.standard_normal((0, 3)), b((3,))),               # zero-size
        Sample(rng.standard_normal((4, 3)).T, b((4,))),             # non-contiguous
        Sample(rng.standard_normal((2, 3)), 2.5),                   # python scalar
        Sample(rng.standard_normal(()), b((2, 2))),                 # 0-dim
    ]


def _unary_samples(rng, lo=None):
    def x(shape):
        a = rng.standard_normal(shape)
        return np.asarray(np.abs(a) + lo) if lo is not None else a

    return [Sample(x((3, 4))), Sample(x((2, 1, 3))), Sample(x((0,))), Sample(x((4, 3)).T), Sample(x(()))]


def _tie_free(rng):
    a = rng.standard_normal((3, 4))
    return [Sample(a, a + rng.uniform(0.1, 1, (3, 4)) * rng.choice([-1, 1], (3, 4))),
            Sample(rng.standard_normal((2, 3)), rng.standard_normal((3,)) + 3)]


def _int_samples(rng):
    return [Sample(rng.integers(-5, 5, (3, 4)), rng.integers(1, 5, (3, 4))),
            Sample(rng.integers(-5, 5, (3,)), 2)]


def _cmp_samples(rng):
    a = rng.standard_normal((3, 4))
    return [Sample(a, a.copy()), Sample(a, rng.standard_normal((4,))), Sample(a, 0.0)]


def _bool_samples(rng):
    return [Sample(rng.random((3, 4)) > 0.5, rng.random((3, 4)) > 0.5)]


ENTRIES = [
    OpInfo("add", dg.add, torch.add, _binary_samples),
    OpInfo("sub", dg.sub, torch.sub, _binary_samples, aliases=("subtract",)),
    OpInfo("mul", dg.mul, torch.mul, _binary_samples, aliases=("multiply",)),
    OpInfo("div", dg.div, torch.div, lambda rng: _binary_samples(rng, positive_b=True), aliases=("divide", "true_divide")),
    OpInfo("div_int", lambda a, b: dg.div(a, b), lambda a, b: torch.div(a, b), _int_samples, grad=False),
    OpInfo("div_trunc", lambda a, b: dg.div(a, b, rounding_mode="trunc"), lambda a, b: torch.div(a, b, rounding_mode="trunc"),
           _int_samples, grad=False),
    OpInfo("pow", dg.pow, torch.pow,
           lambda rng: [Sample(np.abs(rng.standard_normal((3, 4))) + 0.5, 2), Sample(np.abs(rng.standard_normal((3, 4))) + 0.5, 0.5),
                        Sample(np.abs(rng.standard_normal((2, 3))) + 0.5, rng.standard_normal((3,))),
                        Sample(rng.standard_normal((3,)), 3)]),
    OpInfo("rpow", lambda a: 2.0 ** a, lambda a: 2.0 ** a, lambda rng: [Sample(rng.standard_normal((3, 4)))]),
    OpInfo("neg", dg.neg, torch.neg, _unary_samples, aliases=("negative",)),
    OpInfo("floor_divide", dg.floor_divide, torch.floor_divide, _int_samples, grad=False),
    OpInfo("remainder", dg.remainder, torch.remainder,
           lambda rng: [Sample(rng.standard_normal((3, 4)) * 3, np.abs(rng.standard_normal((3, 4))) + 0.5)] + _int_samples(rng),
           note="a−b·floor(a/b); gradient wrt b is −floor(a/b)", gradcheck=False),
    OpInfo("exp", dg.exp, torch.exp, _unary_samples),
    OpInfo("log", dg.log, torch.log, lambda rng: _unary_samples(rng, lo=0.2)),
    OpInfo("log1p", dg.log1p, torch.log1p, lambda rng: _unary_samples(rng, lo=0.0)),
    OpInfo("expm1", dg.expm1, torch.expm1, _unary_samples),
    OpInfo("sqrt", dg.sqrt, torch.sqrt, lambda rng: _unary_samples(rng, lo=0.2)),
    OpInfo("rsqrt", dg.rsqrt, torch.rsqrt, lambda rng: _unary_samples(rng, lo=0.2)),
    OpInfo("sin", dg.sin, torch.sin, _unary_samples),
    OpInfo("cos", dg.cos, torch.cos, _unary_samples),
    OpInfo("tanh", dg.tanh, torch.tanh, _unary_samples),
    OpInfo("sigmoid", dg.sigmoid, torch.sigmoid,
           lambda rng: _unary_samples(rng) + [Sample(np.array([-1e4, -100.0, 0.0, 100.0, 1e4]))]),
    OpInfo("reciprocal", dg.reciprocal, torch.reciprocal, lambda rng: _unary_samples(rng, lo=0.3)),
    OpInfo("abs", dg.abs, torch.abs, _unary_samples, aliases=("absolute",)),
    OpInfo("sign", dg.sign, torch.sign, _unary_samples, grad=False),
    OpInfo("square", dg.square, torch.square, _unary_samples),
    OpInfo("clamp", dg.clamp, torch.clamp,
           lambda rng: [Sample(rng.standard_normal((3, 4)), -0.5, 0.5), Sample(rng.standard_normal((5,)), min=0.1),
                        Sample(rng.standard_normal((5,)), max=0.1),
                        Sample(rng.standard_normal((3, 4)), rng.standard_normal((4,)) - 1, rng.standard_normal((4,)) + 1, grad=(0,))],
           aliases=("clip",)),
    OpInfo("maximum", dg.maximum, torch.maximum, _tie_free),
    OpInfo("minimum", dg.minimum, torch.minimum, _tie_free),
    OpInfo("maximum_ties", dg.maximum, torch.maximum, lambda rng: [Sample(np.ones((3,)), np.ones((3,)))], gradcheck=False,
           note="equal inputs split the gradient in half, as PyTorch; not differentiable there"),
    OpInfo("where", lambda c, a, b: dg.where(c, a, b), lambda c, a, b: torch.where(c, a, b),
           lambda rng: [Sample(rng.random((3, 4)) > 0.5, rng.standard_normal((3, 4)), rng.standard_normal((4,))),
                        Sample(rng.random((3, 1)) > 0.5, rng.standard_normal((1, 4)), 0.0)]),
    OpInfo("where_nonzero", lambda c: dg.where(c), lambda c: torch.where(c), lambda rng: [Sample(rng.random((3, 4)) > 0.5)], grad=False),
    OpInfo("eq", dg.eq, torch.eq, _cmp_samples, grad=False),
    OpInfo("ne", dg.ne, torch.ne, _cmp_samples, grad=False, aliases=("not_equal",)),
    OpInfo("lt", dg.lt, torch.lt, _cmp_samples, grad=False, aliases=("less",)),
    OpInfo("le", dg.le, torch.le, _cmp_samples, grad=False, aliases=("less_equal",)),
    OpInfo("gt", dg.gt, torch.gt, _cmp_samples, grad=False, aliases=("greater",)),
    OpInfo("ge", dg.ge, torch.ge, _cmp_samples, grad=False, aliases=("greater_equal",)),
    OpInfo("logical_and", dg.logical_and, torch.logical_and, _bool_samples, grad=False),
    OpInfo("logical_or", dg.logical_or, torch.logical_or, _bool_samples, grad=False),
    OpInfo("logical_xor", dg.logical_xor, torch.logical_xor, _bool_samples, grad=False),
    OpInfo("logical_not", dg.logical_not, torch.logical_not, lambda rng: [Sample(rng.random((3, 4)) > 0.5)], grad=False),
    OpInfo("bitwise_and", dg.bitwise_and, torch.bitwise_and, _bool_samples, grad=False),
    OpInfo("bitwise_or", dg.bitwise_or, torch.bitwise_or, _bool_samples, grad=False),
    OpInfo("bitwise_xor", dg.bitwise_xor, torch.bitwise_xor, _bool_samples, grad=False),
    OpInfo("bitwise_not", dg.bitwise_not, torch.bitwise_not, lambda rng: [Sample(rng.random((3, 4)) > 0.5),
                                                                         Sample(rng.integers(-3, 3, (4,)))], grad=False),
    OpInfo("isnan", dg.isnan, torch.isnan, lambda rng: [Sample(np.array([1.0, np.nan, np.inf, -np.inf]))], grad=False),
    OpInfo("isinf", dg.isinf, torch.isinf, lambda rng: [Sample(np.array([1.0, np.nan, np.inf, -np.inf]))], grad=False),
    OpInfo("isfinite", dg.isfinite, torch.isfinite, lambda rng: [Sample(np.array([1.0, np.nan, np.inf, -np.inf]))], grad=False),
    OpInfo("equal", dg.equal, torch.equal, lambda rng: [Sample(np.ones((2, 2)), np.ones((2, 2))), Sample(np.ones((2,)), np.zeros((2,)))], grad=False),
    OpInfo("allclose", dg.allclose, torch.allclose, lambda rng: [Sample(np.ones(3), np.ones(3) + 1e-9), Sample(np.ones(3), np.zeros(3))], grad=False),
    OpInfo("isclose", dg.isclose, torch.isclose, lambda rng: [Sample(np.ones(3), np.array([1.0, 1.1, 1 + 1e-9]))], grad=False),
    OpInfo("floor", dg.floor, torch.floor, _unary_samples, grad=False),
    OpInfo("ceil", dg.ceil, torch.ceil, _unary_samples, grad=False),
    OpInfo("round", dg.round, torch.round, lambda rng: [Sample(np.array([0.5, 1.5, 2.5, -0.5, 1.2]))], grad=False),
    OpInfo("trunc", dg.trunc, torch.trunc, _unary_samples, grad=False),
    OpInfo("clone", dg.clone, torch.clone, _unary_samples),
]
