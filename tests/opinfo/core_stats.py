"""Registry entries for deepglass.ops.stats (issue 14's differences, statistics and counting)."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _n(rng, *shape):
    return rng.standard_normal(shape)


def _sorted_rows(rng):
    return np.sort(_n(rng, 2, 6), axis=-1)


def _coords(n):
    return np.array([0.0, 0.5, 1.7, 2.0, 3.1, 4.0])[:n]


def _edges(rng, n):
    return np.sort(rng.standard_normal(n))


ENTRIES = [
    OpInfo("histogramdd", dg.histogramdd, torch.histogramdd,
           lambda rng: [Sample(_n(rng, 20, 2), 10), Sample(_n(rng, 20, 3), [2, 3, 4], density=True),
                        Sample(_n(rng, 10, 2), 3, range=[-1.0, 1.0, -0.5, 2.0])], grad=False),
    OpInfo("histogramdd_weight", lambda x, w, **kw: dg.histogramdd(x, 3, weight=w, **kw),
           lambda x, w, **kw: torch.histogramdd(x, 3, weight=w, **kw),
           lambda rng: [Sample(_n(rng, 10, 2), rng.random(10)), Sample(_n(rng, 10, 2), rng.random(10), density=True)],
           grad=False),
    OpInfo("histogramdd_edges", lambda x, e0, e1: dg.histogramdd(x, [e0, e1]),
           lambda x, e0, e1: torch.histogramdd(x, [e0, e1]),
           lambda rng: [Sample(_n(rng, 15, 2), _edges(rng, 4), _edges(rng, 3))], grad=False),
    OpInfo("hash_tensor", dg.hash_tensor, torch.hash_tensor,
           lambda rng: [Sample(_n(rng, 3, 4)), Sample(_n(rng, 3, 4), 1), Sample(_n(rng, 2, 3, 4), [0, 2], keepdim=True),
                        Sample(rng.integers(-5, 5, (4, 3))), Sample(rng.integers(0, 2, (5,)).astype(bool))], grad=False),
    OpInfo("gradient", dg.gradient, torch.gradient,
           lambda rng: [Sample(_n(rng, 3, 5)), Sample(_n(rng, 4, 5), spacing=2.0, dim=1, edge_order=2),
                        Sample(_n(rng, 4, 5), spacing=[0.5, 1.5], dim=[0, 1])]),
    OpInfo("gradient_coordinates", lambda f, x, **kw: dg.gradient(f, spacing=(x,), **kw),
           lambda f, x, **kw: torch.gradient(f, spacing=(x,), **kw),
           lambda rng: [Sample(_n(rng, 6), _coords(6), edge_order=2, grad=(0,)),
                        Sample(_n(rng, 3, 4), _coords(4), dim=-1, grad=(0,))]),
    OpInfo("diff", dg.diff, torch.diff,
           lambda rng: [Sample(_n(rng, 3, 5)), Sample(_n(rng, 3, 5), 2, 0), Sample(_n(rng, 4), 1, -1, _n(rng, 2), _n(rng, 1))]),
    OpInfo("trapezoid", dg.trapezoid, torch.trapezoid,
           lambda rng: [Sample(_n(rng, 3, 5)), Sample(_n(rng, 3, 5), np.sort(_n(rng, 5))), Sample(_n(rng, 3, 4), dx=0.5, dim=0)],
           aliases=("trapz",)),
    OpInfo("cumulative_trapezoid", dg.cumulative_trapezoid, torch.cumulative_trapezoid,
           lambda rng: [Sample(_n(rng, 3, 5)), Sample(_n(rng, 3, 5), np.sort(_n(rng, 5)))]),
    OpInfo("cov", dg.cov, torch.cov,
           lambda rng: [Sample(_n(rng, 3, 6)), Sample(_n(rng, 2, 5), correction=0)]),
    OpInfo("cov_weights", lambda x, f, a: dg.cov(x, fweights=f, aweights=a), lambda x, f, a: torch.cov(x, fweights=f, aweights=a),
           lambda rng: [Sample(_n(rng, 2, 5), rng.integers(1, 4, (5,)), rng.uniform(0.5, 1, (5,)))]),
    OpInfo("corrcoef", dg.corrcoef, torch.corrcoef, lambda rng: [Sample(_n(rng, 3, 6))]),
    OpInfo("renorm", dg.renorm, torch.renorm, lambda rng: [Sample(_n(rng, 3, 4) * 3, 2, 0, 1.5), Sample(_n(rng, 3, 4), 1, 1, 5.0)]),
    OpInfo("dist", dg.dist, torch.dist, lambda rng: [Sample(_n(rng, 3, 4), _n(rng, 4)), Sample(_n(rng, 3, 4), _n(rng, 3, 4), 3)]),
    OpInfo("histc", dg.histc, torch.histc, lambda rng: [Sample(_n(rng, 20), bins=5), Sample(_n(rng, 20), 4, -1, 1)], grad=False),
    OpInfo("histogram", dg.histogram, torch.histogram, lambda rng: [Sample(_n(rng, 20), 5)], grad=False),
    OpInfo("bincount", dg.bincount, torch.bincount,
           lambda rng: [Sample(rng.integers(0, 6, (10,))), Sample(rng.integers(0, 6, (10,)), _n(rng, 10), 8)], grad=False),
    OpInfo("unique", lambda x: dg.unique(x, return_inverse=True, return_counts=True),
           lambda x: torch.unique(x, return_inverse=True, return_counts=True),
           lambda rng: [Sample(rng.integers(0, 5, (3, 4)))], grad=False),
    OpInfo("unique_consecutive", lambda x: dg.unique_consecutive(x, return_inverse=True, return_counts=True),
           lambda x: torch.unique_consecutive(x, return_inverse=True, return_counts=True),
           lambda rng: [Sample(np.array([1, 1, 2, 2, 3, 1, 1, 2]))], grad=False),
    OpInfo("searchsorted", dg.searchsorted, torch.searchsorted,
           lambda rng: [Sample(_sorted_rows(rng), _n(rng, 2, 3)), Sample(np.sort(_n(rng, 6)), _n(rng, 4), right=True)],
           grad=False),
    OpInfo("bucketize", dg.bucketize, torch.bucketize, lambda rng: [Sample(_n(rng, 3, 4), np.sort(_n(rng, 5)))], grad=False),
    OpInfo("argwhere", dg.argwhere, torch.argwhere, lambda rng: [Sample(rng.integers(0, 2, (3, 4)))], grad=False),
]
