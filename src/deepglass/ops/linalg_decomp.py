"""Orthogonal decompositions for ``deepglass.linalg``: SVD, QR, Householder products, the matrix exponential.

Backward formulas (real matrices, batched; ᵀ swaps the last two axes, k = min(m, n))::

    A = U diag(S) Vᵀ:   ∂L/∂A = U [ (skew(Uᵀ G_U) / E) S + S (skew(Vᵀ G_V) / E) + diag(G_S) ] Vᵀ
                                + (I − UUᵀ) G_U S⁻¹ Vᵀ   (m > n)   + U S⁻¹ G_Vᵀ (I − VVᵀ)   (m < n)
                        with skew(X) = X − Xᵀ and E_ij = s_j² − s_i² (1 on the diagonal)
    A = Q R (m ≥ n):    M = R G_Rᵀ − G_Qᵀ Q,  ∂L/∂A = (G_Q + Q copyltu(M)) R⁻ᵀ,
                        copyltu(M) = tril(M) + tril(M, −1)ᵀ; for m < n, A = [X | Y] with X = Q R₁
                        square: ∂L/∂Y = Q G_R₂ and X takes the square formula with G_Q + Y G_R₂ᵀ
    Y = exp(A):         ∂L/∂A = the top-right block of exp([[Aᵀ, G], [0, Aᵀ]])

The engines are NumPy's (CuPy's) ``linalg.svd``/``qr`` and SciPy's ``expm``/``geqrf``; SciPy-only
engines run on the host for CuPy arrays (see :func:`_host`).
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import xp_of

svd_return_type = namedtuple("svd", ["U", "S", "V"])
linalg_svd_return_type = namedtuple("linalg_svd", ["U", "S", "Vh"])
qr_return_type = namedtuple("qr", ["Q", "R"])
linalg_qr_return_type = namedtuple("linalg_qr", ["Q", "R"])
geqrf_return_type = namedtuple("geqrf", ["a", "tau"])


def _mT(a):
    return a.swapaxes(-1, -2)


def _host(fn, *arrays):
    """Run a NumPy/SciPy engine ``fn`` on host copies of (possibly CuPy) arrays; results go back to the device."""
    xp = xp_of(arrays[0])
    if xp is np:
        return fn(*arrays)
    out = fn(*(xp.asnumpy(a) for a in arrays))
    return tuple(xp.asarray(o) for o in out) if isinstance(out, tuple) else xp.asarray(out)


def _check_matrix(A, name):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {A.dtype}")


# ------------------------------------------------------------------------------------------ SVD


class SVD(Function):
    @staticmethod
    def forward(ctx, a, full_matrices):
        xp = xp_of(a)
        m, n = a.shape[-2:]
        k = min(m, n)
        if a.size == 0:
            batch = a.shape[:-2]
            mu, nv = (m, n) if full_matrices else (k, k)
            eye_u = xp.broadcast_to(xp.eye(m, mu, dtype=a.dtype), batch + (m, mu)).copy()
            eye_v = xp.broadcast_to(xp.eye(nv, n, dtype=a.dtype), batch + (nv, n)).copy()
            u, s, vh = eye_u, xp.zeros(batch + (k,), dtype=a.dtype), eye_v
        else:
            u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u[..., :k], s, vh[..., :k, :])
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        xp = xp_of(s)
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        if k == 0:
            return xp.zeros(u.shape[:-1] + (n,), dtype=s.dtype), None
        gu = None if gu is None else gu[..., :k]
        gvh = None if gvh is None else gvh[..., :k, :]
        inner = xp.zeros(s.shape + (k,), dtype=s.dtype)
        if gs is not None:
            inner = inner + xp.eye(k, dtype=s.dtype) * gs[..., None, :]
        if gu is not None or gvh is not None:
            e = s[..., None, :] ** 2 - s[..., :, None] ** 2
            e = xp.where(xp.eye(k, dtype=bool), 1, e)
        if gu is not None:
            utgu = _mT(u) @ gu
            inner = inner + (utgu - _mT(utgu)) / e * s[..., None, :]
        if gvh is not None:
            vtgv = vh @ _mT(gvh)
            inner = inner + s[..., :, None] * ((vtgv - _mT(vtgv)) / e)
        ga = u @ inner @ vh
        if m > k and gu is not None:
            ga = ga + ((gu - u @ utgu) / s[..., None, :]) @ vh
        if n > k and gvh is not None:
            ga = ga + (u / s[..., None, :]) @ (gvh - _mT(vtgv) @ vh)
        return ga, None


def linalg_svd(A, full_matrices: bool = True, *, driver=None):
    """``torch.linalg.svd``: A = U diag(S) Vh with S descending (U, Vh unique up to the signs of their vectors).

    ``full_matrices=False`` gives U ``(*, m, k)`` and Vh ``(*, k, n)`` with k = min(m, n); True the square
    ``(*, m, m)`` and ``(*, n, n)``. Differentiable (the gradient is defined when the singular values are
    distinct; only the first k columns of U and rows of Vh carry gradient, as in PyTorch).

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.svd(dg.tensor([[3.0, 0.0], [0.0, -2.0]])).S
        tensor([3., 2.])
    """
    _check_matrix(A, "linalg.svd")
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")
    return linalg_svd_return_type(*SVD.apply(A, bool(full_matrices)))


def svd(input, some: bool = True, compute_uv: bool = True):
    """``torch.svd`` (legacy): (U, S, V) with A = U diag(S) Vᵀ; ``some=False`` gives square U and V.

    ``compute_uv=False`` returns zero-filled U ``(*, m, m)`` and V ``(*, n, n)`` beside S.

    Example:
        >>> import deepglass as dg
        >>> dg.svd(dg.eye(2)).V.shape
        (2, 2)
    """
    from .linalg_solve import svdvals

    _check_matrix(input, "svd")
    if not compute_uv:
        xp = xp_of(input._array)
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        return svd_return_type(from_array(xp.zeros(batch + (m, m), dtype=input.dtype)), svdvals(input),
                               from_array(xp.zeros(batch + (n, n), dtype=input.dtype)))
    u, s, vh = linalg_svd(input, full_matrices=not some)
    return svd_return_type(u, s, vh.mT)


# ------------------------------------------------------------------------------------------- QR


def _copyltu(m):
    xp = xp_of(m)
    low = xp.tril(m, -1)
    return low + _mT(low) + xp.eye(m.shape[-1], dtype=m.dtype) * xp.diagonal(m, 0, -2, -1)[..., None, :]


def _qr_square_backward(q, r, gq, gr):
    """∂L/∂A for A = Q R with R square (m ≥ n, reduced)."""
    xp = xp_of(q)
    mm = r @ _mT(gr) - _mT(gq) @ q
    b = gq + q @ _copyltu(mm)
    return _mT(xp.linalg.solve(r, _mT(b)))


class QR(Function):
    @staticmethod
    def forward(ctx, a, mode):
        xp = xp_of(a)
        m, n = a.shape[-2:]
        k = min(m, n)
        if a.size == 0:
            batch = a.shape[:-2]
            qc = m if mode == "complete" else k
            q = xp.broadcast_to(xp.eye(m, qc, dtype=a.dtype), batch + (m, qc)).copy()
            r = xp.zeros(batch + (qc if mode != "r" else k, n), dtype=a.dtype)
        elif mode == "r":
            r = xp.linalg.qr(a, mode="r")
            q = None
        else:
            q, r = xp.linalg.qr(a, mode=mode)
        ctx.mode = mode
        ctx.save_for_backward(q, r)
        if mode == "r":
            return xp.zeros((0,), dtype=a.dtype), r
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_tensors
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                               "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
        xp = xp_of(r)
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        gq = xp.zeros(q.shape, dtype=q.dtype) if gq is None else gq
        gr = xp.zeros(r.shape, dtype=r.dtype) if gr is None else gr
        if q.size == 0 or r.size == 0:
            return xp.zeros(q.shape[:-1] + (n,), dtype=q.dtype), None
        if m >= n:
            return _qr_square_backward(q, r, gq, gr), None
        y = q @ r[..., m:]  # the columns of A beyond the first m
        gy = q @ gr[..., m:]
        gx = _qr_square_backward(q, r[..., :m], gq + y @ _mT(gr[..., m:]), gr[..., :m])
        return xp.concatenate([gx, gy], axis=-1), None


def linalg_qr(A, mode: str = "reduced"):
    """``torch.linalg.qr``: A = Q R with orthonormal Q columns and upper-triangular R (Householder, LAPACK signs).

    ``mode``: 'reduced' (Q ``(*, m, k)``, R ``(*, k, n)``), 'complete' (Q ``(*, m, m)``, R ``(*, m, n)``)
    or 'r' (R only; Q is an empty tensor and there is no gradient).

    Example:
        >>> import deepglass as dg
        >>> Q, R = dg.linalg.qr(dg.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> R.abs()[0, 0].item()
        5.0
    """
    _check_matrix(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    return linalg_qr_return_type(*QR.apply(A, mode))


def qr(input, some: bool = True):
    """``torch.qr`` (legacy): :func:`linalg_qr` with ``some=True`` as mode='reduced', False as 'complete'.

    Example:
        >>> import deepglass as dg
        >>> dg.qr(dg.eye(3)[:, :2], some=False).Q.shape
        (3, 3)
    """
    q, r = linalg_qr(input, "reduced" if some else "complete")
    return qr_return_type(q, r)


def _geqrf_host(a):
    from scipy.linalg import lapack

    m, n = a.shape[-2:]
    out = np.array(a, copy=True)
    tau = np.zeros(a.shape[:-2] + (min(m, n),), dtype=a.dtype)
    if a.size:
        fn = lapack.get_lapack_funcs("geqrf", (a,))
        for idx in np.ndindex(a.shape[:-2]):
            qr_, tau_, _, info = fn(a[idx])
            out[idx], tau[idx] = qr_, tau_
    return out, tau


def geqrf(input):
    """``torch.geqrf``: LAPACK's packed QR (R on and above the diagonal, the Householder vectors below) and τ.

    Not differentiable (as in PyTorch). Feed the result to :func:`householder_product` or :func:`ormqr`.

    Example:
        >>> import deepglass as dg
        >>> a, tau = dg.geqrf(dg.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> a[0, 0].item()
        -5.0
    """
    _check_matrix(input, "geqrf")
    a, tau = _host(_geqrf_host, input._array)
    return geqrf_return_type(from_array(a), from_array(tau))


def _reflector(A, i):
    """The Householder vector v_i: zero above row i, 1 at row i, A[i+1:, i] below."""
    xp = xp_of(A._array)
    m = A.shape[-2]
    below = from_array((xp.arange(m) > i).astype(A.dtype))
    unit = from_array((xp.arange(m) == i).astype(A.dtype))
    return A[..., :, i] * below + unit


def _apply_reflectors(A, tau, C, left, transpose):
    """Q·C, Qᵀ·C, C·Q or C·Qᵀ with Q = H_0 H_1 ⋯ H_(k−1), H_i = I − τ_i v_i v_iᵀ (composed: differentiable)."""
    k = tau.shape[-1]
    order = range(k) if left == transpose else range(k - 1, -1, -1)
    for i in order:
        v = _reflector(A, i)
        t = tau[..., i, None, None]
        if left:
            C = C - t * v[..., :, None] * (v[..., None, :] @ C)
        else:
            C = C - t * (C @ v[..., :, None]) * v[..., None, :]
    return C


def householder_product(A, tau):
    """``torch.linalg.householder_product`` (``torch.orgqr``): the first n columns of H_1 ⋯ H_k.

    H_i = I − τ_i v_i v_iᵀ, v_i the i-th column of A below the diagonal with a 1 on it.
    A ``(*, m, n)`` with m ≥ n ≥ k, τ ``(*, k)``. Differentiable in A and τ.

    Example:
        >>> import deepglass as dg
        >>> a, tau = dg.geqrf(dg.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> dg.linalg.householder_product(a, tau).abs()[1, 0].item()
        0.800000011920929
    """
    _check_matrix(A, "linalg.householder_product")
    m, n = A.shape[-2:]
    k = tau.shape[-1] if tau.ndim else 0
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if k > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if tau.ndim != A.ndim - 1 or tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"torch.linalg.householder_product: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {tuple(tau.shape[:-1])}")
    xp = xp_of(A._array)
    eye = from_array(xp.broadcast_to(xp.eye(m, n, dtype=A.dtype), tuple(A.shape)).copy())
    if k == 0:  # no reflectors: the identity, still in the graph (a zero gradient, as PyTorch)
        return eye + A * 0
    return _apply_reflectors(A, tau, eye, left=True, transpose=False)


orgqr = householder_product


def ormqr(input, tau, other, left: bool = True, transpose: bool = False):
    """``torch.ormqr``: Q·other (``left``) or other·Q, with Qᵀ when ``transpose``; Q from :func:`geqrf`'s output.

    Q = H_1 ⋯ H_k is the full square orthogonal matrix of the reflectors in ``input`` ``(*, mn, k)``
    (mn = other's rows when ``left``, its columns otherwise). Differentiable in all three tensors.

    Example:
        >>> import deepglass as dg
        >>> a, tau = dg.geqrf(dg.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> dg.ormqr(a, tau, dg.eye(2)).abs()[1, 0].item()
        0.800000011920929
    """
    _check_matrix(input, "ormqr")
    mn = other.shape[-2] if left else other.shape[-1]
    if input.shape[-2] != mn:
        raise RuntimeError(f"torch.ormqr: input.shape[-2] must be equal to other.shape[{-2 if left else -1}]")
    if tau.shape[-1] > input.shape[-1]:
        raise RuntimeError("torch.ormqr: tau.shape[-1] must be less than or equal to input.shape[-1]")
    return _apply_reflectors(input, tau, other, left, transpose)


# --------------------------------------------------------------------------------- matrix exp


def _expm_host(a):
    from scipy.linalg import expm

    # in float64 also for float32 input: SciPy's float32 Padé loses ~1e-2 on matrices with norm ~10
    return expm(a.astype(np.float64)).astype(a.dtype) if a.size else a.copy()


class MatrixExp(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _host(_expm_host, a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        xp = xp_of(g)
        n = a.shape[-1]
        at = _mT(a)
        big = xp.concatenate([xp.concatenate([at, g], -1),
                              xp.concatenate([xp.zeros_like(at), at], -1)], -2)
        return _host(_expm_host, big)[..., :n, n:]


def matrix_exp(A):
    """``torch.linalg.matrix_exp`` (``torch.matrix_exp``): exp(A) = Σ Aᵏ/k! of square matrices (Padé, SciPy).

    Example:
        >>> import deepglass as dg
        >>> dg.matrix_exp(dg.zeros(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    from .linalg_solve import _square

    _square(A, "matrix_exp")
    return MatrixExp.apply(A)


# ------------------------------------------------------------------------ randomized low rank


def _approximate_basis(A, q, niter, M):
    """Q with orthonormal columns spanning most of A's range (Halko et al. 2009, Algorithm 4.4)."""
    from ..creation import randn

    def minus_m(x, mat, r):
        return x if mat is None else x - mat @ r

    r = randn(A.shape[-1], q, dtype=A.dtype, device=A.device)
    Q = linalg_qr(minus_m(A @ r, M, r)).Q
    for _ in range(niter):
        Q = linalg_qr(minus_m(A.mT @ Q, None if M is None else M.mT, Q)).Q
        Q = linalg_qr(minus_m(A @ Q, M, Q)).Q
    return Q


def svd_lowrank(A, q: int | None = 6, niter: int | None = 2, M=None):
    """``torch.svd_lowrank``: a rank-q SVD (U, S, V) of A − M by randomized subspace iteration.

    Exact (up to signs) when A − M has rank ≤ q; ``niter`` power iterations sharpen the basis
    otherwise. Random (deepglass's generator: the basis differs from PyTorch's); differentiable.

    Example:
        >>> import deepglass as dg
        >>> U, S, V = dg.svd_lowrank(dg.ones(4, 3), q=2)
        >>> round(S[0].item(), 4)
        3.4641
    """
    _check_matrix(A, "svd_lowrank")
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(tuple(A.shape))
    if m < n:
        A, M = A.mT, (None if M is None else M.mT)
    Q = _approximate_basis(A, q, niter, M)
    B = Q.mT @ A if M is None else Q.mT @ A - Q.mT @ M
    u, s, vh = linalg_svd(B, full_matrices=False)
    u, v = Q @ u, vh.mT
    return (v, s, u) if m < n else (u, s, v)


def pca_lowrank(A, q: int | None = None, center: bool = True, niter: int = 2):
    """``torch.pca_lowrank``: :func:`svd_lowrank` of A with its column means removed (``center``).

    ``q`` defaults to min(6, m, n). V's columns are the principal directions, S²/(m − 1) the variances.

    Example:
        >>> import deepglass as dg
        >>> U, S, V = dg.pca_lowrank(dg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), q=1)   # centred: ±(2, 2)
        >>> round(S[0].item(), 4)
        4.0
    """
    _check_matrix(A, "pca_lowrank")
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not 0 <= q <= min(m, n):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    return svd_lowrank(A - A.mean(-2, keepdim=True), q, niter=niter)


__all__ = ["svd", "qr", "geqrf", "orgqr", "ormqr", "matrix_exp", "svd_lowrank", "pca_lowrank"]
