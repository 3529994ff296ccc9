"""nn.utils.rnn.pad_sequence against torch: values, shapes, gradients, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass import nn
from deepglass.nn.utils.rnn import pad_sequence


@pytest.fixture(autouse=True)
def _torch_seed():
    torch.manual_seed(0)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("trailing", [(), (3,), (2, 2)])
def test_pad_sequence_matches_torch(batch_first, side, trailing):
    rs = np.random.RandomState(1)
    arrs = [rs.randn(n, *trailing) for n in (2, 5, 3, 5)]
    ts = [torch.tensor(a, requires_grad=True) for a in arrs]
    ds = [dg.tensor(a, requires_grad=True) for a in arrs]
    o = torch.nn.utils.rnn.pad_sequence(ts, batch_first, -1.5, side)
    p = pad_sequence(ds, batch_first, -1.5, side)
    assert tuple(p.shape) == tuple(o.shape)
    np.testing.assert_array_equal(p.detach().numpy(), o.detach().numpy())
    w = rs.randn(*o.shape)
    (o * torch.tensor(w)).sum().backward()
    (p * dg.tensor(w)).sum().backward()
    for a, b in zip(ts, ds):
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy())


def test_pad_sequence_defaults_tuple_and_tensor_input():
    a, b = np.ones((2, 3), np.float32), 2 * np.ones((4, 3), np.float32)
    ref = torch.nn.utils.rnn.pad_sequence((torch.tensor(a), torch.tensor(b)))
    got = nn.utils.rnn.pad_sequence((dg.tensor(a), dg.tensor(b)))
    np.testing.assert_array_equal(got.numpy(), ref.numpy())
    assert got.dtype == dg.float32
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(pad_sequence(dg.tensor(x)).numpy(),
                                  torch.nn.utils.rnn.pad_sequence(torch.tensor(x)).numpy())


def test_pad_sequence_errors():
    with pytest.raises(RuntimeError, match="padding_side"):
        pad_sequence([dg.ones(2)], padding_side="mid")
    with pytest.raises(RuntimeError, match="empty"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="trailing"):
        pad_sequence([dg.ones(2, 3), dg.ones(2, 4)])
