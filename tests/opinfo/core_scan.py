"""Registry entries for deepglass.ops.scan (issue 14's scans and order statistics)."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _n(rng, *shape):
    return rng.standard_normal(shape)


def _with_nan(rng):
    a = _n(rng, 3, 5)
    a[0, 1] = a[2, 4] = np.nan
    return a


def _dim_samples(rng):
    return [Sample(_n(rng, 3, 4), 1), Sample(_n(rng, 2, 3, 4), 0), Sample(_n(rng), 0)]


ENTRIES = [
    OpInfo("cumprod", dg.cumprod, torch.cumprod,
           lambda rng: _dim_samples(rng) + [Sample(np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 2.0]]), 1)]),
    OpInfo("cummax", dg.cummax, torch.cummax, _dim_samples),
    OpInfo("cummin", dg.cummin, torch.cummin, _dim_samples),
    OpInfo("logcumsumexp", dg.logcumsumexp, torch.logcumsumexp, _dim_samples),
    OpInfo("nansum", dg.nansum, torch.nansum, lambda rng: [Sample(_with_nan(rng)), Sample(_with_nan(rng), 1)]),
    OpInfo("nanmean", dg.nanmean, torch.nanmean, lambda rng: [Sample(_with_nan(rng)), Sample(_with_nan(rng), 0)]),
    OpInfo("median", dg.median, torch.median, lambda rng: [Sample(_n(rng, 3, 5)), Sample(_n(rng, 3, 4), 1)]),
    OpInfo("nanmedian", dg.nanmedian, torch.nanmedian, lambda rng: [Sample(_with_nan(rng)), Sample(_with_nan(rng), 1)]),
    OpInfo("kthvalue", dg.kthvalue, torch.kthvalue, lambda rng: [Sample(_n(rng, 3, 5), 2), Sample(_n(rng, 3, 5), 1, 0)]),
    OpInfo("mode", dg.mode, torch.mode,
           lambda rng: [Sample(rng.integers(0, 3, (3, 6)).astype(np.float64), grad=())], grad=False),
    OpInfo("quantile", dg.quantile, torch.quantile,
           lambda rng: [Sample(_n(rng, 3, 5), 0.3), Sample(_n(rng, 3, 5), np.array([0.1, 0.5]), 1, grad=(0,)),
                        Sample(_n(rng, 4, 5), 0.5, 0, True, interpolation="midpoint")]),
    OpInfo("nanquantile", dg.nanquantile, torch.nanquantile,
           lambda rng: [Sample(_with_nan(rng), 0.3, 1), Sample(_with_nan(rng), 0.7, interpolation="lower")]),
    OpInfo("var_mean", dg.var_mean, torch.var_mean, lambda rng: [Sample(_n(rng, 3, 5)), Sample(_n(rng, 3, 5), 1, correction=0)]),
    OpInfo("std_mean", dg.std_mean, torch.std_mean, lambda rng: [Sample(_n(rng, 3, 5), 0, keepdim=True)]),
    OpInfo("aminmax", dg.aminmax, torch.aminmax, lambda rng: [Sample(_n(rng, 3, 5)), Sample(_n(rng, 3, 5), dim=1)]),
]
