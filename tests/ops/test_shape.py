"""Shape/indexing ops at their edges, against PyTorch: masked_fill with a 0-d tensor value and a mask
broadcasting beyond the input; 0-d inputs of gather/index_select/scatter_add."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


@pytest.mark.parametrize("x_shape, mask_shape", [((5, 5), (5, 5)), ((5,), (5, 5)), ((), ()), ((3, 1), (1, 4))])
def test_masked_fill_tensor_value_gets_the_masked_gradient(x_shape, mask_shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape)
    mask = rng.standard_normal(mask_shape) > 0
    tx, tv = torch.tensor(x, requires_grad=True), torch.tensor(2.5, requires_grad=True)
    dx, dv = dg.tensor(x, requires_grad=True), dg.tensor(2.5, requires_grad=True)
    want = torch.masked_fill(tx, torch.tensor(mask), tv)
    got = dg.masked_fill(dx, dg.tensor(mask), dv)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy())
    seed = rng.standard_normal(tuple(want.shape))
    (want * torch.tensor(seed)).sum().backward()
    (got * dg.tensor(seed)).sum().backward()
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(dv.grad.numpy(), tv.grad.numpy())


def test_masked_fill_value_tensor_gradcheck():
    x = dg.tensor(np.random.default_rng(1).standard_normal((3,)), requires_grad=True)
    v = dg.tensor(0.3, dtype=dg.float64, requires_grad=True)
    mask = dg.tensor([[True, False, True], [False, False, True]])
    assert dg.autograd.gradcheck(lambda a, b: dg.masked_fill(a, mask, b), (x, v))


def test_masked_fill_errors_match_torch():
    with pytest.raises(RuntimeError):
        torch.randn(5).masked_fill_(torch.ones(5, 5, dtype=torch.bool), 1.0)
    with pytest.raises(RuntimeError):
        dg.randn(5).masked_fill_(dg.ones(5, 5, dtype=dg.bool), 1.0)
    with pytest.raises(RuntimeError):
        torch.randn(3).masked_fill(torch.ones(4, dtype=torch.bool), 1.0)
    with pytest.raises(RuntimeError, match="broadcast"):
        dg.randn(3).masked_fill(dg.ones(4, dtype=dg.bool), 1.0)
    with pytest.raises(RuntimeError):
        torch.randn(3).masked_fill(torch.ones(3, dtype=torch.bool), torch.ones(2))
    with pytest.raises(RuntimeError, match="0-dimensional"):
        dg.randn(3).masked_fill(dg.ones(3, dtype=dg.bool), dg.ones(2))


def test_masked_fill_integer_input_casts_a_float_tensor_value():
    mask = [True, False, True]
    want = torch.masked_fill(torch.arange(3), torch.tensor(mask), torch.tensor(2.7))
    got = dg.masked_fill(dg.arange(3), dg.tensor(mask), dg.tensor(2.7))
    assert str(got.dtype).split(".")[-1] == "int64"
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def _pair(x, requires_grad=True):
    return torch.tensor(x, requires_grad=requires_grad), dg.tensor(x, requires_grad=requires_grad)


@pytest.mark.parametrize("index", [[0], 0, [0, 0, 0]])
def test_gather_on_a_0d_input(index):
    t, d = _pair(3.5)
    want = torch.gather(t, 0, torch.tensor(index))
    got = dg.gather(d, 0, dg.tensor(index))
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    want.sum().backward()
    got.sum().backward()
    np.testing.assert_array_equal(d.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("x_shape, index_shape", [((5,), (2, 0)), ((5, 3), (2, 0, 0)), ((4, 3), (0, 3))])
def test_gather_with_an_empty_index_of_any_rank(x_shape, index_shape):
    t, d = _pair(np.ones(x_shape))
    want = torch.gather(t, 0, torch.zeros(index_shape, dtype=torch.long))
    got = dg.gather(d, 0, dg.zeros(index_shape, dtype=dg.int64))
    assert got.shape == tuple(want.shape) and got.requires_grad == want.requires_grad
    got.sum().backward()
    np.testing.assert_array_equal(d.grad.numpy(), np.zeros(x_shape))


def test_gather_errors_on_0d_and_rank_mismatch_match_torch():
    for m, exc in ((torch, RuntimeError), (dg, RuntimeError)):
        with pytest.raises(exc):
            m.gather(m.tensor(3.0), 0, m.tensor([1]))
        with pytest.raises(exc):
            m.gather(m.ones(5), 0, m.zeros((2, 1), dtype=m.int64))
        with pytest.raises(exc):
            m.gather(m.tensor(3.0), 0, m.tensor([[0], [0]]))
    for m in (torch, dg):
        with pytest.raises(IndexError):
            m.gather(m.tensor(3.0), 1, m.tensor([0]))


@pytest.mark.parametrize("index", [[0], 0])
def test_index_select_on_a_0d_input(index):
    t, d = _pair(3.5)
    want = torch.index_select(t, 0, torch.tensor(index))
    got = dg.index_select(d, 0, dg.tensor(index))
    assert got.shape == tuple(want.shape) == ()
    want.backward()
    got.backward()
    np.testing.assert_array_equal(d.grad.numpy(), t.grad.numpy())
    for m, exc in ((torch, RuntimeError), (dg, RuntimeError)):
        with pytest.raises(exc):
            m.index_select(m.tensor(3.0), 0, m.tensor([0, 0]))
    for m in (torch, dg):
        with pytest.raises(IndexError):
            m.index_select(m.tensor(3.0), 0, m.tensor([1]))


@pytest.mark.parametrize("index, src", [(0, 2.0), ([0], [2.0]), ([0, 0], [2.0, 3.0])])
def test_scatter_add_on_a_0d_input(index, src):
    t, d = _pair(1.5)
    ts, ds = _pair(src)
    want = torch.scatter_add(t, 0, torch.tensor(index), ts)
    got = dg.scatter_add(d, 0, dg.tensor(index), ds)
    assert got.shape == tuple(want.shape) == ()
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy())
    want.backward()
    got.backward()
    np.testing.assert_array_equal(d.grad.numpy(), t.grad.numpy())
    np.testing.assert_array_equal(ds.grad.numpy(), ts.grad.numpy())


@pytest.mark.parametrize("value", [2.0, 0.0])
@pytest.mark.parametrize("as_tuple", [False, True])
def test_nonzero_on_a_0d_input(value, as_tuple):
    want = torch.nonzero(torch.tensor(value), as_tuple=as_tuple)
    got = dg.nonzero(dg.tensor(value), as_tuple=as_tuple)
    want, got = (want, got) if as_tuple else ((want,), (got,))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == tuple(w.shape) and str(g.dtype).split(".")[-1] == "int64"
        np.testing.assert_array_equal(g.numpy(), w.numpy())


@pytest.mark.parametrize("x, size, fill", [([[0, 1.0], [2, 0]], 1, -1), ([[0, 1.0], [2, 0]], 4, -7), (3.0, 2, -1),
                                          ([], 2, -1), ([0.0, 0.0], 0, 5)])
def test_nonzero_static_pads_and_truncates_as_torch(x, size, fill):
    want = torch.nonzero_static(torch.tensor(x), size=size, fill_value=fill)
    got = dg.nonzero_static(dg.tensor(x), size=size, fill_value=fill)
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert dg.tensor(x).nonzero_static(size=size).shape == tuple(torch.tensor(x).nonzero_static(size=size).shape)


def test_nonzero_static_negative_size_raises_as_torch():
    with pytest.raises(RuntimeError):
        torch.nonzero_static(torch.ones(2), size=-1)
    with pytest.raises(RuntimeError, match="non-negative"):
        dg.nonzero_static(dg.ones(2), size=-1)
