"""Registry entries for pooling: max/avg/adaptive pools in 1-D and 2-D (stride, padding, dilation, ceil_mode,
count_include_pad, divisor_override, indices, integer inputs, unbatched inputs).

NaN/±inf windows are compared in tests/nn/test_pooling.py (finite differences cannot follow them).
"""
from __future__ import annotations

import numpy as np
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
        # ceil_mode edges: a last window hanging past the border (no padding); one that would start in the
        # right padding is dropped (5 -> 3 outputs, not 4)
        Sample(x(1, 2, 6, 7), 3, stride=2, ceil_mode=True, return_indices=True),
        Sample(x(1, 2, 5, 5), 2, stride=2, padding=1, ceil_mode=True, return_indices=True),
        # dilation + ceil_mode: windows starting in the padding and hanging over the far border
        Sample(x(2, 2, 5, 6), 3, stride=2, padding=1, dilation=2, ceil_mode=True, return_indices=True),
        Sample(x(1, 2, 4, 7), (2, 3), stride=(3, 2), padding=(1, 1), dilation=(3, 2), ceil_mode=True,
               return_indices=True),
        Sample(x(1, 1, 4, 4), [3], stride=[], padding=[1], return_indices=True),     # 1-lists, stride [] = kernel
        # integer inputs (no gradient): int64, int32, uint8 at the extremes of their range
        Sample(rng.integers(-50, 50, (2, 3, 5, 5)), 3, stride=2, padding=1, return_indices=True),
        Sample(rng.integers(-2**31, 2**31 - 1, (1, 2, 5, 6)).astype(np.int32), 2, stride=1, padding=1,
               dilation=2, ceil_mode=True, return_indices=True),
        Sample(rng.integers(0, 255, (1, 2, 4, 5)).astype(np.uint8), 2, padding=1, ceil_mode=True),
    ]


def _max_batch_chunks(rng):
    # y.size · k² >= parallel.MIN_PARALLEL_WORK: the windows run in batch chunks on threads. Distinct values 10^-3
    # apart (a permutation), so no window holds a near-tie that the finite differences' nudge could flip.
    x = rng.permutation(4 * 16 * 64 * 64).reshape(4, 16, 64, 64) * 1e-3
    return [Sample(x, 3, stride=1, padding=1), Sample(x, 2, stride=2, return_indices=True)]


def _max_padding_only(rng):
    """Windows that cover only padding (dilation wider than the input): −∞, PyTorch's index, and its gradient
    routing to the flat index of the plane (in-plane indices only: PyTorch writes past the plane otherwise)."""
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    kw = dict(kernel_size=(1, 2), stride=(2, 1), padding=(0, 1), dilation=(1, 2), return_indices=True)
    return [
        Sample(x(2, 3, 4, 1), **kw),                                          # indices 1 and 3 of a 4x1 plane
        Sample(x(3, 4, 1), ceil_mode=True, **kw),                             # unbatched
        Sample(rng.integers(-9, 9, (1, 2, 4, 1)), **kw),                      # int64: the integer minimum
        # indices past the plane (2 in a 1x2 row): values and indices only, no backward (PyTorch's writes
        # past the plane: memory unsafe)
        Sample(x(2, 3, 1, 2), (1, 2), stride=1, padding=(0, 1), dilation=(1, 3), ceil_mode=True,
               return_indices=True, grad=()),
        Sample(x(2, 3, 1, 3), (2, 1), stride=1, padding=(1, 0), dilation=(2, 1), return_indices=True, grad=()),
        Sample(x(1, 2, 1, 1), 2, padding=1, dilation=2, ceil_mode=True, return_indices=True, grad=()),
    ]


