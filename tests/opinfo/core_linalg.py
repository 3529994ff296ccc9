"""Registry entries for deepglass.ops.linalg."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF

import deepglass as dg
import deepglass.nn.functional as F

from . import OpInfo, Sample


def _matmul_samples(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(3, 4), x(4, 5)), Sample(x(2, 3, 4), x(4, 2)), Sample(x(2, 1, 3, 4), x(3, 4, 2)),
            Sample(x(4), x(4, 3)), Sample(x(3, 4), x(4)), Sample(x(4), x(4)), Sample(x(2, 3, 4), x(4)),
            Sample(x(5, 3).T, x(5, 2)), Sample(x(0, 4), x(4, 2))]


ENTRIES = [
    OpInfo("matmul", dg.matmul, torch.matmul, _matmul_samples, rtol=1e-5, atol=1e-5),
    OpInfo("mm", dg.mm, torch.mm, lambda rng: [Sample(rng.standard_normal((3, 4)), rng.standard_normal((4, 2)))]),
    OpInfo("bmm", dg.bmm, torch.bmm, lambda rng: [Sample(rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 2)))]),
    OpInfo("dot", dg.dot, torch.dot, lambda rng: [Sample(rng.standard_normal(5), rng.standard_normal(5))]),
    OpInfo("outer", dg.outer, torch.outer, lambda rng: [Sample(rng.standard_normal(3), rng.standard_normal(4))]),
    OpInfo("linear", F.linear, TF.linear,
           lambda rng: [Sample(rng.standard_normal((5, 4)), rng.standard_normal((3, 4)), rng.standard_normal(3)),
                        Sample(rng.standard_normal((2, 5, 4)), rng.standard_normal((3, 4))),
                        Sample(rng.standard_normal((4,)), rng.standard_normal((3, 4)), rng.standard_normal(3))],
           atol=1e-5),
]


def _x(rng, *s):
    return rng.standard_normal(s)


def _einsum_samples(rng):
    x = lambda *s: _x(rng, *s)  # noqa: E731
    return [
        Sample("ij,jk->ik", x(3, 4), x(4, 5)),                 # matmul
        Sample("ij,jk", x(3, 4), x(4, 5)),                     # implicit output
        Sample("bij,bjk->bik", x(2, 3, 4), x(2, 4, 5)),        # batch matmul
        Sample("...ij,...jk->...ik", x(2, 3, 4), x(2, 4, 2)),  # batch matmul with ...
        Sample("...ij,...jk", x(2, 1, 3, 4), x(5, 4, 2)),      # ... broadcasts (size-1 and missing dims)
        Sample("...i,...i->...", x(2, 1, 4), x(3, 4)),
        Sample("i,j->ij", x(3), x(4)),                         # outer
        Sample("ii", x(3, 3)),                                 # trace
        Sample("ii->i", x(3, 3)),                              # diagonal
        Sample("iij->j", x(3, 3, 2)),
        Sample("i...i", x(3, 2, 3)),
        Sample("ij->", x(3, 4)),                               # sum
        Sample("ij->j", x(3, 4)),                              # column sums: grad broadcast along i
        Sample("ij->ji", x(3, 4)),                             # transpose
        Sample("ji", x(3, 4)),                                 # implicit: alphabetical, so a transpose
        Sample("ij,jk,kl->il", x(2, 3), x(3, 4), x(4, 5)),     # three operands
        Sample("ij,ij->ij", x(1, 4), x(3, 1)),                 # size-1 dims broadcast
        Sample("i,i->i", x(1), x(3)),
        Sample("Ab,bA", x(3, 2), x(2, 3)),                     # capitals
        Sample("i j , j k -> k i", x(3, 4), x(4, 5)),          # spaces
        Sample("->", x()),
        Sample("ij", x(4, 3).T),                               # non-contiguous
        Sample(x(3, 4), [0, 1], x(4, 5), [1, 2], [0, 2]),      # sublist form
        Sample(x(2, 3, 4), [Ellipsis, 1], x(4, 5), [1, 2]),
    ]


def _cdist_samples(rng):
    x = lambda *s: _x(rng, *s)  # noqa: E731
    a, b = x(4, 3), x(5, 3)
    b_with_a_row = np.concatenate([b, a[1:2]])                 # a zero distance
    return [
        *(Sample(a, b, p) for p in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, float("inf"))),
        *(Sample(a, b_with_a_row, p) for p in (1.0, 2.0, 3.0, float("inf"))),
        Sample(x(2, 4, 3), x(2, 5, 3)),                        # batched
        Sample(x(2, 1, 4, 3), x(3, 5, 3), 1.0),                # broadcast batch dims
        Sample(x(3, 4), x(2, 4), p=2.5),
        Sample(x(3, 4), x(2, 4), compute_mode="donot_use_mm_for_euclid_dist"),
        Sample(x(3, 0), x(2, 0)),
    ]


def _vector_orders():
    return (2, 1, 3, 0.5, -1, -2.5, 0, float("inf"), float("-inf"))


def _norm_samples(rng):
    x = lambda *s: _x(rng, *s)  # noqa: E731
    return [
        Sample(x(3, 4)),                                       # Frobenius over everything
        Sample(x(2, 3, 4)),
        *(Sample(x(5), p) for p in _vector_orders()),          # 1-D: vector norms
        *(Sample(x(3, 4), p, 1) for p in _vector_orders()),
        Sample(x(3, 4), 3, (0,), True),
        Sample(x(2, 3, 4), None, (0, 2)),                      # ord None over two dims: Frobenius
        Sample(x(2, 3, 4), 2, -1, keepdim=True),
        *(Sample(x(3, 4), p) for p in ("fro", 1, -1, float("inf"), float("-inf"))),  # 2-D: matrix norms
        *(Sample(x(2, 3, 4), p, (2, 0)) for p in ("fro", 1, -1, float("inf"), float("-inf"))),
        Sample(x(2, 3, 4), 1, (0, 1), True),
        Sample(x(2, 3, 4), float("inf"), (-1, -2), True),
        Sample(x(3, 4), dtype=torch.float64),
    ]


def _matrix_norm_samples(rng):
    x = lambda *s: _x(rng, *s)  # noqa: E731
    out = []
    for p in ("fro", 1, -1, float("inf"), float("-inf")):
        out += [Sample(x(3, 4), p), Sample(x(2, 3, 4), p, keepdim=True), Sample(x(2, 3, 4), p, (0, 2)),
                Sample(x(2, 3, 4), p, (2, 0), True), Sample(x(2, 3, 4), p, (-1, 0))]
    for p in ("nuc", 2, -2):       # from the singular values
        out += [Sample(x(3, 4), p), Sample(x(2, 3, 4), p, (0, 2), True)]
    return out + [Sample(x(3, 4)), Sample(x(0, 3), 1), Sample(x(3, 0), float("inf")),
                  Sample(x(3, 4), 1, dtype=torch.float64), Sample(x(0, 3), "nuc")]


def _dg_dtype(fn):
    """The deepglass side of an entry whose samples pass ``dtype=torch.float64``."""
    def call(*args, dtype=None, **kwargs):
        return fn(*args, dtype=None if dtype is None else str(dtype).replace("torch.", ""), **kwargs)

    return call


def _with_zero_vector(rng, *s):
    a = _x(rng, *s)
    a[1] = 0
    return a


ENTRIES += [
    OpInfo("einsum", dg.einsum, torch.einsum, _einsum_samples, atol=1e-5),
    OpInfo("einsum[operand list]", lambda eq, *ops: dg.einsum(eq, list(ops)), lambda eq, *ops: torch.einsum(eq, list(ops)),
           lambda rng: [Sample("ij,jk->ik", _x(rng, 3, 4), _x(rng, 4, 5)), Sample("bi,bi->b", _x(rng, 2, 3), _x(rng, 2, 3))],
           atol=1e-5),
    OpInfo("trace", dg.trace, torch.trace,
           lambda rng: [Sample(_x(rng, 3, 3)), Sample(_x(rng, 3, 5)), Sample(_x(rng, 4, 2)), Sample(_x(rng, 4, 3).T)]),
    OpInfo("trace[int]", dg.trace, torch.trace, lambda rng: [Sample(np.arange(12, dtype=np.int32).reshape(3, 4))],
           grad=False, note="integers sum as int64"),
    OpInfo("cdist", dg.cdist, torch.cdist, _cdist_samples, atol=1e-5, rtol=1e-4,
           note="p = 0 counts; inf gives every tied maximum the gradient; zero distance: gradient 0"),
    OpInfo("cosine_similarity", F.cosine_similarity, TF.cosine_similarity,
           lambda rng: [Sample(_x(rng, 3, 4), _x(rng, 3, 4)), Sample(_x(rng, 3, 4), _x(rng, 3, 4), 0),
                        Sample(_x(rng, 2, 3, 4), _x(rng, 3, 4), -1),        # broadcasting
                        Sample(_x(rng, 3, 1, 4), _x(rng, 1, 5, 4), dim=2, eps=1e-3),
                        Sample(_x(rng, 5), _x(rng, 5), 0), Sample(_x(rng), _x(rng), 0)]),
    OpInfo("cosine_similarity[zero vector]", F.cosine_similarity, TF.cosine_similarity,
           lambda rng: [Sample(_with_zero_vector(rng, 3, 4), _x(rng, 3, 4), -1),
                        Sample(_x(rng, 3, 4) * 1e-9, _x(rng, 3, 4), 1)], gradcheck=False, rtol=1e-4,
           note="a norm under eps is clamped to eps with the gradient of the unclamped norm (finite differences "
                "cross the clamp)"),
    OpInfo("pairwise_distance", F.pairwise_distance, TF.pairwise_distance,
           lambda rng: [*(Sample(_x(rng, 3, 4), _x(rng, 3, 4), p) for p in (2.0, 1.0, 3.0, float("inf"), 0.0, -1.0)),
                        Sample(_x(rng, 3, 4), _x(rng, 4), keepdim=True),      # broadcasting
                        Sample(_x(rng, 4), _x(rng, 2, 4), eps=0.0), Sample(_x(rng, 5), _x(rng, 5)),
                        Sample(_x(rng, 2, 3, 4), _x(rng, 2, 3, 4), 1.5), Sample(_x(rng), _x(rng))]),
    OpInfo("normalize", F.normalize, TF.normalize,
           lambda rng: [Sample(_x(rng, 3, 4)), Sample(_x(rng, 3, 4), 1.0, 0), Sample(_x(rng, 3, 4), float("inf"), -1),
                        Sample(_x(rng, 2, 3, 4), 3.0, (1, 2)), Sample(_x(rng, 5), dim=0),
                        Sample(_x(rng, 2, 3), 2.0, 1, 0.5)]),
    OpInfo("normalize[zero vector]", F.normalize, TF.normalize,
           lambda rng: [Sample(_with_zero_vector(rng, 3, 4), dim=-1)], gradcheck=False,
           note="a zero vector stays zero; its gradient is g / eps (finite differences cross the clamp)"),
    OpInfo("linalg.norm", _dg_dtype(dg.linalg.norm), torch.linalg.norm, _norm_samples, atol=1e-5, rtol=1e-5),
    OpInfo("linalg.matrix_norm", _dg_dtype(dg.linalg.matrix_norm), torch.linalg.matrix_norm, _matrix_norm_samples, atol=1e-5),
    OpInfo("linalg.diagonal", dg.linalg.diagonal, torch.linalg.diagonal,
           lambda rng: [Sample(_x(rng, 2, 3, 4)), Sample(_x(rng, 2, 3, 4), offset=1, dim1=0, dim2=2)]),
    OpInfo("bilinear", F.bilinear, TF.bilinear, lambda rng: [
        Sample(rng.standard_normal((4, 2)), rng.standard_normal((4, 3)), rng.standard_normal((5, 2, 3)),
               rng.standard_normal(5)),
        Sample(rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 2, 4))),
        Sample(rng.standard_normal(3), rng.standard_normal(2), rng.standard_normal((4, 3, 2)), rng.standard_normal(4)),
        Sample(rng.standard_normal((0, 3)), rng.standard_normal((0, 2)), rng.standard_normal((4, 3, 2)), grad=(2,)),
        Sample(rng.integers(-3, 3, (2, 3)), rng.integers(-3, 3, (2, 2)), rng.integers(-3, 3, (4, 3, 2)))],
        rtol=1e-5, atol=1e-5),
]
