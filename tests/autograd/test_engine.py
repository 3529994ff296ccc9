"""The backward engine: deep chains, fan-out, retain_graph, no_grad, accumulation, misuse errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass.autograd import gradcheck


def test_chain_of_100k_ops_has_no_recursion_limit():
    x = dg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_diamond_graph_accumulates_fan_out():
    x = dg.tensor([2.0, 3.0], requires_grad=True)
    a = x * 3
    b = x.exp()
    y = (a * b + a).sum()
    y.backward()
    tx = torch.tensor([2.0, 3.0], requires_grad=True)
    ta = tx * 3
    ((ta * tx.exp()) + ta).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)


def test_same_tensor_used_twice_in_one_op():
    x = dg.tensor([1.5, -2.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, -4.0])


def test_leaf_gradients_accumulate_across_backwards():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 5.0])


def test_second_backward_without_retain_graph_raises_clearly():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * np.exp([1.0, 2.0]).astype(np.float32), rtol=1e-6)


def test_saved_arrays_are_freed_after_backward():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node.saved_tensors == () and node._freed


def test_no_grad_records_nothing_and_works_as_decorator():
    x = dg.tensor([1.0], requires_grad=True)
    with dg.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None

    @dg.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    with dg.no_grad():
        with dg.enable_grad():
            assert (x * 2).requires_grad
    with dg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert dg.is_grad_enabled()


def test_non_scalar_backward_needs_gradient_argument():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    with pytest.raises(RuntimeError, match="scalar outputs"):
        y.backward()
    y.backward(dg.tensor([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 40.0])


def test_broadcast_gradients_are_summed_back_to_input_shape():
    a = dg.randn(2, 3, 4, requires_grad=True)
    b = dg.randn(3, 1, requires_grad=True)
    (a * b).sum().backward()
    assert b.grad.shape == (3, 1)
    np.testing.assert_allclose(b.grad.numpy()[:, 0], a.detach().numpy().sum(axis=(0, 2)), rtol=1e-5)


def test_inplace_on_leaf_requiring_grad_raises():
    w = dg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 5.0


def test_inplace_on_graph_tensor_is_recorded_and_no_grad_update_works():
    # PyTorch allows in-place ops on a non-leaf (tests/test_torch_semantics.py compares with torch)
    w = dg.ones(3, requires_grad=True)
    h = w * 2
    h.mul_(3)
    h.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [6.0, 6.0, 6.0])
    w.grad = None
    with dg.no_grad():
        w -= 0.5
        w.mul_(2)
    np.testing.assert_allclose(w.detach().numpy(), [1.0, 1.0, 1.0])


def test_modifying_a_saved_input_after_use_is_detected():
    x = dg.tensor([1.0, 2.0])
    w = dg.tensor([3.0, 4.0], requires_grad=True)
    y = (w * x).sum()
    x.mul_(10)  # x does not require grad, so this is allowed... but it was saved for w's gradient
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):  # PyTorch's words
        y.backward()


def test_autograd_grad_does_not_touch_dot_grad():
    x = dg.tensor([3.0], requires_grad=True)
    (g,) = dg.autograd.grad((x ** 2).sum(), x)
    np.testing.assert_allclose(g.numpy(), [6.0])
    assert x.grad is None


def test_autograd_grad_of_intermediate_and_unused():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    z = dg.tensor([1.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    gh, gz = dg.autograd.grad(y, [h, z], allow_unused=True)
    np.testing.assert_allclose(gh.numpy(), 2 * 3 * np.array([1.0, 2.0]))
    assert gz is None
    with pytest.raises(RuntimeError, match="allow_unused"):
        dg.autograd.grad((x * 2).sum(), [x, z])


def test_retain_grad_and_hooks():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [4.0, 8.0])
    np.testing.assert_allclose(seen[0], [8.0, 16.0])


def test_leaf_grads_do_not_alias_each_other():
    a = dg.ones(3, requires_grad=True)
    b = dg.ones(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad.mul_(10)
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0, 1.0])


def test_backward_on_tensor_without_grad_explains():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (dg.ones(2) * 2).sum().backward()


def test_requires_grad_only_for_floats():
    with pytest.raises(RuntimeError, match="floating-point"):
        dg.tensor([1, 2], requires_grad=True)


def test_gradcheck_catches_a_wrong_backward():
    class BadSquare(dg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2x

    x = dg.randn(3, dtype=dg.float64, requires_grad=True)
    with pytest.raises(dg.autograd.GradcheckError, match="gradient mismatch"):
        gradcheck(BadSquare.apply, (x,))
    assert gradcheck(lambda t: t * t, (x,))


def test_grad_fn_and_next_functions():
    x = dg.tensor([1.0], requires_grad=True)
    y = x.exp() + 1
    assert y.grad_fn.name == "AddBackward"
    assert y.grad_fn.next_functions[0].name == "ExpBackward"
    assert y.grad_fn.next_functions[0].next_functions == ("AccumulateGrad",)
    assert x.is_leaf and not y.is_leaf


def test_detach_cuts_the_graph():
    x = dg.tensor([1.0], requires_grad=True)
    y = (x * 2).detach() * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0])
