"""Registry entries for deepglass.ops.reduce."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _reduce_samples(rng, with_dims=True):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    out = [Sample(x(3, 4)), Sample(x(2, 3, 4), dim=1), Sample(x(2, 3, 4), dim=(0, 2), keepdim=True),
           Sample(x(3, 4), dim=-1, keepdim=True), Sample(x(4, 3).T, dim=0), Sample(x()), Sample(x(0, 3), dim=1)]
    return out if with_dims else out[:1]


def _distinct(rng, *shape):
    # values without ties so max/min gradients are unambiguous
    return rng.permutation(int(np.prod(shape))).reshape(shape).astype(float) / 7 - 1


def _maxmin_samples(rng):
    return [Sample(_distinct(rng, 3, 4)), Sample(_distinct(rng, 3, 4), 1), Sample(_distinct(rng, 2, 3, 4), 0, True),
            Sample(_distinct(rng, 4, 3).T, -1)]


def _amax_samples(rng):
    return [Sample(_distinct(rng, 3, 4)), Sample(_distinct(rng, 2, 3, 4), dim=(0, 2)), Sample(_distinct(rng, 3, 4), dim=1, keepdim=True),
            Sample(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), dim=1)]  # ties share the gradient


def _var_samples(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(3, 4)), Sample(x(2, 3, 4), dim=1), Sample(x(3, 4), dim=(0, 1), correction=0),
            Sample(x(3, 5), dim=-1, keepdim=True, correction=2), Sample(x(4, 3).T, dim=0, unbiased=False)]


ENTRIES = [
    OpInfo("sum", dg.sum, torch.sum, _reduce_samples),
    OpInfo("sum_int", dg.sum, torch.sum, lambda rng: [Sample(rng.integers(0, 5, (3, 4)), dim=1), Sample(rng.random((3,)) > 0.5)], grad=False),
    OpInfo("mean", dg.mean, torch.mean, lambda rng: _reduce_samples(rng)[:-1], note="mean of an empty dim is NaN in both"),
    OpInfo("prod", dg.prod, torch.prod,
           lambda rng: [Sample(rng.standard_normal((3, 4))), Sample(rng.standard_normal((3, 4)), 1),
                        Sample(np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]]), 1), Sample(rng.standard_normal((2, 3)), 0, True)]),
    OpInfo("max", dg.max, torch.max, _maxmin_samples),
    OpInfo("min", dg.min, torch.min, _maxmin_samples),
    OpInfo("amax", dg.amax, torch.amax, _amax_samples, gradcheck=False,
           note="gradcheck skipped: the tie sample is not differentiable; tie-free cases are covered by max/min"),
    OpInfo("amin", dg.amin, torch.amin, _amax_samples, gradcheck=False, note="as amax"),
    OpInfo("argmax", dg.argmax, torch.argmax, lambda rng: [Sample(_distinct(rng, 3, 4)), Sample(_distinct(rng, 3, 4), 1),
                                                          Sample(_distinct(rng, 3, 4), 0, True)], grad=False),
    OpInfo("argmin", dg.argmin, torch.argmin, lambda rng: [Sample(_distinct(rng, 3, 4)), Sample(_distinct(rng, 3, 4), 1)], grad=False),
    OpInfo("var", dg.var, torch.var, _var_samples),
    OpInfo("std", dg.std, torch.std, _var_samples),
    OpInfo("logsumexp", dg.logsumexp, torch.logsumexp,
           lambda rng: [Sample(rng.standard_normal((3, 4)), 1), Sample(rng.standard_normal((2, 3, 4)), (0, 2), True),
                        Sample(np.array([[1e4, 1e4 - 1.0], [-1e4, 0.0]]), 1)]),
    OpInfo("cumsum", dg.cumsum, torch.cumsum, lambda rng: [Sample(rng.standard_normal((3, 4)), 1), Sample(rng.standard_normal((3, 4)), 0),
                                                         Sample(rng.standard_normal((4, 3)).T, -1)]),
    OpInfo("vector_norm", dg.linalg.vector_norm, torch.linalg.vector_norm,
           lambda rng: [Sample(rng.standard_normal((3, 4))), Sample(rng.standard_normal((3, 4)), 1, 1),
                        Sample(rng.standard_normal((3, 4)), 3, (0, 1)), Sample(_distinct(rng, 3, 4), float("inf"), 1),
                        Sample(rng.standard_normal((3, 4)), 0.5, 1, True)]),
    OpInfo("norm", dg.norm, torch.norm, lambda rng: [Sample(rng.standard_normal((3, 4))), Sample(rng.standard_normal((3, 4)), 1, 1),
                                                   Sample(rng.standard_normal((3, 4)), 2, 0, True)]),
    OpInfo("all", dg.all, torch.all, lambda rng: [Sample(rng.random((3, 4)) > 0.2), Sample(rng.random((3, 4)) > 0.2, dim=1)], grad=False),
    OpInfo("any", dg.any, torch.any, lambda rng: [Sample(rng.random((3, 4)) > 0.8), Sample(rng.random((3, 4)) > 0.8, dim=0, keepdim=True)], grad=False),
    OpInfo("count_nonzero", dg.count_nonzero, torch.count_nonzero,
           lambda rng: [Sample(rng.integers(0, 2, (3, 4))), Sample(rng.integers(0, 2, (3, 4)), dim=1)], grad=False),
]
