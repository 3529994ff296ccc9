"""LU factorisation and the triangular / Cholesky solves built on factors.

A = P L U with partial pivoting (LAPACK getrf through SciPy; pivots are LAPACK's 1-based row swaps,
int32, as in PyTorch). The backward of the factorisation (PyTorch's ``linalg_lu_backward``; square
case shown, wide and tall cases in :func:`_lu_backward`)::

    ∂L/∂A = P L⁻ᵀ [ tril₋₁(Lᵀ G_L) + triu(G_U Uᵀ) ] U⁻ᵀ

``lu_solve``, ``lu_unpack`` and ``triangular_solve`` are compositions of differentiable ops.
``cholesky_solve`` (X = (L Lᵀ)⁻¹ B) and ``cholesky_inverse`` ((L Lᵀ)⁻¹) read one triangle of L
but, like PyTorch, return the gradient for the full matrix L:
∂L/∂L = −(G_B Xᵀ + X G_Bᵀ) L with G_B = (L Lᵀ)⁻¹ G, and −Y (G + Gᵀ) Y L with Y = (L Lᵀ)⁻¹.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import from_array
from ..autograd.function import Function
from ._util import xp_of
from .linalg_decomp import _check_matrix, _host, _mT

linalg_lu_factor_return_type = namedtuple("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex_return_type = namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])
linalg_lu_return_type = namedtuple("linalg_lu", ["P", "L", "U"])
lu_unpack_return_type = namedtuple("lu_unpack", ["P", "L", "U"])
lu_with_info_return_type = namedtuple("_lu_with_info", ["LU", "pivots", "info"])
triangular_solve_return_type = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])


def _getrf_host(a):
    from scipy.linalg import lapack

    m, n = a.shape[-2:]
    lu = np.array(a, copy=True)
    piv = np.ones(a.shape[:-2] + (min(m, n),), dtype=np.int32)
    info = np.zeros(a.shape[:-2], dtype=np.int32)
    if a.size:
        fn = lapack.get_lapack_funcs("getrf", (a,))
        for idx in np.ndindex(a.shape[:-2]):
            lu[idx], p, info[idx] = fn(a[idx])
            piv[idx] = p + 1
    return lu, piv, info


def _perm_of(piv, m, xp):
    """The row permutation p (A[p] = L U) of LAPACK's sequential swaps: row i swapped with piv[i] − 1."""
    batch = piv.shape[:-1]
    perm = xp.broadcast_to(xp.arange(m), batch + (m,)).copy()
    nb = int(np.prod(batch))
    flat, pv = perm.reshape(nb, m), piv.reshape(nb, piv.shape[-1]).astype(np.int64) - 1
    rows = xp.arange(flat.shape[0])
    for i in range(pv.shape[1]):
        j = pv[:, i]
        a, b = flat[rows, i].copy(), flat[rows, j].copy()
        flat[rows, i], flat[rows, j] = b, a
    return flat.reshape(batch + (m,))


def _p_matrix(piv, m, dtype, xp):
    """P with A = P L U: column j of P is e_{perm[j]}."""
    perm = _perm_of(piv, m, xp)
    return (perm[..., None, :] == xp.arange(m)[:, None]).astype(dtype)


def _split(lu):
    xp = xp_of(lu)
    m, n = lu.shape[-2:]
    k = min(m, n)
    lower = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=lu.dtype)
    upper = xp.triu(lu[..., :k, :])
    return lower, upper


def _solve_tri(t, b, left=True):
    """t⁻¹ b (or b t⁻¹): t is triangular and invertible."""
    xp = xp_of(t)
    return xp.linalg.solve(t, b) if left else _mT(xp.linalg.solve(_mT(t), _mT(b)))


def _lu_backward(p, lower, upper, gl, gu):
    """PyTorch's linalg_lu_backward for A = P L U (real)."""
    xp = xp_of(lower)
    m, n = lower.shape[-2], upper.shape[-1]
    if m == n:
        ga = xp.zeros(upper.shape, dtype=upper.dtype)
        if gl is not None:
            ga = ga + xp.tril(_mT(lower) @ gl, -1)
        if gu is not None:
            ga = ga + xp.triu(gu @ _mT(upper))
        ga = _solve_tri(_mT(upper), ga, left=False)
        ga = _solve_tri(_mT(lower), ga)
    elif m < n:  # wide: U = [U1 | U2]
        ga = xp.zeros(lower.shape, dtype=lower.dtype)
        if gl is not None:
            ga = ga + _mT(lower) @ gl
        if gu is not None:
            ga = ga - xp.triu(gu) @ _mT(upper)
        ga = _solve_tri(_mT(upper[..., :m]), xp.tril(ga, -1), left=False)
        gu = xp.zeros(upper.shape, dtype=upper.dtype) if gu is None else gu
        ga = xp.concatenate([ga + xp.triu(gu[..., :m]), gu[..., m:]], axis=-1)
        ga = _solve_tri(_mT(lower), ga)
    else:  # tall: L = [L1; L2]
        ga = xp.zeros(upper.shape, dtype=upper.dtype)
        if gu is not None:
            ga = ga + gu @ _mT(upper)
        if gl is not None:
            ga = ga - _mT(lower) @ xp.tril(gl, -1)
        ga = _solve_tri(_mT(lower[..., :n, :]), xp.triu(ga))
        gl = xp.zeros(lower.shape, dtype=lower.dtype) if gl is None else gl
        ga = xp.concatenate([ga + xp.tril(gl[..., :n, :], -1), gl[..., n:, :]], axis=-2)
        ga = _solve_tri(_mT(upper), ga, left=False)
    return p @ ga


