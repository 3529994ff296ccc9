"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm) and the legacy
nn.utils.weight_norm against torch: state-dict keys and values, outputs, gradients, errors."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass import nn
from deepglass.nn.utils import parametrizations as PZ
from deepglass.nn.utils import parametrize as P


@pytest.fixture(autouse=True)
def _torch_seed():
    torch.manual_seed(0)


def _np(t):
    return t.detach().numpy()


def _twin(tmod, dmod):
    """Load torch module ``tmod``'s state into deepglass module ``dmod``."""
    dmod.load_state_dict({k: v.detach().numpy() for k, v in tmod.state_dict().items()})
    return dmod


def _assert_state_dicts_equal(dmod, tmod, atol=1e-6):
    dsd, tsd = dmod.state_dict(), tmod.state_dict()
    assert list(dsd) == list(tsd)
    for k in tsd:
        np.testing.assert_allclose(dsd[k].numpy(), tsd[k].numpy(), atol=atol, rtol=1e-5, err_msg=k)


def _assert_grads_equal(dmod, tmod, atol=1e-5):
    dn = dict(dmod.named_parameters())
    tn = dict(tmod.named_parameters())
    assert list(dn) == list(tn)
    for k in tn:
        np.testing.assert_allclose(dn[k].grad.numpy(), tn[k].grad.numpy(), atol=atol, rtol=1e-4, err_msg=k)


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).T

    def right_inverse(self, A):
        return A.triu()


class TSymmetric(torch.nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).T

    def right_inverse(self, A):
        return A.triu()


class Double(nn.Module):
    def forward(self, X):
        return 2 * X


class TDouble(torch.nn.Module):
    def forward(self, X):
        return 2 * X


class SplitSum(nn.Module):  # two originals: X = A + B
    def forward(self, A, B):
        return A + B

    def right_inverse(self, X):
        return X * 0.25, X * 0.75


class TSplitSum(torch.nn.Module):
    def forward(self, A, B):
        return A + B

    def right_inverse(self, X):
        return X * 0.25, X * 0.75


def _linears(n_in=4, n_out=4):
    t = torch.nn.Linear(n_in, n_out)
    return t, _twin(t, nn.Linear(n_in, n_out))


def test_register_parametrization_matches_torch():
    t, d = _linears()
    torch.nn.utils.parametrize.register_parametrization(t, "weight", TSymmetric())
    out = P.register_parametrization(d, "weight", Symmetric())
    assert out is d
    assert type(d).__name__ == type(t).__name__ == "ParametrizedLinear"
    assert isinstance(d, nn.Linear)
    assert P.is_parametrized(d) and P.is_parametrized(d, "weight") and not P.is_parametrized(d, "bias")
    assert list(d.state_dict()) == ["bias", "parametrizations.weight.original"]
    _assert_state_dicts_equal(d, t)
    np.testing.assert_allclose(_np(d.weight), _np(t.weight), atol=1e-7)
    np.testing.assert_allclose(_np(d.weight), _np(d.weight).T)
    assert isinstance(d.parametrizations.weight, P.ParametrizationList)
    assert isinstance(d.parametrizations.weight.original, nn.Parameter)
    x = np.random.randn(3, 4).astype(np.float32)
    (d(dg.tensor(x)) ** 2).sum().backward()
    (t(torch.tensor(x)) ** 2).sum().backward()
    _assert_grads_equal(d, t)


def test_assignment_goes_through_right_inverse():
    t, d = _linears()
    torch.nn.utils.parametrize.register_parametrization(t, "weight", TSymmetric())
    P.register_parametrization(d, "weight", Symmetric())
    orig = d.parametrizations.weight.original
    a = np.random.randn(4, 4).astype(np.float32)
    a = a + a.T
    d.weight = dg.tensor(a)
    with torch.no_grad():
        t.weight = torch.tensor(a)
    assert d.parametrizations.weight.original is orig  # same Parameter, new values
    np.testing.assert_allclose(_np(d.weight), a, atol=1e-6)
    _assert_state_dicts_equal(d, t)


