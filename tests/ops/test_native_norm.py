"""torch.native_batch_norm / native_layer_norm / native_group_norm (ops/native_norm.py): outputs, statistics, running stats."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


def _np(t):
    return t.detach().cpu().numpy()


def test_batch_norm_training_updates_running_stats_as_torch():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3, 4))
    rm, rv = rng.standard_normal(3), rng.uniform(0.5, 2, 3)
    drm, drv, trm, trv = dg.tensor(rm), dg.tensor(rv), torch.tensor(rm), torch.tensor(rv)
    d = dg.native_batch_norm(dg.tensor(x), None, None, drm, drv, True, 0.2, 1e-5)
    t = torch.native_batch_norm(torch.tensor(x), None, None, trm, trv, True, 0.2, 1e-5)
    for a, b in zip(d, t):
        np.testing.assert_allclose(_np(a), b.numpy(), rtol=1e-10)
    np.testing.assert_allclose(_np(drm), trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_np(drv), trv.numpy(), rtol=1e-12)
    np.testing.assert_allclose(_np(d[1]), x.mean((0, 2)), rtol=1e-12)                    # independent oracle
    np.testing.assert_allclose(_np(d[2]), 1 / np.sqrt(x.var((0, 2)) + 1e-5), rtol=1e-12)


def test_eval_statistics_are_empty_and_stats_do_not_require_grad():
    x = dg.randn(2, 3, requires_grad=True)
    out, m, r = dg.native_batch_norm(x, None, None, dg.zeros(3), dg.ones(3), False, 0.1, 1e-5)
    assert tuple(m.shape) == (0,) and tuple(r.shape) == (0,) and out.requires_grad
    out, m, r = dg.native_layer_norm(x, (3,), None, None, 1e-5)
    assert tuple(m.shape) == (2, 1) and not m.requires_grad and not r.requires_grad
    out, m, r = dg.native_group_norm(x.reshape(2, 3, 1), None, None, 2, 3, 1, 3, 1e-5)
    assert tuple(m.shape) == (2, 3) and m.requires_grad
    with pytest.raises(RuntimeError):
        dg.native_batch_norm(x, None, None, None, None, False, 0.1, 1e-5)


def test_group_norm_statistics_gradient_matches_torch():
    x = np.random.default_rng(1).standard_normal((2, 4, 3))
    xd, xt = dg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    d = dg.native_group_norm(xd, None, None, 2, 4, 3, 2, 1e-5)
    t = torch.native_group_norm(xt, None, None, 2, 4, 3, 2, 1e-5)
    (d[0].sum() * 0 + (d[0] ** 2).sum() + d[1].sum() + d[2].sum()).backward()
    (t[0].sum() * 0 + (t[0] ** 2).sum() + t[1].sum() + t[2].sum()).backward()
    np.testing.assert_allclose(_np(xd.grad), xt.grad.numpy(), rtol=1e-8, atol=1e-10)