class LUFactor(Function):
    """The packed factor tril₋₁(L) + U; its gradient splits into G_L = tril₋₁(G), G_U = triu(G)."""

    @staticmethod
    def forward(ctx, a, lu, piv):
        lower, upper = _split(lu)
        ctx.save_for_backward(_p_matrix(piv, a.shape[-2], a.dtype, xp_of(a)), lower, upper)
        return lu

    @staticmethod
    def backward(ctx, g):
        p, lower, upper = ctx.saved_tensors
        xp = xp_of(g)
        if g.size == 0:
            return xp.zeros(g.shape, dtype=g.dtype), None, None
        k = lower.shape[-1]
        return _lu_backward(p, lower, upper, xp.tril(g[..., :, :k], -1), xp.triu(g[..., :k, :])), None, None


class LU(Function):
    @staticmethod
    def forward(ctx, a, lu, piv):
        lower, upper = _split(lu)
        p = _p_matrix(piv, a.shape[-2], a.dtype, xp_of(a))
        ctx.save_for_backward(p, lower, upper)
        ctx.mark_non_differentiable(p)
        return p, lower, upper

    @staticmethod
    def backward(ctx, gp, gl, gu):
        p, lower, upper = ctx.saved_tensors
        if p.size == 0 or lower.size == 0 or upper.size == 0:
            return xp_of(p).zeros(p.shape[:-1] + (upper.shape[-1],), dtype=p.dtype), None, None
        return _lu_backward(p, lower, upper, gl, gu), None, None


def _factor(A, pivot, name):
    _check_matrix(A, name)
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")
    return _host(_getrf_host, A._array)


def lu_factor_ex(A, *, pivot: bool = True, check_errors: bool = False):
    """``torch.linalg.lu_factor_ex``: (LU, pivots, info); info[b] = i > 0 when U[i−1, i−1] is exactly zero.

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.lu_factor_ex(dg.tensor([[1.0, 2.0], [2.0, 4.0]])).info.item()
        2
    """
    lu, piv, info = _factor(A, pivot, "torch.linalg.lu_factor_ex")
    if check_errors and (info > 0).any():
        raise RuntimeError("torch.linalg.lu_factor_ex: U is singular (info > 0)")
    return linalg_lu_factor_ex_return_type(LUFactor.apply(A, lu, piv), from_array(piv), from_array(info))