def test_chained_parametrizations_and_buffers():
    t, d = _linears()
    for mod, (a, b) in ((t, (TSymmetric(), TDouble())), (d, (Symmetric(), Double()))):
        reg = torch.nn.utils.parametrize.register_parametrization if mod is t else P.register_parametrization
        reg(mod, "weight", a)
        reg(mod, "weight", b)
    assert len(d.parametrizations.weight) == 2
    _assert_state_dicts_equal(d, t)
    np.testing.assert_allclose(_np(d.weight), _np(t.weight), atol=1e-6)
    # a buffer: the original stays a buffer
    tb, db = torch.nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    torch.nn.utils.parametrize.register_parametrization(tb, "running_var", TDouble())
    P.register_parametrization(db, "running_var", Double())
    assert list(db.state_dict()) == list(tb.state_dict())
    assert "parametrizations.running_var.original" in dict(db.named_buffers())
    np.testing.assert_allclose(_np(db.running_var), _np(tb.running_var))


def test_right_inverse_returning_several_tensors():
    t, d = _linears()
    torch.nn.utils.parametrize.register_parametrization(t, "weight", TSplitSum())
    P.register_parametrization(d, "weight", SplitSum())
    assert list(d.state_dict()) == ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    _assert_state_dicts_equal(d, t)
    np.testing.assert_allclose(_np(d.weight), _np(t.weight), atol=1e-6)
    with pytest.raises(ValueError, match="leave_parametrized"):
        P.remove_parametrizations(d, "weight", leave_parametrized=False)
    w = _np(d.weight)
    P.remove_parametrizations(d, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(t, "weight")
    assert type(d) is nn.Linear and list(d.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    assert [n for n, _ in d.named_parameters()] == [n for n, _ in t.named_parameters()]
    np.testing.assert_allclose(_np(d.weight), w, atol=1e-6)


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave):
    t, d = _linears()
    torch.nn.utils.parametrize.register_parametrization(t, "weight", TDouble())
    P.register_parametrization(d, "weight", Double())
    orig = d.parametrizations.weight.original
    torch.nn.utils.parametrize.remove_parametrizations(t, "weight", leave_parametrized=leave)
    P.remove_parametrizations(d, "weight", leave_parametrized=leave)
    assert type(d) is nn.Linear and not P.is_parametrized(d)
    assert "parametrizations" not in d._modules
    assert d.weight is orig and isinstance(d.weight, nn.Parameter)
    _assert_state_dicts_equal(d, t)
    with pytest.raises(ValueError, match="does not have a parametrization"):
        P.remove_parametrizations(d, "weight")


def test_cached_computes_once():
    calls = []

    class Count(nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 1.0

    _, d = _linears()
    P.register_parametrization(d, "weight", Count())
    calls.clear()
    _ = d.weight, d.weight
    assert len(calls) == 2
    calls.clear()
    with P.cached():
        a = d.weight
        b = d.weight
    assert a is b and len(calls) == 1
    _ = d.weight
    assert len(calls) == 2


def test_parametrize_errors():
    _, d = _linears()
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        P.register_parametrization(d, "nope", Double())

    class Shrink(nn.Module):
        def forward(self, X):
            return X[:2]

    with pytest.raises(ValueError, match="shape"):
        P.register_parametrization(d, "weight", Shrink())
    assert not P.is_parametrized(d) and type(d) is nn.Linear
    P.register_parametrization(d, "weight", Shrink(), unsafe=True)
    assert tuple(d.weight.shape) == (2, 4)
    _, d2 = _linears()
    P.register_parametrization(d2, "weight", Double())
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        d2.weight = dg.ones(4, 4)
    with pytest.raises(ValueError, match="shape"):
        P.register_parametrization(d2, "weight", Shrink())
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        d2.weight = nn.Parameter(dg.ones(4, 4))
    t2 = torch.nn.utils.parametrize.register_parametrization(torch.nn.Linear(4, 4), "weight", TDouble())
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        t2.weight = torch.nn.Parameter(torch.ones(4, 4))


def test_parametrized_module_deepcopy_and_train_mode():
    _, d = _linears()
    d.eval()
    p = Double()
    P.register_parametrization(d, "weight", p)
    assert p.training is False
    c = copy.deepcopy(d)
    assert type(c) is type(d)
    c.parametrizations.weight.original._array[...] = 0
    assert float(d.weight.abs().sum().item()) > 0
    assert float(c.weight.abs().sum().item()) == 0


# ----------------------------------------------------------------------------- weight_norm
def _convs():
    t = torch.nn.Conv2d(2, 3, 3)
    return t, _twin(t, nn.Conv2d(2, 3, 3))


@pytest.mark.parametrize("dim", [0, 1, None, -1])
@pytest.mark.parametrize("kind", ["linear", "conv"])
def test_weight_norm_parametrization_matches_torch(dim, kind):
    t, d = _linears(4, 3) if kind == "linear" else _convs()
    torch.nn.utils.parametrizations.weight_norm(t, dim=dim)
    PZ.weight_norm(d, dim=dim)
    assert list(d.state_dict()) == ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    _assert_state_dicts_equal(d, t)
    np.testing.assert_allclose(_np(d.weight), _np(t.weight), atol=1e-6)
    x = np.random.randn(2, 4).astype(np.float32) if kind == "linear" else np.random.randn(2, 2, 5, 5).astype(np.float32)
    opt_t = torch.optim.SGD(t.parameters(), lr=0.1)
    opt_d = dg.optim.SGD(d.parameters(), lr=0.1)
    for _ in range(3):
        opt_t.zero_grad()
        opt_d.zero_grad()
        (t(torch.tensor(x)) ** 2).sum().backward()
        (d(dg.tensor(x)) ** 2).sum().backward()
        _assert_grads_equal(d, t, atol=1e-4)
        opt_t.step()
        opt_d.step()
    _assert_state_dicts_equal(d, t, atol=1e-4)


def test_weight_norm_load_torch_state_dict_and_remove():
    t = torch.nn.Linear(4, 3)
    torch.nn.utils.parametrizations.weight_norm(t)
    d = PZ.weight_norm(nn.Linear(4, 3))
    d.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    np.testing.assert_allclose(_np(d.weight), _np(t.weight), atol=1e-6)
    P.remove_parametrizations(d, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(t, "weight")
    _assert_state_dicts_equal(d, t)


# --------------------------------------------------------------------------- spectral_norm
def _copy_sn_buffers(t, d, name="weight"):
    tp = getattr(t.parametrizations, name)[0]
    dp = getattr(d.parametrizations, name)[0]
    dp._u._array[...] = tp._u.detach().numpy()
    dp._v._array[...] = tp._v.detach().numpy()


@pytest.mark.parametrize("kind", ["linear", "conv", "convT", "convT_dim0"])
@pytest.mark.parametrize("n_iter", [1, 3])
def test_spectral_norm_matches_torch_over_train_eval_steps(kind, n_iter):
    if kind == "linear":
        t, d = _linears(5, 3)
        x = np.random.randn(2, 5).astype(np.float32)
    elif kind == "conv":
        t, d = _convs()
        x = np.random.randn(2, 2, 5, 5).astype(np.float32)
    else:
        t = torch.nn.ConvTranspose2d(2, 3, 3)
        d = _twin(t, nn.ConvTranspose2d(2, 3, 3))
        x = np.random.randn(2, 2, 4, 4).astype(np.float32)
    t.double()  # float64: the comparison after several optimizer steps stays tight
    d.double()
    x = x.astype(np.float64)
    kw = {"dim": 0} if kind == "convT_dim0" else {}
    torch.nn.utils.parametrizations.spectral_norm(t, n_power_iterations=n_iter, **kw)
    PZ.spectral_norm(d, n_power_iterations=n_iter, **kw)
    assert list(d.state_dict()) == list(t.state_dict()) == [
        "bias", "parametrizations.weight.original", "parametrizations.weight.0._u", "parametrizations.weight.0._v"]
    assert tuple(d.parametrizations.weight[0]._u.shape) == tuple(t.parametrizations.weight[0]._u.shape)
    _copy_sn_buffers(t, d)
    opt_t = torch.optim.SGD(t.parameters(), lr=0.05)
    opt_d = dg.optim.SGD(d.parameters(), lr=0.05)
    for _step in range(4):
        for mode in (True, False):
            t.train(mode)
            d.train(mode)
            opt_t.zero_grad()
            opt_d.zero_grad()
            yt, yd = t(torch.tensor(x)), d(dg.tensor(x))
            np.testing.assert_allclose(_np(yd), _np(yt), atol=1e-10, rtol=1e-9)
            (yt ** 2).sum().backward()
            (yd ** 2).sum().backward()
            _assert_grads_equal(d, t, atol=1e-9)
            opt_t.step()
            opt_d.step()
        _assert_state_dicts_equal(d, t, atol=1e-10)


def test_spectral_norm_eval_does_not_update_buffers_and_1d_weight():
    _, d = _linears(5, 3)
    PZ.spectral_norm(d)
    d.eval()
    u = d.parametrizations.weight[0]._u.numpy().copy()
    d(dg.ones(1, 5))
    np.testing.assert_array_equal(d.parametrizations.weight[0]._u.numpy(), u)
    d.train()
    d.parametrizations.weight[0]._u._array[...] = np.array([1.0, 0.0, 0.0], np.float32)
    d(dg.ones(1, 5))
    assert not np.array_equal(d.parametrizations.weight[0]._u.numpy(), [1.0, 0.0, 0.0])
    # a 1-d tensor is just normalised
    tb, db = torch.nn.BatchNorm1d(4), nn.BatchNorm1d(4)
    with torch.no_grad():
        tb.weight.copy_(torch.arange(1.0, 5.0))
    _twin(tb, db)
    torch.nn.utils.parametrizations.spectral_norm(tb)
    PZ.spectral_norm(db)
    assert list(db.state_dict()) == list(tb.state_dict())
    np.testing.assert_allclose(_np(db.weight), _np(tb.weight), atol=1e-6)


def test_spectral_norm_estimate_is_largest_singular_value():
    d = nn.Linear(6, 4)
    PZ.spectral_norm(d, n_power_iterations=5)
    for _ in range(10):
        w = d.weight
    s = np.linalg.svd(_np(w), compute_uv=False)
    assert abs(s[0] - 1.0) < 1e-3


def test_spectral_norm_errors():
    with pytest.raises(ValueError, match="n_power_iterations"):
        PZ.spectral_norm(nn.Linear(3, 2), n_power_iterations=0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        PZ.spectral_norm(nn.Linear(3, 2), dim=2)
    with pytest.raises(ValueError, match="no parameter or buffer"):
        PZ.spectral_norm(nn.Linear(3, 2), name="nope")


# ---------------------------------------------------------------------- legacy weight_norm
@pytest.mark.parametrize("dim", [0, 1, None])
def test_legacy_weight_norm_matches_torch(dim):
    t, d = _linears(4, 3)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.nn.utils.weight_norm(t, dim=dim)
    assert nn.utils.weight_norm(d, dim=dim) is d
    assert list(d.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert [n for n, _ in d.named_parameters()] == [n for n, _ in t.named_parameters()]
    _assert_state_dicts_equal(d, t)
    x = np.random.randn(2, 4).astype(np.float32)
    opt_t = torch.optim.SGD(t.parameters(), lr=0.1)
    opt_d = dg.optim.SGD(d.parameters(), lr=0.1)
    for _ in range(2):
        opt_t.zero_grad()
        opt_d.zero_grad()
        (t(torch.tensor(x)) ** 2).sum().backward()
        (d(dg.tensor(x)) ** 2).sum().backward()
        _assert_grads_equal(d, t, atol=1e-4)
        opt_t.step()
        opt_d.step()
    np.testing.assert_allclose(_np(d(dg.tensor(x))), _np(t(torch.tensor(x))), atol=1e-5)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        nn.utils.weight_norm(d, dim=dim)
    nn.utils.remove_weight_norm(d)
    torch.nn.utils.remove_weight_norm(t)
    assert list(d.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    _assert_state_dicts_equal(d, t, atol=1e-5)
    assert isinstance(d.weight, nn.Parameter)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        nn.utils.remove_weight_norm(d)
