"""Reductions at their edges, against PyTorch: 0-dim inputs with dim=0/-1, p-norm gradients at zero entries."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg

REDUCTIONS = ["sum", "mean", "amax", "amin", "prod", "logsumexp", "argmax", "argmin"]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dim", [0, -1, (0,)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_zero_dim_input_accepts_dim_zero(name, dim, keepdim):
    if name in ("argmax", "argmin", "logsumexp", "prod") and isinstance(dim, tuple):
        dim = dim[0]  # these take a single dim in PyTorch
    got = getattr(dg.tensor(3.0), name)(dim, keepdim=keepdim)
    want = getattr(torch.tensor(3.0), name)(dim, keepdim=keepdim)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy())


def test_zero_dim_input_still_rejects_other_dims():
    with pytest.raises(IndexError, match="dimension out of range"):
        dg.tensor(3.0).sum(1)


@pytest.mark.parametrize("p", [0.5, 1.5, 2.5, 3.0])
def test_vector_norm_gradient_at_zero_entries_is_zero(p):
    values = [[0.0, 1.0, -2.0], [0.0, 0.0, 0.0]]
    x = dg.tensor(values, dtype=dg.float64, requires_grad=True)
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    dg.linalg.vector_norm(x, p, dim=1).sum().backward()
    torch.linalg.vector_norm(t, p, dim=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (0, True), (-1, True)])
def test_prod_backward_on_a_0d_input(dim, keepdim):
    t, d = torch.tensor(2.5, requires_grad=True), dg.tensor(2.5, requires_grad=True)
    args = () if dim is None else (dim, keepdim)
    want, got = t.prod(*args), d.prod(*args)
    assert got.shape == tuple(want.shape)
    want.backward()
    got.backward()
    np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy())


def test_cumsum_on_a_0d_input_accepts_only_dim_0_or_minus_1():
    for dim in (0, -1):
        assert dg.cumsum(dg.tensor(3.0), dim).shape == tuple(torch.cumsum(torch.tensor(3.0), dim).shape) == ()
    with pytest.raises(IndexError):
        torch.cumsum(torch.tensor(3.0), 1)
    with pytest.raises(IndexError, match="dimension out of range"):
        dg.cumsum(dg.tensor(3.0), 1)


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("unbiased", [True, False])
def test_var_std_with_a_positional_bool_is_the_unbiased_overload(name, unbiased):
    x = np.random.default_rng(0).standard_normal((4, 5))
    want = getattr(torch.tensor(x), name)(unbiased)
    got = getattr(dg.tensor(x), name)(unbiased)
    assert got.shape == tuple(want.shape) == ()
    np.testing.assert_allclose(got.numpy(), want.numpy())
    np.testing.assert_allclose(getattr(dg, name)(dg.tensor(x), unbiased).numpy(), want.numpy())


@pytest.mark.parametrize("op, args", [("max", (0,)), ("min", (-1,)), ("max", (0, True)), ("topk", (1,)), ("topk", (0,))])
def test_zero_dim_max_min_topk_match_torch(op, args):
    t, d = torch.tensor(2.5, dtype=torch.float64, requires_grad=True), dg.tensor(2.5, requires_grad=True)
    want, got = getattr(torch, op)(t, *args), getattr(dg, op)(d, *args)
    assert tuple(got.values.shape) == tuple(want.values.shape) and got.indices.item() == want.indices.item() == 0
    want.values.backward()
    got.values.backward()
    assert d.grad.item() == t.grad.item() == 1.0
    with pytest.raises(RuntimeError):
        dg.topk(d, 2)
