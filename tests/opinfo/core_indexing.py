"""Registry entries for deepglass.ops.indexing (issue 14's scatter and index ops)."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _n(rng, *shape):
    return rng.standard_normal(shape)


def _perm_index(rng):
    return np.stack([rng.permutation(4)[:3] for _ in range(2)])        # (2, 3), distinct along dim 1


def _reduce(kind):
    def make(rng):
        idx = rng.integers(0, 3, (2, 4))
        return [Sample(_n(rng, 2, 3), 1, idx, _n(rng, 2, 4), kind), Sample(_n(rng, 2, 3), 1, idx, _n(rng, 2, 4), kind,
                                                                              include_self=False)]
    return make


ENTRIES = [
    OpInfo("scatter", dg.scatter, torch.scatter,
           lambda rng: [Sample(_n(rng, 2, 4), 1, _perm_index(rng), _n(rng, 2, 3)),
                        Sample(_n(rng, 2, 4), 1, _perm_index(rng), value=1.5),
                        Sample(_n(rng, 2, 4), 1, rng.integers(0, 4, (2, 3)), _n(rng, 2, 3), reduce="add", grad=())]),
    OpInfo("scatter_reduce", dg.scatter_reduce, torch.scatter_reduce,
           lambda rng: _reduce("sum")(rng) + _reduce("mean")(rng) + _reduce("amax")(rng) + _reduce("prod")(rng)),
    OpInfo("index_add", dg.index_add, torch.index_add,
           lambda rng: [Sample(_n(rng, 4, 3), 0, np.array([0, 2, 0]), _n(rng, 3, 3), alpha=2.0)]),
    OpInfo("index_copy", dg.index_copy, torch.index_copy,
           lambda rng: [Sample(_n(rng, 4, 3), 0, np.array([3, 1]), _n(rng, 2, 3))]),
    OpInfo("index_fill", dg.index_fill, torch.index_fill, lambda rng: [Sample(_n(rng, 4, 3), 1, np.array([0, 2]), -1.0)]),
    OpInfo("index_put", lambda x, i, j, v: dg.index_put(x, (i, j), v, accumulate=True),
           lambda x, i, j, v: torch.index_put(x, (i, j), v, accumulate=True),
           lambda rng: [Sample(_n(rng, 3, 4), np.array([0, 2, 0]), np.array([1, 3, 1]), _n(rng, 3))]),
    OpInfo("masked_select", dg.masked_select, torch.masked_select,
           lambda rng: [Sample(_n(rng, 3, 4), rng.random((3, 4)) > 0.5), Sample(_n(rng, 3, 1), rng.random((3, 4)) > 0.5)]),
    OpInfo("masked_scatter", dg.masked_scatter, torch.masked_scatter,
           lambda rng: [Sample(_n(rng, 3, 4), rng.random((3, 4)) > 0.5, _n(rng, 12))]),
    OpInfo("take", dg.take, torch.take, lambda rng: [Sample(_n(rng, 3, 4), np.array([[0, 11], [-1, 5]]))]),
    OpInfo("take_along_dim", dg.take_along_dim, torch.take_along_dim,
           lambda rng: [Sample(_n(rng, 3, 4), rng.integers(0, 4, (3, 2)), 1), Sample(_n(rng, 3, 4), rng.integers(0, 12, (5,)))]),
]
