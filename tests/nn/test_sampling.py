"""Resampling beyond the op registry (tests/opinfo/nn_sampling.py): error messages, PyTorch quirks, cross-checks."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass
import deepglass.nn as nn
from deepglass._tensor import from_array
from deepglass.nn import functional as F

R = np.random.default_rng(0)


def _dg(a, grad=False):
    t = from_array(np.array(a, copy=True))
    return t.requires_grad_(True) if grad else t


def _np(t):
    return np.asarray(t.detach().cpu().numpy())


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize("kw,exc,match", [
    (dict(size=(4, 4), mode="area", align_corners=False), ValueError, "align_corners option can only be set"),
    (dict(size=(4, 4), mode="nearest-exact", align_corners=True), ValueError, "align_corners option can only be set"),
    (dict(size=(4, 4), mode="nearest", align_corners=False), ValueError, "align_corners option can only be set"),
    (dict(size=(4, 4), mode="bilinear", antialias=True), NotImplementedError, "antialias=True is not supported"),
    (dict(size=(4, 4), mode="bicubic", antialias=True), NotImplementedError, "antialias=True is not supported"),
    (dict(size=(4, 4), mode="nearest", antialias=True), ValueError, "restricted to bilinear and bicubic"),
    (dict(size=(4, 4), mode="area", antialias=True), ValueError, "restricted to bilinear and bicubic"),
    (dict(size=(4, 4), mode="bilinear", recompute_scale_factor=True), ValueError, "not meaningful with an explicit"),
    (dict(size=(4, 4), scale_factor=2, mode="nearest"), ValueError, "exactly one of size and scale_factor"),
    (dict(size=(4, 4), mode="lanczos"), NotImplementedError, "mode 'lanczos' is not supported"),
])
def test_interpolate_errors(kw, exc, match):
    x = deepglass.randn(1, 1, 3, 3)
    with pytest.raises(exc, match=match):
        F.interpolate(x, **kw)
    if exc is ValueError:   # invalid in PyTorch too (NotImplementedError: a PyTorch feature not written here)
        with pytest.raises(ValueError):
            TF.interpolate(torch.randn(1, 1, 3, 3), **kw)


@pytest.mark.parametrize("shape", [(1, 1, 5), (1, 1, 2, 3, 4)])
def test_interpolate_bicubic_needs_4d(shape):
    with pytest.raises(NotImplementedError, match="mode 'bicubic' needs a 4-D input"):
        F.interpolate(deepglass.randn(*shape), scale_factor=2, mode="bicubic", align_corners=False)


def test_grid_sample_errors():
    x, g = deepglass.randn(1, 2, 3, 4), deepglass.zeros(1, 2, 2, 2)
    with pytest.raises(ValueError, match="mode must be 'bilinear', 'nearest' or 'bicubic'"):
        F.grid_sample(x, g, mode="trilinear")
    with pytest.raises(ValueError, match="padding_mode must be"):
        F.grid_sample(x, g, padding_mode="circular")
    with pytest.raises(ValueError, match="bicubic' supports only 4-D input"):
        F.grid_sample(deepglass.randn(1, 1, 2, 3, 4), deepglass.zeros(1, 2, 2, 2, 3), mode="bicubic")
    with pytest.raises(ValueError, match=r"grid must have shape \(N, D_out, H_out, W_out, 3\)"):
        F.grid_sample(deepglass.randn(1, 1, 2, 3, 4), deepglass.zeros(1, 2, 2, 2, 2))
    with pytest.raises(ValueError, match=r"grid must have shape \(N, H_out, W_out, 2\)"):
        F.grid_sample(x, deepglass.zeros(1, 2, 2, 3))
    with pytest.raises(ValueError, match="expected 4-D input"):
        F.grid_sample(deepglass.randn(1, 2, 3), deepglass.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="batch"):
        F.grid_sample(x, deepglass.zeros(2, 2, 2, 2))


# ----------------------------------------------------------------- PyTorch's nearest quirk


@pytest.mark.parametrize("shape,sf", [((2, 3, 4), 1.2), ((1, 2, 3), 2.1), ((1, 1, 3, 4, 2), (2.1, 1.2, 2.0))])
def test_nearest_1d_3d_unchanged_or_doubled_axis(shape, sf):
    """PyTorch's 1-D/3-D nearest forward uses ⌊d·(1/scale_factor)⌋ even when an axis keeps its size or
    exactly doubles (only its 2-D kernel special-cases those); deepglass matches that forward. PyTorch's
    backward special-cases them anyway, so its gradient is not the adjoint of its own forward (its
    gradcheck fails); deepglass's gradient is the adjoint of the forward, checked by finite differences."""
    x = R.standard_normal(shape)
    d = F.interpolate(_dg(x), scale_factor=sf, mode="nearest")
    t = TF.interpolate(torch.from_numpy(x), scale_factor=sf, mode="nearest")
    np.testing.assert_array_equal(_np(d), t.numpy())
    xt = _dg(x, grad=True)
    assert deepglass.autograd.gradcheck(lambda a: F.interpolate(a, scale_factor=sf, mode="nearest"), (xt,),
                                        eps=1e-6, atol=1e-5, rtol=1e-3)


