"""Activations at their edges, against PyTorch: softmax family on empty inputs."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape, dim", [((5, 0, 0), -1), ((0, 3), 1), ((2, 0), 0)])
def test_softmax_family_on_empty_input(name, shape, dim):
    tx = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    dx = dg.zeros(shape, dtype=dg.float64, requires_grad=True)
    want = getattr(torch.nn.functional, name)(tx, dim)
    got = getattr(dg.nn.functional, name)(dx, dim)
    assert got.shape == tuple(want.shape) and got.requires_grad
    want.sum().backward()
    got.sum().backward()
    assert dx.grad.shape == tuple(tx.grad.shape)
    np.testing.assert_array_equal(dx.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("x, w", [(-2.0, 0.25), (3.0, 0.25), (-2.0, [0.25]), ([-1.0, 2.0], 0.5)])
def test_prelu_0d_input_or_weight_keeps_torch_shapes(x, w):
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    dx, dw = dg.tensor(x, requires_grad=True), dg.tensor(w, requires_grad=True)
    want = torch.nn.functional.prelu(tx, tw)
    got = dg.nn.functional.prelu(dx, dw)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy())
    want.sum().backward()
    got.sum().backward()
    assert dw.grad.shape == tuple(tw.grad.shape)
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(dw.grad.numpy(), tw.grad.numpy())
