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
