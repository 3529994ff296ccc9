"""The attention kernel (deepglass/kernels/attention.py) equals its reference (ops/attention.py) in float64."""
from __future__ import annotations

import numpy as np
import pytest
from _kernel_check import assert_kernel_matches, threads  # noqa: F401

import deepglass.nn.functional as F

rng = np.random.default_rng(0)
OP = "scaled_dot_product_attention"


def x(*shape):
    return rng.standard_normal(shape)


CASES = [  # (q, k, v, mask) shapes; mask "bool"/"float" with its shape
    ((4, 2, 5, 8), (4, 2, 7, 8), (4, 2, 7, 6), None),
    ((1, 3, 6, 4), (1, 3, 6, 4), (1, 3, 6, 4), None),                 # batch 1
    ((3, 5, 4), (3, 7, 4), (3, 7, 5), ("bool", (3, 5, 7))),          # per-sample boolean mask
    ((5, 2, 4, 8), (5, 2, 6, 8), (5, 2, 6, 8), ("float", (4, 6))),   # a mask broadcast over the batch
    ((6, 2, 3, 4), (6, 2, 3, 4), (6, 2, 3, 4), ("float", (6, 2, 3, 3))),  # mask with the batch: its gradient
    ((2, 3, 4), (1, 5, 4), (1, 5, 3), None),                          # broadcast batch: one chunk
    ((4, 5), (6, 5), (6, 2), ("bool", (4, 6))),                       # no batch axis
]


def _mask(spec):
    if spec is None:
        return None
    kind, shape = spec
    if kind == "bool":
        m = rng.random(shape) > 0.3
        m[..., 0, :] = False  # a query that may attend to nothing: zeros, as PyTorch
        return m
    m = x(*shape)
    m[..., 0, -1] = -np.inf
    return m


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("qs,ks,vs,ms", CASES)
@pytest.mark.parametrize("causal", [False, True])
def test_attention(request, chunks, qs, ks, vs, ms, causal):
    if chunks:
        request.getfixturevalue("threads")
    if causal and ms is not None:
        pytest.skip("attn_mask and is_causal are exclusive")
    def fn(q, k, v, m):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=causal, scale=0.7)

    assert_kernel_matches(OP, fn, [x(*qs), x(*ks), x(*vs), _mask(ms)])


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("p", [0.3, 1.0])
def test_dropout_draws_the_same_mask(request, chunks, p):
    if chunks:
        request.getfixturevalue("threads")
    fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, dropout_p=p)  # noqa: E731
    assert_kernel_matches(OP, fn, [x(3, 2, 5, 4), x(3, 2, 6, 4), x(3, 2, 6, 4)])


def test_nan_and_inf_inputs():
    q = x(4, 5, 3)
    q[1, 2, 0] = np.nan
    k = x(4, 6, 3)
    k[2, 3, 1] = np.inf
    assert_kernel_matches(OP, F.scaled_dot_product_attention, [q, k, x(4, 6, 2)])
