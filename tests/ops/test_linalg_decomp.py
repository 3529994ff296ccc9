"""SVD, QR, LU, pinv, lstsq and friends: cases the registry cannot express (ops/linalg_decomp.py,
linalg_lu.py, linalg_lstsq.py).

Each expectation comes from PyTorch 2.13 or from a defining identity (A = U S Vh, A = P L U,
A A⁺ A = A), never from the code under test.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


def _both(a):
    return dg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _rng():
    return np.random.default_rng(7)


def _raises_like_torch(dg_call, torch_call, match=None):
    with pytest.raises(Exception) as th:
        torch_call()
    with pytest.raises(type(th.value), match=match):
        dg_call()


# ------------------------------------------------------------------------------------ SVD


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
@pytest.mark.parametrize("full", [True, False])
def test_svd_reconstructs_and_its_gauge_free_gradient_matches_torch(shape, full):
    a = _rng().standard_normal(shape)
    d, t = _both(a)
    U, S, Vh = dg.linalg.svd(d, full_matrices=full)
    k = min(shape[-2:])
    np.testing.assert_allclose((U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :], a, atol=1e-12)
    assert U.shape[-1] == (shape[-2] if full else k) and Vh.shape[-2] == (shape[-1] if full else k)
    tU, tS, tVh = torch.linalg.svd(t, full_matrices=full)
    # a loss on sign-free quantities: U·Vh (first k), S and |U|
    (U[..., :k] @ Vh[..., :k, :]).pow(3).sum().add(S.exp().sum()).add(U[..., :k].abs().sum()).backward()
    (tU[..., :k] @ tVh[..., :k, :]).pow(3).sum().add(tS.exp().sum()).add(tU[..., :k].abs().sum()).backward()
    np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy(), atol=1e-10)


def test_svd_gradcheck_on_a_sign_free_function():
    a = dg.tensor(_rng().standard_normal((4, 3)), requires_grad=True)

    def f(x):
        u, s, vh = dg.linalg.svd(x, full_matrices=False)
        return u @ vh, s, (u * u).sum(-1)

    assert dg.autograd.gradcheck(f, (a,), eps=1e-6, atol=1e-6, rtol=1e-4)


def test_legacy_svd_returns_v_and_zero_factors_without_compute_uv():
    a = _rng().standard_normal((4, 3))
    U, S, V = dg.svd(dg.tensor(a), some=False)
    assert (U.shape, V.shape) == ((4, 4), (3, 3))
    np.testing.assert_allclose((U[:, :3] * S) @ V.T, a, atol=1e-12)
    U, S, V = dg.svd(dg.tensor(a), compute_uv=False)
    tU, tS, tV = torch.svd(torch.tensor(a), compute_uv=False)
    assert U.shape == tuple(tU.shape) and V.shape == tuple(tV.shape) and not U.numpy().any()
    np.testing.assert_allclose(S.numpy(), tS.numpy(), atol=1e-12)


def test_svd_of_empty_batches_has_torch_shapes():
    for shape, full in [((0, 3, 2), True), ((2, 0, 3), False), ((3, 0), True)]:
        d = dg.linalg.svd(dg.zeros(*shape), full_matrices=full)
        t = torch.linalg.svd(torch.zeros(*shape), full_matrices=full)
        assert [x.shape for x in d] == [tuple(x.shape) for x in t]


def test_svd_driver_is_cuda_only_and_vectors_are_refused():
    _raises_like_torch(lambda: dg.linalg.svd(dg.ones(3, 3), driver="gesvd"),
                       lambda: torch.linalg.svd(torch.ones(3, 3), driver="gesvd"), "CUDA")
    _raises_like_torch(lambda: dg.linalg.svd(dg.ones(3)), lambda: torch.linalg.svd(torch.ones(3)), "2 dimensions")


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
def test_matrix_norm_orders_from_singular_values_match_torch(ord):
    a = _rng().standard_normal((2, 3, 4))
    d, t = _both(a)
    out = dg.linalg.matrix_norm(d, ord, dim=(2, 0), keepdim=True)
    ref = torch.linalg.matrix_norm(t, ord, dim=(2, 0), keepdim=True)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(dg.linalg.norm(dg.tensor(a[0]), ord).item(), torch.linalg.norm(torch.tensor(a[0]), ord).item())


def test_torch_norm_nuc():
    a = _rng().standard_normal((3, 4))
    assert np.isclose(dg.norm(dg.tensor(a), "nuc").item(), torch.norm(torch.tensor(a), "nuc").item())


# ------------------------------------------------------------------------------------- QR


def test_qr_modes_shapes_and_r_mode_has_no_gradient():
    a = _rng().standard_normal((5, 3))
    for mode in ("reduced", "complete", "r"):
        d = dg.linalg.qr(dg.tensor(a), mode=mode)
        t = torch.linalg.qr(torch.tensor(a), mode=mode)
        assert [x.shape for x in d] == [tuple(x.shape) for x in t]
        np.testing.assert_allclose(d.R.numpy(), t.R.numpy(), atol=1e-12)
    d, t = _both(a)
    _raises_like_torch(lambda: dg.linalg.qr(d, mode="r").R.sum().backward(),
                       lambda: torch.linalg.qr(t, mode="r").R.sum().backward(), "mode='r'")
    _raises_like_torch(lambda: dg.linalg.qr(d, mode="complete").Q.sum().backward(),
                       lambda: torch.linalg.qr(t, mode="complete").Q.sum().backward(), "complete")
    _raises_like_torch(lambda: dg.linalg.qr(d, mode="full"), lambda: torch.linalg.qr(t, mode="full"), "mode")


def test_householder_product_of_geqrf_is_qr_q_and_ormqr_applies_it():
    a = _rng().standard_normal((5, 3))
    packed, tau = dg.geqrf(dg.tensor(a))
    q = dg.linalg.householder_product(packed, tau)
    np.testing.assert_allclose(q.numpy(), torch.linalg.qr(torch.tensor(a)).Q.numpy(), atol=1e-12)
    c = _rng().standard_normal((5, 2))
    qc = dg.ormqr(packed, tau, dg.tensor(c), transpose=True)
    np.testing.assert_allclose(qc.numpy()[:3], q.numpy().T @ c, atol=1e-12)
    assert dg.tensor(a).geqrf()[1].shape == (3,) and dg.tensor(a).orgqr  # the Tensor methods exist


def test_householder_product_checks_shapes_like_torch():
    _raises_like_torch(lambda: dg.linalg.householder_product(dg.ones(2, 3), dg.ones(2)),
                       lambda: torch.linalg.householder_product(torch.ones(2, 3), torch.ones(2)), "greater than or equal")
    _raises_like_torch(lambda: dg.linalg.householder_product(dg.ones(4, 3), dg.ones(4)),
                       lambda: torch.linalg.householder_product(torch.ones(4, 3), torch.ones(4)), "greater than or equal")


# ------------------------------------------------------------------------------------- LU


def test_lu_reconstructs_and_pivots_are_lapack_int32():
    a = _rng().standard_normal((2, 4, 3))
    P, L, U = dg.linalg.lu(dg.tensor(a))
    np.testing.assert_allclose((P @ L @ U).numpy(), a, atol=1e-12)
    LU, piv = dg.linalg.lu_factor(dg.tensor(a))
    tLU, tpiv = torch.linalg.lu_factor(torch.tensor(a))
    assert piv.dtype == np.int32 and np.array_equal(piv.numpy(), tpiv.numpy())
    np.testing.assert_allclose(LU.numpy(), tLU.numpy(), atol=1e-12)


def test_singular_lu_factor_raises_but_ex_reports_info():
    s = [[1.0, 2.0], [2.0, 4.0]]
    _raises_like_torch(lambda: dg.linalg.lu_factor(dg.tensor(s)), lambda: torch.linalg.lu_factor(torch.tensor(s)),
                       "U\\[2,2\\] is zero")
    assert dg.linalg.lu_factor_ex(dg.tensor(s)).info.item() == torch.linalg.lu_factor_ex(torch.tensor(s)).info.item()
    LU, piv, info = dg.lu(dg.tensor(s), get_infos=True)
    assert info.item() == 2


def test_lu_without_pivoting_is_refused_on_cpu_like_torch():
    _raises_like_torch(lambda: dg.linalg.lu_factor(dg.eye(2), pivot=False),
                       lambda: torch.linalg.lu_factor(torch.eye(2), pivot=False), "pivoting")


def test_lu_unpack_partial_outputs_are_empty():
    LU, piv = dg.linalg.lu_factor(dg.tensor(_rng().standard_normal((3, 3))))
    P, L, U = dg.lu_unpack(LU, piv, unpack_data=False)
    assert L.numel() == 0 and U.numel() == 0 and P.shape == (3, 3)


def test_lu_solve_broadcasts_the_right_hand_side_batch():
    a = _rng().standard_normal((3, 3)) + 3 * np.eye(3)
    b = _rng().standard_normal((2, 3, 2))
    LU, piv = dg.linalg.lu_factor(dg.tensor(a))
    x = dg.linalg.lu_solve(LU, piv, dg.tensor(b))
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a, b), atol=1e-12)
    assert dg.tensor(b).lu_solve(LU, piv).shape == (2, 3, 2)


def test_triangular_solve_returns_the_broadcast_coefficient():
    a = np.triu(_rng().standard_normal((3, 3))) + 3 * np.eye(3)
    b = _rng().standard_normal((2, 3, 1))
    d = dg.triangular_solve(dg.tensor(b), dg.tensor(a))
    t = torch.triangular_solve(torch.tensor(b), torch.tensor(a))
    assert d.cloned_coefficient.shape == tuple(t.cloned_coefficient.shape)
    np.testing.assert_allclose(d.solution.numpy(), t.solution.numpy(), atol=1e-12)


# --------------------------------------------------------------------------- pinv, lstsq


def test_pinv_of_a_rank_deficient_matrix_satisfies_penrose_and_matches_torch_gradient():
    a = _rng().standard_normal((4, 2)) @ _rng().standard_normal((2, 5))
    d, t = _both(a)
    p = dg.linalg.pinv(d)
    np.testing.assert_allclose(a @ p.detach().numpy() @ a, a, atol=1e-10)
    tp = torch.linalg.pinv(t)
    (p * p).sum().backward()
    (tp * tp).sum().backward()
    np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy(), atol=1e-9)


def test_pinv_and_matrix_rank_tolerances_match_torch():
    a = np.diag([4.0, 1.0, 1e-3])
    for kw in ({}, {"atol": 0.5}, {"rtol": 0.1}, {"atol": 2.0, "rtol": 0.1}):
        np.testing.assert_allclose(dg.linalg.pinv(dg.tensor(a), **kw).numpy(),
                                   torch.linalg.pinv(torch.tensor(a), **kw).numpy(), atol=1e-12)
        assert dg.linalg.matrix_rank(dg.tensor(a), **kw).item() == torch.linalg.matrix_rank(torch.tensor(a), **kw).item()
    atol = np.array([0.5, 2.0])
    got = dg.linalg.matrix_rank(dg.tensor(np.stack([a, a])), atol=dg.tensor(atol))
    ref = torch.linalg.matrix_rank(torch.tensor(np.stack([a, a])), atol=torch.tensor(atol))
    assert got.tolist() == ref.tolist() and got.dtype == np.int64
    np.testing.assert_allclose(dg.pinverse(dg.tensor(a), 1e-2).numpy(), torch.pinverse(torch.tensor(a), 1e-2).numpy())


@pytest.mark.parametrize("driver", ["gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5)])
def test_lstsq_outputs_per_driver_have_torch_shapes(driver, shape):
    a, b = _rng().standard_normal((2,) + shape), _rng().standard_normal((2, shape[0], 2))
    d = dg.linalg.lstsq(dg.tensor(a), dg.tensor(b), driver=driver)
    t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    assert [x.shape for x in d] == [tuple(x.shape) for x in t]
    assert [x.dtype for x in d] == [np.dtype(str(x.dtype).replace("torch.", "")) for x in t]
    for x, y in zip(d, t):
        np.testing.assert_allclose(x.numpy(), y.numpy(), atol=1e-10)


def test_lstsq_rank_deficient_gives_the_minimum_norm_solution_and_no_residuals():
    a = _rng().standard_normal((5, 2)) @ _rng().standard_normal((2, 3))
    b = _rng().standard_normal((5, 1))
    d = dg.linalg.lstsq(dg.tensor(a), dg.tensor(b), driver="gelsd")
    np.testing.assert_allclose(d.solution.numpy(), np.linalg.pinv(a) @ b, atol=1e-10)
    assert d.rank.item() == 2 and d.residuals.numel() == 0
    _raises_like_torch(lambda: dg.linalg.lstsq(dg.ones(3, 2), dg.ones(3, 1), driver="foo"),
                       lambda: torch.linalg.lstsq(torch.ones(3, 2), torch.ones(3, 1), driver="foo"), "driver")


def test_cond_of_a_singular_matrix_is_inf_for_inverse_based_norms():
    s = [[1.0, 2.0], [2.0, 4.0]]
    assert dg.linalg.cond(dg.tensor(s), "fro").item() == torch.linalg.cond(torch.tensor(s), "fro").item() == np.inf
    _raises_like_torch(lambda: dg.linalg.cond(dg.ones(2, 3), 1), lambda: torch.linalg.cond(torch.ones(2, 3), 1), "square")


def test_tensorinv_and_tensorsolve_refuse_incompatible_shapes_like_torch():
    _raises_like_torch(lambda: dg.linalg.tensorinv(dg.ones(2, 3, 4), 1),
                       lambda: torch.linalg.tensorinv(torch.ones(2, 3, 4), 1), "prod")
    _raises_like_torch(lambda: dg.linalg.tensorsolve(dg.ones(2, 3, 4), dg.ones(2, 3)),
                       lambda: torch.linalg.tensorsolve(torch.ones(2, 3, 4), torch.ones(2, 3)), "prod")


def test_matrix_exp_of_a_rotation_generator():
    theta = 0.7
    a = dg.tensor([[0.0, -theta], [theta, 0.0]])
    np.testing.assert_allclose(dg.linalg.matrix_exp(a).numpy(),
                               [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]], atol=1e-6)
    assert a.matrix_exp().shape == (2, 2)


def test_ldl_reconstructs_a_symmetric_indefinite_matrix_through_its_solve():
    m = _rng().standard_normal((2, 4, 4))
    a = m + np.swapaxes(m, -1, -2)
    LD, piv = dg.linalg.ldl_factor(dg.tensor(a))
    tLD, tpiv = torch.linalg.ldl_factor(torch.tensor(a))
    np.testing.assert_allclose(LD.numpy(), tLD.numpy(), atol=1e-12)
    assert np.array_equal(piv.numpy(), tpiv.numpy())
    x = dg.linalg.ldl_solve(LD, piv, dg.tensor(np.eye(4)))
    np.testing.assert_allclose(a @ x.numpy(), np.broadcast_to(np.eye(4), a.shape), atol=1e-9)
    assert dg.linalg.ldl_factor_ex(dg.zeros(3, 3)).info.item() == torch.linalg.ldl_factor_ex(torch.zeros(3, 3)).info.item()


def test_svd_lowrank_recovers_a_low_rank_matrix_and_its_singular_values():
    a = _rng().standard_normal((2, 7, 2)) @ _rng().standard_normal((2, 2, 5))
    U, S, V = dg.svd_lowrank(dg.tensor(a), q=3)
    np.testing.assert_allclose(((U * S.unsqueeze(-2)) @ V.mT).numpy(), a, atol=1e-10)
    np.testing.assert_allclose(S.numpy()[..., :2], torch.linalg.svdvals(torch.tensor(a)).numpy()[..., :2], rtol=1e-10)
    with pytest.raises(ValueError, match="q"):
        dg.pca_lowrank(dg.tensor(a), q=9)
