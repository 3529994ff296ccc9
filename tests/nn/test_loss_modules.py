"""Loss modules against their PyTorch twins: values, input gradients, buffers/state dicts, bad targets."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass import nn
from deepglass.nn import functional as F

RNG = np.random.default_rng(0)


def _check(dmod, tmod, x, t, grad_target=False, rtol=1e-5, atol=1e-6):
    xd = dg.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    td = dg.tensor(t, requires_grad=grad_target)
    tt = torch.tensor(t, requires_grad=grad_target)
    ld, lt = dmod(xd, td), tmod(xt, tt)
    np.testing.assert_allclose(ld.detach().numpy(), lt.detach().numpy(), rtol=rtol, atol=atol)
    seed = RNG.standard_normal(lt.shape).astype(np.float32)
    (ld * dg.tensor(seed)).sum().backward()
    (lt * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)
    if grad_target:
        np.testing.assert_allclose(td.grad.numpy(), tt.grad.numpy(), rtol=rtol, atol=atol)
    assert list(dmod.state_dict()) == list(tmod.state_dict())


def _f(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


W5 = RNG.uniform(0.5, 2, 5).astype(np.float32)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_regression_modules(reduction):
    x, t = _f(4, 3), _f(4, 3)
    _check(nn.L1Loss(reduction=reduction), torch.nn.L1Loss(reduction=reduction), x, t, True)
    _check(nn.MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction), x, t, True)
    _check(nn.SmoothL1Loss(reduction=reduction, beta=0.4), torch.nn.SmoothL1Loss(reduction=reduction, beta=0.4), x, t, True)
    _check(nn.HuberLoss(reduction=reduction, delta=0.7), torch.nn.HuberLoss(reduction=reduction, delta=0.7), x, t, True)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kldiv_module(reduction, log_target):
    x = torch.log_softmax(torch.tensor(_f(4, 5)), 1).numpy()
    p = torch.softmax(torch.tensor(_f(4, 5)), 1).numpy()
    t = np.log(p) if log_target else p
    _check(nn.KLDivLoss(reduction=reduction, log_target=log_target),
           torch.nn.KLDivLoss(reduction=reduction, log_target=log_target), x, t, True)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_cross_entropy_module(reduction, scale):
    x = _f(6, 5, 3) * scale
    t = RNG.integers(0, 5, (6, 3))
    t[0, 0] = 2
    for kw in [{}, dict(ignore_index=2), dict(label_smoothing=0.2, ignore_index=2)]:
        d = nn.CrossEntropyLoss(weight=dg.tensor(W5), reduction=reduction, **kw)
        th = torch.nn.CrossEntropyLoss(weight=torch.tensor(W5), reduction=reduction, **kw)
        _check(d, th, x, t, atol=1e-6 * scale)
    probs = torch.softmax(torch.tensor(_f(6, 5, 3)), 1).numpy()
    _check(nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1),
           torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.1), x, probs, True, atol=1e-6 * scale)


def test_extreme_logits_are_finite():
    x = dg.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], requires_grad=True)
    loss = F.cross_entropy(x, dg.tensor([1, 2]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.numpy()))
    np.testing.assert_allclose(loss.item(), 1e4, rtol=1e-6)
    z = dg.tensor([1e4, -1e4, 100.0, -100.0], requires_grad=True)
    b = F.binary_cross_entropy_with_logits(z, dg.tensor([0.0, 1.0, 1.0, 0.0]), reduction="none")
    b.sum().backward()
    np.testing.assert_allclose(b.detach().numpy(), [1e4, 1e4, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(z.grad.numpy(), [1.0, -1.0, 0.0, 0.0], atol=1e-6)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_nll_bce_modules(reduction):
    x = torch.log_softmax(torch.tensor(_f(6, 5)), 1).numpy()
    t = RNG.integers(0, 5, 6)
    _check(nn.NLLLoss(weight=dg.tensor(W5), reduction=reduction, ignore_index=1),
           torch.nn.NLLLoss(weight=torch.tensor(W5), reduction=reduction, ignore_index=1), x, t)
    p = 1 / (1 + np.exp(-_f(4, 5)))
    y = RNG.uniform(0, 1, (4, 5)).astype(np.float32)
    _check(nn.BCELoss(weight=dg.tensor(W5), reduction=reduction),
           torch.nn.BCELoss(weight=torch.tensor(W5), reduction=reduction), p, y, True)
    _check(nn.BCEWithLogitsLoss(weight=dg.tensor(W5), pos_weight=dg.tensor(W5[::-1].copy()), reduction=reduction),
           torch.nn.BCEWithLogitsLoss(weight=torch.tensor(W5), pos_weight=torch.tensor(W5[::-1].copy()),
                                      reduction=reduction), _f(4, 5) * 50, y, True, atol=1e-5)


def test_bce_log_clamp_like_torch():
    x = np.array([0.0, 1.0, 0.0, 1.0, 1e-30], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], np.float32)
    d = F.binary_cross_entropy(dg.tensor(x), dg.tensor(y), reduction="none")
    t = torch.nn.functional.binary_cross_entropy(torch.tensor(x), torch.tensor(y), reduction="none")
    np.testing.assert_allclose(d.numpy(), t.numpy())
    assert d.numpy()[0] == 100.0


def test_buffers_and_state_dict():
    m = nn.CrossEntropyLoss(weight=dg.ones(3))
    assert list(m.state_dict()) == ["weight"] and list(nn.CrossEntropyLoss().state_dict()) == []
    m2 = nn.BCEWithLogitsLoss(weight=dg.ones(2), pos_weight=dg.ones(2)).double()
    assert m2.pos_weight.dtype == np.float64
    assert list(m2.state_dict()) == list(torch.nn.BCEWithLogitsLoss(torch.ones(2), pos_weight=torch.ones(2)).state_dict())
    assert nn.MSELoss(reduce=False).reduction == "none" and nn.MSELoss(size_average=False).reduction == "sum"


def test_one_hot_covered():
    out = F.one_hot(dg.tensor([0, 3, 1]), num_classes=4)
    assert out.dtype == np.int64 and out.tolist() == [[1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]]


def test_bad_targets_raise_value_error_with_shapes():
    x = dg.randn(4, 5)
    with pytest.raises(ValueError, match=r"out of range.*\[0, 4\].*\[5, 5\]|\[0, 4\]"):
        F.cross_entropy(x, dg.tensor([0, 1, 5, 2]))
    with pytest.raises(ValueError, match="out of range"):
        F.nll_loss(x, dg.tensor([0, -1, 2, 2]))
    with pytest.raises(ValueError, match=r"\(4,\).*\(4, 1\)"):
        F.cross_entropy(x, dg.tensor([[0], [1], [2], [3]]))
    with pytest.raises(ValueError, match="float"):
        F.nll_loss(x, dg.tensor([0.0, 1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"\(2, 3, 4\).*\(2, 4, 3\)"):
        F.cross_entropy(dg.randn(2, 3, 4), dg.rand(2, 4, 3))  # probabilities on the wrong axis
    with pytest.raises(ValueError, match=r"\(3,\)"):
        F.cross_entropy(x, dg.tensor([0, 1, 2, 3]), weight=dg.ones(3))
    with pytest.raises(ValueError, match="size"):
        F.binary_cross_entropy_with_logits(dg.randn(3, 2), dg.rand(3))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(dg.tensor([1.5]), dg.tensor([1.0]))
    with pytest.raises(ValueError, match="broadcast"):
        F.mse_loss(dg.randn(3, 2), dg.randn(4))
    with pytest.raises(ValueError, match="reduction"):
        F.l1_loss(x, x, reduction="avg")
    assert F.cross_entropy(x, dg.tensor([0, -100, 2, -100])).shape == ()  # ignore_index is fine