# ----------------------------------------------------------------- cross-checks


@pytest.mark.parametrize("size", [(7, 5), (3, 2), (4, 9)])
def test_grid_sample_bicubic_on_a_regular_grid_is_interpolate_bicubic(size):
    """interpolate(bicubic, align_corners=True) clamps its tap indices: grid_sample's border padding."""
    x = R.standard_normal((2, 3, 4, 5))
    ho, wo = size
    ys, xs = np.meshgrid(np.linspace(-1, 1, ho), np.linspace(-1, 1, wo), indexing="ij")
    grid = np.broadcast_to(np.stack([xs, ys], -1), (2, ho, wo, 2))
    a = F.grid_sample(_dg(x), _dg(grid), mode="bicubic", padding_mode="border", align_corners=True)
    b = F.interpolate(_dg(x), size=size, mode="bicubic", align_corners=True)
    np.testing.assert_allclose(_np(a), _np(b), atol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_5d_identity(mode):
    x = deepglass.randn(2, 3, 3, 4, 5, dtype=np.float64)
    theta = deepglass.tensor(np.tile(np.eye(3, 4), (2, 1, 1)))
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    np.testing.assert_allclose(_np(F.grid_sample(x, grid, mode=mode, align_corners=False)), _np(x), atol=1e-12)


def test_area_matches_adaptive_avg_pool():
    x = R.standard_normal((2, 3, 7, 9)).astype(np.float32)
    np.testing.assert_allclose(_np(F.interpolate(_dg(x), size=(3, 4), mode="area")),
                               _np(F.adaptive_avg_pool2d(_dg(x), (3, 4))), rtol=1e-6)


def test_spatial_transformer_bicubic_starts_at_identity():
    stn = nn.SpatialTransformer(2, mode="bicubic", padding_mode="border")
    x = deepglass.randn(2, 2, 6, 6)
    np.testing.assert_allclose(_np(stn(x)), _np(x), atol=1e-5)
    stn(x).sum().backward()
    assert all(p.grad is not None for p in stn.parameters())


@pytest.mark.parametrize("kw", [
    dict(scale_factor=2, mode="bicubic", align_corners=False),
    dict(size=(5, 3), mode="bicubic", align_corners=True),
    dict(size=(2, 3), mode="area"),
    dict(scale_factor=1.5, mode="nearest-exact"),
])
def test_upsample_module_new_modes(kw):
    x = R.standard_normal((2, 3, 4, 5)).astype(np.float32)
    xd, xt = _dg(x, grad=True), torch.from_numpy(x.copy()).requires_grad_(True)
    yd, yt = nn.Upsample(**kw)(xd), torch.nn.Upsample(**kw)(xt)
    np.testing.assert_allclose(_np(yd), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    seed = R.standard_normal(yt.shape).astype(np.float32)
    (yd * deepglass.tensor(seed)).sum().backward()
    (yt * torch.from_numpy(seed)).sum().backward()
    np.testing.assert_allclose(_np(xd.grad), xt.grad.numpy(), rtol=1e-5, atol=1e-5)
