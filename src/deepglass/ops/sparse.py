"""Sparse COO tensors, as far as graph networks use them (PyTorch's ``torch.sparse_coo_tensor``).

A sparse tensor of ``size`` stores only its non-zero entries: ``indices`` (an int64
array of shape ``(sparse_dim, nnz)``, one column per entry) and ``values`` (a dense
tensor of shape ``(nnz, *dense_dims)``). The same position may appear more than
once (the tensor is then *uncoalesced*); its value is the sum of the entries, and
``coalesce()`` sorts the positions and adds the duplicates.

The one product graph networks need is sparse × dense, Y = A X with A of shape (n, m):

    Y_ik = Σ_{entries e = (i, j)} v_e X_jk
    ∂L/∂X = Aᵀ ∂L/∂Y,      ∂L/∂v_e = Σ_k (∂L/∂Y)_ik X_jk  for e = (i, j)

computed by SciPy's CSR matrices (``cupyx.scipy.sparse`` on the GPU). Gradients flow
to the dense operand and to ``values``, so ``sparse_coo_tensor(i, v)`` with a ``v``
that requires grad trains ``v``.

``SparseTensor`` is a small ``Tensor`` subclass: ``is_sparse``, ``shape``, ``dtype``,
``device``, ``to``/``cuda``/``cpu``, ``coalesce``, ``to_dense``, ``t``, ``mm`` work;
every dense op refuses it with an error that says to call ``to_dense()`` or use
``deepglass.sparse.mm``.
"""
from __future__ import annotations

import numpy as np

from .. import backend, dtypes
from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import xp_of

__all__ = ["sparse_coo_tensor", "spmm", "sparse_mm", "to_sparse", "to_dense", "is_sparse", "SparseTensor"]

_REFUSE = ("deepglass's dense ops do not take sparse COO tensors: call .to_dense() first, or use "
           "deepglass.sparse.mm(sparse, dense) / deepglass.spmm for a sparse @ dense product")


def _scipy_sparse(xp):
    if xp.__name__ == "numpy":
        import scipy.sparse as sps
    else:  # pragma: no cover - GPU
        import cupyx.scipy.sparse as sps
    return sps


def _csr(indices, values, shape):
    """A SciPy CSR matrix of the 2-D COO entries (duplicates summed)."""
    sps = _scipy_sparse(xp_of(values))
    return sps.coo_matrix((values, (indices[0], indices[1])), shape=shape).tocsr()


def _add_at(xp, out, index, values):
    """out[index] += values, adding every repeated index (unbuffered)."""
    if xp.__name__ == "numpy":
        np.add.at(out, index, values)
    else:  # pragma: no cover - GPU
        import cupyx

        cupyx.scatter_add(out, index, values)


class SparseMM(Function):
    """Y = A X for A sparse (given by ``values``, ``indices``, ``shape``) and X dense (2-D)."""

    @staticmethod
    def forward(ctx, values, dense, indices, shape):
        A = _csr(indices, values, shape)
        ctx.save_for_backward(values, dense)
        ctx.indices, ctx.A = indices, A
        return xp_of(dense).asarray(A @ dense)

    @staticmethod
    def backward(ctx, g):
        values, dense = ctx.saved_tensors
        rows, cols = ctx.indices
        g_values = (g[rows] * dense[cols]).sum(-1) if ctx.needs_input_grad[0] else None
        g_dense = xp_of(g).asarray(ctx.A.T @ g) if ctx.needs_input_grad[1] else None
        return g_values, g_dense, None, None


class ToDense(Function):
    """The dense array with each entry's value added at its position; backward gathers the positions."""

    @staticmethod
    def forward(ctx, values, indices, shape):
        xp = xp_of(values)
        out = xp.zeros(shape, dtype=values.dtype)
        pos = tuple(indices)
        _add_at(xp, out, pos, values)
        ctx.pos = pos
        return out

    @staticmethod
    def backward(ctx, g):
        return g[ctx.pos], None, None


class SumDuplicates(Function):
    """values of the unique positions: out[u] = Σ_{e: inverse[e] = u} v_e; backward: g[inverse]."""

    @staticmethod
    def forward(ctx, values, inverse, n_unique):
        xp = xp_of(values)
        out = xp.zeros((n_unique,) + values.shape[1:], dtype=values.dtype)
        _add_at(xp, out, inverse, values)
        ctx.inverse = inverse
        return out

    @staticmethod
    def backward(ctx, g):
        return g[ctx.inverse], None, None


