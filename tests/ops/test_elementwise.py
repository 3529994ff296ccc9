"""Element-wise ops at their edges, against PyTorch: piecewise-constant ops stay in the graph with a zero
gradient, trunc division's dtype, clamp's gradient to tensor bounds (ties included)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import deepglass as dg

X = np.array([[-2.5, -0.5, 0.0, 0.49], [0.5, 1.5, 2.5, 3.7]])

PIECEWISE = {
    "floor": lambda m, x: m.floor(x), "ceil": lambda m, x: m.ceil(x), "round": lambda m, x: m.round(x),
    "round_decimals": lambda m, x: m.round(x, decimals=1), "round_neg_decimals": lambda m, x: m.round(x, decimals=-1),
    "trunc": lambda m, x: m.trunc(x), "fix": lambda m, x: m.fix(x), "sign": lambda m, x: m.sign(x),
    "sgn": lambda m, x: m.sgn(x), "method_floor": lambda m, x: x.floor(),
    "div_trunc": lambda m, x: m.div(x, 0.7, rounding_mode="trunc"),
    "div_floor": lambda m, x: m.div(x, 0.7, rounding_mode="floor"),
}


@pytest.mark.parametrize("name", list(PIECEWISE))
def test_piecewise_constant_output_requires_grad_and_backpropagates_zeros(name):
    f = PIECEWISE[name]
    t = torch.tensor(X, requires_grad=True)
    d = dg.tensor(X, requires_grad=True)
    want, got = f(torch, t), f(dg, d)
    assert got.requires_grad == want.requires_grad is True
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    want.sum().backward()
    got.sum().backward()
    np.testing.assert_array_equal(d.grad.numpy(), t.grad.numpy(force=True))   # sgn's is a ZeroTensor
    assert d.grad.shape == (2, 4) and not d.grad.numpy().any()


@pytest.mark.parametrize("name", ["floor", "round", "sign", "trunc"])
def test_piecewise_constant_without_grad_records_nothing(name):
    got = PIECEWISE[name](dg, dg.tensor(X))
    assert not got.requires_grad and got.grad_fn is None


def test_div_trunc_zero_gradient_reaches_both_operands():
    a, b = torch.tensor(X, requires_grad=True), torch.tensor([0.7, -1.3, 2.0, 0.4], requires_grad=True)
    da, db = dg.tensor(X, requires_grad=True), dg.tensor([0.7, -1.3, 2.0, 0.4], requires_grad=True)
    torch.div(a, b, rounding_mode="trunc").sum().backward()
    dg.div(da, db, rounding_mode="trunc").sum().backward()
    for d, t in ((da, a), (db, b)):
        assert d.grad.shape == tuple(t.grad.shape)
        np.testing.assert_array_equal(d.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("a, b", [
    ([7, -7, 6, -6, 0], 2), ([7, -7, 6, -6, 0], -4), (7, [2, -2, 3, -3]), ([5, -7], [2.0]), ([5.5, -7.5], 2),
])
@pytest.mark.parametrize("int_dtype", ["int64", "int32"])
def test_div_trunc_dtype_and_values(a, b, int_dtype):
    def build(m, v):
        if not isinstance(v, list):
            return v
        is_float = any(isinstance(i, float) for i in v)
        return m.tensor(v, dtype=getattr(m, "float32" if is_float else int_dtype))

    want = torch.div(build(torch, a), build(torch, b), rounding_mode="trunc")
    got = dg.div(build(dg, a), build(dg, b), rounding_mode="trunc")
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_div_trunc_integer_division_by_zero_raises_as_torch():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        torch.div(torch.tensor([1, 2]), 0, rounding_mode="trunc")
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        dg.div(dg.tensor([1, 2]), 0, rounding_mode="trunc")
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        dg.div(dg.tensor([1, 2]), dg.tensor([1, 0]), rounding_mode="trunc")


def test_clamp_tensor_bounds_gradient_follows_torch_on_every_tie():
    vals = [0.0, 1.0, 2.0]
    grid = np.array(list(itertools.product(vals, vals, vals))).T   # x, lo, hi over every ordering and tie
    t = [torch.tensor(v, requires_grad=True) for v in grid]
    d = [dg.tensor(v, requires_grad=True) for v in grid]
    torch.clamp(*t).sum().backward()
    dg.clamp(*d).sum().backward()
    for i in range(3):
        np.testing.assert_array_equal(d[i].grad.numpy(), t[i].grad.numpy(), err_msg=f"input {i}")


@pytest.mark.parametrize("which", ["min", "max"])
@pytest.mark.parametrize("bound_shape", [(4, 5), (5,), (4, 1)])
def test_clamp_one_tensor_bound_gradient_broadcasts(which, bound_shape):
    rng = np.random.default_rng(1)
    x = rng.integers(-2, 3, (4, 5)).astype(float)
    bound = rng.integers(-2, 3, bound_shape).astype(float)
    seed = rng.standard_normal((4, 5))
    tx, tb = torch.tensor(x, requires_grad=True), torch.tensor(bound, requires_grad=True)
    dx, db = dg.tensor(x, requires_grad=True), dg.tensor(bound, requires_grad=True)
    (torch.clamp(tx, **{which: tb}) * torch.tensor(seed)).sum().backward()
    (dg.clamp(dx, **{which: db}) * dg.tensor(seed)).sum().backward()
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(db.grad.numpy(), tb.grad.numpy())


def test_clamp_tensor_bounds_gradcheck():
    rng = np.random.default_rng(2)
    x = dg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    lo = dg.tensor(rng.standard_normal((3, 4)) - 0.5, requires_grad=True)
    hi = dg.tensor(rng.standard_normal(4) + 0.5, requires_grad=True)
    assert dg.autograd.gradcheck(lambda a, b, c: dg.clamp(a, b, c), (x, lo, hi))
