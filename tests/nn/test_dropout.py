"""Dropout: the kept fraction, the 1/(1 − p) scaling, whole channels for dropout2d, eval identity, seeding."""
from __future__ import annotations

import numpy as np
import pytest

import deepglass
import deepglass.nn as nn
import deepglass.nn.functional as F


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_expected_fraction_and_scales(p):
    x = deepglass.ones(200, 500, requires_grad=True)
    y = F.dropout(x, p)
    a = y.detach().numpy()
    kept = a != 0
    n = a.size
    assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(a[kept], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a)  # gradient = the same mask, same scale


def test_dropout2d_drops_whole_channels():
    p = 0.4
    x = deepglass.ones(40, 50, 3, 3)
    a = F.dropout2d(x, p).numpy().reshape(2000, 9)
    assert (a.min(1) == a.max(1)).all()
    kept = a[:, 0] != 0
    assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / 2000)
    np.testing.assert_allclose(a[kept], 1 / (1 - p), rtol=1e-6)
    with pytest.warns(UserWarning, match="3D input to dropout2d"):  # read as (N, C, L), as PyTorch 2.13
        u = F.dropout2d(deepglass.ones(30, 2, 2), 0.5).numpy()
    assert (u.reshape(60, 2).min(1) == u.reshape(60, 2).max(1)).all()


def test_modules_train_vs_eval_and_edge_probabilities():
    x = deepglass.randn(10, 20)
    m = nn.Dropout(0.5)
    assert not np.array_equal(m(x).numpy(), x.numpy())
    m.eval()
    assert np.array_equal(m(x).numpy(), x.numpy())
    assert (F.dropout(x, 1.0).numpy() == 0).all()
    assert np.array_equal(F.dropout(x, 0.0).numpy(), x.numpy())
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)


def test_dropout_follows_the_seed():
    x = deepglass.ones(100)
    deepglass.manual_seed(7)
    a = F.dropout(x, 0.5).numpy()
    deepglass.manual_seed(7)
    b = F.dropout(x, 0.5).numpy()
    assert np.array_equal(a, b)
