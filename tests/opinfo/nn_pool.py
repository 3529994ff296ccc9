"""Registry entries for pooling: max/avg/adaptive pools (stride, padding, dilation, ceil_mode, indices)."""
from __future__ import annotations

import torch.nn.functional as TF

import deepglass.nn.functional as F

from . import OpInfo, Sample


def _max(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 3, 7, 6), 3, stride=2, padding=1, ceil_mode=True),
        Sample(x(1, 2, 9, 8), (3, 2), stride=(2, 3), padding=(1, 1), dilation=(2, 1), ceil_mode=True),
        Sample(x(2, 2, 6, 6), 2),
        Sample(x(1, 1, 5, 5), 2, stride=1, return_indices=True),
        Sample(x(2, 5, 7), 3, stride=2, padding=1, return_indices=True),           # unbatched, overlapping
    ]


def _avg(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    out = []
    for cip in (True, False):
        out += [Sample(x(2, 3, 7, 6), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=cip),
                Sample(x(1, 2, 5, 8), (2, 3), stride=(1, 2), padding=(1, 1), count_include_pad=cip)]
    return out + [Sample(x(1, 2, 5, 8), 2, divisor_override=3), Sample(x(3, 4, 4), 2)]


def _adaptive(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 3, 7, 5), (3, 4)), Sample(x(3, 7, 5), 1), Sample(x(1, 2, 6, 5), (None, 2)),
            Sample(x(1, 2, 4, 4), (2, 2)), Sample(x(1, 1, 3, 4), (5, 6))]


def _adaptive_max(rng):
    return _adaptive(rng) + [Sample(rng.standard_normal((1, 2, 5, 7)), (2, 3), return_indices=True)]


ENTRIES = [
    OpInfo("max_pool2d", F.max_pool2d, TF.max_pool2d, _max),
    OpInfo("avg_pool2d", F.avg_pool2d, TF.avg_pool2d, _avg),
    OpInfo("adaptive_avg_pool2d", F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, _adaptive),
    OpInfo("adaptive_max_pool2d", F.adaptive_max_pool2d, TF.adaptive_max_pool2d, _adaptive_max),
]
