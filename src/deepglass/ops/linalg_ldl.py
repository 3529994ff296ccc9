"""LDLᵀ factorisation of symmetric matrices (Bunch–Kaufman pivoting) and solves with it.

A = P L D Lᵀ Pᵀ with L unit lower triangular and D block diagonal (1×1 and 2×2 blocks). The
engines are LAPACK's sytrf / sytrs through SciPy, as PyTorch uses LAPACK's: ``LD`` holds L below
the diagonal and D on it (zeros above), ``pivots`` LAPACK's 1-based interchanges (negative pairs
mark 2×2 blocks). Not differentiable, as in PyTorch. SciPy engines run on the host for CuPy arrays.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import from_array
from ._util import xp_of
from .linalg_decomp import _check_matrix, _host

ldl_factor_return_type = namedtuple("linalg_ldl_factor", ["LD", "pivots"])
ldl_factor_ex_return_type = namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])


def _sytrf_host(a):
    from scipy.linalg import lapack

    n = a.shape[-1]
    ld = np.zeros_like(a)
    piv = np.broadcast_to(np.arange(1, n + 1, dtype=np.int32), a.shape[:-1]).copy()
    info = np.zeros(a.shape[:-2], dtype=np.int32)
    if a.size:
        fn = lapack.get_lapack_funcs("sytrf", (a,))
        for idx in np.ndindex(a.shape[:-2]):
            f, p, info[idx] = fn(a[idx], lower=1)
            ld[idx], piv[idx] = np.tril(f), p
    return ld, piv, info


def _sytrs_host(ld, piv, b):
    from scipy.linalg import lapack

    batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
    ld = np.broadcast_to(ld, batch + ld.shape[-2:])
    piv = np.broadcast_to(piv, batch + piv.shape[-1:])
    x = np.array(np.broadcast_to(b, batch + b.shape[-2:]), dtype=ld.dtype)
    if x.size:
        fn = lapack.get_lapack_funcs("sytrs", (ld,))
        for idx in np.ndindex(batch):
            x[idx], _ = fn(ld[idx], piv[idx], x[idx], lower=1)
    return x


def _check_symmetric_input(A, name, hermitian):
    _check_matrix(A, name)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")


def ldl_factor_ex(A, *, hermitian: bool = False, check_errors: bool = False):
    """``torch.linalg.ldl_factor_ex``: (LD, pivots, info); info[b] = i > 0 when D[i−1, i−1] is exactly zero.

    Only the lower triangle of A is read.

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.ldl_factor_ex(dg.tensor([[4.0, 2.0], [2.0, 3.0]])).LD.tolist()
        [[4.0, 0.0], [0.5, 2.0]]
    """
    _check_symmetric_input(A, "torch.linalg.ldl_factor_ex", hermitian)
    ld, piv, info = _host(_sytrf_host, A._array)
    if check_errors and (info > 0).any():
        raise RuntimeError("torch.linalg.ldl_factor_ex: the factorization has an exactly singular D (info > 0)")
    return ldl_factor_ex_return_type(from_array(ld), from_array(piv), from_array(info))


def ldl_factor(A, *, hermitian: bool = False):
    """``torch.linalg.ldl_factor``: the compact LDLᵀ factors (LD, pivots) of symmetric matrices.

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.ldl_factor(dg.tensor([[4.0, 2.0], [2.0, 3.0]])).pivots.tolist()
        [1, 2]
    """
    _check_symmetric_input(A, "torch.linalg.ldl_factor", hermitian)
    ld, piv, info = _host(_sytrf_host, A._array)
    if (info > 0).any():
        raise RuntimeError("torch.linalg.ldl_factor: the block diagonal D is exactly singular; "
                           "use linalg.ldl_factor_ex to get info instead of an error")
    return ldl_factor_return_type(from_array(ld), from_array(piv))


def ldl_solve(LD, pivots, B, *, hermitian: bool = False):
    """``torch.linalg.ldl_solve``: X with A X = B from :func:`ldl_factor`'s output (batches broadcast).

    Example:
        >>> import deepglass as dg
        >>> LD, piv = dg.linalg.ldl_factor(dg.tensor([[4.0, 2.0], [2.0, 3.0]]))
        >>> dg.linalg.ldl_solve(LD, piv, dg.tensor([[6.0], [5.0]])).flatten().tolist()
        [1.0, 1.0]
    """
    if LD.ndim < 2 or LD.shape[-1] != LD.shape[-2]:
        raise RuntimeError("torch.linalg.ldl_solve: LD must be batches of square matrices")
    if B.ndim < 2 or B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(f"torch.linalg.ldl_solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({LD.shape[-2]}x{LD.shape[-1]} and {tuple(B.shape[-2:])})")
    if pivots.dtype != np.int32 or tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError("torch.linalg.ldl_solve: Expected pivots to be int32 of shape LD.shape[:-1]")
    if B.dtype != LD.dtype:
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected LD and B to have the same dtype, but got LD with dtype "
                           f"{LD.dtype} and B with dtype {B.dtype} instead")
    xp = xp_of(LD._array)
    return from_array(xp.asarray(_host(_sytrs_host, LD._array, pivots._array, B._array)))


__all__: list = []  # deepglass.linalg's names only
