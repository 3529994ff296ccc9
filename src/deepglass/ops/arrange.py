"""Rearranging without arithmetic: movedim, roll, rot90, fliplr/flipud, repeat_interleave,
tensor_split and h/v/dsplit, h/v/d/column/row_stack, atleast_1d/2d/3d, meshgrid,
broadcast_tensors/broadcast_shapes, tril_indices/triu_indices, diagflat, ravel.

All are composed from views, joins and index_select (whose gradients route each
element back to where it came from), except ``roll``, one primitive whose backward
rolls the gradient the other way::

    roll(x, s)[i] = x[i − s]        ∂L/∂x = roll(G, −s)
"""
from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import normalize_dim, xp_of


def _dims(dims, ndim):
    dims = [dims] if isinstance(dims, int) else list(dims)
    return [normalize_dim(d, ndim) for d in dims]


def movedim(input, source, destination):
    """Move the axes ``source`` to the positions ``destination`` (the others keep their order).

    Example:
        >>> import deepglass as dg
        >>> dg.movedim(dg.zeros(2, 3, 4), 0, -1).shape
        (3, 4, 2)
    """
    src, dst = _dims(source, input.ndim), _dims(destination, input.ndim)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError("movedim: repeated dim in `source` or `destination`")
    order = [d for d in range(input.ndim) if d not in src]
    perm = [None] * input.ndim
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(order)
    perm = [p if p is not None else next(rest) for p in perm]
    return input.permute(*perm) if input.ndim else input


moveaxis = movedim