_NO_ARRAY = np.zeros(0)


class SparseTensor(Tensor):
    """A COO sparse tensor: ``indices`` (int64, ``(sparse_dim, nnz)``), ``values`` (``(nnz, *dense_dims)``), ``size``.

    Build it with :func:`sparse_coo_tensor` or ``dense.to_sparse()``.

    Example:
        >>> i = deepglass.tensor([[0, 1, 1], [2, 0, 2]])
        >>> s = deepglass.sparse_coo_tensor(i, deepglass.tensor([3.0, 4.0, 5.0]), (2, 3))
        >>> s.is_sparse, s.shape, s._nnz()
        (True, (2, 3), 3)
        >>> s.to_dense()
        tensor([[0., 0., 3.],
                [4., 0., 5.]])
    """

    is_sparse = True
    layout = "sparse_coo"

    def _refuse(self):
        raise RuntimeError(_REFUSE)

    def _ignore(self, value):  # Tensor.__init__ stores an array; a sparse tensor keeps none
        pass

    _array = property(_refuse, _ignore)

    def __init__(self, *args, **kwargs):
        raise TypeError("build a sparse tensor with deepglass.sparse_coo_tensor(indices, values, size)")

    @classmethod
    def _make(cls, indices, values: Tensor, shape: tuple, coalesced: bool = False) -> SparseTensor:
        self = object.__new__(cls)
        Tensor.__init__(self, _NO_ARRAY)  # the base's bookkeeping (grad, hooks, version counter ...)
        self._indices_array = indices
        self._values_t = values
        self._shape = tuple(int(n) for n in shape)
        self._coalesced = coalesced
        self.grad_fn = values.grad_fn
        self.requires_grad = values.requires_grad
        return self

    # ------------------------------------------------------------------ facts
    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def dtype(self):
        return self._values_t.dtype

    @property
    def device(self):
        return self._values_t.device

    @property
    def is_cuda(self) -> bool:
        return self._values_t.is_cuda

    @property
    def data(self):
        return SparseTensor._make(self._indices_array, self._values_t.detach(), self._shape, self._coalesced)

    def size(self, dim: int | None = None):
        return self._shape if dim is None else self._shape[dim]

    def dim(self) -> int:
        return len(self._shape)

    def numel(self) -> int:
        return int(np.prod(self._shape, dtype=np.int64))

    def sparse_dim(self) -> int:
        return int(self._indices_array.shape[0])

    def dense_dim(self) -> int:
        return self._values_t.ndim - 1

    def _nnz(self) -> int:
        return int(self._indices_array.shape[1])

    def is_coalesced(self) -> bool:
        return self._coalesced

    def is_floating_point(self) -> bool:
        return self._values_t.is_floating_point()

    def __len__(self) -> int:
        return self._shape[0]

    # ---------------------------------------------------------- the entries
    def _indices(self) -> Tensor:
        """The index columns, as stored (possibly uncoalesced)."""
        return from_array(self._indices_array)

    def _values(self) -> Tensor:
        """The values, as stored (gradients flow through them)."""
        return self._values_t

    def indices(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call .coalesce() first")
        return self._indices()

    def values(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call .coalesce() first")
        return self._values()

    def coalesce(self) -> SparseTensor:
        """Positions sorted (row-major) and unique; duplicate entries summed (differentiably)."""
        if self._coalesced:
            return self
        idx = backend.to_numpy(self._indices_array)
        flat = np.ravel_multi_index(tuple(idx), self._shape[: idx.shape[0]]) if idx.shape[1] else idx[0]
        uniq, inverse = np.unique(flat, return_inverse=True)
        new_idx = np.stack(np.unravel_index(uniq, self._shape[: idx.shape[0]])).astype(np.int64)
        new_idx = new_idx.reshape(idx.shape[0], -1)
        device = self.device
        values = SumDuplicates.apply(self._values_t, backend.to_device(inverse.reshape(-1), device), len(uniq))
        return SparseTensor._make(backend.to_device(new_idx, device), values, self._shape, coalesced=True)

    def to_dense(self, dtype=None, *, masked_grad=None) -> Tensor:
        out = ToDense.apply(self._values_t, self._indices_array, self._shape)
        return out if dtype is None else out.to(dtype)

    def to_sparse(self, sparse_dim=None) -> SparseTensor:
        return self

    def t(self) -> SparseTensor:
        if self.sparse_dim() != 2 or self.dense_dim() != 0:
            raise RuntimeError("t() expects a 2-D sparse tensor with scalar values")
        return SparseTensor._make(self._indices_array[::-1].copy(), self._values_t, self._shape[::-1])

    def mm(self, mat2) -> Tensor:
        return sparse_mm(self, mat2)

    matmul = mm
    __matmul__ = mm

    # ------------------------------------------------------------------ moves
    def to(self, *args, **kwargs) -> SparseTensor:
        values = self._values_t.to(*args, **kwargs)
        indices = backend.to_device(backend.to_numpy(self._indices_array), values.device)
        return SparseTensor._make(indices, values, self._shape, self._coalesced)

    def cpu(self) -> SparseTensor:
        return self.to("cpu")

    def cuda(self, device=None) -> SparseTensor:
        return self.to("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

    def float(self) -> SparseTensor:
        return self.to(dtypes.float32)

    def double(self) -> SparseTensor:
        return self.to(dtypes.float64)

    def detach(self) -> SparseTensor:
        return self.data

    def requires_grad_(self, requires_grad: bool = True) -> SparseTensor:
        self._values_t.requires_grad_(requires_grad)
        self.requires_grad = requires_grad
        return self

    def __repr__(self) -> str:
        pad = " " * len("tensor(indices=")
        ind = repr(from_array(backend.to_numpy(self._indices_array))).replace("\n", "\n" + pad)
        if self._nnz() == 0:
            ind = f"tensor([], size={tuple(self._indices_array.shape)})"
        vals = repr(self._values_t.detach().cpu())
        if self._nnz() == 0:
            vals = f"tensor([], size={tuple(self._values_t.shape)})"
        extras = f"size={self._shape}, nnz={self._nnz()}, layout=deepglass.sparse_coo"
        if self.is_cuda:
            extras += f", device='{self.device}'"
        if self.requires_grad:
            extras += ", requires_grad=True"
        return f"tensor(indices={ind},\n       values={vals},\n       {extras})"

    __str__ = __repr__


def _as_index_array(indices):
    if isinstance(indices, Tensor):
        arr = indices._array
    else:
        arr = np.asarray(indices)
    if arr.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {tuple(arr.shape)}")
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"indices must be an int64 tensor, got {arr.dtype}; convert with indices.long()")
    return arr.astype(np.int64, copy=False)


def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, requires_grad: bool = False,
                      check_invariants=None, is_coalesced=None) -> SparseTensor:
    """A sparse COO tensor with entries ``values`` at the columns of ``indices`` (``torch.sparse_coo_tensor``).

    Args:
        indices: int64, shape ``(sparse_dim, nnz)``.
        values: shape ``(nnz, *dense_dims)``; a tensor that requires grad keeps its gradient.
        size: the full shape; inferred as (max index + 1 per dim) + dense dims when omitted.
        dtype, device: of the values.
        requires_grad: make the values a leaf that requires grad.

    deepglass always checks that the indices are non-negative and inside ``size`` (PyTorch checks
    only with ``check_invariants=True``); the error is PyTorch's.

    Example:
        >>> s = sparse_coo_tensor([[0, 1], [1, 0]], deepglass.tensor([2.0, 3.0]), (2, 2))
        >>> s.to_dense()
        tensor([[0., 2.],
                [3., 0.]])
    """
    idx = _as_index_array(indices)
    if not isinstance(values, Tensor):
        from ..creation import tensor

        values = tensor(values, dtype=dtype)
    if dtype is not None or device is not None:
        values = values.to(*[a for a in (device, dtype) if a is not None])
    if requires_grad:
        values = values.detach().requires_grad_(True)
    if idx.shape[1] != values.shape[0]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: {idx.shape[1]}, "
                           f"nnz from values: {values.shape[0]}")
    host = backend.to_numpy(idx)
    if size is None:
        size = tuple(int(m) + 1 for m in host.max(1)) if host.shape[1] else (0,) * host.shape[0]
        size = size + tuple(values.shape[1:])
    size = tuple(int(n) for n in size)
    if len(size) != idx.shape[0] + values.ndim - 1:
        raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = {len(size)}, "
                           f"sparse_dim = {idx.shape[0]}, dense_dim = {values.ndim - 1}")
    if host.size:
        if host.min() < 0:
            raise RuntimeError(f"`indices` contains negative values: found index {int(host.min())}")
        for d in range(host.shape[0]):
            if host[d].max() >= size[d]:
                raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is {size[d]} but found "
                                   f"index {int(host[d].max())}")
    coalesced = bool(is_coalesced) if is_coalesced is not None else host.shape[1] <= 1
    return SparseTensor._make(backend.to_device(host, values.device), values, size, coalesced)


