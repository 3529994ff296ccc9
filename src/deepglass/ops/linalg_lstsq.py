"""Pseudo-inverses, ranks, least squares, condition numbers and tensor inverses/solves.

- ``pinv``: A⁺ = V diag(1/s_i for s_i > tol, else 0) Uᵀ with tol = max(atol, rtol·s_max); the default
  rtol is eps·max(m, n) (0 when a positive atol is given). ``hermitian=True`` uses eigh and |λ|.
  Its gradient is PyTorch's ``pinv_backward`` (Golub–Pereyra, for a locally constant rank)::

      (m ≤ n) K = Gᵀ A⁺:  ∂L/∂A = −(A⁺ K)ᵀ + K A⁺ᵀ − A A⁺ K A⁺ᵀ + A⁺ᵀ A⁺ (Gᵀ − K A)

- ``lstsq``: LAPACK's drivers (SciPy: gelsy, gelsd, gelss; gels is a QR solve); the solution's
  gradient is that of pinv(A)·B (as in PyTorch), the other outputs carry none.
- ``cond``: s_max/s_min for p = 2 (None) and s_min/s_max for −2; ‖A‖_p‖A⁻¹‖_p otherwise.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import xp_of
from .linalg_decomp import _check_matrix, _host, _mT

lstsq_return_type = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])


def _tolerance(A, atol, rtol, xp):
    """(atol, rtol) as arrays broadcastable over A's batch (PyTorch's get_atol_rtol)."""
    def arr(v):
        return v._array if isinstance(v, Tensor) else xp.asarray(v, dtype=A.dtype)

    eps = np.finfo(A.dtype).eps * max(A.shape[-2:])
    a = arr(0.0 if atol is None else atol)
    if rtol is not None:
        r = arr(rtol)
    elif atol is None:
        r = arr(eps)
    else:
        r = xp.where(a > 0, 0.0, eps).astype(A.dtype)
    return a, r


def _pinv_forward(a, atol, rtol, hermitian):
    xp = xp_of(a)
    if hermitian:
        w, v = xp.linalg.eigh(a)
        aw = xp.abs(w)
        tol = xp.maximum(atol[..., None], rtol[..., None] * aw.max(-1, keepdims=True))
        winv = xp.where(aw > tol, 1 / xp.where(w == 0, 1, w), 0)
        return (v * winv[..., None, :]) @ _mT(v)
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    tol = xp.maximum(atol[..., None], rtol[..., None] * s[..., :1])
    sinv = xp.where(s > tol, 1 / xp.where(s == 0, 1, s), 0)
    return (_mT(vh) * sinv[..., None, :]) @ _mT(u)


def _pinv_backward(g, p, a):
    """PyTorch's pinv_backward (real): the derivative of A⁺ where the rank is locally constant."""
    m, n = a.shape[-2:]
    pt, gt = _mT(p), _mT(g)
    if m <= n:
        k = gt @ p
        kpt = k @ pt
        return -_mT(p @ k) + kpt - (a @ p) @ kpt + (pt @ p) @ (gt - k @ a)
    k = p @ gt
    ptk = pt @ k
    return -_mT(k @ p) + (gt - a @ k) @ p @ pt + ptk - ptk @ p @ a


class Pinv(Function):
    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = xp_of(a)
        if a.size == 0:
            p = xp.zeros(a.shape[:-2] + (a.shape[-1], a.shape[-2]), dtype=a.dtype)
        else:
            p = _pinv_forward(a, atol, rtol, hermitian)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, g):
        a, p = ctx.saved_tensors
        if a.size == 0:
            return xp_of(a).zeros(a.shape, dtype=a.dtype), None, None, None
        return _pinv_backward(g, p, a), None, None, None


def pinv(A, rcond=None, hermitian: bool = False, *, atol=None, rtol=None):
    """``torch.linalg.pinv``: the Moore–Penrose pseudo-inverse, singular values ≤ max(atol, rtol·s_max) dropped.

    ``rcond`` (positional, legacy) is rtol with atol = 0. ``atol``/``rtol`` may be floats or tensors
    broadcasting over the batch. ``hermitian=True`` reads A as symmetric (eigh; faster, |λ| thresholds).

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.pinv(dg.tensor([[2.0, 0.0], [0.0, 0.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.0000]])
    """
    _check_matrix(A, "linalg.pinv")
    if rcond is not None:
        atol, rtol = 0.0, rcond
    if hermitian and A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.pinv(hermitian=True): A must be batches of square matrices")
    xp = xp_of(A._array)
    a, r = _tolerance(A, atol, rtol, xp)
    return Pinv.apply(A, a, r, bool(hermitian))


