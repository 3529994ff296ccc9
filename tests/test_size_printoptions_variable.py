"""torch.Size, torch.set_printoptions and torch.autograd.Variable, compared with PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


def test_size_behaves_as_torch_size():
    for dims in ([], [3], [2, 3, 4]):
        s, t = dg.Size(dims), torch.Size(dims)
        assert s == tuple(t) and s.numel() == t.numel() and len(s) == len(t)
        assert isinstance(s[1:], dg.Size) and isinstance(t[1:], torch.Size)
        assert repr(s) == repr(t).replace("torch.", "deepglass.")
    assert dg.zeros(dg.Size([2, 3])).shape == (2, 3) == tuple(torch.zeros(torch.Size([2, 3])).shape)
    assert isinstance(dg.Size([1]) + (2,), dg.Size)
    with pytest.raises(TypeError):
        torch.Size([1.5])
    with pytest.raises(TypeError):
        dg.Size([1.5])


@pytest.mark.parametrize("opts", [dict(precision=2), dict(precision=6), dict(threshold=5, edgeitems=2),
                                  dict(profile="short"), dict(profile="full")])
def test_set_printoptions_matches_torch(opts):
    a = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4) * 1.23456789
    try:
        torch.set_printoptions(**opts)
        dg.set_printoptions(**opts)
        assert repr(dg.tensor(a)) == repr(torch.tensor(a))
    finally:
        torch.set_printoptions(profile="default")
        dg.set_printoptions(profile="default")


def test_variable_is_the_tensor_itself():
    t = dg.ones(2)
    v = dg.autograd.Variable(t, requires_grad=True)
    tv = torch.autograd.Variable(torch.ones(2), requires_grad=True)
    assert v is t and v.requires_grad and tv.requires_grad
    with pytest.raises(TypeError):
        dg.autograd.Variable([1.0])
