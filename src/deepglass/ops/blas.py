"""BLAS-style products: ``beta·input + alpha·(product)`` (addmm, addmv, addr, addbmm, baddbmm),
addcmul/addcdiv, mv, vdot, inner, tensordot, kron, cross, cartesian_prod, block_diag,
chain_matmul and multi_dot.

All but ``block_diag`` are composed from matmul, mul, add, reshape and permute, so
their gradients come from those primitives::

    addmm(C, A, B)  = β·C + α·(A @ B)        ∂/∂A = α·G Bᵀ,  ∂/∂B = α·Aᵀ G,  ∂/∂C = β·G
    tensordot(a, b) = reshape(a) @ reshape(b) over the contracted axes
    kron(a, b)[i·m + k] = a[i]·b[k]          (a broadcast outer product, then a reshape)

As in PyTorch, ``beta = 0`` ignores ``input`` (NaN in it does not propagate).
"""
from __future__ import annotations

import functools
import warnings

from .. import dtypes
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import normalize_dim, xp_of
from .elementwise import add, div, mul, sub
from .linalg import dot, matmul, mm, outer
from .reduce import sum as _sum
from .shape import expand, permute, reshape, stack


def _check_same_dtype(name, *tensors):
    first = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != first:
            raise RuntimeError(f"{name}: expected all tensors to have the same dtype, but got "
                               f"{dtypes.name_of(first)} and {dtypes.name_of(t.dtype)}; cast one with .to(dtype)")


def _check_ndim(name, t, n, what):
    if t.ndim != n:
        raise RuntimeError(f"{name}: {what} must be a {n}-D tensor, got {t.ndim}-D (shape {tuple(t.shape)})")


def _beta_alpha(name, input, product, beta, alpha):
    """β·input + α·product, with β = 0 ignoring input (as PyTorch)."""
    if input.dtype.kind in "iub" and (isinstance(beta, float) or isinstance(alpha, float)):
        raise RuntimeError(f"{name}: for integer inputs, beta and alpha must be integers, not float")
    scaled = product if alpha == 1 else mul(product, alpha)
    if beta == 0:  # input only joins the graph (a zero gradient, as PyTorch), so NaN in it stays out
        return add(scaled, _Ignored.apply(input)) if input.requires_grad else \
            add(scaled, _Ignored.apply(input.detach()))
    return add(input if beta == 1 else mul(input, beta), scaled)


class _Ignored(Function):
    """Zeros shaped like x, with a zero gradient: β = 0 keeps input's shape and graph but not its values."""

    @staticmethod
    def forward(ctx, x):
        return xp_of(x).zeros_like(x)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).zeros_like(g)