def lu_factor(A, *, pivot: bool = True):
    """``torch.linalg.lu_factor``: the packed LU factors (L below the diagonal, U on and above) and pivots.

    A ``(*, m, n)``; pivots ``(*, min(m, n))`` int32, 1-based (LAPACK's). Raises for a square matrix
    with an exactly zero pivot (use :func:`lu_factor_ex` to get ``info`` instead). Differentiable.

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.lu_factor(dg.tensor([[1.0, 2.0], [3.0, 4.0]])).pivots.tolist()
        [2, 2]
    """
    lu, piv, info = _factor(A, pivot, "torch.linalg.lu_factor")
    flat = info.reshape(-1)
    bad = xp_of(info).flatnonzero(flat > 0)
    if len(bad) and A.shape[-1] == A.shape[-2]:
        i = int(flat[int(bad[0])])
        where = f"(Batch element {int(bad[0])}): " if info.ndim else ""
        raise RuntimeError(f"torch.linalg.lu_factor: {where}U[{i},{i}] is zero and using it on lu_solve would result "
                           "in a division by zero. If you still want to perform the factorization, consider calling "
                           "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return linalg_lu_factor_return_type(LUFactor.apply(A, lu, piv), from_array(piv))


def linalg_lu(A, *, pivot: bool = True):
    """``torch.linalg.lu``: (P, L, U) with A = P L U; L ``(*, m, k)`` unit lower, U ``(*, k, n)`` upper.

    Example:
        >>> import deepglass as dg
        >>> P, L, U = dg.linalg.lu(dg.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> (P @ L @ U).tolist()
        [[1.0, 2.0], [3.0, 4.0]]
    """
    lu, piv, _ = _factor(A, pivot, "torch.linalg.lu")
    return linalg_lu_return_type(*LU.apply(A, lu, piv))


def lu(A, pivot: bool = True, get_infos: bool = False):
    """``torch.lu`` (legacy): (LU, pivots), or (LU, pivots, infos) with ``get_infos``.

    Example:
        >>> import deepglass as dg
        >>> dg.lu(dg.tensor([[1.0, 2.0], [3.0, 4.0]]))[1].tolist()
        [2, 2]
    """
    if get_infos:
        return lu_with_info_return_type(*lu_factor_ex(A, pivot=pivot))
    return tuple(lu_factor(A, pivot=pivot))


def lu_unpack(LU_data, LU_pivots, unpack_data: bool = True, unpack_pivots: bool = True):
    """``torch.lu_unpack``: (P, L, U) from :func:`lu_factor`'s output (differentiable in ``LU_data``).

    An output not asked for (``unpack_data`` / ``unpack_pivots`` False) is an empty tensor.

    Example:
        >>> import deepglass as dg
        >>> P, L, U = dg.lu_unpack(*dg.linalg.lu_factor(dg.tensor([[1.0, 2.0], [3.0, 4.0]])))
        >>> U.tolist()
        [[3.0, 4.0], [0.0, 0.6666666269302368]]
    """
    from .matrix import tril, triu

    if LU_data.ndim < 2:
        raise RuntimeError("torch.lu_unpack: LU_data must have at least 2 dimensions")
    xp = xp_of(LU_data._array)
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    if tuple(LU_pivots.shape) != tuple(LU_data.shape[:-2]) + (k,):
        raise RuntimeError(f"torch.lu_unpack: Expected LU_pivots.shape[:-1] == LU_data.shape[:-2] and "
                           f"LU_pivots.size(-1) == min(m, n); got pivots {tuple(LU_pivots.shape)} for LU "
                           f"{tuple(LU_data.shape)}")
    if LU_pivots.dtype != np.int32:
        raise RuntimeError(f"torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype. "
                           f"Note: this function is intended to be used with the output produced by "
                           f"torch.linalg.lu_factor, got {LU_pivots.dtype}")
    empty = from_array(xp.zeros((0,), dtype=LU_data.dtype))
    if unpack_data:
        eye = from_array(xp.eye(m, k, dtype=LU_data.dtype))
        lower = tril(LU_data[..., :, :k], -1) + eye
        upper = triu(LU_data[..., :k, :])
    else:
        lower = upper = empty
    p = from_array(_p_matrix(LU_pivots._array, m, LU_data.dtype, xp)) if unpack_pivots else empty
    return lu_unpack_return_type(p, lower, upper)


def linalg_lu_solve(LU, pivots, B, *, left: bool = True, adjoint: bool = False):
    """``torch.linalg.lu_solve``: X with A X = B from A's LU factors (``adjoint``: Aᵀ X = B; ``left=False``: X A = B).

    Example:
        >>> import deepglass as dg
        >>> LU, piv = dg.linalg.lu_factor(dg.tensor([[2.0, 0.0], [0.0, 4.0]]))
        >>> dg.linalg.lu_solve(LU, piv, dg.tensor([[2.0], [2.0]])).flatten().tolist()
        [1.0, 0.5]
    """
    from .linalg_solve import solve_triangular

    if LU.ndim < 2 or LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError("linalg.lu_solve: Expected LU to be batches of square matrices")
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: Expected B to have at least 2 dimensions")
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})")
    if not left:  # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
        return linalg_lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    p, lower, upper = lu_unpack(LU, pivots)
    if not adjoint:  # X = U⁻¹ L⁻¹ Pᵀ B
        y = solve_triangular(lower, p.mT @ B, upper=False, unitriangular=True)
        return solve_triangular(upper, y, upper=True)
    y = solve_triangular(upper.mT, B, upper=False)  # X = P L⁻ᵀ U⁻ᵀ B
    return p @ solve_triangular(lower.mT, y, upper=True, unitriangular=True)


def lu_solve(b, LU_data, LU_pivots):
    """``torch.lu_solve`` (legacy): :func:`linalg_lu_solve` with the right-hand side first.

    Example:
        >>> import deepglass as dg
        >>> LU, piv = dg.linalg.lu_factor(dg.tensor([[2.0, 0.0], [0.0, 4.0]]))
        >>> dg.lu_solve(dg.tensor([[2.0], [2.0]]), LU, piv).flatten().tolist()
        [1.0, 0.5]
    """
    return linalg_lu_solve(LU_data, LU_pivots, b)