def _avg(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    out = []
    for cip in (True, False):
        out += [Sample(x(2, 3, 7, 6), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=cip),
                Sample(x(1, 2, 5, 8), (2, 3), stride=(1, 2), padding=(1, 1), count_include_pad=cip),
                # ceil_mode edges: a window past the right padding counts only the padding it covers; a window
                # that would start in the right padding is dropped
                Sample(x(1, 2, 5, 5), 2, stride=2, padding=1, ceil_mode=True, count_include_pad=cip),
                Sample(x(1, 2, 6, 7), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=cip)]
    return out + [
        Sample(x(1, 2, 5, 8), 2, divisor_override=3), Sample(x(3, 4, 4), 2),
        Sample(x(1, 2, 6, 7), 3, stride=2, ceil_mode=True),                   # hanging over, no padding
        # divisor_override replaces every divisor (padding, ceil_mode and count_include_pad ignored); negative ok
        Sample(x(2, 3, 7, 6), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False, divisor_override=4),
        Sample(x(2, 5, 5), (2, 3), stride=(1, 2), padding=(1, 1), divisor_override=-2),       # unbatched
        # int64 (the one integer type PyTorch pools): sums divided with truncation toward zero
        Sample(rng.integers(-50, 50, (1, 2, 5, 6)), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        Sample(rng.integers(-50, 50, (2, 5, 6)), 2, stride=1, padding=1, divisor_override=-3),
    ]


def _adaptive(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 3, 7, 5), (3, 4)), Sample(x(3, 7, 5), 1), Sample(x(1, 2, 6, 5), (None, 2)),
            Sample(x(1, 2, 4, 4), (2, 2)), Sample(x(1, 1, 3, 4), (5, 6))]


def _adaptive_max(rng):
    return _adaptive(rng) + [Sample(rng.standard_normal((1, 2, 5, 7)), (2, 3), return_indices=True),
                             Sample(rng.standard_normal((2, 5, 3)), (4, None), return_indices=True)]


def _max1d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 3, 9), 3, stride=2, padding=1),
        Sample(x(2, 3, 9), 3, stride=2, padding=1, dilation=2, ceil_mode=True, return_indices=True),
        Sample(x(1, 2, 8), 2, return_indices=True),
        Sample(x(3, 7), (3,), stride=(2,), padding=(1,), ceil_mode=True, return_indices=True),   # unbatched
        Sample(x(1, 2, 5), 2, stride=2, padding=1, ceil_mode=True, return_indices=True),  # last window dropped
        Sample(rng.integers(-9, 9, (2, 3, 7)), 3, stride=2, padding=1, return_indices=True),     # int64
        # a window of padding only (index 2 past L = 2: no backward, PyTorch writes past the row)
        Sample(x(2, 3, 2), 2, stride=1, padding=1, dilation=3, return_indices=True, grad=()),
    ]


def _avg1d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    out = []
    for cip in (True, False):
        out += [Sample(x(2, 3, 9), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=cip),
                Sample(x(1, 2, 5), 2, stride=2, padding=1, ceil_mode=True, count_include_pad=cip)]
    return out + [Sample(x(1, 2, 8), 2), Sample(x(3, 7), (3,), (2,), (1,)),
                  Sample(rng.integers(-50, 50, (2, 3, 7)), 3, stride=2, padding=1, count_include_pad=False)]


def _adaptive1d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 3, 7), 3), Sample(x(3, 7), 1), Sample(x(1, 2, 4), (6,))]


def _adaptive_max1d(rng):
    return _adaptive1d(rng) + [Sample(rng.standard_normal((2, 3, 7)), 3, return_indices=True),
                               Sample(rng.standard_normal((3, 5)), 7, return_indices=True)]


ENTRIES = [
    OpInfo("max_pool2d", F.max_pool2d, TF.max_pool2d, _max),
    OpInfo("max_pool2d[padding-only windows]", F.max_pool2d, TF.max_pool2d, _max_padding_only, gradcheck=False,
           note="PyTorch sends a padding-only window's gradient to its (unrelated) flat index: not a derivative"),
    OpInfo("max_pool2d[batch chunks]", F.max_pool2d, TF.max_pool2d, _max_batch_chunks),
    OpInfo("avg_pool2d", F.avg_pool2d, TF.avg_pool2d, _avg),
    OpInfo("adaptive_avg_pool2d", F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, _adaptive),
    OpInfo("adaptive_max_pool2d", F.adaptive_max_pool2d, TF.adaptive_max_pool2d, _adaptive_max),
    OpInfo("max_pool1d", F.max_pool1d, TF.max_pool1d, _max1d),
    OpInfo("avg_pool1d", F.avg_pool1d, TF.avg_pool1d, _avg1d),
    OpInfo("adaptive_avg_pool1d", F.adaptive_avg_pool1d, TF.adaptive_avg_pool1d, _adaptive1d),
    OpInfo("adaptive_max_pool1d", F.adaptive_max_pool1d, TF.adaptive_max_pool1d, _adaptive_max1d),
]