class Roll(Function):
    @staticmethod
    def forward(ctx, x, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        return xp_of(x).roll(x, shifts, axes)

    @staticmethod
    def backward(ctx, g):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return xp_of(g).roll(g, neg, ctx.axes), None, None


def roll(input, shifts, dims=None):
    """Shift elements along ``dims`` cyclically (the flattened tensor when None).

    Example:
        >>> import deepglass as dg
        >>> dg.roll(dg.tensor([1, 2, 3, 4]), 1)
        tensor([4, 1, 2, 3])
    """
    if dims is None:
        if not isinstance(shifts, int) and len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dims must align. shifts: {len(shifts)}, dims: 0")
        s = shifts if isinstance(shifts, int) else shifts[0]
        return Roll.apply(input.reshape(-1), s, 0).reshape(input.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = _dims(dims, input.ndim)
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}")
    return Roll.apply(input, shifts, tuple(dims))


def rot90(input, k: int = 1, dims=(0, 1)):
    """Rotate by 90°·k in the plane ``dims`` (from the first axis towards the second)."""
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    a, b = _dims(dims, input.ndim)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {a} and dim1 = {b}")
    k %= 4
    if k == 1:
        return input.flip([b]).transpose(a, b)
    if k == 2:
        return input.flip([a, b])
    if k == 3:
        return input.flip([a]).transpose(a, b)
    return input.clone()


def fliplr(input):
    """Reverse the columns (axis 1); needs at least 2 dims."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip([1])


def flipud(input):
    """Reverse the rows (axis 0); needs at least 1 dim."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip([0])


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or slice along ``dim``) ``repeats`` times; an integer tensor alone gives indices.

    Example:
        >>> import deepglass as dg
        >>> dg.repeat_interleave(dg.tensor([1, 2]), 2)
        tensor([1, 1, 2, 2])
    """
    if repeats is None:                                         # repeat_interleave(counts) -> indices
        counts = input._array
        xp = xp_of(counts)
        return from_array(xp.repeat(xp.arange(counts.shape[0]), counts).astype(np.int64))
    x = input.reshape(-1) if dim is None else input
    axis = 0 if dim is None else normalize_dim(dim, input.ndim)
    n = x.shape[axis] if x.ndim else 1
    xp = xp_of(x._array)
    reps = repeats._array if isinstance(repeats, Tensor) else repeats
    if isinstance(repeats, Tensor) and repeats.ndim and repeats.numel() not in (1, n):
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{repeats.numel()} and input.size({axis}) = {n}")
    if bool((xp.asarray(reps) < 0).any()):
        raise RuntimeError("repeats can not be negative")
    idx = xp.repeat(xp.arange(n), reps.reshape(-1) if hasattr(reps, "reshape") and reps.size > 1 else int(reps))
    if x.ndim == 0:
        x = x.reshape(1)
    return x.index_select(axis, from_array(idx.astype(np.int64)))


def tensor_split(input, indices_or_sections, dim: int = 0):
    """Split into ``n`` nearly equal parts (the first n % size one larger), or at the given indices."""
    axis = normalize_dim(dim, input.ndim)
    size = input.shape[axis]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios.dtype.kind not in "iu" or ios.ndim > 1:
            raise RuntimeError("tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               "one-dimensional tensor, but got a tensor with "
                               f"{ios.ndim} dims")
        ios = ios.item() if ios.ndim == 0 else ios.tolist()
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(size, ios)
        bounds = np.cumsum([0] + [q + 1] * r + [q] * (ios - r)).tolist()
    else:
        bounds = [0] + [min(max(i if i >= 0 else i + size, 0), size) for i in ios] + [size]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        lo2 = min(lo, size)
        out.append(input.narrow(axis, lo2, max(hi - lo2, 0)))
    return tuple(out)


def _named_split(input, ios, dim, name, min_dim):
    if input.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, but got a tensor "
                           f"with {input.ndim} dimensions!")
    if isinstance(ios, int) and input.shape[dim] % ios:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the dimension "
                           f"{input.shape[dim]} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D tensors); an integer must divide the size."""
    return _named_split(input, indices_or_sections, 1 if input.ndim > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections):
    """Split along axis 0 (needs ≥ 2 dims)."""
    return _named_split(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    """Split along axis 2 (needs ≥ 3 dims)."""
    return _named_split(input, indices_or_sections, 2, "dsplit", 3)


def _atleast(tensors, n):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        if t.ndim >= n:
            out.append(t)
        elif n == 1 or t.ndim == 0:
            out.append(t.reshape((1,) * n))
        elif n == 2:
            out.append(t.unsqueeze(0))
        else:                                                   # 3-D: (n,) -> (1, n, 1); (a, b) -> (a, b, 1)
            out.append(t.reshape(1, -1, 1) if t.ndim == 1 else t.unsqueeze(-1))
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    """Each input with at least one dimension (0-d becomes shape (1,))."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    """Each input with at least two dimensions ((n,) becomes (1, n))."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    """Each input with at least three dimensions ((n,) → (1, n, 1), (a, b) → (a, b, 1))."""
    return _atleast(tensors, 3)


def _cat(tensors, dim):
    from .shape import cat

    return cat(list(tensors), dim)


def hstack(tensors):
    """Join along axis 1 (axis 0 for 1-D inputs)."""
    ts = atleast_1d(tuple(tensors))
    return _cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors):
    """Join as rows: inputs become ≥ 2-D and are concatenated along axis 0."""
    return _cat(atleast_2d(tuple(tensors)), 0)


row_stack = vstack


def dstack(tensors):
    """Join along axis 2 after making each input ≥ 3-D."""
    return _cat(atleast_3d(tuple(tensors)), 2)


def column_stack(tensors):
    """Join 0-d/1-D inputs as columns (and 2-D ones as they are) along axis 1."""
    cols = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors]
    return _cat(cols, 1)


def broadcast_shapes(*shapes):
    """The shape all ``shapes`` broadcast to (a RuntimeError when they do not)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError as e:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape: {shapes}") from e


def broadcast_tensors(*tensors):
    """Expand every tensor to their common broadcast shape (views; gradients sum back)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t if tuple(t.shape) == shape else t.expand(*shape) for t in tensors)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors: 'ij' (matrix, the default) or 'xy' (Cartesian) indexing."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.ndim}D")
    ts = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    sizes = [t.shape[0] for t in ts]
    out = []
    for i, t in enumerate(ts):
        shape = [1] * len(ts)
        shape[i] = sizes[i]
        out.append(t.reshape(shape).expand(*sizes))
    if swap:                                                    # 'xy': the first two inputs swap roles
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def _tri_indices(row, col, offset, lower, dtype, device):
    from .. import backend, dtypes

    r, c = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    arr = np.stack([r, c]).astype(dtypes.as_dtype(dtype) if dtype is not None else np.int64)
    return from_array(backend.to_device(arr, backend.Device(device)) if device is not None else arr)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None):
    """The (2, N) coordinates of the lower triangle (below diagonal ``offset``) of a row × col matrix."""
    return _tri_indices(row, col, offset, True, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None):
    """The (2, N) coordinates of the upper triangle (from diagonal ``offset``) of a row × col matrix."""
    return _tri_indices(row, col, offset, False, dtype, device)


def diagflat(input, offset: int = 0):
    """A square matrix with the flattened input on diagonal ``offset``."""
    from .matrix import diag

    return diag(input.reshape(-1), offset)


def ravel(input):
    """The elements as a contiguous 1-D tensor."""
    return input.reshape(-1).contiguous()


__all__ = [
    "movedim", "moveaxis", "roll", "rot90", "fliplr", "flipud", "repeat_interleave", "tensor_split", "hsplit",
    "vsplit", "dsplit", "atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack",
    "column_stack", "broadcast_shapes", "broadcast_tensors", "meshgrid", "tril_indices", "triu_indices",
    "diagflat", "ravel",
]
