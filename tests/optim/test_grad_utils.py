"""nn.utils gradient clipping and flattening against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass import nn


def _pair(rng, scale=1.0):
    shapes = [(3, 4), (5,), (2, 2, 2)]
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [scale * rng.standard_normal(s).astype(np.float32) for s in shapes]
    pd = [dg.tensor(a, requires_grad=True) for a in arrays]
    pt = [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, q, g in zip(pd, pt, grads):
        p.grad = dg.tensor(g.copy())
        q.grad = torch.tensor(g.copy())
    extra = dg.tensor(np.ones(2, np.float32), requires_grad=True)  # grad None: skipped
    return pd + [extra], pt


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_equals_torch(norm_type, max_norm):
    pd, pt = _pair(np.random.default_rng(0), 2.0)
    td = nn.utils.clip_grad_norm_(pd, max_norm, norm_type=norm_type)
    tt = torch.nn.utils.clip_grad_norm_(pt, max_norm, norm_type=norm_type)
    assert td.dtype == np.float32 and td.shape == ()
    np.testing.assert_allclose(td.item(), tt.item(), rtol=1e-6)
    for p, q in zip(pd, pt):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6, atol=1e-7)
    assert pd[-1].grad is None


def test_clip_grad_norm_nonfinite():
    pd, _ = _pair(np.random.default_rng(1))
    pd[0].grad._array[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(pd, 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([dg.zeros(2, requires_grad=True)], 1.0).item() == 0.0


def test_clip_grad_value_equals_torch():
    pd, pt = _pair(np.random.default_rng(2), 3.0)
    nn.utils.clip_grad_value_(pd, 0.7)
    torch.nn.utils.clip_grad_value_(pt, 0.7)
    for p, q in zip(pd, pt):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_parameters_vector_roundtrip():
    pd, pt = _pair(np.random.default_rng(3))
    vd = nn.utils.parameters_to_vector(pd[:3])
    vt = torch.nn.utils.parameters_to_vector(pt)
    np.testing.assert_array_equal(vd.detach().numpy(), vt.detach().numpy())
    nn.utils.vector_to_parameters(dg.arange(vd.numel(), dtype=dg.float32), pd[:3])
    assert pd[1].detach().numpy().tolist() == [12.0, 13.0, 14.0, 15.0, 16.0]
    with pytest.raises(ValueError):
        nn.utils.vector_to_parameters(dg.zeros(3), pd[:3])