def _broadcast(a, b):
    """The broadcast of two shapes (NumPy's rule, which is PyTorch's)."""
    import numpy as np

    return tuple(np.broadcast_shapes(tuple(a), tuple(b)))


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """β·input + α·(mat1 @ mat2) for matrices; ``input`` broadcasts to the product's shape.

    Example:
        >>> import deepglass as dg
        >>> dg.addmm(dg.ones(2, 2), dg.eye(2), dg.full((2, 2), 3.0), beta=2)
        tensor([[5., 5.],
                [5., 5.]])
    """
    _check_ndim("addmm", mat1, 2, "mat1")
    _check_ndim("addmm", mat2, 2, "mat2")
    _check_same_dtype("addmm", input, mat1, mat2)
    return _beta_alpha("addmm", input, mm(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """β·input + α·(mat @ vec) for a matrix and a vector."""
    _check_ndim("addmv", mat, 2, "mat")
    _check_ndim("addmv", vec, 1, "vec")
    _check_same_dtype("addmv", input, mat, vec)
    return _beta_alpha("addmv", input, matmul(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """β·input + α·(vec1 ⊗ vec2), the outer product of two vectors."""
    _check_ndim("addr", vec1, 1, "vec1")
    _check_ndim("addr", vec2, 1, "vec2")
    if input.dtype.kind == "b" and not (isinstance(beta, bool) or beta in (0, 1)):
        raise RuntimeError("addr: Boolean beta only supported for Boolean results.")
    return _beta_alpha("addr", input, outer(vec1, vec2), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """β·input + α·(batch1 @ batch2), batched over the first dimension."""
    _check_ndim("baddbmm", batch1, 3, "batch1")
    _check_ndim("baddbmm", batch2, 3, "batch2")
    _check_same_dtype("baddbmm", input, batch1, batch2)
    return _beta_alpha("baddbmm", input, matmul(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """β·input + α·Σᵢ batch1[i] @ batch2[i] (the batched products summed)."""
    _check_ndim("addbmm", batch1, 3, "batch1")
    _check_ndim("addbmm", batch2, 3, "batch2")
    _check_same_dtype("addbmm", input, batch1, batch2)
    return _beta_alpha("addbmm", input, _sum(matmul(batch1, batch2), 0), beta, alpha)


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value·tensor1·tensor2 (broadcasting)."""
    prod = mul(tensor1, tensor2)
    return add(input, prod if value == 1 else mul(prod, value))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value·tensor1/tensor2 (true division; integer tensors are refused as in PyTorch)."""
    if tensor1.dtype.kind in "iub" and tensor2.dtype.kind in "iub":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2. Use torch.addcmul(input, tensor1, "
                           "1 / tensor2) instead.")
    q = div(tensor1, tensor2)
    return add(input, q if value == 1 else mul(q, value))


def mv(input, vec):
    """Matrix-vector product."""
    _check_ndim("mv", input, 2, "input")
    _check_ndim("mv", vec, 1, "vec")
    return matmul(input, vec)


def vdot(input, other):
    """Dot product of two 1-D tensors, Σ conj(aᵢ)·bᵢ (the first is conjugated for complex tensors)."""
    _check_ndim("vdot", input, 1, "input")
    _check_ndim("vdot", other, 1, "other")
    from .complex import conj

    return dot(conj(input), other)


def inner(input, other):
    """Σ over the last axes: inner(a, b)[i.., j..] = Σₖ a[i.., k]·b[j.., k]; a scalar operand multiplies."""
    if input.ndim == 0 or other.ndim == 0:
        return mul(input, other)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, dims=([-1], [-1]))


def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` axes: the last ``dims`` of ``a`` with the first of ``b``, or two lists of axes.

    Example:
        >>> import deepglass as dg
        >>> dg.tensordot(dg.ones(2, 3), dg.ones(3, 4), dims=1).shape
        (2, 4)
    """
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    da = [normalize_dim(d, a.ndim) for d in da]
    db = [normalize_dim(d, b.ndim) for d in db]
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j] and 1 in (a.shape[i], b.shape[j]):  # a size-1 axis broadcasts (PyTorch)
            if a.shape[i] == 1:
                a = expand(a, *[b.shape[j] if d == i else -1 for d in range(a.ndim)])
            else:
                b = expand(b, *[a.shape[i] if d == j else -1 for d in range(b.ndim)])
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} "
                               f"and second has size {b.shape[j]} in dim {j}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = 1
    for d in da:
        k *= a.shape[d]
    ma = reshape(permute(a, *(free_a + da)), (-1 if k else _prod(a.shape[d] for d in free_a), k))
    mb = reshape(permute(b, *(db + free_b)), (k, -1 if k else _prod(b.shape[d] for d in free_b)))
    out_shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return reshape(mm(ma, mb), out_shape)


def _prod(xs):
    return functools.reduce(lambda p, q: p * q, xs, 1)


def kron(input, other):
    """Kronecker product: kron(a, b)[i·m + k, ...] = a[i, ...]·b[k, ...] (shapes padded to one ndim)."""
    n = max(input.ndim, other.ndim)
    sa = (1,) * (n - input.ndim) + tuple(input.shape)
    sb = (1,) * (n - other.ndim) + tuple(other.shape)
    a = reshape(input, [s for d in sa for s in (d, 1)])
    b = reshape(other, [s for d in sb for s in (1, d)])
    return reshape(mul(a, b), [x * y for x, y in zip(sa, sb)])


def cross(input, other, dim=None):
    """Cross product of 3-vectors along ``dim`` (default: the first axis of size 3, as torch.cross).

    Example:
        >>> import deepglass as dg
        >>> dg.cross(dg.tensor([1.0, 0.0, 0.0]), dg.tensor([0.0, 1.0, 0.0]), dim=0)
        tensor([0., 0., 1.])
    """
    shape = _broadcast(input.shape, other.shape)
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions, got {input.ndim} and "
                           f"{other.ndim}")
    if dim is None:
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated; pass dim=-1 as "
                      "linalg.cross does", UserWarning, stacklevel=2)
    d = normalize_dim(dim, len(shape))
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    a = expand(input, *shape) if tuple(input.shape) != tuple(shape) else input
    b = expand(other, *shape) if tuple(other.shape) != tuple(shape) else other
    a1, a2, a3 = (a.select(d, i) for i in range(3))
    b1, b2, b3 = (b.select(d, i) for i in range(3))
    return stack([sub(mul(a2, b3), mul(a3, b2)), sub(mul(a3, b1), mul(a1, b3)), sub(mul(a1, b2), mul(a2, b1))], d)


def cartesian_prod(*tensors):
    """All tuples (t₁[i], t₂[j], ...) of 1-D tensors, one per row (a single tensor comes back as is)."""
    for t in tensors:
        _check_ndim("cartesian_prod", t, 1, "each input")
    if len(tensors) == 1:
        return tensors[0]
    sizes = [t.shape[0] for t in tensors]
    cols = []
    for i, t in enumerate(tensors):
        shape = [1] * len(tensors)
        shape[i] = sizes[i]
        cols.append(reshape(expand(reshape(t, shape), *sizes), (-1,)))
    return stack(cols, 1)


class BlockDiag(Function):
    """Place matrices along the diagonal of a zero matrix; the gradient of each is its block of G."""

    @staticmethod
    def forward(ctx, *mats):
        xp = xp_of(mats[0])
        rows, cols = sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)
        dtype = mats[0].dtype
        out = xp.zeros((rows, cols), dtype=dtype)
        ctx.spans = []
        r = c = 0
        for m in mats:
            out[r:r + m.shape[0], c:c + m.shape[1]] = m
            ctx.spans.append((r, r + m.shape[0], c, c + m.shape[1]))
            r, c = r + m.shape[0], c + m.shape[1]
        return out

    @staticmethod
    def backward(ctx, g):
        return tuple(g[r0:r1, c0:c1] for r0, r1, c0, c1 in ctx.spans)


def block_diag(*tensors):
    """A block-diagonal matrix of the inputs (0-d → 1×1, 1-D of n → 1×n); dtypes promote.

    Example:
        >>> import deepglass as dg
        >>> dg.block_diag(dg.tensor([[1.0]]), dg.tensor([[2.0, 3.0]]))
        tensor([[1., 0., 0.],
                [0., 2., 3.]])
    """
    from .elementwise import _cast

    if not tensors:
        from ..creation import empty

        return empty(1, 0)
    mats = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
        mats.append(reshape(t, (1, 1)) if t.ndim == 0 else reshape(t, (1, -1)) if t.ndim == 1 else t)
    rt = mats[0].dtype
    for m in mats[1:]:
        rt = dtypes.result_type(rt, m.dtype)
    mats = [_cast(m, rt) for m in mats]
    return BlockDiag.apply(*mats)


def chain_matmul(*matrices):
    """matrices[0] @ matrices[1] @ ... (all 2-D); prefer :func:`deepglass.linalg.multi_dot`."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        _check_ndim("chain_matmul", m, 2, "each matrix")
    if len(matrices) == 1:
        return matrices[0].clone()
    return multi_dot(list(matrices))


def multi_dot(tensors):
    """A chain of matrix products in the cheapest order; the first/last may be 1-D (a row/column vector)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    ts = list(tensors)
    first_vec, last_vec = ts[0].ndim == 1, ts[-1].ndim == 1
    if first_vec:
        ts[0] = reshape(ts[0], (1, -1))
    if last_vec:
        ts[-1] = reshape(ts[-1], (-1, 1))
    for i, t in enumerate(ts):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    _check_same_dtype("multi_dot", *ts)
    out = _chain(ts)
    if first_vec and last_vec:
        return reshape(out, ())
    return reshape(out, (-1,)) if first_vec or last_vec else out


def _chain(ts):
    """Multiply in the order that minimises the scalar multiplications (the matrix-chain dynamic program)."""
    n = len(ts)
    dims = [ts[0].shape[0]] + [t.shape[1] for t in ts]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def build(i, j):
        if i == j:
            return ts[i]
        k = split[i][j]
        return mm(build(i, k), build(k + 1, j))

    return build(0, n - 1)



__all__ = [
    "addmm", "addmv", "addr", "baddbmm", "addbmm", "addcmul", "addcdiv", "mv", "vdot", "inner", "tensordot", "kron",
    "cross", "cartesian_prod", "block_diag", "chain_matmul",
]
