"""Shared helpers: build the same distribution in torch and deepglass from the same float64 arrays."""
from __future__ import annotations

import numpy as np
import torch
import torch.distributions as td

import deepglass as dg
import deepglass.distributions as dgd

RNG = np.random.default_rng(1234)


def spd(k, batch=()):
    a = RNG.standard_normal(batch + (k, k))
    return a @ np.swapaxes(a, -1, -2) + k * np.eye(k)


def lower_chol(k, batch=()):
    return np.linalg.cholesky(spd(k, batch))


def leaves(params: dict, requires_grad=True):
    """The same float64 arrays as torch and deepglass leaf tensors."""
    t = {k: torch.tensor(v, requires_grad=requires_grad and v.dtype.kind == "f") for k, v in params.items()}
    d = {k: dg.tensor(v, requires_grad=requires_grad and v.dtype.kind == "f") for k, v in params.items()}
    return t, d


def build(name, params_t, params_d):
    return getattr(td, name)(**params_t), getattr(dgd, name)(**params_d)


def close(a_dg, a_t, rtol=1e-9, atol=1e-10):
    a = a_dg.detach().numpy() if hasattr(a_dg, "detach") else np.asarray(a_dg)
    b = a_t.detach().numpy() if hasattr(a_t, "detach") else np.asarray(a_t)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def grads_close(params_d, params_t, rtol=1e-8, atol=1e-9):
    # atol: torch's trigamma and SciPy's polygamma(1, x) differ by ~1e-10 absolute
    checked = 0
    for k, t in params_t.items():
        if not t.requires_grad:
            continue
        gt, gd = t.grad, params_d[k].grad
        if gt is None:
            assert gd is None or not np.any(gd.numpy()), k
            continue
        assert gd is not None, f"no gradient for {k}"
        np.testing.assert_allclose(gd.numpy(), gt.numpy(), rtol=rtol, atol=atol, err_msg=k)
        checked += 1
    assert checked, "no gradient compared"
