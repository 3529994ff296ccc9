"""MaxUnpool1d/2d/3d, ConvTranspose3d, the deprecated upsample aliases and pdist against their PyTorch twins."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _layer_parity import check_parity

import deepglass
import deepglass.nn.functional as F
from deepglass import nn


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, deepglass.Tensor) else t.detach().numpy()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_max_unpool_module_round_trip_matches_torch(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((2, 3) + (5,) * n).astype(np.float32)
    tpool = getattr(torch.nn, f"MaxPool{n}d")(2, return_indices=True)
    tunpool = getattr(torch.nn, f"MaxUnpool{n}d")(2)
    dpool = getattr(nn, f"MaxPool{n}d")(2, return_indices=True)
    dunpool = getattr(nn, f"MaxUnpool{n}d")(2)
    assert repr(dunpool) == repr(tunpool)
    xt, xd = torch.tensor(x, requires_grad=True), deepglass.tensor(x, requires_grad=True)
    yt, it = tpool(xt)
    yd, idx = dpool(xd)
    np.testing.assert_array_equal(_np(idx), it.numpy())
    size = (2, 3) + (5,) * n
    ot, od = tunpool(yt, it, output_size=size), dunpool(yd, idx, output_size=size)
    np.testing.assert_array_equal(_np(od), _np(ot))
    g = rng.standard_normal(tuple(ot.shape)).astype(np.float32)
    (ot * torch.tensor(g)).sum().backward()
    (od * deepglass.tensor(g)).sum().backward()
    np.testing.assert_allclose(_np(xd.grad), xt.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("call", [
    lambda m, y, i: m.max_unpool2d(y, i, 2, output_size=(7, 7)),            # outside (default ± stride)
    lambda m, y, i: m.max_unpool2d(y, i, 2, output_size=(4, 4, 4)),         # wrong length
    lambda m, y, i: m.max_unpool2d(y, i + 100, 2),                          # an index past the output plane
    lambda m, y, i: m.max_unpool2d(y, i.float(), 2),                        # float indices
    lambda m, y, i: m.max_unpool2d(y, i[..., :1], 2),                       # indices of another shape
    lambda m, y, i: m.max_unpool2d(y[0, 0], i[0, 0], 2),                    # 2-D input
])
def test_max_unpool_errors_as_torch(call):
    x = np.random.default_rng(0).standard_normal((1, 1, 4, 4)).astype(np.float32)
    yt, it = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    yd, idd = F.max_pool2d(deepglass.tensor(x), 2, return_indices=True)
    with pytest.raises(Exception) as te:
        call(TF, yt, it)
    with pytest.raises(type(te.value)):
        call(F, yd, idd)


def test_conv_transpose3d_module_weight_for_weight():
    torch.manual_seed(0)
    tm = torch.nn.ConvTranspose3d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=1)
    dm = nn.ConvTranspose3d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, dilation=1)
    assert repr(dm) == repr(tm)
    x = np.random.default_rng(1).standard_normal((2, 4, 3, 4, 3)).astype(np.float32)
    check_parity(dm, tm, x, modes=("train",))
    out = dm(deepglass.tensor(x), output_size=(5, 7, 5))
    assert tuple(out.shape) == tuple(tm(torch.tensor(x), output_size=(5, 7, 5)).shape)


@pytest.mark.parametrize("name, kwargs", [
    ("upsample", {"scale_factor": 2, "mode": "bilinear", "align_corners": False}),
    ("upsample_nearest", {"size": (5, 7)}),
    ("upsample_bilinear", {"scale_factor": 2}),
])
def test_upsample_aliases_warn_and_equal_interpolate(name, kwargs):
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 4)).astype(np.float32)
    with pytest.warns(UserWarning, match=f"nn.functional.{name}` is deprecated"):
        d = getattr(F, name)(deepglass.tensor(x), **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = getattr(TF, name)(torch.tensor(x), **kwargs)
    np.testing.assert_allclose(_np(d), t.numpy(), rtol=1e-5, atol=1e-6)


def test_pdist_values_gradients_and_errors():
    x = np.random.default_rng(3).standard_normal((5, 3))
    x[3] = x[1]                                                  # a zero distance: zero gradient, as torch
    for p in (2.0, 1.0, 0.0, float("inf")):
        xd, xt = deepglass.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yd, yt = deepglass.pdist(xd, p), torch.pdist(xt, p)
        np.testing.assert_allclose(_np(yd), _np(yt), rtol=1e-12, atol=1e-12)
        yd.sum().backward()
        yt.sum().backward()
        np.testing.assert_allclose(_np(xd.grad), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for bad in (lambda m: m.pdist(m.ones(2, 2, 2)), lambda m: m.pdist(m.ones(3, 2), -1.0),
                lambda m: m.pdist(m.ones(3, 2, dtype=m.int64))):
        with pytest.raises(Exception) as te:
            bad(torch)
        with pytest.raises(type(te.value)):
            bad(deepglass)
