"""PyTorch 2.13's activations beyond the notes' table: gradients at the kinks, extreme inputs,
dtypes, errors, rrelu's random slopes, and the modules (outputs, gradients, repr) against torch.nn."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _layer_parity import check_parity

import deepglass as dg
import deepglass.nn as nn
from deepglass.nn import functional as F

R = np.random.default_rng(0)


def _grads(name, x, **kw):
    """Output and input gradient (float64) of F.<name> and TF.<name> at the points x."""
    xd = dg.tensor(np.asarray(x, np.float64), requires_grad=True)
    xt = torch.tensor(np.asarray(x, np.float64), requires_grad=True)
    yd, yt = getattr(F, name)(xd, **kw), getattr(TF, name)(xt, **kw)
    yd.sum().backward()
    yt.sum().backward()
    return yd.detach().numpy(), yt.detach().numpy(), xd.grad.numpy(), xt.grad.numpy()


KINKS = [
    ("hardsigmoid", {}, [-3.0, 3.0, 0.0]),
    ("hardshrink", {}, [-0.5, 0.5, 0.0]),
    ("hardshrink", dict(lambd=1.5), [-1.5, 1.5]),
    ("hardshrink", dict(lambd=-1.0), [-1.0, 1.0, 0.0]),  # a negative λ keeps everything, as PyTorch
    ("softshrink", {}, [-0.5, 0.5, 0.0]),
    ("softshrink", dict(lambd=0.0), [0.0]),
    ("threshold", dict(threshold=1.0, value=7.0), [1.0, 0.0, 2.0]),
    ("hardtanh", {}, [-1.0, 1.0, 0.0]),
    ("hardtanh", dict(min_val=-2.0, max_val=-2.0), [-2.0, 0.0]),
    ("relu6", {}, [0.0, 6.0, 3.0]),
    ("selu", {}, [0.0]),
    ("celu", dict(alpha=2.0), [0.0]),
    ("celu", dict(alpha=-0.5), [0.0]),
    ("elu", dict(alpha=2.0), [0.0]),
    ("rrelu", {}, [0.0, -1.0]),
    ("softsign", {}, [0.0]),
    ("mish", {}, [0.0]),
    ("logsigmoid", {}, [0.0]),
    ("tanhshrink", {}, [0.0]),
]


@pytest.mark.parametrize("name,kw,x", KINKS, ids=[f"{k[0]}-{i}" for i, k in enumerate(KINKS)])
def test_gradient_at_the_kinks_is_torchs(name, kw, x):
    yd, yt, gd, gt = _grads(name, x, **kw)
    np.testing.assert_allclose(yd, yt, rtol=1e-12, atol=1e-15)
    # atol=0: a zero gradient must be exactly zero (PyTorch's float64 hardsigmoid uses a float32 1/6, hence rtol)
    np.testing.assert_allclose(gd, gt, rtol=1e-7, atol=0)


EXTREME = np.array([-1e4, -1000.0, -88.0, -50.0, -20.0, 20.0, 50.0, 88.0, 1000.0, 1e4])


@pytest.mark.parametrize("name,kw", [("logsigmoid", {}), ("mish", {}), ("selu", {}), ("celu", dict(alpha=0.5)),
                                     ("softsign", {}), ("tanhshrink", {}), ("hardsigmoid", {}), ("elu", {})])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_finite_and_match_torch(name, kw, dtype):
    xd = dg.tensor(EXTREME.astype(dtype), requires_grad=True)
    xt = torch.tensor(EXTREME.astype(dtype), requires_grad=True)
    yd, yt = getattr(F, name)(xd, **kw), getattr(TF, name)(xt, **kw)
    yd.sum().backward()
    yt.sum().backward()
    assert yd.dtype == dtype
    assert np.all(np.isfinite(yd.detach().numpy())) and np.all(np.isfinite(xd.grad.numpy()))
    np.testing.assert_allclose(yd.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-30)
    # PyTorch differentiates softsign's composed x/(|x| + 1), which cancels digits in float32 (9e-5 relative at
    # |x| = 1e4); deepglass's 1/(1 + |x|)² is exact, so it is held to the float64 value instead
    if name == "softsign" and dtype == np.float32:
        np.testing.assert_allclose(xd.grad.numpy(), 1 / (1 + np.abs(EXTREME)) ** 2, rtol=1e-6)
    else:
        np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-30)


def test_logsigmoid_is_exact_far_out():
    y = F.logsigmoid(dg.tensor([-1000.0, 1000.0, -50.0]))
    assert y.tolist()[:2] == [-1000.0, 0.0]
    np.testing.assert_allclose(y.tolist()[2], -50.0, rtol=1e-7)


@pytest.mark.parametrize("name,kw", [("mish", {}), ("hardsigmoid", {}), ("softsign", {}), ("logsigmoid", {}),
                                     ("selu", {}), ("celu", {}), ("hardshrink", {}), ("softshrink", {}),
                                     ("tanhshrink", {}), ("glu", {}), ("softmin", dict(dim=0)),
                                     ("hardtanh", {}), ("threshold", dict(threshold=0.0, value=1.0)), ("rrelu", {})])
def test_float16_and_float64_are_kept(name, kw):
    for dtype in (np.float16, np.float64):
        x = R.standard_normal(6).astype(dtype)
        yd = getattr(F, name)(dg.tensor(x), **kw)
        yt = getattr(TF, name)(torch.tensor(x), **kw)
        assert yd.dtype == dtype and str(yt.dtype) == f"torch.{np.dtype(dtype).name}"
        np.testing.assert_allclose(yd.numpy().astype(np.float64), yt.numpy().astype(np.float64),
                                   rtol=2e-3 if dtype == np.float16 else 1e-12, atol=2e-3 if dtype == np.float16 else 0)


def test_integer_inputs():
    # PyTorch keeps integers in threshold / hardtanh / relu6 (bounds and value truncated) ...
    for d, t in [(F.threshold(dg.tensor([1, 2, 3]), 1.5, 0.5), TF.threshold(torch.tensor([1, 2, 3]), 1.5, 0.5)),
                 (F.hardtanh(dg.tensor([-3, 0, 3]), -1.5, 1.5), TF.hardtanh(torch.tensor([-3, 0, 3]), -1.5, 1.5)),
                 (F.relu6(dg.tensor([-2, 3, 9])), TF.relu6(torch.tensor([-2, 3, 9])))]:
        assert d.dtype == np.int64 and d.tolist() == t.tolist()
    # ... and has no integer kernel for the others; deepglass computes them in the default float dtype
    for name in ("mish", "logsigmoid", "hardsigmoid", "selu", "celu", "softshrink", "hardshrink", "rrelu", "glu"):
        assert getattr(F, name)(dg.tensor([1, 2, -3, 4])).dtype == np.float32, name
    np.testing.assert_allclose(F.softmin(dg.tensor([1, 2, 3]), 0).numpy(),
                               TF.softmin(torch.tensor([1.0, 2.0, 3.0]), 0).numpy(), rtol=1e-6)


def test_softmin_dtype_argument():
    x = R.standard_normal((3, 4)).astype(np.float32)
    yd = F.softmin(dg.tensor(x), 1, dtype=dg.float64)
    yt = TF.softmin(torch.tensor(x), 1, dtype=torch.float64)
    assert yd.dtype == np.float64
    np.testing.assert_allclose(yd.numpy(), yt.numpy(), rtol=1e-12)


def test_errors_name_the_problem():
    x = dg.randn(3, 4)
    with pytest.raises(RuntimeError, match="alpha cannot be 0"):
        F.celu(x, alpha=0.0)
    with pytest.raises(RuntimeError, match="lambd must be >= 0"):
        F.softshrink(x, -1.0)
    with pytest.raises(RuntimeError, match="lower bound should be less than or equal to the upper"):
        F.rrelu(x, 0.5, 0.1)
    with pytest.raises(RuntimeError, match="lower bound"):
        F.rrelu(x, 0.5, 0.1, training=True)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(x, 1.0, -1.0)
    with pytest.raises(RuntimeError, match="halving dimension must be even, but dimension 1 is size 3"):
        F.glu(dg.randn(2, 3), 1)
    with pytest.raises(RuntimeError, match="does not support scalars"):
        F.glu(dg.tensor(1.0))
    with pytest.raises(IndexError, match="dimension out of range"):
        F.glu(x, 2)
    with pytest.raises(NotImplementedError, match="bool"):
        F.threshold(dg.tensor([True, False]), 0.5, 0.0)
    with pytest.raises(RuntimeError, match="bool"):
        F.hardtanh(dg.tensor([True, False]))
    with pytest.raises(ValueError, match="expected input to be 3D .* or 4D .*, got 2D"):
        nn.Softmax2d()(x)
    with pytest.raises(AssertionError, match="max_val"):
        nn.Hardtanh(1.0, 1.0)
    with pytest.warns(FutureWarning, match="min_value"):
        m = nn.Hardtanh(min_value=-2.0)
    assert m.min_val == -2.0 and repr(m) == repr(torch.nn.Hardtanh(min_val=-2.0))


# ------------------------------------------------------------------ rrelu's random slopes


def test_rrelu_training_draws_uniform_slopes_from_deepglass_rng():
    lower, upper = 0.1, 0.4
    x = dg.tensor(np.concatenate([-np.ones(20000), np.ones(100), [0.0]]), requires_grad=True)
    dg.manual_seed(3)
    y = F.rrelu(x, lower, upper, training=True)
    y.sum().backward()
    slopes = -y.detach().numpy()[:20000]
    assert np.all((slopes >= lower) & (slopes <= upper))
    assert abs(slopes.mean() - (lower + upper) / 2) < 0.005          # U(a, b): mean (a + b)/2
    assert abs(slopes.std() - (upper - lower) / np.sqrt(12)) < 0.005  # std (b − a)/√12
    assert np.all(y.detach().numpy()[20000:20100] == 1.0)            # positives pass unchanged
    g = x.grad.numpy()
    np.testing.assert_array_equal(g[:20000], slopes)                 # the gradient is the drawn slope
    assert np.all(g[20000:20100] == 1.0) and lower <= g[-1] <= upper  # x = 0 takes a random slope, as PyTorch
    dg.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(x.detach(), lower, upper, training=True).numpy(), y.detach().numpy())
    assert not np.array_equal(F.rrelu(x.detach(), lower, upper, training=True).numpy(), y.detach().numpy())


def test_rrelu_module_modes():
    m = nn.RReLU(0.2, 0.2)
    x = dg.tensor([-2.0, 3.0])
    assert m(x).tolist() == pytest.approx([-0.4, 3.0])  # lower == upper: deterministic even in training
    m = nn.RReLU()
    y1, y2 = m(dg.full((50,), -1.0)), m(dg.full((50,), -1.0))
    assert not np.array_equal(y1.numpy(), y2.numpy())
    m.eval()
    np.testing.assert_allclose(m(dg.full((3,), -1.0)).numpy(), -(1 / 8 + 1 / 3) / 2, rtol=1e-6)


# ------------------------------------------------------------------------ modules


def X(*shape):
    return R.standard_normal(shape).astype(np.float32)


MODULES = [
    ("Softmin(dim=1)", X(3, 4)),
    ("Softmin(dim=0)", X(3, 4)),
    ("Softmax2d()", X(2, 3, 4, 4)),
    ("Softmax2d()", X(3, 2, 5)),
    ("RReLU(0.1, 0.3)", X(3, 4)),
    ("SELU()", 2 * X(3, 4)),
    ("CELU()", 2 * X(3, 4)),
    ("CELU(alpha=0.5)", 2 * X(3, 4)),
    ("Mish()", 3 * X(3, 4)),
    ("Hardtanh()", 2 * X(3, 4)),
    ("Hardtanh(-2.0, 3.0)", 3 * X(3, 4)),
    ("Hardsigmoid()", 4 * X(3, 4)),
    ("Softsign()", 3 * X(3, 4)),
    ("LogSigmoid()", 3 * X(3, 4)),
    ("Tanhshrink()", 2 * X(3, 4)),
    ("Hardshrink()", X(3, 4)),
    ("Hardshrink(0.2)", X(3, 4)),
    ("Softshrink()", X(3, 4)),
    ("Softshrink(1.0)", 2 * X(3, 4)),
    ("Threshold(0.1, 20.0)", X(3, 4)),
    ("GLU()", X(3, 4)),
    ("GLU(dim=1)", X(2, 6, 3)),
]


@pytest.mark.parametrize("spec,x", MODULES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MODULES)])
def test_module_matches_torch(spec, x):
    th = eval("torch.nn." + spec)
    d = eval("nn." + spec)
    assert repr(d) == repr(th)
    modes = ("eval",) if spec.startswith("RReLU") else ("train", "eval")
    check_parity(d, th, x, modes=modes, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("spec", [
    "RReLU()", "RReLU(0.1, 0.3, inplace=True)", "SELU(inplace=True)", "CELU(2.0, inplace=True)", "Mish(inplace=True)",
    "Hardtanh(-2, 3.5, True)", "Hardsigmoid(inplace=True)", "Hardshrink(lambd=1)", "Softshrink(0.25)",
    "Threshold(0.1, 20, inplace=True)", "GLU(0)", "Softmin()", "Softmax2d()", "Tanhshrink()", "LogSigmoid()",
    "Softsign()", "Mish()", "SELU()", "ReLU6(inplace=True)"])
def test_repr_matches_torch(spec):
    assert repr(eval("nn." + spec)) == repr(eval("torch.nn." + spec))


def test_modules_are_exported_like_torch():
    names = ["Threshold", "RReLU", "Hardtanh", "Hardsigmoid", "Mish", "CELU", "SELU", "GLU", "Hardshrink", "LogSigmoid",
             "Softshrink", "Softsign", "Tanhshrink", "Softmin", "Softmax2d"]
    for n in names:
        assert n in nn.__all__ and hasattr(torch.nn, n), n
    assert not isinstance(nn.Softshrink(), nn.Hardshrink)
