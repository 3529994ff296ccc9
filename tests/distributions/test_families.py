"""Each family against torch.distributions in float64: log_prob, entropy, mean, variance, stddev,
batch/event shapes, and the gradients of log_prob and entropy w.r.t. every parameter."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _dist_common import RNG, build, close, grads_close, leaves, lower_chol, spd

import deepglass as dg


def _pos(*shape):
    return RNG.uniform(0.5, 3.0, shape)


def _simplex(*shape):
    x = RNG.uniform(0.1, 1.0, shape)
    return x / x.sum(-1, keepdims=True)


CASES = {
    "normal": ("Normal", lambda: {"loc": RNG.standard_normal(3), "scale": _pos(3)}, lambda: RNG.standard_normal((2, 3))),
    "normal_broadcast": ("Normal", lambda: {"loc": RNG.standard_normal((2, 1)), "scale": _pos(3)},
                         lambda: RNG.standard_normal((2, 3))),
    "uniform": ("Uniform", lambda: {"low": np.array([-1.0, 0.0, 2.0]), "high": np.array([1.0, 0.5, 5.0])},
                lambda: np.array([[0.0, 0.25, 3.0], [-0.5, 0.1, 4.9]])),
    "bernoulli_probs": ("Bernoulli", lambda: {"probs": RNG.uniform(0.1, 0.9, 4)},
                        lambda: np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 0.0, 0.0]])),
    "bernoulli_logits": ("Bernoulli", lambda: {"logits": RNG.standard_normal(4)},
                         lambda: np.array([[0.0, 1.0, 1.0, 0.0]])),
    "categorical_probs": ("Categorical", lambda: {"probs": RNG.uniform(0.1, 1.0, (2, 4))},
                          lambda: np.array([[0, 3], [2, 1], [1, 1]])),
    "categorical_logits": ("Categorical", lambda: {"logits": RNG.standard_normal((2, 4))},
                           lambda: np.array([3, 0])),
    "mvn_cov": ("MultivariateNormal", lambda: {"loc": RNG.standard_normal((2, 3)), "covariance_matrix": spd(3)},
                lambda: RNG.standard_normal((4, 2, 3))),
    "mvn_tril": ("MultivariateNormal", lambda: {"loc": RNG.standard_normal(3), "scale_tril": lower_chol(3, (2,))},
                 lambda: RNG.standard_normal((4, 2, 3))),
    "mvn_precision": ("MultivariateNormal", lambda: {"loc": RNG.standard_normal(3), "precision_matrix": spd(3)},
                      lambda: RNG.standard_normal((5, 3))),
    "gamma": ("Gamma", lambda: {"concentration": _pos(3), "rate": _pos(3)}, lambda: _pos(2, 3)),
    "beta": ("Beta", lambda: {"concentration1": _pos(3), "concentration0": _pos(3)},
             lambda: RNG.uniform(0.05, 0.95, (2, 3))),
    "dirichlet": ("Dirichlet", lambda: {"concentration": _pos(2, 4)}, lambda: _simplex(3, 2, 4)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_torch(case):
    name, make_params, make_value = CASES[case]
    params = make_params()
    value = make_value()
    pt, pd = leaves(params)
    t, d = build(name, pt, pd)
    assert tuple(d.batch_shape) == tuple(t.batch_shape)
    assert tuple(d.event_shape) == tuple(t.event_shape)
    assert d.has_rsample == t.has_rsample
    vt = torch.tensor(value) if value.dtype.kind == "f" else torch.tensor(value, dtype=torch.int64)
    vd = dg.tensor(value)
    lp_t, lp_d = t.log_prob(vt), d.log_prob(vd)
    close(lp_d, lp_t)
    ent_t, ent_d = t.entropy(), d.entropy()
    close(ent_d, ent_t)
    for moment in ("mean", "variance", "stddev"):
        mt, md = getattr(t, moment), getattr(d, moment)
        np.testing.assert_allclose(md.detach().numpy(), mt.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=moment)
    # one scalar that depends on every method: its gradient w.r.t. each parameter
    w = RNG.standard_normal(tuple(lp_t.shape))
    loss_t = (lp_t * torch.tensor(w)).sum() + ent_t.sum() * 0.7
    loss_d = (lp_d * dg.tensor(w)).sum() + ent_d.sum() * 0.7
    if name not in ("Categorical",):  # NaN moments have no gradient
        loss_t = loss_t + t.mean.sum() + t.variance.sum()
        loss_d = loss_d + d.mean.sum() + d.variance.sum()
    loss_t.backward()
    loss_d.backward()
    grads_close(pd, pt)


@pytest.mark.parametrize("name,params", [
    ("MultivariateNormal", {"loc": np.zeros(2), "covariance_matrix": spd(2)}),
    ("MultivariateNormal", {"loc": np.zeros(2), "precision_matrix": spd(2)}),
])
def test_mvn_derived_matrices(name, params):
    pt, pd = leaves(params)
    t, d = build(name, pt, pd)
    for attr in ("scale_tril", "covariance_matrix", "precision_matrix"):
        close(getattr(d, attr), getattr(t, attr), rtol=1e-9, atol=1e-12)


def test_categorical_nan_moments_and_mode():
    p = RNG.uniform(0.1, 1.0, (3, 5))
    t = torch.distributions.Categorical(probs=torch.tensor(p))
    d = dg.distributions.Categorical(probs=dg.tensor(p))
    assert np.isnan(d.mean.numpy()).all() and d.mean.shape == tuple(t.mean.shape)
    np.testing.assert_array_equal(d.mode.numpy(), t.mode.numpy())
    close(d.probs, t.probs)
    close(d.logits, t.logits)


def test_bernoulli_probs_logits_views():
    p = np.array([0.0, 0.3, 1.0])
    t = torch.distributions.Bernoulli(probs=torch.tensor(p))
    d = dg.distributions.Bernoulli(probs=dg.tensor(p))
    close(d.logits, t.logits)
    close(d.entropy(), t.entropy())
    np.testing.assert_array_equal(np.isnan(d.mode.numpy()), np.isnan(t.mode.numpy()))


def test_uniform_outside_support_without_validation():
    t = torch.distributions.Uniform(torch.tensor(0.0), torch.tensor(2.0), validate_args=False)
    d = dg.distributions.Uniform(dg.tensor(0.0), dg.tensor(2.0), validate_args=False)
    v = np.array([-1.0, 0.0, 1.0, 2.0, 3.0])
    close(d.log_prob(dg.tensor(v)), t.log_prob(torch.tensor(v)))
    close(d.cdf(dg.tensor(v)), t.cdf(torch.tensor(v)))


def test_number_parameters_give_scalar_distributions():
    for name, args in [("Normal", (0.0, 1.0)), ("Uniform", (0.0, 1.0)), ("Gamma", (2.0, 3.0)), ("Beta", (2.0, 3.0))]:
        t = getattr(torch.distributions, name)(*args)
        d = getattr(dg.distributions, name)(*args)
        assert tuple(d.batch_shape) == tuple(t.batch_shape) == ()
        assert d.mean.dtype == dg.float32
        np.testing.assert_allclose(d.mean.numpy(), t.mean.numpy(), rtol=1e-6)
        assert repr(d) == repr(t)


def test_normal_cdf_icdf_and_gradients():
    params = {"loc": RNG.standard_normal(3), "scale": _pos(3)}
    pt, pd = leaves(params)
    t, d = build("Normal", pt, pd)
    v = RNG.standard_normal((2, 3))
    q = RNG.uniform(0.05, 0.95, (2, 3))
    ct, cd = t.cdf(torch.tensor(v)), d.cdf(dg.tensor(v))
    it, id_ = t.icdf(torch.tensor(q)), d.icdf(dg.tensor(q))
    close(cd, ct)
    close(id_, it, rtol=1e-8)
    (ct.sum() + it.sum()).backward()
    (cd.sum() + id_.sum()).backward()
    grads_close(pd, pt, rtol=1e-7)