def sparse_mm(sparse, dense) -> Tensor:
    """``sparse @ dense`` for a 2-D sparse COO matrix and a 2-D dense one (``torch.sparse.mm``).

    Gradients flow to ``dense`` and to the sparse tensor's values.

    Example:
        >>> a = deepglass.tensor([[0.0, 2.0], [3.0, 0.0]]).to_sparse()
        >>> sparse_mm(a, deepglass.ones(2, 1))
        tensor([[2.],
                [3.]])
    """
    if not isinstance(sparse, SparseTensor):
        raise TypeError(f"deepglass.sparse.mm expects a sparse COO tensor as its first argument, got "
                        f"{'a dense tensor' if isinstance(sparse, Tensor) else type(sparse).__name__}; "
                        "use deepglass.mm for dense @ dense")
    if isinstance(dense, SparseTensor):
        raise NotImplementedError("deepglass.sparse.mm(sparse, sparse) is not implemented; "
                                  "convert one operand with .to_dense()")
    if sparse.sparse_dim() != 2 or sparse.dense_dim() != 0 or dense.ndim != 2:
        raise RuntimeError(f"sparse.mm expects a 2-D sparse matrix with scalar values and a 2-D dense matrix, got "
                           f"sizes {sparse.shape} and {tuple(dense.shape)}")
    if sparse.shape[1] != dense.shape[0]:
        raise RuntimeError(f"addmm: Argument #3 (dense): Expected dim 0 size {sparse.shape[1]}, got {dense.shape[0]}")
    values = sparse._values_t
    if values.dtype != dense.dtype:
        raise RuntimeError(f"sparse.mm: expected the sparse and dense operands to have one dtype, got "
                           f"{dtypes.name_of(values.dtype)} and {dtypes.name_of(dense.dtype)}")
    return SparseMM.apply(values, dense, sparse._indices_array, sparse.shape)


