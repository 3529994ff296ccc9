"""AlphaDropout, FeatureAlphaDropout, Dropout1d, Dropout3d: statistics, whole channels, eval identity, p = 0/1,
errors, reprs, seeding and gradients (the masks are random, so they are checked by their properties)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import deepglass
import deepglass.nn as nn
import deepglass.nn.functional as F

ALPHA = 1.7580993408473766


def _a(p):
    return 1 / np.sqrt((ALPHA ** 2 * p + 1) * (1 - p))


@pytest.mark.parametrize("p", [0.1, 0.3, 0.6])
def test_alpha_dropout_preserves_mean_and_variance(p):
    deepglass.manual_seed(0)
    x = deepglass.randn(400, 500)
    y = F.alpha_dropout(x, p, training=True).numpy()
    n = y.size
    assert abs(y.mean()) < 5 / np.sqrt(n) * 1.5
    assert abs(y.var() - 1) < 0.02
    # the dropped units take the single value a·λα·(p − 1); the kept ones are affine in x
    dropped = np.isclose(y, -_a(p) * ALPHA * (1 - p), atol=1e-6)
    assert abs(dropped.mean() - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-3
    xk = x.numpy()[~dropped]
    np.testing.assert_allclose(y[~dropped], _a(p) * (xk + ALPHA * p), rtol=1e-5, atol=1e-5)


def test_alpha_dropout_values_match_torch_formula():
    # for a constant input every output is one of PyTorch's two values
    t = torch.nn.functional.alpha_dropout(torch.ones(10000), 0.3, True).unique().numpy()
    d = np.unique(F.alpha_dropout(deepglass.ones(10000), 0.3, True).numpy())
    np.testing.assert_allclose(d, t, rtol=1e-6)


def test_alpha_dropout_gradient_is_the_scaled_mask():
    x = deepglass.randn(50, 40, requires_grad=True)
    y = F.alpha_dropout(x, 0.4, True)
    y.sum().backward()
    g = x.grad.numpy()
    kept = ~np.isclose(y.detach().numpy(), -_a(0.4) * ALPHA * 0.6, atol=1e-6)
    np.testing.assert_allclose(g[kept], _a(0.4), rtol=1e-6)
    assert (g[~kept] == 0).all()


@pytest.mark.parametrize("shape", [(30, 40, 3, 3), (60, 50, 4), (100, 20)])
def test_feature_alpha_dropout_whole_channels(shape):
    p = 0.3
    y = F.feature_alpha_dropout(deepglass.ones(*shape), p, True).numpy().reshape(shape[0] * shape[1], -1)
    assert (y.min(1) == y.max(1)).all()
    dropped = np.isclose(y[:, 0], -_a(p) * ALPHA * (1 - p), atol=1e-6)
    n = y.shape[0]
    assert abs(dropped.mean() - p) < 4 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(y[~dropped, 0], _a(p) * (1 + ALPHA * p), rtol=1e-6)


def test_dropout1d_and_dropout3d_drop_whole_channels():
    p = 0.4
    a = F.dropout1d(deepglass.ones(40, 50, 7), p).numpy().reshape(2000, 7)
    assert (a.min(1) == a.max(1)).all()
    kept = a[:, 0] != 0
    assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / 2000)
    np.testing.assert_allclose(a[kept], 1 / (1 - p), rtol=1e-6)
    u = F.dropout1d(deepglass.ones(300, 5), 0.5).numpy()                    # unbatched (C, L)
    assert (u.min(1) == u.max(1)).all()
    b = F.dropout3d(deepglass.ones(20, 50, 2, 2, 3), p).numpy().reshape(1000, 12)
    assert (b.min(1) == b.max(1)).all()
    kept = b[:, 0] != 0
    assert abs(kept.mean() - (1 - p)) < 4 * np.sqrt(p * (1 - p) / 1000)
    np.testing.assert_allclose(b[kept], 1 / (1 - p), rtol=1e-6)
    c = F.dropout3d(deepglass.ones(300, 2, 2, 2), 0.5).numpy().reshape(300, 8)  # unbatched (C, D, H, W)
    assert (c.min(1) == c.max(1)).all()


def test_dropout3d_other_ranks_warn_and_use_first_dim_as_channels():
    for shape in [(3, 4, 5), (200, 6)]:
        with pytest.warns(UserWarning, match="dropout3d"):
            y = F.dropout3d(deepglass.ones(*shape), 0.5).numpy().reshape(shape[0], -1)
        assert (y.min(1) == y.max(1)).all()
    with pytest.warns(UserWarning):
        torch.nn.functional.dropout3d(torch.ones(3, 4, 5), 0.5)


def test_gradients_follow_the_channel_mask():
    x = deepglass.randn(4, 6, 5, requires_grad=True)
    y = F.dropout1d(x, 0.5)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (y.detach().numpy() != 0) * 2.0)


@pytest.mark.parametrize("fn,shape", [(F.alpha_dropout, (3, 4)), (F.feature_alpha_dropout, (2, 3, 4)),
                                      (F.dropout1d, (2, 3, 4)), (F.dropout3d, (2, 3, 2, 2, 2))])
def test_edge_probabilities_and_eval(fn, shape):
    x = deepglass.randn(*shape)
    assert fn(x, 0.0, True) is x or np.array_equal(fn(x, 0.0, True).numpy(), x.numpy())
    assert (fn(x, 1.0, True).numpy() == 0).all()
    assert np.array_equal(fn(x, 0.5, False).numpy(), x.numpy())
    with pytest.raises(ValueError, match="between 0 and 1"):
        fn(x, 1.5, True)
    with pytest.raises(ValueError, match="between 0 and 1"):
        fn(x, -0.1, False)
    xi = deepglass.ones(*shape, dtype=deepglass.int64)
    assert np.array_equal(fn(xi, 0.5, False).numpy(), xi.numpy())          # eval: integers pass through
    with pytest.raises(RuntimeError):
        fn(xi, 0.5, True)


def test_alpha_functional_defaults_to_eval():
    x = deepglass.randn(5, 6)
    assert np.array_equal(F.alpha_dropout(x).numpy(), x.numpy())
    assert np.array_equal(F.feature_alpha_dropout(x).numpy(), x.numpy())
    assert not np.array_equal(F.dropout1d(deepglass.randn(5, 6, 7)).numpy(), 0)


def test_rank_errors():
    for shape in [(5,), (1, 2, 3, 4)]:
        with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
            F.dropout1d(deepglass.ones(*shape), 0.5)
        with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
            torch.nn.functional.dropout1d(torch.ones(shape), 0.5)
        with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
            F.dropout1d(deepglass.ones(*shape), 0.5, training=False)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(deepglass.ones(5), 0.5, True)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        torch.nn.functional.feature_alpha_dropout(torch.ones(5), 0.5, True)


@pytest.mark.parametrize("name", ["AlphaDropout", "FeatureAlphaDropout", "Dropout1d", "Dropout3d"])
def test_modules_repr_train_eval(name):
    for args in [(), (0.2,), (0.3, True)]:
        assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    with pytest.raises(ValueError, match="between 0 and 1"):
        getattr(nn, name)(1.5)
    m = getattr(nn, name)(0.5)
    assert list(m.state_dict()) == []
    x = deepglass.randn(4, 6, 2, 2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name == "Dropout1d":
            x = deepglass.randn(4, 6, 8)
        assert not np.array_equal(m(x).numpy(), x.numpy())
        m.eval()
        assert np.array_equal(m(x).numpy(), x.numpy())


def test_seeded_masks_repeat():
    x = deepglass.ones(100, 3)
    for fn in (F.alpha_dropout, F.feature_alpha_dropout, F.dropout1d):
        deepglass.manual_seed(7)
        a = fn(x, 0.5, True).numpy()
        deepglass.manual_seed(7)
        b = fn(x, 0.5, True).numpy()
        assert np.array_equal(a, b)
