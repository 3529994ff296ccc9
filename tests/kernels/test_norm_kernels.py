"""Normalisation kernels (deepglass/kernels/norm.py) equal their reference (ops/norm.py) in float64."""
from __future__ import annotations

import numpy as np
import pytest
from _kernel_check import assert_kernel_matches, threads  # noqa: F401

import deepglass as dg
import deepglass.nn.functional as F

rng = np.random.default_rng(0)


def x(*shape, scale=1.0):
    return rng.standard_normal(shape) * scale + 0.3


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("shape,ns,affine", [
    ((4, 7, 16), (16,), True), ((1, 5, 16), (16,), True), ((3, 2, 5, 6), (5, 6), False),
    ((8,), (8,), True), ((6, 17), (17,), True), ((5, 3, 9), (3, 9), True),
])
def test_layer_norm(request, chunks, shape, ns, affine):
    if chunks:
        request.getfixturevalue("threads")
    args = [x(*shape), x(*ns) if affine else None, x(*ns) if affine else None]
    assert_kernel_matches("layer_norm", lambda a, w, b: F.layer_norm(a, ns, w, b, eps=1e-5), args)


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("shape,groups,affine", [((4, 16, 5, 5), 4, True), ((1, 6, 7), 3, False),
                                                 ((3, 32, 3, 3), 32, True), ((5, 18, 2, 3), 1, True)])
def test_group_norm(request, chunks, shape, groups, affine):
    if chunks:
        request.getfixturevalue("threads")
    C = shape[1]
    args = [x(*shape), x(C) if affine else None, x(C) if affine else None]
    assert_kernel_matches("group_norm", lambda a, w, b: F.group_norm(a, groups, w, b), args)


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("shape", [(4, 16, 5, 5), (1, 3, 7), (6, 4, 2, 3, 2)])
def test_instance_norm(request, chunks, shape):
    if chunks:
        request.getfixturevalue("threads")
    C = shape[1]
    assert_kernel_matches("instance_norm", lambda a, w, b: F.instance_norm(a, weight=w, bias=b),
                          [x(*shape), x(C), x(C)])


@pytest.mark.parametrize("chunks", [False, True])
@pytest.mark.parametrize("shape,ns", [((4, 7, 16), (16,)), ((1, 9), (9,)), ((3, 4, 5), (4, 5)), ((7,), (7,))])
def test_rms_norm(request, chunks, shape, ns):
    if chunks:
        request.getfixturevalue("threads")
    assert_kernel_matches("rms_norm", lambda a, w: F.rms_norm(a, ns, w, eps=1e-6), [x(*shape), x(*ns)])


@pytest.mark.parametrize("shape", [(8, 16, 4, 4), (1, 3, 5), (5, 7), (2, 32, 3, 1, 2), (32, 256, 2, 2)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_train(shape, affine):
    C = shape[1]
    stats = {}

    def fn(a, w, b):
        rm, rv = dg.zeros(C, dtype="float64"), dg.ones(C, dtype="float64")
        y = F.batch_norm(a, rm, rv, w, b, training=True, momentum=0.3)
        stats.setdefault("runs", []).append((rm.numpy(), rv.numpy()))
        return y

    assert_kernel_matches("batch_norm", fn, [x(*shape, scale=3.0), x(C) if affine else None,
                                             x(C) if affine else None])
    (m1, v1), (m2, v2) = stats["runs"]
    np.testing.assert_allclose(m1, m2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(v1, v2, rtol=1e-12, atol=1e-12)
    assert not np.allclose(v1, 1.0)  # the running statistics did move


@pytest.mark.parametrize("shape", [(8, 16, 4, 4), (1, 3, 5), (5, 7), (2, 32, 3, 1, 2), (32, 256, 2, 2)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_eval(shape, affine):
    C = shape[1]
    rm, rv = dg.tensor(x(C)), dg.tensor(np.abs(x(C)) + 0.5)
    assert_kernel_matches("batch_norm_eval", lambda a, w, b: F.batch_norm(a, rm, rv, w, b, training=False),
                          [x(*shape, scale=3.0), x(C) if affine else None, x(C) if affine else None])


def test_nan_and_inf_propagate_alike():
    a = x(4, 6, 8)
    a[0, 1, 2] = np.nan
    a[2, 3, 4] = np.inf
    assert_kernel_matches("layer_norm", lambda t: F.layer_norm(t, (8,)), [a])
    assert_kernel_matches("group_norm", lambda t: F.group_norm(t, 2), [a])
    assert_kernel_matches("batch_norm", lambda t: F.batch_norm(t, None, None, training=True), [a.copy()])
