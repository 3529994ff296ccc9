"""Pooling kernels (deepglass/kernels/pool.py) equal their reference (ops/pool.py, ops/adaptive_pool.py) in float64."""
from __future__ import annotations

import numpy as np
import pytest
from _kernel_check import assert_kernel_matches, threads  # noqa: F401

import deepglass.nn.functional as F

rng = np.random.default_rng(0)


def x(*shape):
    return rng.standard_normal(shape)


MAX2D = [  # input shape, kernel, stride, padding, dilation, ceil_mode
    ((4, 16, 9, 9), 2, None, 0, 1, False),       # tiled windows (k == s): the write-once backward
    ((1, 3, 7, 6), 3, 2, 1, 1, True),            # batch 1, padding, ceil_mode
    ((3, 17, 8, 7), (3, 2), (2, 1), (1, 1), 1, False),
    ((2, 4, 7, 8), 3, 2, 1, 2, True),            # dilation with padding: windows of padding alone
    ((2, 2, 11, 5), (3, 1), 1, (1, 0), (3, 1), False),
    ((5, 16, 12, 12), 12, 1, 0, 1, False),       # 144 offsets: int16 winning offsets
    ((2, 3, 5, 5), 1, 2, 0, 1, False),
]


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("shape,k,s,p,d,ceil", MAX2D)
def test_max_pool2d(request, chunks, shape, k, s, p, d, ceil):
    if chunks:
        request.getfixturevalue("threads")
    fn = lambda t: F.max_pool2d(t, k, s, p, d, ceil, return_indices=True)  # noqa: E731
    assert_kernel_matches("max_pool2d", fn, [x(*shape)])


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("shape,k,s,p,d,ceil", [((4, 16, 9), 2, None, 0, 1, False), ((1, 3, 10), 3, 2, 1, 2, True),
                                                ((7, 5), 4, 3, 2, 1, True), ((3, 2, 8), 3, 1, 1, 3, False)])
def test_max_pool1d(request, chunks, shape, k, s, p, d, ceil):
    if chunks:
        request.getfixturevalue("threads")
    fn = lambda t: F.max_pool1d(t, k, s, p, d, ceil, return_indices=True)  # noqa: E731
    assert_kernel_matches("max_pool1d", fn, [x(*shape)])


def test_max_pool_ties_nan_inf_and_integers():
    a = np.round(x(3, 4, 6, 6))  # many ties: the first maximum wins
    a[0, 0, 1, 1] = np.nan
    a[0, 0, 1, 0] = np.nan  # two NaNs in one window: the last wins
    a[1, 2, :3, :3] = -np.inf  # a window of -inf points at its first position
    a[2, 3, 4, 4] = np.inf
    for k, s, p in ((2, 2, 0), (3, 2, 1), (3, 1, 1)):
        assert_kernel_matches("max_pool2d", lambda t, k=k, s=s, p=p: F.max_pool2d(t, k, s, p, return_indices=True), [a])
    ints = (x(2, 3, 7, 7) * 50).astype(np.int32)
    ints[0, 0, :2, :2] = np.iinfo(np.int32).min
    assert_kernel_matches("max_pool2d", lambda t: F.max_pool2d(t, 3, 2, 1, return_indices=True), [ints], grad=False)


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("shape,out", [((4, 16, 7, 5), (3, 2)), ((1, 2, 9, 9), 1), ((3, 5, 6), (4, None)),
                                       ((2, 3, 5, 8), (5, 3))])
def test_adaptive_avg_pool2d(request, chunks, shape, out):
    if chunks:
        request.getfixturevalue("threads")
    assert_kernel_matches("adaptive_avg_pool2d", lambda t: F.adaptive_avg_pool2d(t, out), [x(*shape)])


def test_adaptive_avg_pool_non_finite_falls_back_to_windows():
    a = x(2, 3, 7, 5)
    a[0, 1, 2, 3] = np.inf
    a[1, 0, 6, 0] = np.nan
    assert_kernel_matches("adaptive_avg_pool2d", lambda t: F.adaptive_avg_pool2d(t, (3, 2)), [a])
    assert_kernel_matches("adaptive_avg_pool2d", lambda t: F.adaptive_avg_pool1d(t, 3), [x(2, 3, 7)])
