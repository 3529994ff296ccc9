"""kl_divergence for every implemented pair against torch.distributions.kl_divergence (float64):
values and gradients w.r.t. both distributions' parameters; register_kl dispatch; unknown pairs."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _dist_common import RNG, build, close, grads_close, leaves, lower_chol, spd

import deepglass as dg


def _pos(*shape):
    return RNG.uniform(0.5, 3.0, shape)


PAIRS = {
    "Normal": lambda: {"loc": RNG.standard_normal(3), "scale": _pos(3)},
    "Uniform": lambda: {"low": RNG.uniform(-2, -1, 3), "high": RNG.uniform(1, 2, 3)},
    "Bernoulli": lambda: {"probs": RNG.uniform(0.1, 0.9, 3)},
    "Categorical": lambda: {"logits": RNG.standard_normal((2, 5))},
    "MultivariateNormal": lambda: {"loc": RNG.standard_normal((2, 3)), "scale_tril": lower_chol(3)},
    "Gamma": lambda: {"concentration": _pos(3), "rate": _pos(3)},
    "Beta": lambda: {"concentration1": _pos(3), "concentration0": _pos(3)},
    "Dirichlet": lambda: {"concentration": _pos(2, 4)},
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_value_and_gradients(name):
    pt, pd = leaves(PAIRS[name]())
    qt, qd = leaves(PAIRS[name]())
    p_t, p_d = build(name, pt, pd)
    q_t, q_d = build(name, qt, qd)
    kt = torch.distributions.kl_divergence(p_t, q_t)
    kd = dg.distributions.kl_divergence(p_d, q_d)
    close(kd, kt)
    assert np.all(kd.detach().numpy() > 0)
    w = RNG.standard_normal(tuple(kt.shape))
    (kt * torch.tensor(w)).sum().backward()
    (kd * dg.tensor(w)).sum().backward()
    grads_close(pd, pt)
    grads_close(qd, qt)


def test_mvn_kl_with_covariance_matrices():
    pt, pd = leaves({"loc": RNG.standard_normal(3), "covariance_matrix": spd(3)})
    qt, qd = leaves({"loc": RNG.standard_normal(3), "covariance_matrix": spd(3)})
    kt = torch.distributions.kl_divergence(*[build("MultivariateNormal", a, b)[0] for a, b in ((pt, pd), (qt, qd))])
    kd = dg.distributions.kl_divergence(*[build("MultivariateNormal", a, b)[1] for a, b in ((pt, pd), (qt, qd))])
    close(kd, kt)
    kt.backward()
    kd.backward()
    grads_close(pd, pt)
    grads_close(qd, qt)


def test_infinite_and_zero_cases_match_torch():
    # Uniform: p not inside q -> inf; Bernoulli/Categorical with zero probabilities
    cases = [
        ("Uniform", {"low": np.array([0.0, 0.0]), "high": np.array([1.0, 3.0])},
         {"low": np.array([0.0, 0.5]), "high": np.array([2.0, 2.0])}),
        ("Bernoulli", {"probs": np.array([0.0, 1.0, 0.5, 0.5])}, {"probs": np.array([0.5, 0.5, 0.0, 1.0])}),
        ("Categorical", {"probs": np.array([[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]])},
         {"probs": np.array([[0.2, 0.0, 0.8], [0.3, 0.7, 0.0]])}),
    ]
    for name, p, q in cases:
        pt, pd = leaves(p, requires_grad=False)
        qt, qd = leaves(q, requires_grad=False)
        p_t, p_d = build(name, pt, pd)
        q_t, q_d = build(name, qt, qd)
        close(dg.distributions.kl_divergence(p_d, q_d), torch.distributions.kl_divergence(p_t, q_t))


def test_kl_mvn_event_shape_mismatch():
    p = dg.distributions.MultivariateNormal(dg.zeros(2), scale_tril=dg.eye(2))
    q = dg.distributions.MultivariateNormal(dg.zeros(3), scale_tril=dg.eye(3))
    with pytest.raises(ValueError, match="different event shapes"):
        dg.distributions.kl_divergence(p, q)


def test_unregistered_pair_and_register_kl():
    D = dg.distributions
    p = D.Normal(dg.tensor(0.0), dg.tensor(1.0))
    q = D.Categorical(logits=dg.zeros(3))
    with pytest.raises(NotImplementedError, match="No KL"):
        D.kl_divergence(p, q)
    with pytest.raises(NotImplementedError):
        torch.distributions.kl_divergence(torch.distributions.Normal(0.0, 1.0),
                                          torch.distributions.Categorical(logits=torch.zeros(3)))

    class MyNormal(D.Normal):
        pass

    # a subclass falls back to its base's registration ...
    close(D.kl_divergence(MyNormal(dg.tensor(0.0), dg.tensor(1.0)), MyNormal(dg.tensor(1.0), dg.tensor(1.0))), 0.5)

    # ... until a more specific one is registered
    @D.register_kl(MyNormal, MyNormal)
    def _kl(a, b):
        return dg.tensor(-1.0)

    assert D.kl_divergence(MyNormal(dg.tensor(0.0), dg.tensor(1.0)), MyNormal(dg.tensor(0.0), dg.tensor(1.0))).item() == -1
    assert D.kl_divergence(p, p).item() == 0


def test_independent_normal_matches_torch():
    pt, pd = leaves({"loc": RNG.standard_normal((2, 3)), "scale": _pos(2, 3)})
    qt, qd = leaves({"loc": RNG.standard_normal((2, 3)), "scale": _pos(2, 3)})
    it = [torch.distributions.Independent(build("Normal", a, b)[0], 1) for a, b in ((pt, pd), (qt, qd))]
    id_ = [dg.distributions.Independent(build("Normal", a, b)[1], 1) for a, b in ((pt, pd), (qt, qd))]
    assert (id_[0].batch_shape, id_[0].event_shape) == (tuple(it[0].batch_shape), tuple(it[0].event_shape))
    v = RNG.standard_normal((4, 2, 3))
    lt, ld = it[0].log_prob(torch.tensor(v)), id_[0].log_prob(dg.tensor(v))
    close(ld, lt)
    close(id_[0].entropy(), it[0].entropy())
    kt, kd = torch.distributions.kl_divergence(*it), dg.distributions.kl_divergence(*id_)
    close(kd, kt)
    assert tuple(id_[0].rsample((5,)).shape) == tuple(it[0].rsample((5,)).shape)
    (lt.sum() + kt.sum()).backward()
    (ld.sum() + kd.sum()).backward()
    grads_close(pd, pt)
    grads_close(qd, qt)


CROSS = [
    ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"), ("Gamma", "Normal"), ("Uniform", "Normal"),
    ("Uniform", "Gamma"), ("Uniform", "Beta"), ("Normal", "Beta"), ("Normal", "Gamma"), ("Normal", "Uniform"),
    ("Gamma", "Beta"), ("Gamma", "Uniform"),
]
CROSS_PARAMS = {
    "Normal": lambda: {"loc": RNG.standard_normal(3), "scale": _pos(3)},
    "Gamma": lambda: {"concentration": _pos(3), "rate": _pos(3)},
    "Beta": lambda: {"concentration1": _pos(3), "concentration0": _pos(3)},
    # inside (0, 1) for Uniform -> Beta/Gamma; one batch entry outside [0, 1] for the infinite cases
    "Uniform": lambda: {"low": np.array([0.1, 0.3, -0.5]), "high": np.array([0.6, 0.9, 1.5])},
}


@pytest.mark.parametrize("pair", CROSS, ids=["-".join(p) for p in CROSS])
def test_cross_family_kl(pair):
    pt, pd = leaves(CROSS_PARAMS[pair[0]]())
    qt, qd = leaves(CROSS_PARAMS[pair[1]]())
    p_t, p_d = build(pair[0], pt, pd)
    q_t, q_d = build(pair[1], qt, qd)
    kt = torch.distributions.kl_divergence(p_t, q_t)
    kd = dg.distributions.kl_divergence(p_d, q_d)
    close(kd, kt)
    finite = np.isfinite(kt.detach().numpy())
    if finite.any():
        w = torch.tensor(finite.astype(np.float64))
        torch.where(w > 0, kt, torch.zeros_like(kt)).sum().backward()
        dg.where(dg.tensor(finite), kd, dg.zeros_like(kd)).sum().backward()
        grads_close(pd, pt)
        grads_close(qd, qt)
