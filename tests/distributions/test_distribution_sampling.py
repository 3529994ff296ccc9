"""Sampling: shapes as torch's, reproducibility under deepglass.manual_seed, sample moments against
the distribution's own closed-form mean/variance (checked against torch in test_families), and
reparameterised gradients (rsample) against independent formulas and torch's implicit gamma gradient."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _dist_common import lower_chol

import deepglass as dg
from deepglass.distributions._primitives import gamma_sample_grad

D = dg.distributions


def _pair(name, **params):
    t = getattr(torch.distributions, name)(**{k: torch.tensor(v) for k, v in params.items()})
    d = getattr(D, name)(**{k: dg.tensor(v) for k, v in params.items()})
    return t, d


FAMILIES = {
    "Normal": {"loc": np.array([0.0, 2.0, -1.0]), "scale": np.array([1.0, 0.5, 2.0])},
    "Uniform": {"low": np.array([0.0, -2.0, 1.0]), "high": np.array([1.0, 2.0, 1.5])},
    "Bernoulli": {"probs": np.array([0.1, 0.5, 0.9])},
    "Categorical": {"probs": np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])},
    "MultivariateNormal": {"loc": np.array([1.0, -1.0]), "scale_tril": np.array([[1.0, 0.0], [0.5, 0.8]])},
    "Gamma": {"concentration": np.array([0.5, 2.0, 5.0]), "rate": np.array([1.0, 2.0, 0.5])},
    "Beta": {"concentration1": np.array([0.5, 2.0, 5.0]), "concentration0": np.array([2.0, 2.0, 1.0])},
    "Dirichlet": {"concentration": np.array([[0.5, 1.0, 2.0], [3.0, 3.0, 3.0]])},
}


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("sample_shape", [(), (5,), (2, 3)])
def test_sample_shapes_and_dtypes(name, sample_shape):
    t, d = _pair(name, **FAMILIES[name])
    st, sd = t.sample(sample_shape), d.sample(sample_shape)
    assert tuple(sd.shape) == tuple(st.shape)
    assert str(sd.dtype).split(".")[-1] == str(st.dtype).split(".")[-1]
    assert not sd.requires_grad
    if d.has_rsample:
        assert tuple(d.rsample(sample_shape).shape) == tuple(st.shape)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_manual_seed_repeats_samples(name):
    _, d = _pair(name, **FAMILIES[name])
    dg.manual_seed(7)
    a = d.sample((4,)).numpy()
    dg.manual_seed(7)
    b = d.sample((4,)).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, d.sample((4,)).numpy()) or name == "Bernoulli"


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_sample_moments(name):
    t, d = _pair(name, **FAMILIES[name])
    dg.manual_seed(0)
    n = 40000
    s = d.sample((n,)).numpy().astype(np.float64)
    if name == "Categorical":
        probs = FAMILIES[name]["probs"]
        freq = np.stack([(s == k).mean(0) for k in range(probs.shape[-1])], -1)
        np.testing.assert_allclose(freq, probs, atol=4 * np.sqrt(0.25 / n))
        return
    mean, var = t.mean.numpy(), t.variance.numpy()  # torch's closed forms: an independent oracle
    se = np.sqrt(var / n)
    assert np.all(np.abs(s.mean(0) - mean) < 5 * se + 1e-12), (s.mean(0), mean)
    np.testing.assert_allclose(s.var(0), var, rtol=0.06)
    if name == "MultivariateNormal":
        L = FAMILIES[name]["scale_tril"]
        np.testing.assert_allclose(np.cov(s.T), L @ L.T, atol=0.05)


def test_support_of_samples():
    for name in ("Gamma", "Beta", "Dirichlet", "Uniform", "Bernoulli"):
        _, d = _pair(name, **FAMILIES[name])
        s = d.sample((1000,))
        assert bool(d.support.check(s).all()), name


def test_normal_rsample_gradient_is_the_reparameterisation():
    loc = dg.tensor([0.5, -1.0], requires_grad=True)
    scale = dg.tensor([2.0, 0.5], requires_grad=True)
    x = D.Normal(loc, scale).rsample((1000,))
    x.sum().backward()
    eps = (x.detach().numpy() - loc.detach().numpy()) / scale.detach().numpy()
    np.testing.assert_allclose(loc.grad.numpy(), [1000.0, 1000.0])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-5)


def test_uniform_and_mvn_rsample_gradients():
    low, high = dg.tensor(1.0, requires_grad=True), dg.tensor(3.0, requires_grad=True)
    x = D.Uniform(low, high).rsample((500,))
    x.sum().backward()
    u = (x.detach().numpy() - 1.0) / 2.0
    np.testing.assert_allclose(high.grad.item(), u.sum(), rtol=1e-5)
    np.testing.assert_allclose(low.grad.item(), (1 - u).sum(), rtol=1e-5)

    L0 = lower_chol(2)
    loc = dg.zeros(2, dtype=dg.float64, requires_grad=True)
    L = dg.tensor(L0, requires_grad=True)
    x = D.MultivariateNormal(loc, scale_tril=L).rsample((300,))
    x.sum().backward()
    eps = np.linalg.solve(L0, x.detach().numpy().T).T  # x = L eps
    np.testing.assert_allclose(loc.grad.numpy(), [300.0, 300.0])
    # x = loc + L eps reads all of L (as torch's rsample): dL_ij = Σ_n eps_nj
    np.testing.assert_allclose(L.grad.numpy(), np.ones((2, 1)) * eps.sum(0)[None, :], atol=1e-8)


def test_implicit_gamma_gradient_matches_torch():
    alpha = np.array([0.3, 0.9, 1.0, 2.5, 7.0, 30.0])
    x = np.array([0.05, 0.7, 1.2, 2.0, 9.0, 25.0])
    ours = gamma_sample_grad(alpha, x)
    theirs = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-4)


@pytest.mark.parametrize("name,param,dmean", [
    # d E[x] / d param, in closed form: E = a/b (Gamma), a/(a+b) (Beta)
    ("Gamma", "concentration", lambda p: 1 / p["rate"]),
    ("Beta", "concentration1", lambda p: p["concentration0"] / (p["concentration1"] + p["concentration0"]) ** 2),
])
def test_implicit_rsample_gradient_is_unbiased(name, param, dmean):
    p = {k: v for k, v in FAMILIES[name].items()}
    leaves = {k: dg.tensor(v, requires_grad=True) for k, v in p.items()}
    dg.manual_seed(3)
    n = 40000
    getattr(D, name)(**leaves).rsample((n,)).sum().backward()
    est = leaves[param].grad.numpy() / n
    np.testing.assert_allclose(est, dmean(p), rtol=0.05, atol=0.01)


def test_dirichlet_rsample_gradient_flows():
    c = dg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = D.Dirichlet(c).rsample((20000,))
    x[:, 0].sum().backward()
    # d E[x_0]/d c with E[x_0] = c_0/a0, a0 = 6: (a0 - c_0)/a0² for c_0 and -c_0/a0² for the others
    np.testing.assert_allclose(c.grad.numpy() / 20000, [5 / 36, -1 / 36, -1 / 36], atol=0.01)
