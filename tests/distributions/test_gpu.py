"""On a CUDA device (CuPy), every family gives the CPU's log_prob/entropy/KL and its gradients,
and samples stay on the device. Skipped without CuPy and a GPU (marker ``gpu``)."""
from __future__ import annotations

import numpy as np
import pytest

import deepglass as dg

D = dg.distributions
RNG = np.random.default_rng(0)
_A = RNG.standard_normal((3, 3))
CASES = [
    ("Normal", {"loc": RNG.standard_normal(3), "scale": RNG.uniform(0.5, 2, 3)}, RNG.standard_normal(3)),
    ("Uniform", {"low": np.zeros(3), "high": np.ones(3)}, np.full(3, 0.5)),
    ("Bernoulli", {"probs": np.array([0.2, 0.5, 0.9])}, np.array([1.0, 0.0, 1.0])),
    ("Categorical", {"logits": RNG.standard_normal((2, 4))}, np.array([1, 3])),
    ("MultivariateNormal", {"loc": np.zeros(3), "covariance_matrix": _A @ _A.T + 3 * np.eye(3)},
     RNG.standard_normal((2, 3))),
    ("Gamma", {"concentration": np.array([0.5, 2.0]), "rate": np.array([1.0, 3.0])}, np.array([0.3, 1.2])),
    ("Beta", {"concentration1": np.array([0.5, 2.0]), "concentration0": np.array([1.5, 3.0])}, np.array([0.3, 0.6])),
    ("Dirichlet", {"concentration": np.array([[0.5, 1.0, 2.0]])}, np.array([[0.2, 0.3, 0.5]])),
]


def _run(name, params, value, device):
    p = {k: dg.tensor(v, device=device, requires_grad=True) for k, v in params.items()}
    d = getattr(D, name)(**p)
    loss = d.log_prob(dg.tensor(value, device=device)).sum() + d.entropy().sum() + D.kl_divergence(d, d).sum()
    loss.backward(retain_graph=True)
    sample = d.rsample((4,)) if d.has_rsample else d.sample((4,))
    assert sample.is_cuda == (device == "cuda")
    return loss.item(), {k: p[k].grad.cpu().numpy() for k in params}


@pytest.mark.gpu
@pytest.mark.parametrize("name,params,value", CASES, ids=[c[0] for c in CASES])
def test_cuda_matches_cpu(name, params, value):
    cpu_loss, cpu_grads = _run(name, params, value, "cpu")
    gpu_loss, gpu_grads = _run(name, params, value, "cuda")
    np.testing.assert_allclose(gpu_loss, cpu_loss, rtol=1e-9)
    for k in cpu_grads:
        np.testing.assert_allclose(gpu_grads[k], cpu_grads[k], rtol=1e-8, atol=1e-10, err_msg=k)
