"""Sparse COO tensors against torch: construction, to_dense/to_sparse, coalesce, sparse.mm / spmm values and
gradients (dense operand and values), a GCN-style layer, and the clear errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg

RNG = np.random.default_rng(5)


def _coo(n, m, nnz, duplicates=False):
    rows = RNG.integers(0, n, nnz)
    cols = RNG.integers(0, m, nnz)
    if duplicates:
        rows[-2:], cols[-2:] = rows[0], cols[0]
    return np.stack([rows, cols]).astype(np.int64), RNG.standard_normal(nnz)


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("duplicates", [False, True])
def test_to_dense_and_coalesce_match_torch(duplicates):
    idx, val = _coo(4, 5, 9, duplicates)
    st = torch.sparse_coo_tensor(torch.from_numpy(idx), torch.from_numpy(val), (4, 5))
    sd = dg.sparse_coo_tensor(dg.tensor(idx), dg.tensor(val), (4, 5))
    assert sd.is_sparse and st.is_sparse
    assert tuple(sd.shape) == tuple(st.shape) and sd._nnz() == st._nnz()
    assert (sd.sparse_dim(), sd.dense_dim()) == (st.sparse_dim(), st.dense_dim())
    assert sd.is_coalesced() == st.is_coalesced()
    np.testing.assert_allclose(_np(sd.to_dense()), _np(st.to_dense()))
    ct, cd = st.coalesce(), sd.coalesce()
    assert cd.is_coalesced() and cd._nnz() == ct._nnz()
    np.testing.assert_array_equal(cd.indices().numpy(), ct.indices().numpy())
    np.testing.assert_allclose(_np(cd.values()), _np(ct.values()), rtol=1e-12)
    np.testing.assert_array_equal(sd._indices().numpy(), st._indices().numpy())


def test_inferred_size_and_hybrid_values():
    idx = np.array([[0, 2], [1, 0]])
    st = torch.sparse_coo_tensor(torch.from_numpy(idx), torch.ones(2, 3))
    sd = dg.sparse_coo_tensor(dg.tensor(idx), dg.ones(2, 3))
    assert tuple(sd.shape) == tuple(st.shape) == (3, 2, 3)
    np.testing.assert_allclose(sd.to_dense().numpy(), st.to_dense().numpy())


@pytest.mark.parametrize("sparse_dim", [None, 1])
def test_to_sparse_round_trip_and_gradient(sparse_dim):
    x = RNG.standard_normal((4, 3)) * (RNG.random((4, 3)) < 0.5)
    x[1] = 0.0
    xt = torch.tensor(x, requires_grad=True)
    xd = dg.tensor(x, requires_grad=True)
    args = () if sparse_dim is None else (sparse_dim,)
    st, sd = xt.to_sparse(*args), xd.to_sparse(*args)
    assert sd._nnz() == st._nnz()
    np.testing.assert_array_equal(sd._indices().numpy(), st._indices().numpy())
    np.testing.assert_allclose(_np(sd._values()), _np(st._values()))
    w = RNG.standard_normal(x.shape)
    (st.to_dense() * torch.tensor(w)).sum().backward()
    (sd.to_dense() * dg.tensor(w)).sum().backward()
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy())


def test_dense_to_dense_is_itself():
    x = dg.ones(2, 2)
    assert x.to_dense() is x and not x.is_sparse
    assert torch.ones(2, 2).to_dense().layout == torch.strided


@pytest.mark.parametrize("fn", ["sparse.mm", "spmm", "method"])
@pytest.mark.parametrize("duplicates", [False, True])
def test_sparse_mm_values_and_gradients(fn, duplicates):
    idx, val = _coo(5, 4, 10, duplicates)
    dense = RNG.standard_normal((4, 3))
    vt, dt = torch.tensor(val, requires_grad=True), torch.tensor(dense, requires_grad=True)
    vd, dd = dg.tensor(val, requires_grad=True), dg.tensor(dense, requires_grad=True)
    st = torch.sparse_coo_tensor(torch.from_numpy(idx), vt, (5, 4))
    sd = dg.sparse_coo_tensor(dg.tensor(idx), vd, (5, 4))
    assert sd.requires_grad
    if fn == "sparse.mm":
        yt, yd = torch.sparse.mm(st, dt), dg.sparse.mm(sd, dd)
    elif fn == "spmm":
        yt, yd = torch.spmm(st, dt), dg.spmm(sd, dd)
    else:
        yt, yd = st.mm(dt), sd @ dd
    np.testing.assert_allclose(_np(yd), _np(yt), rtol=1e-12, atol=1e-12)
    w = RNG.standard_normal((5, 3))
    (yt * torch.tensor(w)).sum().backward()
    (yd * dg.tensor(w)).sum().backward()
    np.testing.assert_allclose(dd.grad.numpy(), dt.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(vd.grad.numpy(), vt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_gcn_layer_trains_like_torch():
    # Kipf & Welling: H' = Â H W with a normalised sparse adjacency Â
    n, f, h = 6, 4, 3
    a = (RNG.random((n, n)) < 0.4).astype(np.float64)
    a = np.maximum(a, a.T) + np.eye(n)
    deg = a.sum(1)
    a_hat = a / np.sqrt(deg[:, None] * deg[None, :])
    idx = np.stack(np.nonzero(a_hat)).astype(np.int64)
    vals = a_hat[tuple(idx)]
    x, w0 = RNG.standard_normal((n, f)), RNG.standard_normal((f, h))
    adj_t = torch.sparse_coo_tensor(torch.from_numpy(idx), torch.from_numpy(vals), (n, n))
    adj_d = dg.sparse_coo_tensor(dg.from_numpy(idx), dg.from_numpy(vals), (n, n))
    wt, wd = torch.tensor(w0, requires_grad=True), dg.tensor(w0, requires_grad=True)
    out_t = torch.spmm(adj_t, torch.tensor(x) @ wt).relu().sum()
    out_d = dg.spmm(adj_d, dg.tensor(x) @ wd).relu().sum()
    np.testing.assert_allclose(out_d.item(), out_t.item(), rtol=1e-12)
    out_t.backward()
    out_d.backward()
    np.testing.assert_allclose(wd.grad.numpy(), wt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_transpose_and_float32():
    idx, val = _coo(3, 4, 5)
    st = torch.sparse_coo_tensor(torch.from_numpy(idx), torch.from_numpy(val).float(), (3, 4))
    sd = dg.sparse_coo_tensor(dg.tensor(idx), dg.tensor(val).float(), (3, 4))
    assert sd.dtype == dg.float32
    np.testing.assert_allclose(sd.t().to_dense().numpy(), st.t().to_dense().numpy())
    x = RNG.standard_normal((3, 2)).astype(np.float32)
    np.testing.assert_allclose(dg.sparse.mm(sd.t(), dg.from_numpy(x)).numpy(),
                               torch.sparse.mm(st.t(), torch.from_numpy(x)).numpy(), rtol=1e-5, atol=1e-6)
    assert sd.double().dtype == dg.float64 and sd.to("cpu").is_sparse


def test_errors():
    sd = dg.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], dg.tensor([3.0, 4.0, 5.0]), (2, 3))
    st = torch.sparse_coo_tensor(torch.tensor([[0, 1, 1], [2, 0, 2]]), torch.tensor([3.0, 4.0, 5.0]), (2, 3))
    for name in ("indices", "values"):
        with pytest.raises(RuntimeError) as et:
            getattr(st, name)()
        with pytest.raises(RuntimeError) as ed:
            getattr(sd, name)()
        assert str(ed.value) == str(et.value)
    with pytest.raises(RuntimeError, match="Expected dim 0 size 3, got 4"):
        dg.sparse.mm(sd, dg.ones(4, 2))
    with pytest.raises(RuntimeError, match="Expected dim 0 size 3, got 4"):
        torch.sparse.mm(st, torch.ones(4, 2))
    with pytest.raises(RuntimeError, match="same nnz"):
        dg.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], dg.tensor([3.0, 4.0]), (2, 3))
    with pytest.raises(RuntimeError, match="size is inconsistent with indices: for dim 0, size is 1 but found index 1"):
        dg.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], dg.tensor([3.0, 4.0, 5.0]), (1, 3))
    with pytest.raises(RuntimeError, match="size is inconsistent with indices: for dim 0, size is 1 but found index 1"):
        torch.sparse_coo_tensor(torch.tensor([[0, 1, 1], [2, 0, 2]]), torch.tensor([3.0, 4.0, 5.0]), (1, 3),
                                check_invariants=True)
    with pytest.raises(RuntimeError, match="to_dense"):
        dg.relu(sd)
    with pytest.raises(RuntimeError, match="to_dense"):
        sd + 1
    with pytest.raises(TypeError, match="sparse COO tensor as its first argument"):
        dg.sparse.mm(dg.ones(2, 3), dg.ones(3, 1))


@pytest.mark.gpu
def test_cuda_matches_cpu():
    idx = np.array([[0, 1, 1, 1], [2, 0, 2, 2]])
    vals, x0 = np.array([3.0, 4.0, 5.0, 1.0]), RNG.standard_normal((3, 2))
    out = {}
    for dev in ("cpu", "cuda"):
        v, x = dg.tensor(vals, device=dev, requires_grad=True), dg.tensor(x0, device=dev, requires_grad=True)
        s = dg.sparse_coo_tensor(dg.tensor(idx), v, (2, 3))
        assert s.device.type == dev
        y = dg.spmm(s, x)
        (y * y).sum().backward()
        dense = s.coalesce().to_dense()
        out[dev] = [y, x.grad, v.grad, dense, dense.to_sparse()._values(), s.t().to_dense()]
    for a, b in zip(out["cuda"], out["cpu"], strict=True):
        np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)