def pinverse(input, rcond: float = 1e-15):
    """``torch.pinverse``: :func:`pinv` with rtol = ``rcond``.

    Example:
        >>> import deepglass as dg
        >>> dg.pinverse(dg.tensor([[4.0]])).item()
        0.25
    """
    return pinv(input, rcond)


def matrix_rank(A, tol=None, hermitian: bool = False, *, atol=None, rtol=None):
    """``torch.linalg.matrix_rank``: the number of singular values > max(atol, rtol·s_max), int64.

    The default tolerance is PyTorch's (rtol = eps·max(m, n)); ``tol`` (legacy) is atol with rtol = 0.

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.matrix_rank(dg.tensor([[1.0, 2.0], [2.0, 4.0]])).item()
        1
    """
    _check_matrix(A, "linalg.matrix_rank")
    if tol is not None:
        atol, rtol = tol, 0.0
    xp = xp_of(A._array)
    a, r = _tolerance(A, atol, rtol, xp)
    x = A._array
    batch = x.shape[:-2]
    if x.size == 0:
        out = xp.zeros(xp.broadcast_shapes(batch, a.shape, r.shape), dtype=np.int64)
        return from_array(out)
    if hermitian:
        s = xp.abs(xp.linalg.eigvalsh(x))
        smax = s.max(-1)
    else:
        s = xp.linalg.svd(x, compute_uv=False)
        smax = s[..., 0]
    tol_ = xp.maximum(a, r * smax)
    return from_array((s > tol_[..., None]).sum(-1).astype(np.int64))


# ------------------------------------------------------------------------------------ lstsq


def _lstsq_host(a, b, rcond, driver):
    import scipy.linalg as sl

    m, n = a.shape[-2:]
    k = b.shape[-1]
    batch = a.shape[:-2]
    x = np.zeros(batch + (n, k), dtype=a.dtype)
    rank = np.zeros(batch, dtype=np.int64)
    sv = np.zeros(batch + (min(m, n),), dtype=a.dtype)
    for idx in np.ndindex(batch):
        ai, bi = a[idx], b[idx]
        if ai.size == 0 or k == 0:
            rank[idx] = 0
            continue
        if driver == "gels":  # full-rank QR solve (LAPACK gels)
            if m >= n:
                q, r = np.linalg.qr(ai)
                x[idx] = np.linalg.solve(r, q.T @ bi)
            else:
                q, r = np.linalg.qr(ai.T)
                x[idx] = q @ np.linalg.solve(r.T, bi)
            continue
        sol, _, rk, s = sl.lstsq(ai, bi, cond=rcond, lapack_driver=driver)
        x[idx], rank[idx] = sol[:n], rk
        if s is not None:
            sv[idx] = s
    return x, rank, sv


class Lstsq(Function):
    """The solution; its gradient is that of pinv(A)·B (PyTorch's linalg_lstsq_backward)."""

    @staticmethod
    def forward(ctx, a, b, x):
        ctx.save_for_backward(a, b)
        return x

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = xp_of(g)
        if a.size == 0 or g.size == 0:
            return xp.zeros(a.shape, dtype=a.dtype), xp.zeros(b.shape, dtype=b.dtype), None
        eps = np.finfo(a.dtype).eps * max(a.shape[-2:])
        p = _pinv_forward(a, xp.zeros((), dtype=a.dtype), xp.asarray(eps, dtype=a.dtype), False)
        ga = _pinv_backward(g @ _mT(b), p, a) if ctx.needs_input_grad[0] else None
        gb = _mT(p) @ g if ctx.needs_input_grad[1] else None
        return ga, gb, None