def triangular_solve(b, A, upper: bool = True, transpose: bool = False, unitriangular: bool = False):
    """``torch.triangular_solve`` (legacy): (X, A's copy) with op(A) X = b, op(A) = Aᵀ when ``transpose``.

    Only the ``upper`` (or lower) triangle of A is read; batch dimensions broadcast.

    Example:
        >>> import deepglass as dg
        >>> dg.triangular_solve(dg.tensor([[2.0], [4.0]]), dg.tensor([[2.0, 0.0], [0.0, 4.0]])).solution.flatten().tolist()
        [1.0, 1.0]
    """
    from .linalg_solve import solve_triangular
    from .shape import broadcast_to

    if b.ndim < 2 or A.ndim < 2:
        raise RuntimeError(f"torch.triangular_solve: Expected b to have at least 2 dimensions, but it has {b.ndim} "
                           "dimensions instead" if b.ndim < 2 else "torch.triangular_solve: Expected A to have at "
                           f"least 2 dimensions, but it has {A.ndim} dimensions instead")
    coef = A.mT if transpose else A
    x = solve_triangular(coef, b, upper=upper != transpose, unitriangular=unitriangular)
    batch = tuple(x.shape[:-2])
    return triangular_solve_return_type(x, broadcast_to(A, batch + tuple(A.shape[-2:])).clone())


class CholeskySolve(Function):
    @staticmethod
    def forward(ctx, b, lower_factor, upper):
        xp = xp_of(b)
        f = xp.triu(lower_factor) if upper else xp.tril(lower_factor)
        low = _mT(f) if upper else f
        if b.size and f.size:
            x = xp.linalg.solve(_mT(low), xp.linalg.solve(low, b))
        else:
            x = xp.zeros(xp.broadcast_shapes(b.shape[:-2], f.shape[:-2]) + b.shape[-2:], dtype=b.dtype)
        ctx.upper = upper
        ctx.save_for_backward(lower_factor, low, x)
        return x

    @staticmethod
    def backward(ctx, g):
        factor, low, x = ctx.saved_tensors
        xp = xp_of(g)
        if g.size == 0:
            return xp.zeros(g.shape, dtype=g.dtype), xp.zeros(factor.shape, dtype=g.dtype), None
        gb = xp.linalg.solve(_mT(low), xp.linalg.solve(low, g))
        common = gb @ _mT(x)
        common = common + _mT(common)
        ga = -(factor @ common) if ctx.upper else -(common @ factor)
        return gb, ga, None


def cholesky_solve(B, L, upper: bool = False):
    """``torch.cholesky_solve``: X = (L Lᵀ)⁻¹ B from the Cholesky factor L (``upper``: A = Uᵀ U).

    Example:
        >>> import deepglass as dg
        >>> dg.cholesky_solve(dg.tensor([[4.0], [8.0]]), dg.tensor([[2.0, 0.0], [0.0, 2.0]])).flatten().tolist()
        [1.0, 2.0]
    """
    if B.ndim < 2 or L.ndim < 2:
        raise RuntimeError("torch.cholesky_solve: b and A should have at least 2 dimensions")
    if L.shape[-1] != L.shape[-2] or B.shape[-2] != L.shape[-1]:
        raise RuntimeError(f"torch.cholesky_solve: Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{L.shape[-2]} by {L.shape[-1]} but each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    return CholeskySolve.apply(B, L, bool(upper))


class CholeskyInverse(Function):
    @staticmethod
    def forward(ctx, factor, upper):
        xp = xp_of(factor)
        f = xp.triu(factor) if upper else xp.tril(factor)
        a = _mT(f) @ f if upper else f @ _mT(f)
        y = xp.linalg.inv(a) if a.size else a.copy()
        ctx.upper = upper
        ctx.save_for_backward(factor, y)
        return y

    @staticmethod
    def backward(ctx, g):
        factor, y = ctx.saved_tensors
        common = y @ (g + _mT(g)) @ y
        return (-(factor @ common) if ctx.upper else -(common @ factor)), None


def cholesky_inverse(L, upper: bool = False):
    """``torch.cholesky_inverse``: (L Lᵀ)⁻¹ from the Cholesky factor L (``upper``: (Uᵀ U)⁻¹).

    Example:
        >>> import deepglass as dg
        >>> dg.cholesky_inverse(dg.tensor([[2.0, 0.0], [0.0, 1.0]])).tolist()
        [[0.25, 0.0], [0.0, 1.0]]
    """
    if L.ndim < 2 or L.shape[-1] != L.shape[-2]:
        raise RuntimeError("torch.cholesky_inverse: A must be batches of square matrices")
    return CholeskyInverse.apply(L, bool(upper))


__all__ = ["lu", "lu_unpack", "lu_solve", "triangular_solve", "cholesky_solve", "cholesky_inverse"]
