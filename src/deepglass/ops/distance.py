"""Distances between vectors: normalisation, cosine similarity, p-norm distances.

- ``normalize(x, p, dim)``: x / max(‖x‖_p, ε) along ``dim``.
- ``cosine_similarity(x1, x2)``: x1·x2 / max(‖x1‖·‖x2‖, ε).
- ``pairwise_distance(x1, x2, p)``: ‖x1 − x2 + ε‖_p row by row.
- ``cdist(x1, x2, p)``: the matrix of ‖x1_i − x2_j‖_p between two sets of rows (batched).

The functional forms are exported by ``deepglass.nn.functional``; ``cosine_similarity``,
``pairwise_distance`` and ``cdist`` also by ``deepglass``, as in PyTorch.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ._util import normalize_dim, xp_of
from .linalg import _torch_name
from .reduce import norm as _norm
from .reduce import sum as _sum
from .reduce import vector_norm


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i, (m, k) in enumerate(zip(a, b)):
        if m != k and m != 1 and k != 1:
            raise RuntimeError(f"The size of tensor a ({m}) must match the size of tensor b ({k}) at "
                               f"non-singleton dimension {i}")
    return tuple(k if m == 1 else m for m, k in zip(a, b))


def _check_floating(x, name="linalg.vector_norm"):
    if x.dtype.kind != "f":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_torch_name(x.dtype)}")


def _vector_norm(x, p, dim, keepdim):
    """vector_norm over one dim, also for a 0-dim tensor (where dim 0 / -1 means the element itself)."""
    if x.ndim == 0:
        normalize_dim(dim, 0)
        return vector_norm(x.reshape(1), p, 0, keepdim=False)
    return vector_norm(x, p, dim, keepdim)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12):
    """Scale vectors along ``dim`` to unit p-norm: v / max(‖v‖_p, ε).

    ``p`` may be any order ``torch.norm`` takes (a number, inf, 'fro'); ``dim`` an int
    or a tuple. Vectors shorter than ``eps`` are divided by ``eps`` (a zero vector
    stays zero). PyTorch's ``out=`` argument is not supported.

    Example:
        >>> F.normalize(deepglass.tensor([[3., 4.]])).tolist()
        [[0.6000000238418579, 0.800000011920929]]
    """
    _check_floating(input)
    if input.ndim == 0:
        normalize_dim(dim, 0)
        return input / _norm(input.reshape(1), p).clamp(min=eps)
    return input / _norm(input, p, dim, keepdim=True).clamp(min=eps)


class _ClampMinPassThrough(Function):
    """max(x, eps) with the gradient of the identity (PyTorch clamps these norms under no_grad)."""

    @staticmethod
    def forward(ctx, x, eps):
        return xp_of(x).maximum(x, x.dtype.type(eps))

    @staticmethod
    def backward(ctx, g):
        return g, None


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """cos θ between the vectors along ``dim``: Σ (x1 / max(‖x1‖, ε)) · (x2 / max(‖x2‖, ε)).

    As PyTorch ≥ 1.12, each norm is clamped to ``eps`` on its own (so |result| ≤ 1 and a
    zero vector gives 0), and the gradient flows through the norms as if unclamped.
    ``x1`` and ``x2`` broadcast; integer inputs are converted to the common float type.

    Shape:
        ``x1``, ``x2`` broadcastable → the broadcast shape without ``dim``.

    Example:
        >>> F.cosine_similarity(deepglass.tensor([[1., 0.]]), deepglass.tensor([[1., 1.]])).tolist()
        [0.7071067690849304]
    """
    rt = dtypes.result_type(x1.dtype, x2.dtype, x1.ndim == 0, x2.ndim == 0)
    if rt.kind != "f":
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {_torch_name(rt)}")
    x1 = x1 if x1.dtype.kind == "f" else x1.to(rt)
    x2 = x2 if x2.dtype.kind == "f" else x2.to(rt)
    shape = _broadcast_shape(x1.shape, x2.shape)
    x1, x2 = x1.expand(shape), x2.expand(shape)
    if not shape:
        normalize_dim(dim, 0)
        x1, x2, dim = x1.reshape(1), x2.reshape(1), 0
    n1 = _ClampMinPassThrough.apply(vector_norm(x1, 2, dim, keepdim=True), eps)
    n2 = _ClampMinPassThrough.apply(vector_norm(x2, 2, dim, keepdim=True), eps)
    return _sum((x1 / n1) * (x2 / n2), dim)


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """‖x1 − x2 + ε‖_p over the last dimension (``x1`` and ``x2`` broadcast).

    Example:
        >>> F.pairwise_distance(deepglass.tensor([[0., 0.]]), deepglass.tensor([[3., 4.]]), eps=0).tolist()
        [5.0]
    """
    # integer inputs give a float difference (+ eps), as in PyTorch
    return _vector_norm(x1 - x2 + eps, p, max(x1.ndim, x2.ndim) - 1, keepdim)


def _pnorm(xp, d, p):
    """‖d‖_p over the last axis (p = 0 counts non-zeros, inf takes the largest |d|)."""
    if d.shape[-1] == 0:
        return xp.zeros(d.shape[:-1], dtype=d.dtype)
    if p == 0:
        return (d != 0).sum(axis=-1).astype(d.dtype)
    if p == 1:
        return xp.abs(d).sum(axis=-1)
    if p == 2:
        return xp.sqrt((d * d).sum(axis=-1))
    if p == float("inf"):
        return xp.abs(d).max(axis=-1)
    return (xp.abs(d) ** p).sum(axis=-1) ** (1.0 / p)


def _pnorm_grad(xp, d, dist, p):
    """∂‖d‖_p/∂d, with PyTorch's zeros where the distance is 0 (and, for p < 1, where d is 0)."""
    if p == 0:
        return xp.zeros_like(d)
    if p == 1:
        return xp.sign(d)
    dist = dist[..., None]
    if p == float("inf"):  # every tied maximum gets the full gradient (PyTorch's cdist, unlike its norms)
        return xp.sign(d) * (xp.abs(d) == dist)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 2:
            return xp.where(dist == 0, 0, d / dist).astype(d.dtype, copy=False)
        r = xp.sign(d) * xp.abs(d) ** (p - 1) / dist ** (p - 1)
        zero = (dist == 0) | ((d == 0) if p < 1 else False)
        return xp.where(zero, 0, r).astype(d.dtype, copy=False)


