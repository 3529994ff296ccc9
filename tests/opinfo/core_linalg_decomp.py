"""Registry entries for deepglass.ops.linalg_decomp / linalg_lu / linalg_lstsq (SVD, QR, LU, pinv, lstsq ...).

Singular vectors are unique only up to sign (and LAPACK builds differ: NumPy's OpenBLAS and PyTorch's
MKL pick different signs), so SVD entries compare the sign-free U·Vh, S, |U| and |Vh|, the quantities
PyTorch's own OpInfo differentiates. QR and LU follow LAPACK's deterministic conventions and are
compared directly.
"""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _x(rng, *shape):
    return rng.standard_normal(shape)


def _well(rng, *batch, n=3):
    return rng.standard_normal(batch + (n, n)) + 3 * np.eye(n)


def _chol(rng, *batch, n=3, upper=False):
    m = rng.standard_normal(batch + (n, n))
    low = np.linalg.cholesky(m @ np.swapaxes(m, -1, -2) + n * np.eye(n))
    return np.swapaxes(low, -1, -2) if upper else low


def _gauge(svd, legacy=False):
    """(U·Vh, S, |U|, |Vh|) over the first k singular triplets: independent of the vectors' signs."""
    def f(*args, **kwargs):
        u, s, v = svd(*args, **kwargs)
        vh = v.mT if legacy else v
        k = s.shape[-1]
        u, vh = u[..., :k], vh[..., :k, :]
        return u @ vh, s, u.abs(), vh.abs()
    return f


def _svd_samples(rng):
    return [Sample(_x(rng, 4, 3)), Sample(_x(rng, 3, 4), full_matrices=False), Sample(_x(rng, 2, 3, 3))]


def _legacy_svd_samples(rng):
    return [Sample(_x(rng, 4, 3)), Sample(_x(rng, 2, 3, 4), some=False)]


def _qr_samples(rng):
    return [Sample(_x(rng, 4, 3)), Sample(_x(rng, 3, 5)), Sample(_x(rng, 2, 3, 3), mode="complete")]


def _packed(rng, m, n, k):
    """A geqrf-style packed matrix and τ (random reflectors)."""
    return _x(rng, m, n), rng.uniform(0.5, 1.5, k)


def _lu_factor(A):
    return dg.linalg.lu_factor(A) if isinstance(A, dg.Tensor) else torch.linalg.lu_factor(A)


def _lstsq_samples(rng):
    return [Sample(_x(rng, 5, 3), _x(rng, 5, 2)), Sample(_x(rng, 3, 5), _x(rng, 3, 2), driver="gelsd"),
            Sample(_x(rng, 2, 4, 3), _x(rng, 2, 4, 2), driver="gels"), Sample(_x(rng, 4, 3), _x(rng, 4), driver="gelss")]


def _triangle(fn, pos):
    """Call fn with its factor argument (at ``pos``) cut to the triangle it reads (``upper`` is the last arg)."""
    def f(*args):
        args = list(args)
        upper = len(args) > pos + 1 and args[-1] is True
        args[pos] = args[pos].triu() if upper else args[pos].tril()
        return fn(*args)
    return f


_TRIANGLE = ("the factor is cut to its triangle before the call: PyTorch's gradient is for the full matrix, "
             "though only one triangle is read, so finite differences see the triangle's part only")
def _sym(rng, *batch, n=4):
    m = rng.standard_normal(batch + (n, n))
    return m + np.swapaxes(m, -1, -2)


def _ldl_solve(mod):
    def f(A, B, **kw):
        LD, piv = mod.linalg.ldl_factor(A)
        return mod.linalg.ldl_solve(LD, piv, B, **kw)
    return f


_LOWRANK = ("random: with q = min(m, n) the random basis spans the whole space, so the sign-free outputs are "
            "the exact SVD's and agree with PyTorch's whatever the random draws")
_LDL = "not differentiable in PyTorch either (LAPACK sytrf/sytrs)"
_SVD_NOTE = "compared as U·Vh, S, |U|, |Vh| (singular vectors are unique up to sign)"
_RANK = "an integer count: no gradient"

