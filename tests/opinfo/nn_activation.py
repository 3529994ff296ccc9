"""Registry entries for the activation table beyond relu/softmax (core_activation.py has those).

Samples keep ``gap`` away from each function's kinks (finite differences); the gradients
at the kinks themselves are compared with PyTorch in tests/nn/test_activation_functions.py.
rrelu is compared in evaluation mode (its training slopes are random: a statistical test there).
"""
from __future__ import annotations

import numpy as np
import torch.nn.functional as TF

import deepglass.nn.functional as F

from . import OpInfo, Sample


def _away(rng, shape, kinks=(0.0,), scale=1.0, gap=0.05):
    """Random values kept ``gap`` away from the non-differentiable points (finite differences)."""
    x = rng.standard_normal(shape) * scale
    for k in kinks:
        near = np.abs(x - k) < gap
        x[near] = k + np.where(x[near] >= k, gap, -gap) * 2
    return x


def _plain(rng, kinks=(0.0,), scale=1.0, **kw):
    return [Sample(_away(rng, (3, 4), kinks, scale), **kw), Sample(_away(rng, (2, 3, 5), kinks, scale), **kw)]


def _extreme():
    return Sample(np.array([-1000.0, -50.0, -20.0, -1.0, 1.0, 20.0, 50.0, 1000.0]))


def _softmin_samples(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(3, 5), dim=1), Sample(x(2, 3, 4), dim=0), Sample(x(2, 3, 4), dim=-1), Sample(x(4, 3).T, 1),
            Sample(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]]), dim=1)]


def _shrink(rng):
    return (_plain(rng, (-0.5, 0.5), scale=1.5) + [Sample(_away(rng, (3, 4), (-1.0, 1.0), 2.0), 1.0),
                                                   Sample(_away(rng, (2, 5), (0.0,)), lambd=0.0)])


ENTRIES = [
    OpInfo("leaky_relu", F.leaky_relu, TF.leaky_relu,
           lambda rng: _plain(rng) + [Sample(_away(rng, (2, 5), (0.0,)), 0.2), Sample(_away(rng, (4,), (0.0,)), negative_slope=1.5)]),
    OpInfo("prelu", F.prelu, TF.prelu, lambda rng: [
        Sample(_away(rng, (2, 3, 4), (0.0,)), rng.uniform(0.1, 0.4, 3)),
        Sample(_away(rng, (2, 3, 2, 2), (0.0,)), rng.uniform(0.1, 0.4, 1)),
        Sample(_away(rng, (5,), (0.0,)), np.array([0.25])),
    ]),
    OpInfo("elu", F.elu, TF.elu, lambda rng: _plain(rng) + [Sample(_away(rng, (2, 5), (0.0,)), alpha=0.7)]),
    OpInfo("gelu", F.gelu, TF.gelu, lambda rng: _plain(rng, scale=2.0) + _plain(rng, scale=2.0, approximate="tanh")),
    OpInfo("silu", F.silu, TF.silu, lambda rng: _plain(rng, scale=3.0)),
    OpInfo("relu6", F.relu6, TF.relu6, lambda rng: _plain(rng, (0.0, 6.0), scale=4.0)),
    OpInfo("hardswish", F.hardswish, TF.hardswish, lambda rng: _plain(rng, (-3.0, 3.0), scale=4.0)),
    OpInfo("softplus", F.softplus, TF.softplus, lambda rng: _plain(rng, scale=3.0) + [
        Sample(_away(rng, (3, 4), (2.5,), 4.0), beta=2.0, threshold=5.0),
        Sample(np.array([-30.0, -1.0, 0.0, 19.0, 21.0, 50.0])),
    ]),
    OpInfo("hardtanh", F.hardtanh, TF.hardtanh, lambda rng: _plain(rng, (-1.0, 1.0), scale=2.0) + [
        Sample(_away(rng, (3, 4), (-2.0, 0.5), 2.0), -2.0, 0.5), Sample(_away(rng, (4,), (0.0,)), min_val=0.0, max_val=0.0),
        Sample(np.array([-3, 0, 1, 3]), -1.5, 1.5), Sample(np.array([[-4, 2], [7, 9]]), 0, 6),
    ], note="integer inputs stay integer (bounds truncated), as in PyTorch"),
    OpInfo("rrelu", F.rrelu, TF.rrelu, lambda rng: _plain(rng) + [
        Sample(_away(rng, (2, 5), (0.0,)), 0.1, 0.4), Sample(_away(rng, (4,), (0.0,)), 0.2, 0.2, False),
    ], note="evaluation mode: the slope (lower + upper)/2"),
    OpInfo("selu", F.selu, TF.selu, lambda rng: _plain(rng, scale=3.0) + [_extreme()]),
    OpInfo("celu", F.celu, TF.celu, lambda rng: _plain(rng, scale=2.0) + [
        Sample(_away(rng, (3, 4), (0.0,), 3.0), 2.0), Sample(_away(rng, (3, 4), (0.0,), 2.0), alpha=0.5),
        Sample(_away(rng, (4,), (0.0,), 2.0), alpha=-1.5), _extreme()]),
    OpInfo("mish", F.mish, TF.mish, lambda rng: _plain(rng, (), scale=3.0) + [_extreme()]),
    OpInfo("hardsigmoid", F.hardsigmoid, TF.hardsigmoid, lambda rng: _plain(rng, (-3.0, 3.0), scale=4.0)),
    OpInfo("softsign", F.softsign, TF.softsign, lambda rng: _plain(rng, (), scale=3.0) + [_extreme()]),
    OpInfo("logsigmoid", F.logsigmoid, TF.logsigmoid, lambda rng: _plain(rng, (), scale=3.0) + [_extreme()]),
    OpInfo("tanhshrink", F.tanhshrink, TF.tanhshrink, lambda rng: _plain(rng, (), scale=2.0) + [_extreme()]),
    OpInfo("hardshrink", F.hardshrink, TF.hardshrink, _shrink),
    OpInfo("softshrink", F.softshrink, TF.softshrink, _shrink),
    OpInfo("threshold", F.threshold, TF.threshold, lambda rng: [
        Sample(_away(rng, (3, 4), (0.5,)), 0.5, -2.0), Sample(_away(rng, (2, 3, 2), (-1.0,)), -1.0, 3.0),
        Sample(_away(rng, (5,), (0.0,)), threshold=0.0, value=0.0), Sample(np.array([1, 2, 3]), 1.5, 0.5),
    ]),
    OpInfo("glu", F.glu, TF.glu, lambda rng: [
        Sample(rng.standard_normal((3, 4))), Sample(rng.standard_normal((2, 6, 3)), 1), Sample(rng.standard_normal((4, 2)), 0),
        Sample(rng.standard_normal((2, 3, 4)), dim=-1), Sample(rng.standard_normal((8,))), Sample(rng.standard_normal((4, 6)).T, 0),
    ]),
    OpInfo("softmin", F.softmin, TF.softmin, _softmin_samples),
]
