"""The autograd contract of ``Function``: several outputs, gradient counts and shapes (against PyTorch)."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass.autograd.function import Function


def _raised(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


# ------------------------------------------------------------- several outputs
class DgMaxIdx(Function):
    """Max along the last axis and its index (non-differentiable), as a multi-output primitive."""

    @staticmethod
    def forward(ctx, x):
        idx = x.argmax(axis=-1)[..., None]
        values = np.take_along_axis(x, idx, axis=-1)[..., 0]
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        ctx.shape = x.shape
        return values, idx

    @staticmethod
    def backward(ctx, g_values, g_idx):
        DgMaxIdx.seen = g_idx
        (idx,) = ctx.saved_tensors
        gx = np.zeros(ctx.shape, g_values.dtype)
        np.put_along_axis(gx, idx, g_values[..., None], axis=-1)
        return gx


class ThMaxIdx(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        values, idx = x.max(dim=-1, keepdim=True)
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        ctx.shape = x.shape
        return values[..., 0], idx

    @staticmethod
    def backward(ctx, g_values, g_idx):
        ThMaxIdx.seen = g_idx
        (idx,) = ctx.saved_tensors
        return torch.zeros(ctx.shape, dtype=g_values.dtype).scatter(-1, idx, g_values[..., None])


def test_multi_output_values_grads_and_non_differentiable_output_match_torch():
    x = np.random.default_rng(0).standard_normal((3, 5))
    a = dg.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    (va, ia), (vt, it) = DgMaxIdx.apply(a), ThMaxIdx.apply(t)
    assert isinstance(va, dg.Tensor) and isinstance(ia, dg.Tensor)
    np.testing.assert_array_equal(va.detach().numpy(), vt.detach().numpy())
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    assert va.requires_grad and va.grad_fn is not None
    assert ia.requires_grad is it.requires_grad is False and ia.grad_fn is None
    (va * 2).sum().backward()
    (vt * 2).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())
    # the non-differentiable output's gradient arrives materialised as zeros, as in PyTorch
    assert DgMaxIdx.seen.shape == tuple(ThMaxIdx.seen.shape) and not DgMaxIdx.seen.any()
    assert not ThMaxIdx.seen.any()


class DgTwo(Function):
    """(2x, x²): two differentiable outputs."""

    materialize = True

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(DgTwo.materialize)
        ctx.save_for_backward(x)
        return 2 * x, x * x

    @staticmethod
    def backward(ctx, g1, g2):
        DgTwo.got = (g1, g2)
        (x,) = ctx.saved_tensors
        out = 0
        if g1 is not None:
            out = out + 2 * g1
        if g2 is not None:
            out = out + 2 * x * g2
        return out


class ThTwo(torch.autograd.Function):
    materialize = True

    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(ThTwo.materialize)
        ctx.save_for_backward(x)
        return 2 * x, x * x

    @staticmethod
    def backward(ctx, g1, g2):
        ThTwo.got = (g1, g2)
        (x,) = ctx.saved_tensors
        out = 0
        if g1 is not None:
            out = out + 2 * g1
        if g2 is not None:
            out = out + 2 * x * g2
        return out


@pytest.mark.parametrize("materialize", [True, False])
@pytest.mark.parametrize("use", ["first", "second", "both"])
def test_multi_output_unused_gradient_is_zeros_or_none_as_torch(materialize, use):
    x = np.array([1.0, -2.0, 3.0])
    DgTwo.materialize = ThTwo.materialize = materialize
    a = dg.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    (a1, a2), (t1, t2) = DgTwo.apply(a), ThTwo.apply(t)
    pick = {"first": lambda p, q: p.sum(), "second": lambda p, q: (q * 3).sum(),
            "both": lambda p, q: p.sum() + (q * q).sum()}[use]
    pick(a1, a2).backward()
    pick(t1, t2).backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy())
    for gd, gt in zip(DgTwo.got, ThTwo.got):
        assert (gd is None) == (gt is None)
        if gt is not None:
            np.testing.assert_array_equal(gd, gt.numpy())


def test_multi_output_fan_out_hooks_retain_grad_and_autograd_grad():
    x = np.array([0.5, 1.5])
    a = dg.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    (a1, a2), (t1, t2) = DgTwo.apply(a), ThTwo.apply(t)
    a2.retain_grad()
    t2.retain_grad()
    a1.register_hook(lambda g: g * 10)
    t1.register_hook(lambda g: g * 10)
    la = (a1 * a2).sum() + a2.sum()
    lt = (t1 * t2).sum() + t2.sum()
    (ga,) = dg.autograd.grad(la, [a], retain_graph=True)
    (gt,) = torch.autograd.grad(lt, [t], retain_graph=True)
    np.testing.assert_allclose(ga.numpy(), gt.numpy())
    g2a = dg.autograd.grad(la, [a2])[0]
    g2t = torch.autograd.grad(lt, [t2])[0]
    np.testing.assert_allclose(g2a.numpy(), g2t.numpy())


def test_multi_output_without_grad_returns_plain_tensors():
    (v, i) = DgMaxIdx.apply(dg.tensor([[1.0, 3.0, 2.0]]))
    assert not v.requires_grad and v.grad_fn is None
    assert i.tolist() == [[1]]


# -------------------------------------------------------- gradient count/shape
def _make(name, n_in, backward, lib):
    base = torch.autograd.Function if lib == "torch" else Function

    def forward(ctx, *xs):
        return xs[0] * 2 if n_in == 1 else xs[0] * xs[1]

    return type(name, (base,), {"forward": staticmethod(forward), "backward": staticmethod(backward)})


CASES = {
    "too_few": (2, lambda ctx, g: g),
    "too_many": (1, lambda ctx, g: (g, g)),
    "wrong_shape": (1, lambda ctx, g: g[:1]),
    "wrong_rank": (1, lambda ctx, g: g.reshape(-1)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_wrong_gradients_raise_as_torch(case):
    n_in, backward = CASES[case]
    x = np.ones((2, 3))
    fd, ft = _make("Bad", n_in, backward, "dg"), _make("Bad", n_in, backward, "torch")
    ins_d = [dg.tensor(x, requires_grad=True) for _ in range(n_in)]
    ins_t = [torch.tensor(x, requires_grad=True) for _ in range(n_in)]
    ed = _raised(lambda: fd.apply(*ins_d).sum().backward())
    et = _raised(lambda: ft.apply(*ins_t).sum().backward())
    assert type(ed) is type(et) is RuntimeError
    # deepglass says what PyTorch says, then how to fix it
    assert str(ed).startswith(str(et)), (str(ed), str(et))


def test_extra_none_gradients_are_dropped_as_torch():
    x = np.ones(3)
    fd = _make("ExtraNone", 1, lambda ctx, g: (2 * g, None, None), "dg")
    ft = _make("ExtraNone", 1, lambda ctx, g: (2 * g, None, None), "torch")
    a, t = dg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    fd.apply(a).sum().backward()
    ft.apply(t).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())


def test_broadcast_gradient_is_summed_back_to_the_input_shape():
    fd = _make("Bcast", 1, lambda ctx, g: np.broadcast_to(g, (4, 2, 3)), "dg")
    ft = _make("Bcast", 1, lambda ctx, g: g.expand(4, 2, 3), "torch")
    x = np.ones((1, 3))
    a, t = dg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    fd.apply(a).sum().backward()
    ft.apply(t).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())


def test_trailing_options_may_go_without_a_gradient_but_tensor_inputs_may_not():
    class Scale(Function):  # (x, factor): the option `factor` gets no gradient
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, g):
            return g * ctx.factor

    a = dg.tensor([1.0, 2.0], requires_grad=True)
    Scale.apply(a, 3.0).sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]

    class MulMissing(Function):  # (x, y) with a Tensor y that does not require grad: still needs its slot
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    b = dg.tensor([1.0, 2.0])
    e = _raised(lambda: MulMissing.apply(a, b).sum().backward())
    assert re.search(r"MulMissingBackward returned an incorrect number of gradients \(expected 2, got 1\)", str(e))


def test_single_output_marked_non_differentiable_does_not_require_grad_as_torch():
    class DgArg(Function):
        @staticmethod
        def forward(ctx, x):
            out = x.argmax(axis=-1)
            ctx.mark_non_differentiable(out)
            return out

    class ThArg(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x.argmax(dim=-1)
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):  # pragma: no cover - never called
            return None

    x = np.array([[1.0, 5.0, 2.0]])
    d = DgArg.apply(dg.tensor(x, requires_grad=True))
    t = ThArg.apply(torch.tensor(x, requires_grad=True))
    assert d.requires_grad is t.requires_grad is False
    assert d.grad_fn is None and d.tolist() == t.tolist() == [1]
