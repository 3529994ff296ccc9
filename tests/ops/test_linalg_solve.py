"""linalg.vander at its edges, against PyTorch: N must be at least 2; bool input is refused."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


@pytest.mark.parametrize("x, n", [([1.0, 2.0, 3.0], 1), ([1.0, 2.0, 3.0], 0), ([2.0], None), (2.0, None)])
def test_vander_n_below_2_raises_as_torch(x, n):
    with pytest.raises(RuntimeError, match="N must be greater than 1"):
        torch.linalg.vander(torch.tensor(x), N=n)
    with pytest.raises(RuntimeError, match="N must be greater than 1"):
        dg.linalg.vander(dg.tensor(x), N=n)


def test_vander_bool_raises_and_0d_with_n_matches():
    with pytest.raises(RuntimeError):
        torch.linalg.vander(torch.tensor([True, False]))
    with pytest.raises(RuntimeError, match="Bool"):
        dg.linalg.vander(dg.tensor([True, False]))
    want = torch.linalg.vander(torch.tensor(2.0), N=3)
    got = dg.linalg.vander(dg.tensor(2.0), N=3)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy())
