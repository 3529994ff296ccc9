"""Registry entries for deepglass.ops.shape (views, indexing, joins, sorts, pad, pixel/channel shuffles)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF

import deepglass as dg
import deepglass.nn.functional as F

from . import OpInfo, Sample


def x(rng, *s):
    return rng.standard_normal(s)


def _getitem(t, index):
    return t[index]


def _idx(rng, *s):
    return rng.integers(0, 3, s)


def _getitem_samples(rng):
    return [
        Sample(x(rng, 4, 5), (1, slice(1, 4))),
        Sample(x(rng, 4, 5, 3), (Ellipsis, None, 2)),
        Sample(x(rng, 4, 5), (slice(None, None, 2), -1)),
        Sample(x(rng, 4, 5), np.array([0, 2, 2, 3])),                        # repeated rows: gradients add
        Sample(x(rng, 4, 5), (np.array([0, 1, 1]), np.array([4, 0, 0]))),    # integer-array pairs
        Sample(x(rng, 4, 5), x(rng, 4, 5) > 0),                              # bool mask
        Sample(x(rng, 4, 5), (slice(None), np.array([1, 1, 3]))),
        Sample(x(rng, 5, 4).T, (slice(1, 3),)),                              # non-contiguous
    ]


def _torch_index(index):
    def conv(i):
        return torch.from_numpy(i) if isinstance(i, np.ndarray) else i

    return tuple(conv(i) for i in index) if isinstance(index, tuple) else conv(index)


def _sorted_values(rng, *s):
    return rng.permutation(int(np.prod(s))).reshape(s).astype(float) / 5


def _diagonal_samples(rng):
    return [Sample(x(rng, 3, 4)), Sample(x(rng, 3, 4), 1), Sample(x(rng, 3, 4), -2), Sample(x(rng, 4, 3), 2),
            Sample(x(rng, 2, 3, 4), 1, 2, 0),                 # dim1 > dim2: the offset counts along dim2
            Sample(x(rng, 2, 3, 4), -1, -1, 0),               # negative dims
            Sample(x(rng, 2, 3, 4), 0, 1, 2), Sample(x(rng, 3, 3), offset=1, dim1=1, dim2=0),
            Sample(x(rng, 5, 3).T, 1)]                          # non-contiguous


def _diag_embed_samples(rng):
    return [Sample(x(rng, 2, 3)), Sample(x(rng, 2, 3), 1), Sample(x(rng, 2, 3), -2), Sample(x(rng, 2, 3), 1, 0, 2),
            Sample(x(rng, 2, 3), -1, 2, 0), Sample(x(rng, 4), 0, -1, 0), Sample(x(rng, 2, 2, 3), 2, 1, -1)]


ENTRIES = [
    OpInfo("reshape", lambda t, s: dg.reshape(t, s), lambda t, s: torch.reshape(t, s),
           lambda rng: [Sample(x(rng, 3, 4), (4, 3)), Sample(x(rng, 3, 4), (-1,)), Sample(x(rng, 4, 3).T, (2, 6)), Sample(x(rng, 0, 3), (3, 0))],
           aliases=("view",)),
    OpInfo("view_as", dg.view_as, lambda a, b: a.view_as(b), lambda rng: [Sample(x(rng, 3, 4), x(rng, 2, 6), grad=(0,))],
           aliases=("reshape_as",)),
    OpInfo("flatten", dg.flatten, torch.flatten,
           lambda rng: [Sample(x(rng, 2, 3, 4)), Sample(x(rng, 2, 3, 4), 1), Sample(x(rng, 2, 3, 4, 5), 1, 2), Sample(x(rng))]),
    OpInfo("unflatten", dg.unflatten, torch.unflatten, lambda rng: [Sample(x(rng, 2, 12), 1, (3, 4)), Sample(x(rng, 6, 2), 0, (-1, 3))]),
    OpInfo("squeeze", dg.squeeze, torch.squeeze,
           lambda rng: [Sample(x(rng, 1, 3, 1)), Sample(x(rng, 1, 3, 1), 2), Sample(x(rng, 1, 3, 1), 1), Sample(x(rng, 1, 3, 1), (0, 2))]),
    OpInfo("unsqueeze", dg.unsqueeze, torch.unsqueeze, lambda rng: [Sample(x(rng, 3, 4), 0), Sample(x(rng, 3, 4), -1), Sample(x(rng), 0)]),
    OpInfo("permute", lambda t, d: dg.permute(t, d), lambda t, d: torch.permute(t, d),
           lambda rng: [Sample(x(rng, 2, 3, 4), (2, 0, 1)), Sample(x(rng, 2, 3, 4), (-1, 1, 0))]),
    OpInfo("transpose", dg.transpose, torch.transpose, lambda rng: [Sample(x(rng, 2, 3, 4), 0, 2), Sample(x(rng, 3, 4), -1, -2)],
           aliases=("swapaxes", "swapdims")),
    OpInfo("t", dg.t, torch.t, lambda rng: [Sample(x(rng, 3, 4)), Sample(x(rng, 3))]),
    OpInfo("T", lambda t: t.T, lambda t: t.permute(*reversed(range(t.ndim))), lambda rng: [Sample(x(rng, 2, 3, 4))]),
    OpInfo("mT", lambda t: t.mT, lambda t: t.mT, lambda rng: [Sample(x(rng, 2, 3, 4))]),
    OpInfo("expand", lambda t, s: dg.expand(t, s), lambda t, s: t.expand(s),
           lambda rng: [Sample(x(rng, 3, 1), (3, 4)), Sample(x(rng, 1, 4), (2, 3, 4)), Sample(x(rng, 3, 1), (-1, 5))],
           aliases=("broadcast_to",)),
    OpInfo("expand_as", dg.expand_as, lambda a, b: a.expand_as(b), lambda rng: [Sample(x(rng, 3, 1), x(rng, 3, 4), grad=(0,))]),
    OpInfo("repeat", lambda t, r: dg.repeat(t, r), lambda t, r: t.repeat(r),
           lambda rng: [Sample(x(rng, 2, 3), (2, 1)), Sample(x(rng, 2, 3), (1, 2, 3)), Sample(x(rng, 3), (2,))]),
    OpInfo("tile", dg.tile, torch.tile, lambda rng: [Sample(x(rng, 2, 3), (2,)), Sample(x(rng, 2, 3), (3, 1, 2))]),
    OpInfo("contiguous", dg.contiguous, lambda t: t.contiguous(), lambda rng: [Sample(x(rng, 4, 3).T), Sample(x(rng, 2, 2))]),
    OpInfo("flip", dg.flip, torch.flip, lambda rng: [Sample(x(rng, 3, 4), (0,)), Sample(x(rng, 2, 3, 4), (0, 2))]),
    OpInfo("getitem", _getitem, lambda t, i: t[_torch_index(i)], _getitem_samples),
    OpInfo("narrow", dg.narrow, torch.narrow, lambda rng: [Sample(x(rng, 4, 5), 1, 1, 3)]),
    OpInfo("select", dg.select, torch.select, lambda rng: [Sample(x(rng, 4, 5), 1, 2), Sample(x(rng, 4, 5), 0, -1)]),
    OpInfo("nonzero", dg.nonzero, torch.nonzero, lambda rng: [Sample(rng.integers(0, 2, (3, 4)))], grad=False),
    OpInfo("nonzero_static", dg.nonzero_static, torch.nonzero_static,
           lambda rng: [Sample(rng.integers(0, 2, (3, 4)), size=3), Sample(rng.integers(0, 2, (2, 3)), size=9,
                                                                         fill_value=-5)], grad=False),
    OpInfo("cat", lambda ts, d=0: dg.cat(ts, d), lambda ts, d=0: torch.cat(ts, d),
           lambda rng: [Sample([x(rng, 2, 3), x(rng, 4, 3)]), Sample([x(rng, 2, 3), x(rng, 2, 1), x(rng, 2, 2)], 1),
                        Sample([x(rng, 2, 3), x(rng, 0, 3)], 0)],
           aliases=("concat", "concatenate")),
    OpInfo("stack", lambda ts, d=0: dg.stack(ts, d), lambda ts, d=0: torch.stack(ts, d),
           lambda rng: [Sample([x(rng, 2, 3), x(rng, 2, 3)]), Sample([x(rng, 2, 3), x(rng, 2, 3), x(rng, 2, 3)], -1)]),
    OpInfo("split", dg.split, torch.split, lambda rng: [Sample(x(rng, 5, 3), 2), Sample(x(rng, 5, 3), [1, 4]), Sample(x(rng, 3, 6), 4, 1)]),
    OpInfo("chunk", dg.chunk, torch.chunk, lambda rng: [Sample(x(rng, 5, 3), 2), Sample(x(rng, 6, 3), 3), Sample(x(rng, 3, 5), 2, 1)]),
    OpInfo("unbind", dg.unbind, torch.unbind, lambda rng: [Sample(x(rng, 3, 2)), Sample(x(rng, 3, 2), 1)]),
    OpInfo("gather", dg.gather, torch.gather,
           lambda rng: [Sample(x(rng, 3, 4), 1, _idx(rng, 3, 5)), Sample(x(rng, 3, 4), 0, _idx(rng, 2, 4)),
                        Sample(x(rng, 3, 4, 2), 1, _idx(rng, 2, 2, 1))]),
    OpInfo("scatter_add", dg.scatter_add, torch.scatter_add,
           lambda rng: [Sample(x(rng, 3, 4), 1, _idx(rng, 3, 5) % 4, x(rng, 3, 5)), Sample(x(rng, 3, 4), 0, _idx(rng, 2, 4), x(rng, 2, 4)),
                        Sample(x(rng, 3, 4), 0, _idx(rng, 2, 3), x(rng, 2, 3))]),
    OpInfo("index_select", dg.index_select, torch.index_select,
           lambda rng: [Sample(x(rng, 4, 3), 0, np.array([0, 2, 2])), Sample(x(rng, 4, 3), 1, np.array([2, 0]))]),
    OpInfo("masked_fill", dg.masked_fill, torch.masked_fill,
           lambda rng: [Sample(x(rng, 3, 4), x(rng, 3, 4) > 0, -1.5), Sample(x(rng, 3, 4), x(rng, 4) > 0, 0.0),
                        Sample(x(rng, 2, 3), x(rng, 2, 1) > 0, float("-inf"), grad=())]),
    OpInfo("diagonal", dg.diagonal, torch.diagonal, _diagonal_samples),
    OpInfo("diagonal[empty]", dg.diagonal, torch.diagonal,
           lambda rng: [Sample(x(rng, 3, 4), 4), Sample(x(rng, 3, 4), -3), Sample(x(rng, 0, 4))], gradcheck=False,
           note="a diagonal that misses the matrix is empty (no error), its gradient all zeros"),
    OpInfo("diagonal[method]", lambda t, *a, **k: t.diagonal(*a, **k), lambda t, *a, **k: t.diagonal(*a, **k),
           lambda rng: [Sample(x(rng, 2, 3, 4), -1, 0, 2)]),
    OpInfo("diag", dg.diag, torch.diag,
           lambda rng: [Sample(x(rng, 3)), Sample(x(rng, 3), 1), Sample(x(rng, 3), -2), Sample(x(rng, 3, 4)),
                        Sample(x(rng, 3, 4), 2), Sample(x(rng, 4, 3), -1), Sample(x(rng, 3, 4), diagonal=-1)]),
    OpInfo("diag_embed", dg.diag_embed, torch.diag_embed, _diag_embed_samples),
    OpInfo("tril", dg.tril, torch.tril, lambda rng: [Sample(x(rng, 4, 4)), Sample(x(rng, 2, 3, 4), 1), Sample(x(rng, 3, 5), -1)]),
    OpInfo("triu", dg.triu, torch.triu, lambda rng: [Sample(x(rng, 4, 4)), Sample(x(rng, 2, 3, 4), -1), Sample(x(rng, 3, 5), 2)]),
    OpInfo("sort", dg.sort, torch.sort,
           lambda rng: [Sample(_sorted_values(rng, 3, 4)), Sample(_sorted_values(rng, 3, 4), 0, True),
                        Sample(np.array([2.0, 1.0, 2.0, 1.0]), stable=True, grad=()),
                        Sample(np.array([2.0, 1.0, 2.0, 1.0]), descending=True, stable=True, grad=())],
           gradcheck=True),
    OpInfo("argsort", dg.argsort, torch.argsort,
           lambda rng: [Sample(_sorted_values(rng, 3, 4)), Sample(np.array([3.0, 1.0, 3.0, 1.0]), descending=True, stable=True)], grad=False),
    OpInfo("topk", dg.topk, torch.topk,
           lambda rng: [Sample(_sorted_values(rng, 3, 5), 2), Sample(_sorted_values(rng, 3, 5), 2, 0), Sample(_sorted_values(rng, 3, 5), 3, largest=False)]),
    OpInfo("one_hot", F.one_hot, TF.one_hot, lambda rng: [Sample(np.array([0, 2, 1, 2])), Sample(np.array([[0, 1], [3, 2]]), 5)], grad=False),
    OpInfo("pad", F.pad, TF.pad,
           lambda rng: [Sample(x(rng, 2, 3, 4), (1, 2)), Sample(x(rng, 2, 3, 4), (1, 0, 2, 1), value=1.5),
                        Sample(x(rng, 1, 2, 4, 5), (2, 1, 1, 3), mode="reflect"), Sample(x(rng, 1, 2, 4, 5), (2, 1, 1, 3), mode="replicate"),
                        Sample(x(rng, 1, 2, 5), (2, 3), mode="circular"), Sample(x(rng, 2, 5), (-1, 2))]),
    OpInfo("pad[all modes, ranks, cropping]", F.pad, TF.pad, lambda rng: [
        Sample(x(rng, 3, 5), (2, 1), mode=m) for m in ("reflect", "replicate", "circular")] + [
        Sample(x(rng, 2, 3, 5), (1, 3), mode=m) for m in ("reflect", "replicate", "circular")] + [
        Sample(x(rng, 3, 4, 5), (1, 2, 3, 0), mode=m) for m in ("reflect", "replicate", "circular")] + [
        Sample(x(rng, 2, 3, 3, 4, 5), (1, 2, 2, 0, 1, 1), mode=m) for m in ("reflect", "replicate", "circular")] + [
        Sample(x(rng, 2, 3, 4, 5), (1, 1, 2, 0, 1, 1), mode=m) for m in ("reflect", "replicate", "circular")] + [
        Sample(x(rng, 2, 3, 5), (5, 2), mode="circular"),                        # wraps exactly once
        Sample(x(rng, 2, 3, 5), (-1, 2), mode="reflect"), Sample(x(rng, 2, 3, 5), (2, -2), mode="replicate"),
        Sample(x(rng, 2, 3, 5), (-1, 2), mode="circular"),
        Sample(x(rng, 2, 3, 4, 5), (-1, -2, 1, -1, 0, 2), value=0.5),          # cropping in 3 dims
        Sample(x(rng, 2, 3, 5), (-3, -2)),                                     # cropped to nothing
        Sample(rng.integers(-5, 5, (2, 3, 4)), (1, 2, 0, 1), value=3),
        Sample(rng.integers(-5, 5, (1, 2, 4)), (1, 2), mode="reflect")]),
    OpInfo("pixel_shuffle", F.pixel_shuffle, TF.pixel_shuffle, lambda rng: [
        Sample(x(rng, 2, 8, 3, 2), 2), Sample(x(rng, 9, 2, 3), 3), Sample(x(rng, 2, 1, 4, 2, 3), 2),
        Sample(x(rng, 1, 3, 2, 2), 1), Sample(rng.integers(0, 9, (1, 4, 2, 2)), 2)]),
    OpInfo("pixel_unshuffle", F.pixel_unshuffle, TF.pixel_unshuffle, lambda rng: [
        Sample(x(rng, 2, 2, 4, 6), 2), Sample(x(rng, 1, 6, 9), 3), Sample(x(rng, 2, 1, 2, 4, 2), 2),
        Sample(rng.integers(0, 9, (1, 1, 4, 4)), 2)]),
    OpInfo("channel_shuffle", F.channel_shuffle, TF.channel_shuffle, lambda rng: [
        Sample(x(rng, 2, 6, 3), 2), Sample(x(rng, 2, 6, 2, 3), 3), Sample(x(rng, 1, 4, 2, 1, 2), 4),
        Sample(x(rng, 2, 5, 3), 1), Sample(rng.integers(0, 9, (2, 6, 1)), 3)]),
]
