"""einsum, diagonals, traces, norms and distances: PyTorch's errors, Tensor methods, and cases the registry cannot express.

Values and gradients are checked against PyTorch in the op registry (tests/opinfo/core_linalg.py and
core_shape.py); here each bad call must raise the same exception type as PyTorch 2.13, with a message
that names the problem.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass as dg
import deepglass.nn.functional as F
from deepglass.ops import distance as D


def _pair(*shapes, dtype="float32", fill=1.0):
    return ([dg.full(s, fill, dtype=dtype) for s in shapes],
            [torch.full(s, fill, dtype=getattr(torch, dtype)) for s in shapes])


def _raises_like_torch(dg_call, torch_call, match=None):
    with pytest.raises(Exception) as th:
        torch_call()
    with pytest.raises(type(th.value), match=match):
        dg_call()


EINSUM_ERRORS = [
    # equation, operand shapes, a fragment of the message
    ("ij,jk", [(3, 4)], "fewer operands"),
    ("ij", [(3, 4), (4, 5)], "more operands"),
    ("ijk", [(3, 4)], r"subscripts in the equation \(3\) does not match the number of dimensions \(2\)"),
    ("ijk...", [(3, 4)], r"\(3\) is more than the number of dimensions \(2\)"),
    ("ij->k", [(3, 4)], "output subscript k does not appear"),
    ("ij->ii", [(3, 4)], "output subscript i appears more than once"),
    ("i1", [(3, 4)], "invalid subscript given at index 1"),
    ("ij-", [(3, 4)], "invalid subscript given at index 2"),
    ("ij->i->j", [(3, 4)], "invalid subscript given at index 5"),
    ("ij->i,j", [(3, 4)], "invalid subscript given at index 5"),
    ("i.j", [(3, 4)], "not part of any ellipsis"),
    ("......", [(3, 4)], "ellipsis was already found"),
    ("ij->..", [(3, 4)], "not part of any ellipsis"),
    ("i,i->i", [(2,), (3,)], "subscript i has size 3 for operand 1 which does not broadcast with previously seen size 2"),
    ("ii->i", [(2, 3)], "subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    ("...i,...i", [(1, 2, 4), (3, 4)], "dimension 0 covered by ellipsis in operand 1 has size 3"),
    ("i...,i...->...", [(4, 1, 3), (4, 2)], "dimension 1 covered by ellipsis in operand 1 has size 2"),
]


@pytest.mark.parametrize("equation,shapes,match", EINSUM_ERRORS, ids=[e[0] for e in EINSUM_ERRORS])
def test_einsum_bad_equations_raise_like_torch(equation, shapes, match):
    d, t = _pair(*shapes)
    _raises_like_torch(lambda: dg.einsum(equation, *d), lambda: torch.einsum(equation, *t), match)


def test_einsum_bad_arguments_raise_like_torch():
    d, t = _pair((2, 3), (3, 2))
    _raises_like_torch(lambda: dg.einsum("ij"), lambda: torch.einsum("ij"), "must specify the equation")
    _raises_like_torch(lambda: dg.einsum(5, d[0]), lambda: torch.einsum(5, t[0]), "must be str")
    _raises_like_torch(lambda: dg.einsum("i,i", d[0][0], 3), lambda: torch.einsum("i,i", t[0][0], 3),
                       "expected Tensor as element 1")
    _raises_like_torch(lambda: dg.einsum(d[0], [60]), lambda: torch.einsum(t[0], [60]), r"valid range \[0, 52\)")
    # no promotion between operands (PyTorch neither)
    _raises_like_torch(lambda: dg.einsum("ij,jk", d[0], d[1].double()), lambda: torch.einsum("ij,jk", t[0], t[1].double()),
                       "dtype")


def test_einsum_integer_operands_keep_their_dtype():
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    out = dg.einsum("ij,kj->ik", dg.tensor(a), dg.tensor(a))
    ref = torch.einsum("ij,kj->ik", torch.tensor(a), torch.tensor(a))
    assert str(out.dtype) == "int32" and ref.dtype == torch.int32
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


@pytest.mark.parametrize("equation", ["ij->ji", "ii->i", "ij->ij", "ij"])
def test_einsum_output_owns_its_memory(equation):
    a = np.arange(9.0, dtype=np.float32).reshape(3, 3)
    x = dg.tensor(a)
    y = dg.einsum(equation, x)
    y += 100
    np.testing.assert_array_equal(x.numpy(), a)


def test_einsum_gradient_of_a_repeated_operand_accumulates():
    a = np.random.default_rng(0).standard_normal((3, 3))
    xd, xt = dg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    dg.einsum("ij,jk,ki->", xd, xd, xd).backward()
    torch.einsum("ij,jk,ki->", xt, xt, xt).backward()
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


# ------------------------------------------------------------ diagonals, trace


@pytest.mark.parametrize("dg_call,torch_call,match", [
    (lambda: dg.diagonal(dg.ones(3, 3), 0, 1, 1), lambda: torch.diagonal(torch.ones(3, 3), 0, 1, 1), "cannot be identical 1, 1"),
    (lambda: dg.diagonal(dg.ones(3, 3), 0, -1, 1), lambda: torch.diagonal(torch.ones(3, 3), 0, -1, 1), "cannot be identical -1, 1"),
    (lambda: dg.diagonal(dg.ones(3)), lambda: torch.diagonal(torch.ones(3)), "out of range"),
    (lambda: dg.diagonal(dg.ones(3, 3), 0, 0, 2), lambda: torch.diagonal(torch.ones(3, 3), 0, 0, 2), "out of range"),
    (lambda: dg.diag(dg.tensor(1.0)), lambda: torch.diag(torch.tensor(1.0)), "Supports 1D or 2D tensors. Got 0D"),
    (lambda: dg.diag(dg.ones(2, 2, 2)), lambda: torch.diag(torch.ones(2, 2, 2)), "Got 3D"),
    (lambda: dg.diag_embed(dg.tensor(1.0)), lambda: torch.diag_embed(torch.tensor(1.0)), "out of range"),
    (lambda: dg.diag_embed(dg.ones(3), 0, 0, 0), lambda: torch.diag_embed(torch.ones(3), 0, 0, 0), "cannot be identical"),
    (lambda: dg.diag_embed(dg.ones(3), 0, 0, 2), lambda: torch.diag_embed(torch.ones(3), 0, 0, 2), "out of range"),
    (lambda: dg.trace(dg.ones(3)), lambda: torch.trace(torch.ones(3)), "expected a matrix, but got tensor with dim 1"),
    (lambda: dg.trace(dg.ones(2, 2, 2)), lambda: torch.trace(torch.ones(2, 2, 2)), "dim 3"),
    (lambda: dg.trace(dg.ones(2, 2, dtype="bool")), lambda: torch.trace(torch.ones(2, 2, dtype=torch.bool)), "Bool"),
])
def test_diagonal_family_errors_match_torch(dg_call, torch_call, match):
    _raises_like_torch(dg_call, torch_call, match)


def test_diagonal_family_as_tensor_methods():
    a = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    x, t = dg.tensor(a), torch.tensor(a)
    np.testing.assert_allclose(x.diagonal(1).numpy(), t.diagonal(1).numpy())
    np.testing.assert_allclose(x.diagonal(offset=-1, dim1=1, dim2=0).numpy(), t.diagonal(offset=-1, dim1=1, dim2=0).numpy())
    np.testing.assert_allclose(x.diag(-1).numpy(), t.diag(-1).numpy())
    np.testing.assert_allclose(x.diag_embed(1).numpy(), t.diag_embed(1).numpy())
    np.testing.assert_allclose(x.trace().item(), t.trace().item(), rtol=1e-6)
    assert dg.diag_embed(x, 1, 0, 2).diagonal(1, 0, 2).tolist() == x.tolist()  # diagonal undoes diag_embed


def test_diagonal_is_a_copy_not_a_view():
    x = dg.zeros(3, 3)
    d = x.diagonal()
    d += 1
    assert x.sum().item() == 0  # a documented deviation: PyTorch's diagonal is a view


# -------------------------------------------------------------------- norms

A3 = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4) - 10


@pytest.mark.parametrize("call,match", [
    (lambda la, A: la.norm(A, 2), "If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
    (lambda la, A: la.norm(A, "fro"), "must be 1D or 2D"),
    (lambda la, A: la.norm(A[0, 0], "fro"), "must have at least 2 dimensions"),
    (lambda la, A: la.norm(A[0], 3), "Order 3 not supported"),
    (lambda la, A: la.norm(A[0], 0), "Order 0 not supported"),
    (lambda la, A: la.norm(A, "fro", 1), "dim must be a 2-tuple. Got 1"),
    (lambda la, A: la.norm(A, 3, (0, 1, 2)), r"it must be of length 1 or 2. Got \[0, 1, 2\]"),
    (lambda la, A: la.norm(A, None, ()), "of length 1 or 2"),
    (lambda la, A: la.norm(A, 2, 5), "out of range"),
    (lambda la, A: la.norm(A, 2, (0, 0)), r"dims must be different. Got \(0, 0\)"),
    (lambda la, A: la.norm(A, None, (0, 0)), "dim 0 appears multiple times"),
    (lambda la, A: la.norm(A.long()), "Expected a floating point or complex tensor as input. Got Long"),
    (lambda la, A: la.norm(A, dtype=_dt(la, "int64")), "dtype should be floating point"),
    (lambda la, A: la.norm(A.double(), dtype=_dt(la, "float32")), "without narrowing"),
    (lambda la, A: la.vector_norm(A[:, :0], math.inf, 1) if la is torch.linalg else la.norm(A[:, :0], math.inf, 1),
     "cannot compute the inf norm on an empty tensor"),
    (lambda la, A: la.matrix_norm(A, 3), "Order 3 not supported"),
    (lambda la, A: la.matrix_norm(A, "abc"), "Order abc not supported"),
    (lambda la, A: la.matrix_norm(A[0, 0]), "at least 2 dimensions"),
    (lambda la, A: la.matrix_norm(A, "fro", (1, 1)), r"dims must be different. Got \(1, 1\)"),
    (lambda la, A: la.matrix_norm(A, "fro", (1, -2)), r"Got \(1, 1\)"),
    (lambda la, A: la.matrix_norm(A, "fro", (1,)), "dim must be a 2-tuple"),
    (lambda la, A: la.matrix_norm(A.long()), "Got Long"),
])
def test_norm_errors_match_torch(call, match):
    _raises_like_torch(lambda: call(dg.linalg, dg.tensor(A3)), lambda: call(torch.linalg, torch.tensor(A3)), match)


def _dt(la, name):
    return getattr(torch, name) if la is torch.linalg else name


@pytest.mark.parametrize("ord", ["nuc", 2, -2, 2.0])
@pytest.mark.parametrize("dim, keepdim", [((-2, -1), False), ((0, 2), True), ((2, 0), False)])
def test_singular_value_norms_match_torch(ord, dim, keepdim):
    a = np.random.default_rng(0).standard_normal((2, 3, 4))    # full rank: distinct singular values, none zero
    t, d = torch.tensor(a, requires_grad=True), dg.tensor(a, requires_grad=True)
    want = torch.linalg.matrix_norm(t, ord, dim, keepdim)
    got = dg.linalg.matrix_norm(d, ord, dim, keepdim)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6)
    want.sum().backward()
    got.sum().backward()
    np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dg.linalg.norm(dg.tensor(a[0]), ord).numpy(),
                               torch.linalg.norm(torch.tensor(a[0]), ord).numpy(), rtol=1e-6)


def test_nuclear_norm_of_torch_norm():
    want = torch.norm(torch.tensor(A3), "nuc", dim=(1, 2))
    np.testing.assert_allclose(dg.norm(dg.tensor(A3), "nuc", dim=(1, 2)).numpy(), want.numpy(), rtol=1e-6)


def test_norm_dtype_argument_computes_in_that_dtype():
    out = dg.linalg.norm(dg.tensor(A3), dtype="float64")
    assert str(out.dtype) == "float64"
    np.testing.assert_allclose(out.item(), torch.linalg.norm(torch.tensor(A3), dtype=torch.float64).item())


# ---------------------------------------------------------------- distances


@pytest.mark.parametrize("dg_call,torch_call,match", [
    (lambda: dg.cdist(dg.ones(3), dg.ones(3)), lambda: torch.cdist(torch.ones(3), torch.ones(3)),
     "at least 2D tensors, X1 got: 1D"),
    (lambda: dg.cdist(dg.ones(2, 3), dg.ones(3)), lambda: torch.cdist(torch.ones(2, 3), torch.ones(3)), "X2 got: 1D"),
    (lambda: dg.cdist(dg.ones(2, 3), dg.ones(2, 4)), lambda: torch.cdist(torch.ones(2, 3), torch.ones(2, 4)),
     "same number of columns. X1: 3 X2: 4"),
    (lambda: dg.cdist(dg.ones(2, 3), dg.ones(2, 3), p=-1), lambda: torch.cdist(torch.ones(2, 3), torch.ones(2, 3), p=-1),
     "non-negative p"),
    (lambda: dg.cdist(dg.ones(2, 3, dtype="int64"), dg.ones(2, 3, dtype="int64")),
     lambda: torch.cdist(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 3, dtype=torch.long)), "X1 got: Long"),
    (lambda: dg.cdist(dg.ones(2, 3), dg.ones(2, 3, dtype="float64")),
     lambda: torch.cdist(torch.ones(2, 3), torch.ones(2, 3, dtype=torch.float64)), "Double"),
    (lambda: dg.cdist(dg.ones(2, 2, 3), dg.ones(3, 4, 3)), lambda: torch.cdist(torch.ones(2, 2, 3), torch.ones(3, 4, 3)),
     r"size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"),
    (lambda: dg.cdist(dg.ones(2, 3), dg.ones(2, 3), compute_mode="bad"),
     lambda: torch.cdist(torch.ones(2, 3), torch.ones(2, 3), compute_mode="bad"), "not a valid value for compute_mode"),
    (lambda: F.cosine_similarity(dg.ones(3, 4), dg.ones(2, 4)), lambda: TF.cosine_similarity(torch.ones(3, 4), torch.ones(2, 4)),
     "must match the size"),
    (lambda: F.cosine_similarity(dg.ones(4), dg.ones(4)), lambda: TF.cosine_similarity(torch.ones(4), torch.ones(4)),
     "out of range"),
    (lambda: F.cosine_similarity(dg.ones(3, dtype="int64"), dg.ones(3, dtype="int64"), 0),
     lambda: TF.cosine_similarity(torch.ones(3, dtype=torch.long), torch.ones(3, dtype=torch.long), 0),
     "common dtype is Long"),
    (lambda: F.normalize(dg.ones(2, 3, dtype="int64")), lambda: TF.normalize(torch.ones(2, 3, dtype=torch.long)), "Got Long"),
    (lambda: F.normalize(dg.ones(3)), lambda: TF.normalize(torch.ones(3)), "out of range"),
])
def test_distance_errors_match_torch(dg_call, torch_call, match):
    _raises_like_torch(dg_call, torch_call, match)


def test_cosine_similarity_promotes_like_torch():
    a = np.arange(1.0, 7.0).reshape(2, 3)
    out = F.cosine_similarity(dg.tensor(a.astype(np.float32)), dg.tensor(a))
    assert str(out.dtype) == "float64"
    out = F.cosine_similarity(dg.tensor(a.astype(np.int64)), dg.tensor(a.astype(np.float32)))
    ref = TF.cosine_similarity(torch.tensor(a.astype(np.int64)), torch.tensor(a.astype(np.float32)))
    assert str(out.dtype) == "float32" and ref.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)


def test_pairwise_distance_of_integers_is_float32_like_torch():
    out = F.pairwise_distance(dg.ones(2, 3, dtype="int64"), dg.zeros(3, dtype="int64"))
    ref = TF.pairwise_distance(torch.ones(2, 3, dtype=torch.long), torch.zeros(3, dtype=torch.long))
    assert str(out.dtype) == "float32" and ref.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)


def test_cdist_in_blocks_matches_one_block(monkeypatch):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 7, 3)), rng.standard_normal((2, 5, 3))
    results = []
    for chunk in (1 << 22, 2 * 5 * 3):  # everything at once, then one row of x1 at a time
        monkeypatch.setattr(D, "_CDIST_CHUNK", chunk)
        for p in (2.0, 1.0, float("inf")):
            xa, xb = dg.tensor(a, requires_grad=True), dg.tensor(b, requires_grad=True)
            (dg.cdist(xa, xb, p) * dg.tensor(np.arange(70.0).reshape(2, 7, 5))).sum().backward()
            results.append((dg.cdist(xa, xb, p).detach().numpy(), xa.grad.numpy(), xb.grad.numpy()))
    for one, blocks in zip(results[:3], results[3:]):
        for u, v in zip(one, blocks):
            np.testing.assert_allclose(u, v, rtol=1e-12)


def test_cdist_is_exact_for_many_rows():
    # PyTorch's default switches to the matmul formula above 25 rows; deepglass stays exact
    rng = np.random.default_rng(4)
    a = rng.standard_normal((40, 8)).astype(np.float32)
    out = dg.cdist(dg.tensor(a), dg.tensor(a)).numpy()
    assert np.all(np.diag(out) == 0)
    ref = torch.cdist(torch.tensor(a, dtype=torch.float64), torch.tensor(a, dtype=torch.float64),
                      compute_mode="donot_use_mm_for_euclid_dist").numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