ENTRIES = [
    OpInfo("linalg.svd", _gauge(dg.linalg.svd), _gauge(torch.linalg.svd), _svd_samples, note=_SVD_NOTE,
           rtol=1e-4, atol=1e-5),
    OpInfo("svd", _gauge(dg.svd, True), _gauge(torch.svd, True), _legacy_svd_samples, note=_SVD_NOTE,
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.qr", dg.linalg.qr, torch.linalg.qr, _qr_samples, rtol=1e-4, atol=1e-5),
    OpInfo("qr", dg.qr, torch.qr, lambda rng: [Sample(_x(rng, 4, 3)), Sample(_x(rng, 3, 3), some=False)],
           rtol=1e-4, atol=1e-5),
    OpInfo("geqrf", dg.geqrf, torch.geqrf, lambda rng: [Sample(_x(rng, 4, 3)), Sample(_x(rng, 2, 3, 5))],
           grad=False, gradcheck=False, rtol=1e-4, atol=1e-5, note="not differentiable in PyTorch either"),
    OpInfo("linalg.householder_product", dg.linalg.householder_product, torch.linalg.householder_product,
           lambda rng: [Sample(*_packed(rng, 5, 3, 3)), Sample(*_packed(rng, 4, 4, 2))],
           aliases=("orgqr",), rtol=1e-4, atol=1e-5),
    OpInfo("ormqr", dg.ormqr, torch.ormqr,
           lambda rng: [Sample(*_packed(rng, 4, 3, 3), _x(rng, 4, 2)),
                        Sample(*_packed(rng, 4, 4, 4), _x(rng, 2, 4), left=False, transpose=True)],
           rtol=1e-4, atol=1e-5),
    OpInfo("matrix_exp", dg.matrix_exp, torch.matrix_exp, lambda rng: [Sample(_x(rng, 3, 3)), Sample(_x(rng, 2, 4, 4))],
           aliases=("linalg.matrix_exp",), rtol=1e-4, atol=1e-5),
    OpInfo("linalg.lu_factor", dg.linalg.lu_factor, torch.linalg.lu_factor,
           lambda rng: [Sample(_x(rng, 4, 4)), Sample(_x(rng, 2, 3, 5)), Sample(_x(rng, 5, 3))], rtol=1e-4, atol=1e-5),
    OpInfo("linalg.lu_factor_ex", dg.linalg.lu_factor_ex, torch.linalg.lu_factor_ex,
           lambda rng: [Sample(_x(rng, 2, 4, 4))], rtol=1e-4, atol=1e-5),
    OpInfo("linalg.lu", dg.linalg.lu, torch.linalg.lu,
           lambda rng: [Sample(_x(rng, 4, 4)), Sample(_x(rng, 3, 5)), Sample(_x(rng, 2, 5, 3))], rtol=1e-4, atol=1e-5),
    OpInfo("lu", dg.lu, torch.lu, lambda rng: [Sample(_x(rng, 3, 3)), Sample(_x(rng, 2, 3, 3), get_infos=True)],
           rtol=1e-4, atol=1e-5),
    OpInfo("lu_unpack", lambda A: dg.lu_unpack(*_lu_factor(A)), lambda A: torch.lu_unpack(*_lu_factor(A)),
           lambda rng: [Sample(_x(rng, 4, 4)), Sample(_x(rng, 2, 3, 5))], rtol=1e-4, atol=1e-5),
    OpInfo("linalg.lu_solve", lambda A, B, **kw: dg.linalg.lu_solve(*_lu_factor(A), B, **kw),
           lambda A, B, **kw: torch.linalg.lu_solve(*_lu_factor(A), B, **kw),
           lambda rng: [Sample(_well(rng), _x(rng, 3, 2)), Sample(_well(rng, 2), _x(rng, 2, 3, 2), adjoint=True),
                        Sample(_well(rng), _x(rng, 2, 3), left=False)], rtol=1e-4, atol=1e-5),
    OpInfo("lu_solve", lambda B, A: dg.lu_solve(B, *_lu_factor(A)), lambda B, A: torch.lu_solve(B, *_lu_factor(A)),
           lambda rng: [Sample(_x(rng, 2, 3, 2), _well(rng, 2))], rtol=1e-4, atol=1e-5),
    OpInfo("triangular_solve", dg.triangular_solve, torch.triangular_solve,
           lambda rng: [Sample(_x(rng, 3, 2), np.triu(_well(rng))),
                        Sample(_x(rng, 2, 3, 2), _well(rng), upper=False, transpose=True, unitriangular=True)],
           rtol=1e-4, atol=1e-5),
    OpInfo("cholesky_solve", _triangle(dg.cholesky_solve, 1), _triangle(torch.cholesky_solve, 1),
           lambda rng: [Sample(_x(rng, 3, 2), _chol(rng)), Sample(_x(rng, 2, 3, 2), _chol(rng, 2, upper=True), True)],
           rtol=1e-4, atol=1e-5, note=_TRIANGLE),
    OpInfo("cholesky_inverse", _triangle(dg.cholesky_inverse, 0), _triangle(torch.cholesky_inverse, 0),
           lambda rng: [Sample(_chol(rng)), Sample(_chol(rng, 2, upper=True), True)], rtol=1e-4, atol=1e-5,
           note=_TRIANGLE),
    OpInfo("linalg.pinv", dg.linalg.pinv, torch.linalg.pinv,
           lambda rng: [Sample(_x(rng, 4, 3)), Sample(_x(rng, 2, 3, 5), rtol=0.1), Sample(_x(rng, 3, 3), atol=1e-3)],
           rtol=1e-4, atol=1e-5),
    OpInfo("pinverse", dg.pinverse, torch.pinverse, lambda rng: [Sample(_x(rng, 3, 4))], rtol=1e-4, atol=1e-5),
    OpInfo("linalg.matrix_rank", dg.linalg.matrix_rank, torch.linalg.matrix_rank,
           lambda rng: [Sample(_x(rng, 4, 3)), Sample(_x(rng, 4, 2) @ _x(rng, 2, 5)),
                        Sample(_x(rng, 2, 3, 3), atol=1.0), Sample(_x(rng, 3, 3), hermitian=True)],
           grad=False, gradcheck=False, note=_RANK),
    OpInfo("linalg.lstsq", dg.linalg.lstsq, torch.linalg.lstsq, _lstsq_samples, rtol=1e-4, atol=1e-5,
           gradcheck=False, note="all four outputs; rank and singular_values carry no gradient (entry below)"),
    OpInfo("linalg.lstsq", lambda *a, **k: dg.linalg.lstsq(*a, **k)[:2],
           lambda *a, **k: torch.linalg.lstsq(*a, **k)[:2], _lstsq_samples, rtol=1e-4, atol=1e-5,
           note="the differentiable outputs (solution, residuals)"),
    OpInfo("linalg.cond", dg.linalg.cond, torch.linalg.cond,
           lambda rng: [Sample(_x(rng, 3, 4)), Sample(_well(rng, 2), -2)], rtol=1e-4, atol=1e-5),
    OpInfo("linalg.tensorinv", dg.linalg.tensorinv, torch.linalg.tensorinv,
           lambda rng: [Sample(_x(rng, 4, 3, 6, 2) + np.eye(12).reshape(4, 3, 6, 2) * 4), Sample(_well(rng, n=4), ind=1)],
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.tensorsolve", dg.linalg.tensorsolve, torch.linalg.tensorsolve,
           lambda rng: [Sample(_x(rng, 2, 3, 6) + 4 * np.eye(6).reshape(2, 3, 6), _x(rng, 2, 3)),
                        Sample(_x(rng, 3, 4, 4, 3) + 4 * np.eye(12).reshape(3, 4, 4, 3), _x(rng, 4, 3), dims=(0, 2))],
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.ldl_factor", dg.linalg.ldl_factor, torch.linalg.ldl_factor,
           lambda rng: [Sample(_sym(rng)), Sample(_sym(rng, 2), hermitian=True)], grad=False, gradcheck=False,
           rtol=1e-4, atol=1e-5, note=_LDL),
    OpInfo("linalg.ldl_factor_ex", dg.linalg.ldl_factor_ex, torch.linalg.ldl_factor_ex,
           lambda rng: [Sample(_sym(rng, 2))], grad=False, gradcheck=False, rtol=1e-4, atol=1e-5, note=_LDL),
    OpInfo("linalg.ldl_solve", _ldl_solve(dg), _ldl_solve(torch),
           lambda rng: [Sample(_sym(rng) + 8 * np.eye(4), _x(rng, 4, 2)), Sample(_sym(rng, 2) + 8 * np.eye(4), _x(rng, 4, 3))],
           grad=False, gradcheck=False, rtol=1e-4, atol=1e-5, note=_LDL),
    OpInfo("svd_lowrank", _gauge(dg.svd_lowrank, True), _gauge(torch.svd_lowrank, True),
           lambda rng: [Sample(_x(rng, 5, 3), q=3), Sample(_x(rng, 2, 3, 4), q=3, niter=1)],
           rtol=1e-4, atol=1e-5, note=_LOWRANK),
    OpInfo("pca_lowrank", _gauge(dg.pca_lowrank, True), _gauge(torch.pca_lowrank, True),
           lambda rng: [Sample(_x(rng, 5, 3), q=3), Sample(_x(rng, 4, 3), q=3, center=False)],
           rtol=1e-4, atol=1e-5, note=_LOWRANK),
]


def _eig_parts(mod):
    """linalg.eig as real, phase-free outputs: the eigenvalues as (re, im) pairs and |V|."""
    def fn(A):
        L, V = mod.linalg.eig(A)
        return mod.view_as_real(L), V.abs()
    return fn


def _eig_samples(rng):  # distinct eigenvalues (well-separated), some complex pairs
    return [Sample(_x(rng, 4, 4)), Sample(_x(rng, 2, 3, 3))]


ENTRIES += [
    OpInfo("linalg.eig", _eig_parts(dg), _eig_parts(torch), _eig_samples, rtol=1e-4, atol=1e-5,
           note="eigenvectors are unique up to a complex phase: compared as |V|"),
    OpInfo("linalg.eigvals", lambda A: dg.view_as_real(dg.linalg.eigvals(A)),
           lambda A: torch.view_as_real(torch.linalg.eigvals(A)), _eig_samples, rtol=1e-4, atol=1e-5),
]
