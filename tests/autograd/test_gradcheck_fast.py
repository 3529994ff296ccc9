"""gradcheck(fast_mode=True): one random direction, two forward evaluations per input (against PyTorch's)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass.autograd import GradcheckError, gradcheck
from deepglass.autograd.function import Function
from deepglass.nn import functional as F


def _make(lib, wrong):
    """x² with a correct backward, or one of two wrong ones: everywhere, or only at the last element."""
    base = torch.autograd.Function if lib == "torch" else Function

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        gx = 2 * x * g
        if wrong == "scale":
            gx = x * g  # forgot the 2
        elif wrong == "one_element":
            gx = gx.clone() if lib == "torch" else gx.copy()
            gx.reshape(-1)[-1] = 0  # drops one element's gradient
        return gx

    return type("Square", (base,), {"forward": staticmethod(forward), "backward": staticmethod(backward)})


@pytest.mark.parametrize("wrong", [None, "scale", "one_element"])
def test_fast_mode_verdict_on_a_large_input_is_torch_full_verdict(wrong):
    # the reference verdict is PyTorch's full gradcheck on a small input: PyTorch's own fast mode scales its
    # tolerance by the directions' sums and passes both wrong backwards on 40x50 (checked: it returns True)
    small = np.random.default_rng(0).standard_normal((4, 5))
    large = np.random.default_rng(0).standard_normal((40, 50))
    d, t = _make("dg", wrong), _make("torch", wrong)
    ok_th = torch.autograd.gradcheck(t.apply, (torch.tensor(small, requires_grad=True),), raise_exception=False)
    ok_dg = gradcheck(d.apply, (dg.tensor(large, requires_grad=True),), fast_mode=True, raise_exception=False)
    assert ok_dg is ok_th is (wrong is None)
    # and the full check of deepglass agrees on the small input
    assert gradcheck(d.apply, (dg.tensor(small, requires_grad=True),), raise_exception=False) is ok_th


def test_fast_mode_raises_naming_the_input_and_output():
    x = dg.tensor(np.ones((3, 4)), requires_grad=True)
    y = dg.tensor(np.ones(4), requires_grad=True)
    bad = _make("dg", "scale")
    with pytest.raises(GradcheckError, match=r"input 1, output 0 \(fast mode"):
        gradcheck(lambda a, b: a + bad.apply(b), (x, y), fast_mode=True)


def test_fast_mode_does_not_change_the_inputs_and_takes_two_evaluations_per_input():
    x = np.random.default_rng(1).standard_normal((5, 6))
    a = dg.tensor(x, requires_grad=True)
    b = dg.tensor(x[:, :1].copy(), requires_grad=True)
    calls = []

    def f(p, q):
        calls.append(1)
        return (p * q).sum(0), p.exp()

    assert gradcheck(f, (a, b), fast_mode=True)
    assert len(calls) == 1 + 2 * 2  # the recorded call, then ±eps for each of the two inputs
    np.testing.assert_array_equal(a.detach().numpy(), x)


@pytest.mark.parametrize("case", ["conv2d_16ch", "linear", "softmax", "layer_norm", "max_pool2d"])
def test_fast_mode_passes_correct_ops_on_large_inputs(case):
    rng = np.random.default_rng(2)

    def t(*shape):
        return dg.tensor(rng.standard_normal(shape), requires_grad=True)

    if case == "conv2d_16ch":  # ≥ 16 channels: the fast conv kernel path
        args, f = (t(2, 16, 9, 9), t(16, 16, 3, 3), t(16)), lambda x, w, b: F.conv2d(x, w, b, padding=1, stride=2)
    elif case == "linear":
        args, f = (t(32, 64), t(48, 64), t(48)), F.linear
    elif case == "softmax":
        args, f = (t(16, 100),), lambda x: F.softmax(x, dim=-1)
    elif case == "layer_norm":
        args, f = (t(8, 16, 32), t(32), t(32)), lambda x, w, b: F.layer_norm(x, (32,), w, b)
    else:
        args, f = (t(2, 16, 12, 12),), lambda x: F.max_pool2d(x, 2)
    assert gradcheck(f, args, fast_mode=True)
