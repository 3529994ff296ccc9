"""Linear systems and factorisations for ``deepglass.linalg``: inv, det, slogdet, logdet,
solve, solve_triangular, cholesky, eigvalsh, matrix_power, vander (and the ``_ex`` forms).

Each primitive's backward is the matrix-calculus identity beside it (batched over the
leading axes; ᵀ swaps the last two)::

    Y = A⁻¹:            ∂L/∂A = −Yᵀ G Yᵀ
    d = det A:          ∂L/∂A = G·d·A⁻ᵀ
    X = A⁻¹B:           ∂L/∂B = A⁻ᵀ G,     ∂L/∂A = −(∂L/∂B) Xᵀ
    L = chol(A):        ∂L/∂A = sym(L⁻ᵀ Φ(Lᵀ G) L⁻¹), Φ = lower triangle with half the diagonal
    w = eigvalsh(A):    ∂L/∂A = V diag(G) Vᵀ
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import dtypes
from .._tensor import from_array
from ..autograd.function import Function
from ._util import xp_of

slogdet_return_type = namedtuple("slogdet", ["sign", "logabsdet"])
inv_ex_return_type = namedtuple("inv_ex", ["inverse", "info"])
solve_ex_return_type = namedtuple("solve_ex", ["result", "info"])
cholesky_ex_return_type = namedtuple("cholesky_ex", ["L", "info"])


def _mT(a):
    return a.swapaxes(-1, -2)


def _square(A, name):
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if A.dtype.kind != "f":
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
                           f"{dtypes.name_of(A.dtype)}")


def _singular_error(name):
    return RuntimeError(f"linalg.{name}: The diagonal element 1 is zero, the inversion could not be completed "
                        "because the input matrix is singular.")


class Inv(Function):
    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        try:
            y = xp.linalg.inv(a)
        except np.linalg.LinAlgError as e:
            raise _singular_error("inv") from e
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        yt = _mT(y)
        return -(yt @ g @ yt)


def inv(A):
    """A⁻¹ for (batches of) square matrices; singular input raises.

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.inv(dg.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    _square(A, "inv")
    return Inv.apply(A)


def inv_ex(A, *, check_errors: bool = False):
    """(inverse, info) with info = 0 for each invertible matrix."""
    out = inv(A)
    return inv_ex_return_type(out, from_array(xp_of(A._array).zeros(A.shape[:-2], dtype=np.int32)))


class Det(Function):
    @staticmethod
    def forward(ctx, a):
        d = xp_of(a).linalg.det(a)
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved_tensors
        xp = xp_of(g)
        return (g * d)[..., None, None] * _mT(xp.linalg.inv(a))


def det(A):
    """The determinant of (batches of) square matrices (a 0×0 matrix has determinant 1)."""
    _square(A, "det")
    return Det.apply(A)


class LogAbsDet(Function):
    @staticmethod
    def forward(ctx, a):
        sign, logabs = xp_of(a).linalg.slogdet(a)
        ctx.save_for_backward(a)
        ctx.sign = sign
        return logabs

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g[..., None, None] * _mT(xp_of(g).linalg.inv(a))


class _Constant(Function):
    """A value computed from ``a`` that is piecewise constant in it: in the graph, with a zero gradient."""

    @staticmethod
    def forward(ctx, a, value):
        return value

    @staticmethod
    def backward(ctx, g):
        return None, None


def slogdet(A):
    """(sign, log|det A|): the determinant without overflow; the gradient flows through log|det|."""
    _square(A, "slogdet")
    logabs = LogAbsDet.apply(A)
    sign = xp_of(A._array).linalg.slogdet(A._array)[0].astype(A.dtype)
    return slogdet_return_type(_Constant.apply(A, sign) if A.requires_grad else from_array(sign), logabs)


def logdet(A):
    """log det A: NaN where det < 0, −inf where det = 0."""
    from .elementwise import where

    sign, logabs = slogdet(A)
    return where(sign < 0, float("nan"), where(sign == 0, float("-inf"), logabs))


def _is_vector_rhs(A, B):
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


class Solve(Function):
    @staticmethod
    def forward(ctx, a, b):
        xp = xp_of(a)
        try:
            x = xp.linalg.solve(a, b)
        except np.linalg.LinAlgError as e:
            raise RuntimeError("torch.linalg.solve: The solver failed because the input matrix is singular.") from e
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        xp = xp_of(g)
        gb = xp.linalg.solve(_mT(a), g)
        return -(gb @ _mT(x)), gb


def solve(A, B, *, left: bool = True):
    """X with A X = B (``left=False``: X A = B); B may be a (batch of) vector(s).

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.solve(dg.tensor([[2.0, 0.0], [0.0, 4.0]]), dg.tensor([2.0, 2.0]))
        tensor([1.0000, 0.5000])
    """
    _square(A, "solve")
    if not left:
        return solve(A.mT, B.mT).mT
    if _is_vector_rhs(A, B):
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return Solve.apply(A, B)


def solve_ex(A, B, *, left: bool = True, check_errors: bool = False):
    """(result, info) of :func:`solve`."""
    out = solve(A, B, left=left)
    return solve_ex_return_type(out, from_array(xp_of(A._array).zeros(A.shape[:-2], dtype=np.int32)))


def solve_triangular(A, B, *, upper: bool, left: bool = True, unitriangular: bool = False):
    """X with A X = B for a triangular A (only its ``upper``/lower triangle is read)."""
    from .matrix import tril, triu

    if not left:
        return solve_triangular(A.mT, B.mT, upper=not upper, unitriangular=unitriangular).mT
    T = triu(A) if upper else tril(A)
    if unitriangular:
        n = A.shape[-1]
        eye = from_array(xp_of(A._array).eye(n, dtype=A.dtype))
        T = T - T * eye + eye
    return Solve.apply(T, B)


class Cholesky(Function):
    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        try:
            lower = xp.linalg.cholesky(a)
        except np.linalg.LinAlgError as e:
            raise RuntimeError("linalg.cholesky: The factorization could not be completed because the input is "
                               "not positive-definite.") from e
        ctx.save_for_backward(lower)
        return lower

    @staticmethod
    def backward(ctx, g):
        (lower,) = ctx.saved_tensors
        xp = xp_of(g)
        phi = xp.tril(_mT(lower) @ g)
        phi = phi - 0.5 * xp.eye(phi.shape[-1], dtype=phi.dtype) * phi
        inv_l = xp.linalg.inv(lower)
        s = _mT(inv_l) @ phi @ inv_l
        return 0.5 * (s + _mT(s))


def cholesky(A, upper: bool = False):
    """The Cholesky factor L (A = L Lᵀ) of symmetric positive-definite matrices; ``upper`` gives Lᵀ."""
    _square(A, "cholesky")
    lower = Cholesky.apply(A)
    return lower.mT if upper else lower


def cholesky_ex(A, *, upper: bool = False, check_errors: bool = False):
    """(L, info) of :func:`cholesky`."""
    out = cholesky(A, upper=upper)
    return cholesky_ex_return_type(out, from_array(xp_of(A._array).zeros(A.shape[:-2], dtype=np.int32)))


class EigvalsH(Function):
    @staticmethod
    def forward(ctx, a, uplo):
        w, v = xp_of(a).linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(v)
        return w

    @staticmethod
    def backward(ctx, g):
        (v,) = ctx.saved_tensors
        return (v * g[..., None, :]) @ _mT(v), None


def eigvalsh(A, UPLO: str = "L"):
    """Eigenvalues (ascending) of symmetric matrices, read from the ``UPLO`` triangle."""
    _square(A, "eigvalsh")
    return EigvalsH.apply(A, UPLO)


eigh_return_type = namedtuple("eigh", ["eigenvalues", "eigenvectors"])


class EigH(Function):
    """A = V diag(w) Vᵀ; ∂L/∂A = V (diag(G_w) + skew(Vᵀ G_V)/(w_j − w_i)) Vᵀ (PyTorch's formula)."""

    @staticmethod
    def forward(ctx, a, uplo):
        w, v = xp_of(a).linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        xp = xp_of(w)
        inner = xp.zeros(v.shape, dtype=v.dtype) if gv is None else _mT(v) @ gv
        inner = 0.5 * (inner - _mT(inner))
        gap = w[..., None, :] - w[..., :, None]
        n = w.shape[-1]
        eye = xp.eye(n, dtype=bool)
        inner = xp.where(eye, 0, inner / xp.where(eye, 1, gap))
        if gw is not None:
            inner = inner + xp.eye(n, dtype=v.dtype) * gw[..., None, :]
        return v @ inner @ _mT(v), None


def eigh(A, UPLO: str = "L"):
    """Eigenvalues (ascending) and orthonormal eigenvectors of symmetric matrices."""
    _square(A, "eigh")
    w, v = EigH.apply(A, UPLO)
    return eigh_return_type(w, v)


class SvdVals(Function):
    """Singular values; ∂L/∂A = U diag(G) Vᵀ."""

    @staticmethod
    def forward(ctx, a):
        u, s, vh = xp_of(a).linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vh)
        return s

    @staticmethod
    def backward(ctx, g):
        u, vh = ctx.saved_tensors
        return (u * g[..., None, :]) @ vh


