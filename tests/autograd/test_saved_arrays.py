"""Unary primitives keep alive only the array their derivative needs (PyTorch's derivatives.yaml)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg

# op -> which array the node keeps: "x" (the input) or "y" (the output), as PyTorch's derivatives.yaml says
SAVES = {
    "exp": "y", "expm1": "y", "sqrt": "y", "rsqrt": "y", "tanh": "y", "sigmoid": "y", "reciprocal": "y",
    "log": "x", "log1p": "x", "sin": "x", "cos": "x", "abs": "x",
}


@pytest.mark.parametrize("name", sorted(SAVES))
def test_unary_saves_only_what_its_derivative_needs(name):
    x = dg.tensor(np.array([0.3, 1.2, 2.5]), requires_grad=True)
    y = getattr(dg, name)(x)
    saved = y.grad_fn.saved_tensors
    assert len(saved) == 1
    assert saved[0] is (x._array if SAVES[name] == "x" else y._array)
    # and the gradient is still PyTorch's
    t = torch.tensor([0.3, 1.2, 2.5], dtype=torch.float64, requires_grad=True)
    y.backward(dg.ones_like(y))
    getattr(torch, name)(t).backward(torch.ones(3, dtype=torch.float64))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_relu_keeps_only_its_output():
    x = dg.tensor([-1.0, 2.0], requires_grad=True)
    y = dg.relu(x)
    (s,) = y.grad_fn.saved_tensors
    assert s is y._array
