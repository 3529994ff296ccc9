"""Registry entries for normalisation: batch_norm (train/eval), layer_norm, group_norm."""
from __future__ import annotations

import torch.nn.functional as TF

import deepglass.nn.functional as F

from . import OpInfo, Sample


def _bn(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    rv = lambda c: rng.uniform(0.5, 2.0, c)  # noqa: E731
    out = []
    for shape in ((4, 3), (2, 3, 5), (2, 3, 4, 3)):
        out.append(Sample(x(*shape), x(3), rv(3), x(3), x(3), training=True, momentum=0.3, grad=(0, 3, 4)))
        out.append(Sample(x(*shape), x(3), rv(3), x(3), x(3), training=False, grad=(0, 3, 4)))
    out.append(Sample(x(3, 2, 2, 2), None, None, None, None, training=True, grad=(0,)))
    out.append(Sample(x(2, 3, 3, 2), x(3), rv(3), None, None, True, 0.1, 1e-3, grad=(0,)))
    return out


def _ln(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 3, 4, 5), (4, 5), x(4, 5), x(4, 5)), Sample(x(3, 5), (5,)),
            Sample(x(2, 6), (6,), x(6), None, eps=1e-3)]


def _gn(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 4, 3, 3), 2, x(4), x(4)), Sample(x(1, 6, 5), 3), Sample(x(3, 4), 4, x(4), x(4), eps=1e-3)]


ENTRIES = [
    OpInfo("batch_norm", F.batch_norm, TF.batch_norm, _bn, rtol=1e-4, atol=1e-5,
           note="float32 batch statistics: rtol 1e-4 / atol 1e-5"),
    OpInfo("layer_norm", F.layer_norm, TF.layer_norm, _ln, rtol=1e-4, atol=1e-5, note="float32 statistics"),
    OpInfo("group_norm", F.group_norm, TF.group_norm, _gn, rtol=1e-4, atol=1e-5, note="float32 statistics"),
]
