"""Registry entries for deepglass.ops.arrange (issue 14's rearranging ops)."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _n(rng, *shape):
    return rng.standard_normal(shape)


def _same(name, samples, **kw):
    return OpInfo(name, getattr(dg, name), getattr(torch, name), samples, **kw)


def _many(name, samples, **kw):
    return OpInfo(name, lambda *t: getattr(dg, name)(list(t)), lambda *t: getattr(torch, name)(list(t)), samples, **kw)


ENTRIES = [
    _same("movedim", lambda rng: [Sample(_n(rng, 2, 3, 4), 0, -1), Sample(_n(rng, 2, 3, 4), [0, 1], [2, 0])],
          aliases=("moveaxis",)),
    _same("roll", lambda rng: [Sample(_n(rng, 3, 4), 1), Sample(_n(rng, 3, 4), (1, -2), (0, 1))]),
    _same("rot90", lambda rng: [Sample(_n(rng, 2, 3)), Sample(_n(rng, 2, 3, 4), 3, [1, 2]), Sample(_n(rng, 2, 3), 2)]),
    _same("fliplr", lambda rng: [Sample(_n(rng, 2, 3))]), _same("flipud", lambda rng: [Sample(_n(rng, 2, 3))]),
    _same("repeat_interleave", lambda rng: [Sample(_n(rng, 2, 3), 2), Sample(_n(rng, 2, 3), np.array([1, 0, 2]), 1)]),
    _same("tensor_split", lambda rng: [Sample(_n(rng, 7, 2), 3), Sample(_n(rng, 2, 7), [1, 5], 1)]),
    _same("hsplit", lambda rng: [Sample(_n(rng, 2, 6), 3)]), _same("vsplit", lambda rng: [Sample(_n(rng, 4, 2), [1, 3])]),
    _same("dsplit", lambda rng: [Sample(_n(rng, 2, 2, 4), 2)]),
    _same("atleast_1d", lambda rng: [Sample(_n(rng)), Sample(_n(rng, 2))]),
    _same("atleast_2d", lambda rng: [Sample(_n(rng)), Sample(_n(rng, 2))]),
    _same("atleast_3d", lambda rng: [Sample(_n(rng, 2)), Sample(_n(rng, 2, 3))]),
    _many("hstack", lambda rng: [Sample(_n(rng, 2, 3), _n(rng, 2, 1)), Sample(_n(rng, 2), _n(rng, 3))]),
    _many("vstack", lambda rng: [Sample(_n(rng, 3), _n(rng, 2, 3))], aliases=("row_stack",)),
    _many("dstack", lambda rng: [Sample(_n(rng, 2, 3), _n(rng, 2, 3, 2))]),
    _many("column_stack", lambda rng: [Sample(_n(rng, 3), _n(rng, 3, 2))]),
    OpInfo("broadcast_tensors", dg.broadcast_tensors, torch.broadcast_tensors,
           lambda rng: [Sample(_n(rng, 3, 1), _n(rng, 1, 4), _n(rng, 4))]),
    OpInfo("broadcast_shapes", dg.broadcast_shapes, lambda *s: tuple(torch.broadcast_shapes(*s)),
           lambda rng: [Sample((3, 1), (4,), (2, 1, 1))], grad=False),
    OpInfo("meshgrid", lambda a, b: dg.meshgrid(a, b, indexing="xy"), lambda a, b: torch.meshgrid(a, b, indexing="xy"),
           lambda rng: [Sample(_n(rng, 3), _n(rng, 4))]),
    OpInfo("tril_indices", dg.tril_indices, torch.tril_indices, lambda rng: [Sample(4, 3, 1)], grad=False),
    OpInfo("triu_indices", dg.triu_indices, torch.triu_indices, lambda rng: [Sample(3, 5, -1)], grad=False),
    _same("diagflat", lambda rng: [Sample(_n(rng, 2, 2)), Sample(_n(rng, 3), 1)]),
    _same("ravel", lambda rng: [Sample(_n(rng, 3, 4).T)]),
]