def spmm(input, mat2) -> Tensor:
    """``torch.spmm``: the same as :func:`sparse_mm` (sparse COO @ dense)."""
    return sparse_mm(input, mat2)


def to_sparse(input, sparse_dim=None) -> SparseTensor:
    """The non-zero entries of a dense tensor as a coalesced COO tensor (``Tensor.to_sparse``).

    Gradients flow back from the values to the dense tensor's entries.

    Example:
        >>> deepglass.tensor([[0.0, 1.0], [2.0, 0.0]]).to_sparse()._values()
        tensor([1., 2.])
    """
    if isinstance(input, SparseTensor):
        return input
    sd = input.ndim if sparse_dim is None else int(sparse_dim)
    if not 0 <= sd <= input.ndim:
        raise RuntimeError(f"sparse_dim must be in [0, {input.ndim}], got {sd}")
    arr = input._array
    xp = xp_of(arr)
    mask = arr != 0
    if sd < arr.ndim:
        mask = mask.any(axis=tuple(range(sd, arr.ndim)))
    idx = xp.stack(xp.nonzero(mask)).astype(np.int64).reshape(sd, -1)
    values = input[tuple(from_array(i) for i in idx)] if sd else input.unsqueeze(0)
    return SparseTensor._make(idx, values, tuple(input.shape), coalesced=True)


def to_dense(input, dtype=None, *, masked_grad=None) -> Tensor:
    """A dense tensor is its own dense form (``Tensor.to_dense``); a sparse one is expanded."""
    if isinstance(input, SparseTensor):
        return input.to_dense(dtype)
    return input if dtype is None else input.to(dtype)


def is_sparse(input) -> bool:
    """True for a sparse COO tensor (``Tensor.is_sparse``)."""
    return isinstance(input, SparseTensor)
