"""Registry entries for deepglass.ops.scatter_views and deepglass.ops.copies."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _n(rng, *shape):
    return rng.standard_normal(shape)


def _same(name, samples, **kw):
    return OpInfo(name, getattr(dg, name), getattr(torch, name), samples, **kw)


ENTRIES = [
    _same("select_scatter", lambda rng: [Sample(_n(rng, 3, 4), _n(rng, 4), 0, 1), Sample(_n(rng, 3, 4), _n(rng, 3), 1, -1)]),
    _same("slice_scatter", lambda rng: [Sample(_n(rng, 4, 3), _n(rng, 2, 3), 0, 1, 3), Sample(_n(rng, 3, 6), _n(rng, 3, 3), 1, 0, 6, 2)]),
    _same("diagonal_scatter", lambda rng: [Sample(_n(rng, 3, 3), _n(rng, 3)), Sample(_n(rng, 3, 4), _n(rng, 3), 1)]),
    _same("put", lambda rng: [Sample(_n(rng, 3, 4), np.array([0, 5, -1]), _n(rng, 3)),
                              Sample(_n(rng, 3, 4), np.array([0, 5, 0]), _n(rng, 3), True)]),
    _same("index_reduce", lambda rng: [Sample(_n(rng, 4, 3), 0, np.array([0, 2, 0]), _n(rng, 3, 3), "amax"),
                                       Sample(_n(rng, 4, 3), 0, np.array([1, 2]), _n(rng, 2, 3), "mean", include_self=False)]),
    _same("expand_copy", lambda rng: [Sample(_n(rng, 3, 1), (3, 4))]),
    _same("diagonal_copy", lambda rng: [Sample(_n(rng, 3, 4))]),
    _same("permute_copy", lambda rng: [Sample(_n(rng, 2, 3, 4), (2, 0, 1))]),
    _same("t_copy", lambda rng: [Sample(_n(rng, 2, 3))]),
    _same("transpose_copy", lambda rng: [Sample(_n(rng, 2, 3, 4), 0, 2)]),
    _same("unsqueeze_copy", lambda rng: [Sample(_n(rng, 2, 3), 1)]),
    _same("squeeze_copy", lambda rng: [Sample(_n(rng, 2, 1, 3))]),
    _same("view_copy", lambda rng: [Sample(_n(rng, 2, 6), (3, 4))]),
    _same("unbind_copy", lambda rng: [Sample(_n(rng, 2, 3), 1)]),
    _same("narrow_copy", lambda rng: [Sample(_n(rng, 4, 3), 0, 1, 2)]),
    _same("split_with_sizes_copy", lambda rng: [Sample(_n(rng, 5, 2), [2, 3])]),
    _same("alias_copy", lambda rng: [Sample(_n(rng, 2, 3))]),
    _same("split_with_sizes", lambda rng: [Sample(_n(rng, 5, 2), [2, 3]), Sample(_n(rng, 2, 5), [1, 4], 1)]),
    _same("unsafe_split", lambda rng: [Sample(_n(rng, 5, 2), 2)]),
    _same("unsafe_chunk", lambda rng: [Sample(_n(rng, 5, 2), 3)]),
    _same("msort", lambda rng: [Sample(_n(rng, 4, 3))]),
    _same("unravel_index", lambda rng: [Sample(np.array([0, 7, 11]), (3, 4))], grad=False),
    _same("combinations", lambda rng: [Sample(_n(rng, 4)), Sample(_n(rng, 3), 3, True)]),
    _same("conj", lambda rng: [Sample(_n(rng, 2, 3))]), _same("conj_physical", lambda rng: [Sample(_n(rng, 2, 3))]),
    _same("resolve_conj", lambda rng: [Sample(_n(rng, 2, 3))]), _same("resolve_neg", lambda rng: [Sample(_n(rng, 2, 3))]),
    _same("unfold_copy", lambda rng: [Sample(_n(rng, 2, 7), 1, 3, 2)]),
    OpInfo("scalar_tensor", dg.scalar_tensor, torch.scalar_tensor, lambda rng: [Sample(2.5)], grad=False),
    OpInfo("logspace", dg.logspace, torch.logspace, lambda rng: [Sample(0.0, 2.0, 5), Sample(-1.0, 1.0, 4, 2.0)], grad=False),
    _same("fill", lambda rng: [Sample(_n(rng, 2, 3), 1.5)]),
    _same("constant_pad_nd", lambda rng: [Sample(_n(rng, 2, 3), (1, 2), 0.5)]),
    _same("grid_sampler_2d", lambda rng: [Sample(_n(rng, 1, 2, 4, 5), rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), 0, 0, False),
                                          Sample(_n(rng, 1, 1, 4, 4), rng.uniform(-1.2, 1.2, (1, 2, 2, 2)), 0, 1, True),
                                          Sample(_n(rng, 1, 1, 4, 4), rng.uniform(-0.9, 0.9, (1, 2, 2, 2)), 2, 2, False)]),
    _same("grid_sampler_3d", lambda rng: [Sample(_n(rng, 1, 2, 3, 4, 4), rng.uniform(-0.9, 0.9, (1, 2, 2, 2, 3)), 0, 0,
                                                 False)]),
    _same("grid_sampler", lambda rng: [Sample(_n(rng, 1, 2, 4, 5), rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), 0, 2, True)]),
]