_CDIST_CHUNK = 1 << 22  # elements of the (B, rows, R, M) difference block held at once


class CDist(Function):
    """dist[b, i, j] = ‖x1[b, i] − x2[b, j]‖_p, computed exactly from the differences, a block of rows at a time."""

    @staticmethod
    def forward(ctx, a, b, p):
        xp = xp_of(a)
        (B, P, M), R = a.shape, b.shape[1]
        out = xp.empty((B, P, R), dtype=a.dtype)
        step = max(1, _CDIST_CHUNK // max(1, B * R * M))
        for i in range(0, P, step):
            out[:, i:i + step] = _pnorm(xp, a[:, i:i + step, None, :] - b[:, None, :, :], p)
        ctx.save_for_backward(a, b, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        xp = xp_of(g)
        (B, P, M), R = a.shape, b.shape[1]
        ga, gb = xp.empty_like(a), xp.zeros_like(b)
        step = max(1, _CDIST_CHUNK // max(1, B * R * M))
        for i in range(0, P, step):
            d = a[:, i:i + step, None, :] - b[:, None, :, :]
            w = _pnorm_grad(xp, d, out[:, i:i + step], ctx.p) * g[:, i:i + step, :, None]
            ga[:, i:i + step] = w.sum(axis=2)
            gb -= w.sum(axis=1)
        need = ctx.needs_input_grad
        return (ga if need[0] else None), (gb if need[1] else None), None


_CDIST_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary"):
    """p-norm distance between every row of ``x1`` and every row of ``x2``: d[i, j] = ‖x1[i] − x2[j]‖_p.

    ``p`` ≥ 0: 0 counts differing coordinates, inf takes the largest. The gradient at a
    zero distance is 0, as in PyTorch. Deviation: deepglass always computes from the
    differences (exact); PyTorch's default ``compute_mode`` switches to the faster but
    less precise ``‖a‖² + ‖b‖² − 2a·b`` for p = 2 when either input has more than 25 rows.
    ``compute_mode`` is checked but changes nothing.

    Shape:
        ``x1`` ``(*, P, M)``, ``x2`` ``(*, R, M)`` with broadcastable batch dims → ``(*, P, R)``.

    Example:
        >>> deepglass.cdist(deepglass.tensor([[0., 0.]]), deepglass.tensor([[3., 4.], [1., 0.]])).tolist()
        [[5.0, 1.0]]
    """
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, x in (("X1", x1), ("X2", x2)):
        if x.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {_torch_name(x.dtype)}")
    if x1.dtype != x2.dtype:
        raise RuntimeError(f"cdist: X1 is {_torch_name(x1.dtype)} but X2 is {_torch_name(x2.dtype)}; convert one "
                           "(x2.to(x1.dtype))")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    batch = _broadcast_shape(x1.shape[:-2], x2.shape[:-2])
    (P, M), R = x1.shape[-2:], x2.shape[-2]
    n = int(np.prod(batch))
    a = x1.expand(batch + (P, M)).reshape(n, P, M)
    b = x2.expand(batch + (R, M)).reshape(n, R, M)
    return CDist.apply(a, b, float(p)).reshape(batch + (P, R))


__all__ = ["cosine_similarity", "pairwise_distance", "cdist", "pdist"]
# `normalize` is exported by deepglass.nn.functional only (no Tensor method)


def pdist(input, p: float = 2.0):
    """The p-norm distances between every pair of rows of an (N, M) input: ‖x_i − x_j‖_p for i < j.

    The result has N(N−1)/2 entries, ordered as the upper triangle of the distance
    matrix read row by row (``torch.pdist(input, p=2)``). ``p`` ≥ 0 (0 counts the
    differing coordinates, inf takes the largest one). A pair at distance 0 gets a
    zero gradient, as in PyTorch.

    Example:
        >>> import deepglass as dg
        >>> dg.pdist(dg.tensor([[0., 0.], [3., 4.], [6., 8.]])).tolist()
        [5.0, 10.0, 5.0]
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    _check_floating(input, "pdist")
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    from .._tensor import from_array
    from ..backend import to_device
    from .shape import index_select

    i, j = np.triu_indices(input.shape[0], 1)
    rows, cols = (from_array(to_device(k.astype(np.int64), input.device)) for k in (i, j))
    return vector_norm(index_select(input, 0, rows) - index_select(input, 0, cols), p, dim=1)
