"""``deepglass.linalg``: PyTorch's ``torch.linalg`` names that deepglass implements.

Norms (all composed from :func:`vector_norm`, so their gradients come for free):

- vector p-norms ‖x‖_p = (Σ|x_i|^p)^(1/p) for every float p; p = inf is max|x_i|,
  p = −inf is min|x_i|, p = 0 counts the non-zeros;
- matrix norms: 'fro' = √(Σ a_ij²); 1 = max over columns of Σ_i |a_ij| (−1: min);
  inf = max over rows of Σ_j |a_ij| (−inf: min); 2 / −2 the largest / smallest singular
  value, 'nuc' their sum (from :func:`svdvals`, whose gradient is U diag(G) Vᵀ).
"""
from __future__ import annotations

import math

from . import dtypes
from .ops._util import normalize_dim
from .ops.linalg import _torch_name, matmul
from .ops.matrix import diagonal as _diagonal
from .ops.reduce import amax, amin, vector_norm

__all__ = ["vector_norm", "matrix_norm", "norm", "matmul", "diagonal", "multi_dot", "cross", "vecdot", "inv", "inv_ex",
           "det", "slogdet", "solve", "solve_ex", "solve_triangular", "cholesky", "cholesky_ex", "eigvalsh",
           "eigh", "eig", "eigvals", "svdvals", "matrix_power", "vander", "svd", "qr", "lu", "lu_factor", "lu_factor_ex", "lu_solve",
           "pinv", "matrix_rank", "lstsq", "matrix_exp", "cond", "tensorinv", "tensorsolve", "householder_product",
           "ldl_factor", "ldl_factor_ex", "ldl_solve"]

_SVD_ORDERS = ("nuc", 2, -2)


def _check_dtype(A, dtype, name):
    if A.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_torch_name(A.dtype)}")
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        if dtype.kind != "f":
            raise RuntimeError(f"{name}: dtype should be floating point or complex, but got {_torch_name(dtype)}")
        if dtype.itemsize < A.dtype.itemsize:
            raise RuntimeError(f"{name}: the dtype of the input ({_torch_name(A.dtype)}) should be convertible without "
                               f"narrowing to the specified dtype ({_torch_name(dtype)})")


def _wrap_dims(dim, ndim):
    return [normalize_dim(d, ndim) for d in dim]


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):
    """A matrix norm of each matrix in the (``dim[0]``, ``dim[1]``) planes of ``A``.

    ``ord``: 'fro' (default) √(Σ a_ij²); 1 / −1 the largest / smallest column sum of
    |a_ij|; inf / −inf the largest / smallest row sum; 2 / −2 the largest / smallest
    singular value, 'nuc' the sum of the singular values. ``dtype`` computes in that float type.

    Shape:
        ``A`` ``(*, m, n)`` → ``(*)`` (the two dims kept as size 1 with ``keepdim``).

    Example:
        >>> A = deepglass.tensor([[1., -2.], [3., 4.]])
        >>> deepglass.linalg.matrix_norm(A, 1).item()      # columns: |1| + |3|, |-2| + |4|
        6.0
        >>> deepglass.linalg.matrix_norm(A, float('inf')).item()   # rows: 3, 7
        7.0
    """
    name = "linalg.matrix_norm"
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"{name}: Order {ord} not supported.")
    elif abs(ord) not in (1, 2, math.inf):
        raise RuntimeError(f"{name}: Order {float(ord):g} not supported.")
    if A.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _check_dtype(A, dtype, name)
    if isinstance(dim, int) or len(dim) != 2:
        got = dim if isinstance(dim, int) else dim[0] if len(dim) == 1 else list(dim)
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got {got}")
    d0, d1 = _wrap_dims(dim, A.ndim)
    if d0 == d1:
        raise RuntimeError(f"{name}: dims must be different. Got ({d0}, {d1})")
    if ord in _SVD_ORDERS:
        return _singular_value_norm(A, ord, d0, d1, keepdim, dtype)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    if A.shape[d0] == 0 or A.shape[d1] == 0:  # an empty matrix has norm 0 (max over nothing is not taken)
        return vector_norm(A, 1, (d0, d1), keepdim, dtype=dtype)
    if abs(ord) == math.inf:  # the inf-norm is the 1-norm of the transpose
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:  # the first reduction removes d0
        d1 -= 1
    sums = vector_norm(A, 1, d0, keepdim, dtype=dtype)
    return amax(sums, d1, keepdim) if ord > 0 else amin(sums, d1, keepdim)