def lstsq(A, B, rcond=None, *, driver=None):
    """``torch.linalg.lstsq``: X minimising ‖A X − B‖ (the minimum-norm one when A is rank-deficient).

    Returns (solution, residuals, rank, singular_values). ``driver``: 'gelsy' (default), 'gelsd',
    'gelss' or 'gels' (full rank only). residuals (the squared residual norms per column) are filled
    when m > n, the driver is not gelsy and every matrix has full rank; rank is filled by all drivers
    but gels; singular_values by gelsd and gelss; empty tensors otherwise (PyTorch's rules).
    ``rcond`` decides the effective rank (default eps·max(m, n)). Batches broadcast.

    Example:
        >>> import deepglass as dg
        >>> A = dg.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        >>> dg.linalg.lstsq(A, dg.tensor([[1.0], [2.0], [3.0]])).solution.flatten().tolist()
        [1.0, 2.0]
    """
    from .shape import broadcast_to

    _check_matrix(A, "torch.linalg.lstsq")
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got input's "
                           f"dtype {A.dtype} and other's dtype {B.dtype}")
    vector = B.ndim == A.ndim - 1
    if vector:
        B = B.unsqueeze(-1)
    if B.ndim < 2 or B.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2): {A.shape[-2]} vs "
                           f"{B.shape[-2] if B.ndim >= 2 else B.shape}")
    xp = xp_of(A._array)
    batch = tuple(xp.broadcast_shapes(tuple(A.shape[:-2]), tuple(B.shape[:-2])))
    A = broadcast_to(A, batch + tuple(A.shape[-2:])) if tuple(A.shape[:-2]) != batch else A
    B = broadcast_to(B, batch + tuple(B.shape[-2:])) if tuple(B.shape[:-2]) != batch else B
    m, n = A.shape[-2:]
    rc = float(np.finfo(A.dtype).eps * max(m, n)) if rcond is None else float(rcond)
    x, rank, sv = _host(lambda a, b: _lstsq_host(a, b, rc, driver), A._array, B._array)
    solution = Lstsq.apply(A, B, x.astype(A.dtype))
    empty = xp.zeros((0,), dtype=A.dtype)
    full_rank = driver == "gels" or bool((rank == min(m, n)).all())
    if m > n and driver != "gelsy" and full_rank and A.numel():
        r = A @ solution - B  # differentiable, as PyTorch's residuals
        residuals = (r * r).sum(-2)
    else:  # empty, but in the graph as PyTorch's (a zero gradient)
        residuals = solution.reshape(-1)[:0]
    if vector:
        solution = solution.squeeze(-1)
    return lstsq_return_type(solution, residuals,
                             from_array(xp.zeros((0,), dtype=np.int64) if driver == "gels" else rank),
                             from_array(sv if driver in ("gelsd", "gelss") else empty))


# ------------------------------------------------------------------- cond, tensor inverses


def cond(A, p=None):
    """``torch.linalg.cond``: the condition number ‖A‖_p ‖A⁻¹‖_p.

    p None/2: s_max/s_min (any shape), −2: s_min/s_max; 'fro', 'nuc', ±1, ±inf need square
    invertible matrices (a singular one gives inf). Differentiable.

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.cond(dg.tensor([[4.0, 0.0], [0.0, 2.0]])).item()
        2.0
    """
    from .linalg_solve import inv, svdvals

    _check_matrix(A, "linalg.cond")
    if p is None or p in (2, -2):
        s = svdvals(A)
        if s.shape[-1] == 0:
            return from_array(xp_of(A._array).zeros(tuple(A.shape[:-2]), dtype=A.dtype))
        return s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
    from ..linalg import matrix_norm

    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if A.shape[-1] == 0:
        return from_array(xp_of(A._array).zeros(tuple(A.shape[:-2]), dtype=A.dtype))
    try:
        return matrix_norm(A, p) * matrix_norm(inv(A), p)
    except RuntimeError:
        return from_array(xp_of(A._array).full(tuple(A.shape[:-2]), np.inf, dtype=A.dtype))


def tensorinv(A, ind: int = 2):
    """``torch.linalg.tensorinv``: the tensor X with tensordot(X, A, ind) the identity (shape A[ind:] + A[:ind]).

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.tensorinv(dg.eye(4).reshape(4, 2, 2), ind=1).shape
        (2, 2, 4)
    """
    from .linalg_solve import inv

    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    out_shape = tuple(A.shape[ind:]) + tuple(A.shape[:ind])
    rows, cols = int(np.prod(A.shape[:ind])), int(np.prod(A.shape[ind:]))
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inv(A.reshape(rows, cols)).reshape(out_shape)


def tensorsolve(A, B, dims=None):
    """``torch.linalg.tensorsolve``: X with tensordot(A, X, X.ndim) = B (``dims`` of A moved to the end first).

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.tensorsolve(dg.eye(6).reshape(2, 3, 6), dg.ones(2, 3)).shape
        (6,)
    """
    from .linalg_solve import solve

    if dims is not None:
        nd = A.ndim
        dims = [d % nd for d in dims]
        A = A.permute(*([d for d in range(nd) if d not in dims] + dims))
    rest = tuple(A.shape[B.ndim:])
    rows, cols = int(np.prod(B.shape)), int(np.prod(rest))
    if int(np.prod(A.shape[:B.ndim])) != rows or rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    return solve(A.reshape(rows, cols), B.reshape(rows)).reshape(rest)


__all__ = ["pinverse"]
