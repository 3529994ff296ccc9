"""Registry entries for deepglass.ops.strided: as_strided views, their copy/scatter forms, strided allocations."""
from __future__ import annotations

import torch

import deepglass as dg

from . import OpInfo, Sample


def _same_meta_and_strides(d, t):
    assert tuple(d.shape) == tuple(t.shape), f"shape {tuple(d.shape)} != torch {tuple(t.shape)}"
    assert str(d.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    item = d.numpy().dtype.itemsize
    if t.numel() > 1:
        assert tuple(s // item for s in d.numpy().strides) == t.stride(), "strides differ"


def _empty_strided(size, stride):
    return dg.empty_strided(size, stride, dtype=dg.float64)


def _torch_empty_strided(size, stride):
    return torch.empty_strided(size, stride, dtype=torch.float64)


def _empty_permuted(size, layout):
    return dg.empty_permuted(size, layout, dtype=dg.float64)


def _torch_empty_permuted(size, layout):
    return torch.empty_permuted(size, layout, dtype=torch.float64)


def _resize_as(x, other):
    return dg.resize_as_(x.detach().clone(), other)


def _torch_resize_as(x, other):
    return torch.resize_as_(x.detach().clone(), other)


ENTRIES = [
    OpInfo("resize_as_", _resize_as, _torch_resize_as,
           lambda rng: [Sample(rng.standard_normal(12), rng.standard_normal((3, 2))),           # shrink
                        Sample(rng.standard_normal((2, 3)), rng.standard_normal((3, 2))),      # same size
                        Sample(rng.standard_normal((4, 3)), rng.standard_normal(()))],
           grad=False, gradcheck=False, note="not differentiable: PyTorch refuses to resize a tensor that "
                                             "requires grad"),
    OpInfo("as_strided", dg.as_strided, torch.as_strided,
           lambda rng: [Sample(rng.standard_normal(12), (2, 2), (1, 2)),
                        Sample(rng.standard_normal(12), (3, 3), (2, 1), 1),        # overlapping reads
                        Sample(rng.standard_normal((3, 4)), (2, 3), (4, 1), storage_offset=2),
                        Sample(rng.standard_normal(6), (), (), 5)]),
    OpInfo("as_strided_copy", dg.as_strided_copy, torch.as_strided_copy,
           lambda rng: [Sample(rng.standard_normal(12), (3, 3), (2, 1), 1)]),
    OpInfo("as_strided_scatter", dg.as_strided_scatter, torch.as_strided_scatter,
           lambda rng: [Sample(rng.standard_normal((3, 3)), rng.standard_normal((2, 2)), (2, 2), (1, 2)),
                        Sample(rng.standard_normal(8), rng.standard_normal(3), (3,), (2,), 1)],
           grad=False, note="PyTorch's gradient wrt input is wrong (its OpInfo expects test_fn_grad to fail); "
                            "gradcheck checks ours"),
    OpInfo("empty_strided", _empty_strided, _torch_empty_strided,
           lambda rng: [Sample((2, 3), (1, 2)), Sample((2, 3, 4), (12, 1, 3)), Sample((0, 2), (2, 1))],
           grad=False, gradcheck=False, compare=_same_meta_and_strides, note="values are unspecified"),
    OpInfo("empty_permuted", _empty_permuted, _torch_empty_permuted,
           lambda rng: [Sample((2, 3, 4, 5), (0, 2, 3, 1)), Sample((2, 3), (1, 0))],
           grad=False, gradcheck=False, compare=_same_meta_and_strides, note="values are unspecified"),
]
