"""Registry entries for the volumetric ops: conv3d, max_pool3d, avg_pool3d, adaptive_avg_pool3d,
adaptive_max_pool3d (strides, padding incl. 'same', dilation, groups, bias, ceil_mode, count_include_pad,
divisor_override, return_indices, adaptive sizes that don't divide, unbatched inputs)."""
from __future__ import annotations

import numpy as np
import torch.nn.functional as TF

import deepglass.nn.functional as F

from . import OpInfo, Sample

CONV_NOTE = "float32 sums of up to ~60 products: rtol 1e-4 / atol 1e-5"


def _conv3d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 3, 4, 5, 4), x(4, 3, 3, 3, 3), x(4), padding=1),
        Sample(x(1, 4, 5, 6, 7), x(6, 2, 3, 2, 3), x(6), stride=(2, 1, 2), padding=(1, 0, 2), dilation=(1, 2, 1),
               groups=2),
        Sample(x(2, 3, 4, 5, 5), x(3, 1, 2, 3, 3), None, stride=2, padding=1, groups=3),      # depthwise
        Sample(x(1, 2, 4, 5, 5), x(3, 2, 2, 2, 2), x(3), padding="same", dilation=2),          # asymmetric 'same'
        Sample(x(1, 2, 4, 5, 6), x(2, 2, 2, 3, 2), None, stride=(1, 2, 1), padding="valid"),
        Sample(x(1, 2, 3, 4, 5), x(3, 2, 1, 1, 1), x(3)),                                        # 1x1x1
        Sample(x(3, 4, 5, 6), x(2, 3, 1, 2, 3), x(2), padding=(0, 1, 1)),                       # unbatched
    ]


def _max3d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 2, 5, 6, 5), 2),
        Sample(x(2, 3, 7, 6, 5), 3, stride=2, padding=1, ceil_mode=True),
        Sample(x(1, 2, 7, 6, 5), (2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), dilation=(2, 1, 2), ceil_mode=True,
               return_indices=True),
        Sample(x(1, 2, 5, 5, 5), 2, stride=2, padding=1, ceil_mode=True, return_indices=True),  # last window dropped
        Sample(x(1, 1, 4, 4, 4), 2, stride=1, return_indices=True),                             # overlapping
        Sample(x(3, 5, 6, 4), 3, stride=2, padding=1, return_indices=True),                     # unbatched
    ]


def _avg3d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    out = []
    for cip in (True, False):
        out += [Sample(x(2, 3, 7, 6, 5), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=cip),
                Sample(x(1, 2, 5, 6, 8), (2, 2, 3), stride=(1, 2, 2), padding=(1, 0, 1), count_include_pad=cip),
                Sample(x(1, 2, 5, 5, 5), 2, stride=2, padding=1, ceil_mode=True, count_include_pad=cip)]
    return out + [
        Sample(x(1, 2, 4, 4, 4), 2),
        Sample(x(2, 2, 7, 6, 5), 3, stride=2, padding=1, ceil_mode=True, divisor_override=4),
        Sample(x(3, 4, 5, 6), (2, 2, 3), stride=(1, 2, 2), padding=(1, 1, 1), divisor_override=-2),  # unbatched
    ]


def _adaptive3d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 3, 7, 5, 6), (3, 4, 4)), Sample(x(3, 5, 7, 5), 1), Sample(x(1, 2, 6, 5, 4), (None, 2, 3)),
            Sample(x(1, 2, 4, 4, 4), 2), Sample(x(1, 1, 2, 3, 4), (3, 5, 6))]


def _adaptive_max3d(rng):
    return _adaptive3d(rng) + [Sample(rng.standard_normal((1, 2, 5, 7, 6)), (2, 3, 4), return_indices=True),
                               Sample(rng.standard_normal((2, 5, 3, 4)), (4, None, 3), return_indices=True)]


ENTRIES = [
    OpInfo("conv3d", F.conv3d, TF.conv3d, _conv3d, rtol=1e-4, atol=1e-5, note=CONV_NOTE),
    OpInfo("max_pool3d", F.max_pool3d, TF.max_pool3d, _max3d),
    OpInfo("avg_pool3d", F.avg_pool3d, TF.avg_pool3d, _avg3d),
    OpInfo("adaptive_avg_pool3d", F.adaptive_avg_pool3d, TF.adaptive_avg_pool3d, _adaptive3d),
    OpInfo("adaptive_max_pool3d", F.adaptive_max_pool3d, TF.adaptive_max_pool3d, _adaptive_max3d),
]


def _max3d_int(rng):
    return [Sample(rng.integers(-50, 50, (2, 3, 5, 5, 4)), 3, stride=2, padding=1, return_indices=True),
            Sample(rng.integers(-2**31, 2**31 - 1, (1, 2, 4, 5, 6)).astype(np.int32), 2, stride=1, padding=1,
                   dilation=2, ceil_mode=True, return_indices=True),
            Sample(rng.integers(0, 255, (1, 2, 4, 4, 5)).astype(np.uint8), 2, padding=1, ceil_mode=True)]


def _avg3d_int(rng):
    return [Sample(rng.integers(-50, 50, (1, 2, 5, 6, 4)), 3, stride=2, padding=1, ceil_mode=True,
                   count_include_pad=False),
            Sample(rng.integers(-50, 50, (2, 5, 6, 4)), 2, stride=1, padding=1, divisor_override=-3)]


ENTRIES += [
    OpInfo("max_pool3d[integer]", F.max_pool3d, TF.max_pool3d, _max3d_int),
    OpInfo("avg_pool3d[int64]", F.avg_pool3d, TF.avg_pool3d, _avg3d_int),
]
