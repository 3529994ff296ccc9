"""grid_sampler_2d/3d against PyTorch: the integer enums map to grid_sample's modes; bad ranks and modes raise."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


@pytest.mark.parametrize("interp", [0, 1, 2])
@pytest.mark.parametrize("pad", [0, 1, 2])
@pytest.mark.parametrize("align", [False, True])
def test_grid_sampler_2d_enums(interp, pad, align):
    rng = np.random.default_rng(interp * 6 + pad * 2 + align)
    x, g = rng.standard_normal((1, 2, 4, 5)), rng.uniform(-1.3, 1.3, (1, 3, 2, 2))
    want = torch.grid_sampler_2d(torch.tensor(x), torch.tensor(g), interp, pad, align)
    got = dg.grid_sampler_2d(dg.tensor(x), dg.tensor(g), interp, pad, align)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("interp", [0, 1])
def test_grid_sampler_3d_enums(interp):
    rng = np.random.default_rng(interp)
    x, g = rng.standard_normal((1, 2, 3, 4, 4)), rng.uniform(-1, 1, (1, 2, 2, 2, 3))
    want = torch.grid_sampler_3d(torch.tensor(x), torch.tensor(g), interp, 1, False)
    got = dg.grid_sampler_3d(dg.tensor(x), dg.tensor(g), interp, 1, False)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)


def test_grid_sampler_rank_errors_as_torch():
    for m in (torch, dg):
        with pytest.raises(RuntimeError):
            m.grid_sampler_3d(m.zeros(1, 2, 3, 3), m.zeros(1, 2, 2, 2), 0, 0, False)
    with pytest.raises(RuntimeError, match="bicubic"):
        dg.grid_sampler_3d(dg.zeros(1, 1, 2, 2, 2), dg.zeros(1, 1, 1, 1, 3), 2, 0, False)
