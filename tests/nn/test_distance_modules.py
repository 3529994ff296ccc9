"""nn.CosineSimilarity and nn.PairwiseDistance against their PyTorch twins: outputs, both input gradients, repr."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass
import deepglass.nn as nn

R = np.random.default_rng(0)


def X(*shape):
    return R.standard_normal(shape).astype(np.float32)


CASES = [
    ("CosineSimilarity()", X(4, 5), X(4, 5)),
    ("CosineSimilarity(dim=0)", X(4, 5), X(4, 5)),
    ("CosineSimilarity(dim=-1, eps=1e-3)", X(2, 3, 5), X(3, 5)),         # broadcasting
    ("CosineSimilarity(1, 1e-6)", np.zeros((2, 3), np.float32), X(2, 3)),  # a zero vector
    ("PairwiseDistance()", X(4, 5), X(4, 5)),
    ("PairwiseDistance(p=1.0)", X(4, 5), X(4, 5)),
    ("PairwiseDistance(p=float('inf'), keepdim=True)", X(4, 5), X(4, 5)),
    ("PairwiseDistance(3.0, 0.0, True)", X(2, 4, 5), X(5)),
    ("PairwiseDistance(eps=1e-3)", X(5), X(5)),
]


@pytest.mark.parametrize("expr,a,b", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(expr, a, b):
    dm, tm = eval(f"nn.{expr}"), eval(f"torch.nn.{expr}")
    assert repr(dm) == repr(tm)
    da, db = deepglass.tensor(a, requires_grad=True), deepglass.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    yd, yt = dm(da, db), tm(ta, tb)
    assert tuple(yd.shape) == tuple(yt.shape)
    np.testing.assert_allclose(yd.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    s = R.standard_normal(tuple(yt.shape)).astype(np.float32)
    (yd * deepglass.tensor(s)).sum().backward()
    (yt * torch.tensor(s)).sum().backward()
    np.testing.assert_allclose(da.grad.numpy(), ta.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(db.grad.numpy(), tb.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_attributes_and_state_follow_torch():
    dm, tm = nn.PairwiseDistance(1.5, 1e-4, True), torch.nn.PairwiseDistance(1.5, 1e-4, True)
    assert (dm.norm, dm.eps, dm.keepdim) == (tm.norm, tm.eps, tm.keepdim)
    dc, tc = nn.CosineSimilarity(0, 1e-5), torch.nn.CosineSimilarity(0, 1e-5)
    assert (dc.dim, dc.eps) == (tc.dim, tc.eps)
    assert dict(dm.state_dict()) == {} and dict(dc.state_dict()) == {}
    assert "CosineSimilarity" in nn.__all__ and "PairwiseDistance" in nn.__all__