def svdvals(A):
    """The singular values of (batches of) matrices, in descending order."""
    if A.ndim < 2:
        raise RuntimeError("linalg.svdvals: The input tensor A must have at least 2 dimensions.")
    return SvdVals.apply(A)


def matrix_power(A, n: int):
    """Aⁿ by repeated squaring (n < 0 inverts first; n = 0 gives the identity)."""
    from .linalg import matmul

    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices")
    if n == 0:
        xp = xp_of(A._array)
        eye = xp.broadcast_to(xp.eye(A.shape[-1], dtype=A.dtype), A.shape)
        return from_array(xp.ascontiguousarray(eye)) + A * 0
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def vander(x, *, N=None):
    """The Vandermonde matrix with columns x⁰, x¹, …, x^(N−1) (increasing powers, as torch.linalg)."""
    from .scan import cumprod
    from .shape import cat

    if x.dtype.kind == "b":
        raise RuntimeError("linalg.vander supports floating point, complex, and integer tensors, but got Bool")
    x = x.reshape(1) if x.ndim == 0 else x
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError(f"N must be greater than 1. (got N={n}: pass N >= 2, or an x with 2 or more elements)")
    cols = [x.unsqueeze(-1) ** 0] + [x.unsqueeze(-1)] * (n - 1)
    return cumprod(cat(cols, -1), -1)



__all__ = [
    "inv", "inv_ex", "det", "slogdet", "logdet", "solve", "solve_ex", "solve_triangular", "cholesky",
    "cholesky_ex", "eigvalsh", "eigh", "svdvals", "matrix_power", "vander",
]
