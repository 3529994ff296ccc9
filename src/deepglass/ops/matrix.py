"""Triangles and diagonals of matrices: ``tril``/``triu``, ``diagonal``, ``diag``, ``diag_embed``.

Each works on two dimensions of its input (the last two, or ``dim1``/``dim2``); the gradient of
taking a part of a matrix is that part of the output gradient, put back in place with zeros elsewhere.
"""
from __future__ import annotations

from ..autograd.function import Function
from ._util import normalize_dim, xp_of


class Tri(Function):
    @staticmethod
    def forward(ctx, x, k, upper):
        xp = xp_of(x)
        ctx.k, ctx.upper = k, upper
        return xp.triu(x, k) if upper else xp.tril(x, k)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        return xp.triu(g, ctx.k) if ctx.upper else xp.tril(g, ctx.k)


def tril(input, diagonal: int = 0):
    return Tri.apply(input, diagonal, False)


def triu(input, diagonal: int = 0):
    return Tri.apply(input, diagonal, True)


# ---------------------------------------------------------------- diagonals


def _diagonal_index(xp, n1: int, n2: int, offset: int):
    """Row and column indices of diagonal ``offset`` of an ``n1 × n2`` matrix: (i, i + offset).

    Empty when the diagonal lies outside the matrix (as in PyTorch, no error).
    """
    length = max(min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2), 0)
    i = xp.arange(length)
    return (i, i + offset) if offset >= 0 else (i - offset, i)


def _write_diagonal(z, values, offset: int, a1: int, a2: int):
    """Write ``values`` (shape: ``z`` without axes a1, a2, then the diagonal) onto a diagonal of ``z``."""
    xp = xp_of(z)
    zm = xp.moveaxis(z, (a1, a2), (-2, -1))  # a writable view: the writes land in z
    rows, cols = _diagonal_index(xp, zm.shape[-2], zm.shape[-1], offset)
    zm[..., rows, cols] = values
    return z


class Diagonal(Function):
    """out[..., i] = x[i, i + offset] over axes (a1, a2); backward scatters g back onto that diagonal."""

    @staticmethod
    def forward(ctx, x, offset, a1, a2):
        ctx.shape, ctx.args = x.shape, (offset, a1, a2)
        # NumPy's diagonal is a read-only view; deepglass tensors own their memory
        return xp_of(x).diagonal(x, offset, a1, a2).copy()

    @staticmethod
    def backward(ctx, g):
        return _write_diagonal(xp_of(g).zeros(ctx.shape, dtype=g.dtype), g, *ctx.args)


class DiagEmbed(Function):
    """The adjoint of Diagonal: the last dim of x becomes a diagonal of a new (a1, a2) plane of zeros."""

    @staticmethod
    def forward(ctx, x, offset, a1, a2):
        ctx.args = (offset, a1, a2)
        n = x.shape[-1] + abs(offset)
        shape = list(x.shape[:-1])
        for d in sorted((a1, a2)):
            shape.insert(d, n)
        return _write_diagonal(xp_of(x).zeros(shape, dtype=x.dtype), x, offset, a1, a2)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).diagonal(g, *ctx.args)


def _diagonal_dims(dim1, dim2, ndim):
    a1, a2 = normalize_dim(dim1, ndim), normalize_dim(dim2, ndim)
    if a1 == a2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return a1, a2


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """The diagonal ``offset`` of the (dim1, dim2) planes, moved to a new last dimension.

    ``out[..., i] = input[..., i, ..., i + offset, ...]`` (i on dim1, i + offset on dim2);
    ``offset > 0`` is above the main diagonal, ``< 0`` below, and one that misses the
    matrix gives an empty result. PyTorch returns a view; deepglass returns a copy
    (same values and gradient, but writes into it do not reach ``input``).

    Shape:
        ``input`` with dims ``dim1`` and ``dim2`` removed, then the diagonal's length.

    Example:
        >>> deepglass.arange(9.).reshape(3, 3).diagonal(1).tolist()
        [1.0, 5.0]
    """
    a1, a2 = _diagonal_dims(dim1, dim2, input.ndim)
    return Diagonal.apply(input, int(offset), a1, a2)


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """Put the last dimension of ``input`` on the diagonal ``offset`` of new (dim1, dim2) planes of zeros.

    The inverse of :func:`diagonal`: ``diag_embed(x, k, d1, d2).diagonal(k, d1, d2) == x``.
    ``dim1``/``dim2`` count in the output, which has one more dimension than ``input``.

    Example:
        >>> deepglass.diag_embed(deepglass.tensor([[1., 2.]])).tolist()
        [[[1.0, 0.0], [0.0, 2.0]]]
    """
    a1, a2 = _diagonal_dims(dim1, dim2, input.ndim + 1)
    return DiagEmbed.apply(input, int(offset), a1, a2)


def diag(input, diagonal: int = 0):
    """A 1-D input becomes a square matrix with it on diagonal ``diagonal``; a 2-D input gives that diagonal.

    Example:
        >>> deepglass.diag(deepglass.tensor([1., 2.])).tolist()
        [[1.0, 0.0], [0.0, 2.0]]
        >>> deepglass.diag(deepglass.tensor([[1., 2.], [3., 4.]]), -1).tolist()
        [3.0]
    """
    if input.ndim == 1:
        return DiagEmbed.apply(input, int(diagonal), 0, 1)
    if input.ndim == 2:
        return Diagonal.apply(input, int(diagonal), 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


__all__ = ["tril", "triu", "diagonal", "diag", "diag_embed"]
