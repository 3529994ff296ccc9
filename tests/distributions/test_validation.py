"""Validation: the same ValueError messages as torch.distributions for bad parameters and values."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg

D = dg.distributions
TD = torch.distributions


def _message(fn):
    with pytest.raises(ValueError) as e:
        fn()
    return str(e.value)


@pytest.mark.parametrize("make", [
    lambda M, T: M.Normal(0.0, -1.0),
    lambda M, T: M.Uniform(1.0, 0.0),
    lambda M, T: M.Gamma(1.0, -2.0),
    lambda M, T: M.Gamma(T(-1.0), T(2.0)),
    lambda M, T: M.Bernoulli(),
    lambda M, T: M.Bernoulli(probs=0.3, logits=0.1),
    lambda M, T: M.Bernoulli(probs=1.5),
    lambda M, T: M.Categorical(),
    lambda M, T: M.Categorical(T(1.0)),
    lambda M, T: M.Categorical(logits=T(1.0)),
    lambda M, T: M.Dirichlet(T(1.0)),
    lambda M, T: M.MultivariateNormal(T([0.0, 0.0])),
    lambda M, T: M.MultivariateNormal(T(0.0), T([[1.0]])),
    lambda M, T: M.MultivariateNormal(T([0.0]), T([1.0])),
    lambda M, T: M.MultivariateNormal(T([0.0]), scale_tril=T([1.0])),
    lambda M, T: M.MultivariateNormal(T([0.0]), precision_matrix=T([1.0])),
    lambda M, T: M.Normal(0.0, 1.0).log_prob(T(float("nan"))),
    lambda M, T: M.Gamma(1.0, 1.0).log_prob(T(-1.0)),
    lambda M, T: M.Bernoulli(0.5).log_prob(T(0.5)),
    lambda M, T: M.Beta(2.0, 2.0).log_prob(T(2.0)),
    lambda M, T: M.Uniform(0.0, 1.0).log_prob(T(1.5)),
])
def test_same_message_as_torch(make):
    ours = _message(lambda: make(D, dg.tensor))
    theirs = _message(lambda: make(TD, torch.tensor))
    assert ours == theirs


def test_tensor_parameter_messages():
    # shapes print as tuples in deepglass (torch.Size in torch); the rest is PyTorch's text
    ours = _message(lambda: D.Normal(dg.zeros(2), dg.tensor([1.0, -1.0])))
    assert ours == ("Expected parameter scale (Tensor of shape (2,)) of distribution Normal(loc: (2,), scale: (2,)) "
                    "to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\n"
                    f"{dg.tensor([1.0, -1.0])!r}")
    msg = _message(lambda: D.MultivariateNormal(dg.zeros(2), dg.tensor([[1.0, 2.0], [2.0, 1.0]])))
    assert msg.startswith("Expected parameter covariance_matrix (Tensor of shape (2, 2))")
    assert "PositiveDefinite()" in msg
    msg = _message(lambda: D.Dirichlet(dg.ones(3)).log_prob(dg.tensor([0.5, 0.5, 0.5])))
    assert "to be within the support (Simplex())" in msg


def test_shape_checks():
    d, t = D.Normal(dg.zeros(3), dg.ones(3)), TD.Normal(torch.zeros(3), torch.ones(3))
    ours = _message(lambda: d.log_prob(dg.zeros(2)))
    theirs = _message(lambda: t.log_prob(torch.zeros(2)))
    assert ours == theirs.replace("torch.Size([2])", "(2,)").replace("torch.Size([3])", "(3,)")
    m = D.MultivariateNormal(dg.zeros(2), dg.eye(2))
    assert _message(lambda: m.log_prob(dg.zeros(3))).startswith("The right-most size of value must match event_shape")
    assert _message(lambda: m.log_prob(np.zeros(2))) == "The value argument to log_prob must be a Tensor"


def test_validation_off():
    d = D.Normal(0.0, -1.0, validate_args=False)
    assert np.isnan(d.log_prob(dg.tensor(0.0)).item())
    try:
        D.Distribution.set_default_validate_args(False)
        D.Uniform(1.0, 0.0)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Uniform(1.0, 0.0)