def _singular_value_norm(A, ord, d0, d1, keepdim, dtype):
    """ord 2 / -2: the largest / smallest singular value of each matrix in the (d0, d1) planes; 'nuc': their sum."""
    from .ops.reduce import sum as _sum

    if dtype is not None:
        A = A.to(dtypes.as_dtype(dtype))
    rest = [d for d in range(A.ndim) if d not in (d0, d1)]
    s = svdvals(A.permute(*rest, d0, d1))
    if ord == "nuc":
        out = _sum(s, -1)
    else:
        if s.shape[-1] == 0:
            raise RuntimeError(f"linalg.matrix_norm: Expected a non-empty matrix for ord={ord}: the "
                               f"{'largest' if ord == 2 else 'smallest'} singular value of an empty matrix is undefined")
        out = amax(s, -1) if ord == 2 else amin(s, -1)
    if keepdim:
        for d in sorted((d0, d1)):
            out = out.unsqueeze(d)
    return out


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None):
    """A vector or matrix norm, as ``torch.linalg.norm``.

    - ``dim`` an int or a 1-tuple: the vector norm of order ``ord`` (2 when None);
    - ``dim`` a 2-tuple: the matrix norm of order ``ord`` ('fro' when None);
    - ``dim`` None: with ``ord`` None, the 2-norm of all elements (any shape);
      otherwise ``A`` must be 1-D (vector norm) or 2-D (matrix norm).

    A string ``ord`` ('fro', 'nuc') always means a matrix norm. See
    :func:`vector_norm` and :func:`matrix_norm` for the orders.

    Example:
        >>> deepglass.linalg.norm(deepglass.tensor([3., -4.])).item()
        5.0
        >>> deepglass.linalg.norm(deepglass.tensor([3., -4.]), float('inf')).item()
        4.0
    """
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.ndim}D.")
    if ord is not None and (isinstance(ord, str) or (dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2)):
        return matrix_norm(A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    # the vector norm (ord None is the 2-norm, also over two dims: the Frobenius norm)
    _check_dtype(A, dtype, "linalg.vector_norm")
    ord = 2 if ord is None else ord
    if dim is not None:
        axes = _wrap_dims(dim, A.ndim)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    if abs(ord) == math.inf and (A.numel() == 0 if dim is None else any(A.shape[d] == 0 for d in axes)):
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
                           "does not have an identity")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """``torch.linalg.diagonal``: :func:`deepglass.diagonal` with the last two dims as default."""
    return _diagonal(A, offset, dim1, dim2)


# issue 14: products from ops.blas under torch.linalg's names
from .ops.blas import multi_dot  # noqa: E402
from .ops.linalg_decomp import householder_product, matrix_exp  # noqa: E402
from .ops.linalg_decomp import linalg_qr as qr  # noqa: E402
from .ops.linalg_decomp import linalg_svd as svd  # noqa: E402
from .ops.linalg_eig import eig, eigvals  # noqa: E402
from .ops.linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve  # noqa: E402
from .ops.linalg_lstsq import cond, lstsq, matrix_rank, pinv, tensorinv, tensorsolve  # noqa: E402
from .ops.linalg_lu import linalg_lu as lu  # noqa: E402
from .ops.linalg_lu import linalg_lu_solve as lu_solve  # noqa: E402
from .ops.linalg_lu import lu_factor, lu_factor_ex  # noqa: E402
from .ops.linalg_solve import (  # noqa: E402
    cholesky,
    cholesky_ex,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    matrix_power,
    slogdet,
    solve,
    solve_ex,
    solve_triangular,
    svdvals,
    vander,
)


def cross(input, other, *, dim: int = -1):
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim`` (default the last)."""
    from .ops.blas import cross as _cross

    return _cross(input, other, dim=dim)


def vecdot(x, y, *, dim: int = -1):
    """``torch.linalg.vecdot``: Σ x·y along ``dim`` (broadcasting; real tensors)."""
    from .ops.reduce import sum as _sum

    return _sum(x * y, dim)
