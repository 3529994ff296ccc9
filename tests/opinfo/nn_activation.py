"""Registry entries for the activation table beyond relu/softmax (core_activation.py has those)."""
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
]
