"""torch.gradient's argument forms and errors against PyTorch (values and gradients: tests/opinfo/core_stats.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


@pytest.mark.parametrize("kwargs", [{}, {"spacing": 2}, {"spacing": [0.5, 2.0]}, {"dim": 1}, {"dim": [1, 0]},
                                    {"spacing": 3.0, "dim": 0, "edge_order": 2}])
def test_gradient_forms(kwargs):
    x = np.arange(20.0).reshape(4, 5) ** 2
    want = torch.gradient(torch.tensor(x), **kwargs)
    got = dg.gradient(dg.tensor(x), **kwargs)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-12)


def test_gradient_of_integers_is_float_as_torch():
    want = torch.gradient(torch.tensor([1, 4, 9, 16]), spacing=2)[0]
    got = dg.gradient(dg.tensor([1, 4, 9, 16]), spacing=2)[0]
    assert got.dtype.kind == "f" and want.dtype.is_floating_point
    np.testing.assert_allclose(got.numpy(), want.numpy())


@pytest.mark.parametrize("args, kwargs", [(([1.0, 4.0],), {"edge_order": 2}), (([1.0, 4.0, 5.0],), {"edge_order": 3}),
                                          (([1.0, 4.0, 5.0],), {"spacing": [1.0, 2.0]})])
def test_gradient_errors_as_torch(args, kwargs):
    with pytest.raises(RuntimeError):
        torch.gradient(torch.tensor(*args), **kwargs)
    with pytest.raises(RuntimeError):
        dg.gradient(dg.tensor(*args), **kwargs)


@pytest.mark.parametrize("x, dtype", [([-1, 2], "int8"), ([True, True, False], "bool"), ([200], "uint8"),
                                      ([-0.0, float("nan"), 1.5], "float32"), ([1.5, -2.0], "float64")])
def test_hash_tensor_widens_then_xors_as_torch(x, dtype):
    want = torch.hash_tensor(torch.tensor(x, dtype=getattr(torch, dtype)))
    got = dg.hash_tensor(dg.tensor(x, dtype=getattr(dg, dtype)))
    assert got.dtype == np.uint64 and int(got.item()) == int(want.item())


def test_hash_tensor_errors_as_torch():
    for m, exc in ((torch, RuntimeError), (dg, RuntimeError)):
        with pytest.raises(exc):
            m.hash_tensor(m.zeros(0))
        with pytest.raises(exc):
            m.hash_tensor(m.ones(2), mode=1)
    for m in (torch, dg):
        with pytest.raises(IndexError):
            m.hash_tensor(m.zeros(0, 2), 0)
    assert dg.zeros(2, 0).hash_tensor(0).shape == tuple(torch.zeros(2, 0).hash_tensor(0).shape) == (0,)


@pytest.mark.parametrize("x, bins, kwargs", [
    (np.ones((3, 2)), 2, {}), (np.zeros((0, 2)), 2, {}), ([[0.0, 1.0], [2.0, 3.0]], [2, 3], {"range": [0.0, 1.0, 0.0, 1.0]}),
    ([[0.5, 1.0], [2.0, 3.0], [0.1, 0.2]], [[3.0, 1.0, 0.0], [0.0, 4.0]], {}),      # edges that do not increase
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogramdd_edge_cases_as_torch(x, bins, kwargs, dtype):
    def mk(m, b):
        return [m.tensor(e, dtype=getattr(m, dtype)) for e in b] if isinstance(b, list) and isinstance(b[0], list) else b

    want = torch.histogramdd(torch.tensor(x, dtype=getattr(torch, dtype)), mk(torch, bins), **kwargs)
    got = dg.histogramdd(dg.tensor(x, dtype=getattr(dg, dtype)), mk(dg, bins), **kwargs)
    np.testing.assert_array_equal(got.hist.numpy(), want.hist.numpy())
    assert isinstance(got.bin_edges, tuple) and len(got.bin_edges) == len(want.bin_edges)
    for g, w in zip(got.bin_edges, want.bin_edges):
        np.testing.assert_array_equal(g.numpy(), w.numpy())


def test_histogramdd_errors_as_torch():
    for m in (torch, dg):
        with pytest.raises(RuntimeError):
            m.histogramdd(m.ones(3, 2), [2, 2, 2])
        with pytest.raises(RuntimeError):
            m.histogramdd(m.ones(3, 2), 2, range=[0.0, 1.0])
