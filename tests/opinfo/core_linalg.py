"""Registry entries for deepglass.ops.linalg."""
from __future__ import annotations

import torch
import torch.nn.functional as TF

import deepglass as dg
import deepglass.nn.functional as F

from . import OpInfo, Sample


def _matmul_samples(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(3, 4), x(4, 5)), Sample(x(2, 3, 4), x(4, 2)), Sample(x(2, 1, 3, 4), x(3, 4, 2)),
            Sample(x(4), x(4, 3)), Sample(x(3, 4), x(4)), Sample(x(4), x(4)), Sample(x(2, 3, 4), x(4)),
            Sample(x(5, 3).T, x(5, 2)), Sample(x(0, 4), x(4, 2))]


ENTRIES = [
    OpInfo("matmul", dg.matmul, torch.matmul, _matmul_samples, rtol=1e-5, atol=1e-5),
    OpInfo("mm", dg.mm, torch.mm, lambda rng: [Sample(rng.standard_normal((3, 4)), rng.standard_normal((4, 2)))]),
    OpInfo("bmm", dg.bmm, torch.bmm, lambda rng: [Sample(rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 2)))]),
    OpInfo("dot", dg.dot, torch.dot, lambda rng: [Sample(rng.standard_normal(5), rng.standard_normal(5))]),
    OpInfo("outer", dg.outer, torch.outer, lambda rng: [Sample(rng.standard_normal(3), rng.standard_normal(4))]),
    OpInfo("linear", F.linear, TF.linear,
           lambda rng: [Sample(rng.standard_normal((5, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)),
                        Sample(rng.standard_normal((2, 5, 4)), rng.standard_normal((3, 4))),
                        Sample(rng.standard_normal((4,)), rng.standard_normal((3, 4)), rng.standard_normal(3))],
           atol=1e-5),
]
