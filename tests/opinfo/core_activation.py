"""Registry entries for relu, softmax and log_softmax (the rest of the table: nn_activation.py)."""
from __future__ import annotations

import numpy as np
import torch.nn.functional as TF

import deepglass.nn.functional as F

from . import OpInfo, Sample


def _away_from_zero(rng, *shape):
    x = rng.standard_normal(shape)
    return x + np.sign(x) * 0.1


def _softmax_samples(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(3, 5), dim=1), Sample(x(2, 3, 4), dim=0), Sample(x(2, 3, 4), dim=-1),
            Sample(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]]), dim=1), Sample(x(4, 3).T, dim=1)]


ENTRIES = [
    OpInfo("relu", F.relu, TF.relu, lambda rng: [Sample(_away_from_zero(rng, 3, 4)), Sample(_away_from_zero(rng, 2, 3, 4))]),
    OpInfo("softmax", F.softmax, TF.softmax, _softmax_samples),
    OpInfo("log_softmax", F.log_softmax, TF.log_softmax, _softmax_samples),
]
