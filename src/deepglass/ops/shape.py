"""Shape and indexing ops: views, joins, splits, gathers, diagonals and sorts.

Views (reshape, transpose, expand...) move no data forward and their backward
undoes the view on the gradient. Indexing scatters the gradient back with
``add.at`` where indices may repeat, so a row picked twice gets both gradients.

(Over the 600-line guideline by ~50 lines: the 0-d, empty and memory-format cases of issue 14 landed in
these ops; the sort family, ``sort``/``argsort``/``topk`` at the end, is the next piece to move out.)
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _unwrap_index, as_view, from_array
from ..autograd.function import Function
from ._util import along_axis_index, no_complex, normalize_dim, xp_of
from .reduce import TakeAlongDim, values_indices

# -------------------------------------------------------------------- views


class Reshape(Function):
    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape)


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def reshape(input, *shape):
    """Same values in a new shape (one dimension may be −1)."""
    shape = _shape_arg(shape)
    if shape == input.shape:
        return input
    try:
        return as_view(Reshape.apply(input, shape), input)
    except ValueError:
        raise RuntimeError(f"shape {list(shape)} is invalid for input of size {input.numel()} (shape {tuple(input.shape)})") from None


def view(input, *shape):
    """Like reshape (deepglass does not track strides; a view of a non-contiguous tensor copies)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return input.to(shape[0])
    return reshape(input, *shape)


def view_as(input, other):
    return reshape(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Merge dimensions ``start_dim..end_dim`` into one."""
    if input.ndim == 0:
        return reshape(input, 1)
    s = normalize_dim(start_dim, input.ndim)
    e = normalize_dim(end_dim, input.ndim)
    if s > e:
        raise ValueError(f"flatten(): start_dim {start_dim} comes after end_dim {end_dim}")
    shape = input.shape[:s] + (int(np.prod(input.shape[s:e + 1])),) + input.shape[e + 1:]
    return reshape(input, shape)


def unflatten(input, dim: int, sizes):
    d = normalize_dim(dim, input.ndim)
    sizes = tuple(sizes)
    if -1 not in sizes and int(np.prod(sizes)) != input.shape[d]:
        raise RuntimeError(f"unflatten: sizes {sizes} don't multiply up to the size of dim {dim} ({input.shape[d]})")
    return reshape(input, input.shape[:d] + sizes + input.shape[d + 1:])


def squeeze(input, dim=None):
    """Drop size-1 dimensions (only those in ``dim`` when given; others are left alone)."""
    if dim is None:
        shape = tuple(n for n in input.shape if n != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {normalize_dim(d, input.ndim) for d in dims}
        shape = tuple(n for i, n in enumerate(input.shape) if not (i in dims and n == 1))
    return reshape(input, shape)


def unsqueeze(input, dim: int):
    d = normalize_dim(dim, input.ndim + 1)
    return reshape(input, input.shape[:d] + (1,) + input.shape[d:])


class Permute(Function):
    @staticmethod
    def forward(ctx, x, axes):
        ctx.inverse = tuple(np.argsort(axes))
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(ctx.inverse)


def permute(input, *dims):
    dims = _shape_arg(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute: got {len(dims)} dims for a tensor with {input.ndim} dimensions")
    axes = tuple(normalize_dim(d, input.ndim) for d in dims)
    if sorted(axes) != list(range(input.ndim)):
        raise RuntimeError(f"permute: dims {dims} repeat a dimension")
    return as_view(Permute.apply(input, axes), input)


def transpose(input, dim0: int, dim1: int):
    if input.ndim < 2 and input.ndim == 0:
        return input
    axes = list(range(input.ndim))
    a, b = normalize_dim(dim0, input.ndim), normalize_dim(dim1, input.ndim)
    if a == b:
        return input
    axes[a], axes[b] = axes[b], axes[a]
    return as_view(Permute.apply(input, tuple(axes)), input)


swapaxes = swapdims = transpose


def t(input):
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {input.ndim}; use transpose or mT")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def _T(input):
    return as_view(Permute.apply(input, tuple(reversed(range(input.ndim)))), input)


def _mT(input):
    if input.ndim < 2:
        raise RuntimeError("mT needs a tensor with at least 2 dimensions")
    return transpose(input, -2, -1)


class Expand(Function):
    @staticmethod
    def forward(ctx, x, shape):
        return xp_of(x).broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine sums it back to the input's shape


def expand(input, *sizes):
    """Broadcast to ``sizes`` without copying (−1 keeps a dimension)."""
    sizes = _shape_arg(sizes)
    lead = len(sizes) - input.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes ({len(sizes)}) must be >= the tensor's dims ({input.ndim})")
    shape = tuple(input.shape[i - lead] if (s == -1 and i >= lead) else s for i, s in enumerate(sizes))
    for i, n in enumerate(input.shape):
        if n != 1 and shape[lead + i] != n:
            raise RuntimeError(f"expand: size {n} of dimension {i} cannot be expanded to {shape[lead + i]} (only size-1 dims can)")
    if shape == input.shape:
        return input
    return as_view(Expand.apply(input, shape), input)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, shape):
    return expand(input, tuple(shape))


class Tile(Function):
    @staticmethod
    def forward(ctx, x, reps):
        ctx.shape, ctx.reps = x.shape, reps
        return xp_of(x).tile(x, reps)

    @staticmethod
    def backward(ctx, g):
        # split each tiled axis into (reps, size) and sum the repeats
        shape = ctx.shape
        lead = len(ctx.reps) - len(shape)
        full = (1,) * lead + shape
        inter = []
        for r, n in zip(ctx.reps, full):
            inter += [r, n]
        g = g.reshape(inter).sum(axis=tuple(range(0, 2 * len(full), 2)))
        return g.reshape(shape)


def repeat(input, *sizes):
    """Tile the tensor ``sizes`` times along each dimension (``torch.Tensor.repeat``)."""
    sizes = _shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError("repeat: the number of repeats can not be smaller than the number of dimensions")
    return Tile.apply(input, sizes)


def tile(input, dims):
    dims = tuple(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return Tile.apply(input, dims)


class Contiguous(Function):
    @staticmethod
    def forward(ctx, x):
        return xp_of(x).ascontiguousarray(x)

    @staticmethod
    def backward(ctx, g):
        return g


def contiguous(input):
    if input._array.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


class Flip(Function):
    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return xp_of(x).flip(x, axes)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).flip(g, ctx.axes)


def flip(input, dims):
    dims = dims if isinstance(dims, (tuple, list)) else (dims,)
    return Flip.apply(input, tuple(normalize_dim(d, input.ndim) for d in dims))


# ----------------------------------------------------------------- indexing


def _is_basic(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer)) and not isinstance(i, bool) for i in items)


class GetItem(Function):
    @staticmethod
    def forward(ctx, x, index, basic):
        ctx.shape, ctx.dtype, ctx.index, ctx.basic = x.shape, x.dtype, index, basic
        return _index_view(x, index) if basic else x[index]

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        out = xp.zeros(ctx.shape, dtype=g.dtype)
        if ctx.basic:
            out[ctx.index] = g
        else:
            xp.add.at(out, ctx.index, g)  # repeated indices accumulate
        return out


def _index_view(x, index):
    """``x[index]`` for a basic index, a 0-d view (not a NumPy scalar) when it picks one element (as PyTorch)."""
    out = x[index]
    if isinstance(out, np.generic):
        out = x[(*index, Ellipsis) if isinstance(index, tuple) else (index, Ellipsis)]
    return out


def _index_to_arrays(index, xp):
    index = _unwrap_index(index)
    if isinstance(index, list):
        index = xp.asarray(index)
    if isinstance(index, tuple):
        index = tuple(xp.asarray(i) if isinstance(i, list) else i for i in index)
    return index


def getitem(input, index):
    """``x[index]``: ints, slices, None, Ellipsis, bool masks and integer arrays, as in PyTorch."""
    index = _index_to_arrays(index, xp_of(input._array))
    basic = _is_basic(index)
    if basic and not input.requires_grad:
        return as_view(from_array(_index_view(input._array, index)), input)
    try:
        out = GetItem.apply(input, index, basic)
        return as_view(out, input) if basic else out
    except IndexError as e:
        raise IndexError(f"{e} (tensor of shape {tuple(input.shape)})") from None


def narrow(input, dim: int, start: int, length: int):
    d = normalize_dim(dim, input.ndim)
    idx = [slice(None)] * input.ndim
    idx[d] = slice(start, start + length)
    return getitem(input, tuple(idx))


def select(input, dim: int, index: int):
    d = normalize_dim(dim, input.ndim)
    idx = [slice(None)] * input.ndim
    idx[d] = index
    return getitem(input, tuple(idx))


def nonzero(input, *, as_tuple: bool = False):
    """Indices of the non-zero elements: ``(count, ndim)`` (a 0-d input counts as 1-D: ``(0 or 1, 0)``)."""
    xp = xp_of(input._array)
    if input.ndim == 0:
        hit = bool(input._array != 0)
        if as_tuple:
            return (from_array(xp.zeros(int(hit), dtype=np.int64)),)
        return from_array(xp.zeros((int(hit), 0), dtype=np.int64))
    nz = xp.nonzero(input._array)
    if as_tuple:
        return tuple(from_array(i.astype(np.int64)) for i in nz)
    return from_array(xp.stack(nz, axis=1).astype(np.int64) if nz else xp.zeros((0, 0), dtype=np.int64))


def nonzero_static(input, *, size: int, fill_value: int = -1):
    """:func:`nonzero` with a fixed number of rows: the first ``size`` indices, padded with ``fill_value``.

    Example:
        >>> import deepglass as dg
        >>> dg.nonzero_static(dg.tensor([0.0, 3.0, 0.0, 4.0]), size=3)
        tensor([[ 1],
                [ 3],
                [-1]])
    """
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, got {size!r}")
    found = nonzero(input)._array
    xp = xp_of(found)
    out = xp.full((int(size), found.shape[1]), fill_value, dtype=np.int64)
    n = min(int(size), found.shape[0])
    out[:n] = found[:n]
    return from_array(out)


class Concat(Function):
    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        ctx.sizes = [a.shape[axis] for a in arrays]
        return xp_of(arrays[0]).concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        cuts = np.cumsum(ctx.sizes)[:-1].tolist()
        return tuple(xp.split(g, cuts, axis=ctx.axis))


def _same_dtype(tensors):
    from ._util import promote

    out = list(tensors)
    for i in range(1, len(out)):
        if out[i].dtype != out[0].dtype:
            out[0], out[i] = promote(out[0], out[i])
    for i in range(1, len(out)):
        if out[i].dtype != out[0].dtype:
            out[i] = out[i].to(out[0].dtype)
    return out


def cat(tensors, dim: int = 0):
    """Join tensors along an existing dimension."""
    tensors = [t for t in tensors]
    if not tensors:
        raise ValueError("cat() expects a non-empty list of tensors")
    # PyTorch skips 1-D empty tensors in cat
    nonempty = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    tensors = _same_dtype(nonempty)
    ref = tensors[0]
    axis = normalize_dim(dim, ref.ndim)
    for i, t in enumerate(tensors):
        if t.ndim != ref.ndim or any(a != b for k, (a, b) in enumerate(zip(t.shape, ref.shape)) if k != axis):
            raise RuntimeError(
                f"cat(): sizes of tensors must match except in dimension {dim}: tensor 0 has shape "
                f"{tuple(ref.shape)}, tensor {i} has shape {tuple(t.shape)}"
            )
    return Concat.apply(*tensors, axis=axis)


concat = concatenate = cat


def stack(tensors, dim: int = 0):
    """Join tensors of equal shape along a new dimension."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack() expects a non-empty list of tensors")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(tensors[0].shape)} at entry 0 "
                f"and {tuple(t.shape)} at entry {i}"
            )
    d = normalize_dim(dim, tensors[0].ndim + 1)
    return cat([unsqueeze(t, d) for t in tensors], d)


def split(tensor, split_size_or_sections, dim: int = 0):
    """Pieces of size ``split_size`` (the last may be smaller) or of the listed sizes."""
    d = normalize_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0:
            raise ValueError("split_size must be positive")
        sizes = [step] * (n // step) + ([n % step] if n % step else [])
        if n == 0:
            sizes = [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split sizes {sizes} don't add up to the size of dim {dim} ({n})")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(tensor, d, start, s))
        start += s
    return tuple(out)


def chunk(input, chunks: int, dim: int = 0):
    """``chunks`` pieces of size ceil(n / chunks) (fewer if the size runs out)."""
    if chunks <= 0:
        raise ValueError("chunk expects `chunks` to be greater than 0")
    n = input.shape[normalize_dim(dim, input.ndim)]
    size = -(-n // chunks) if n else 1
    return split(input, max(size, 1), dim)


def unbind(input, dim: int = 0):
    d = normalize_dim(dim, input.ndim)
    return tuple(select(input, d, i) for i in range(input.shape[d]))


def _check_index(index, size, what):
    # as PyTorch: indices lie in [0, size); negative ones don't wrap (gather/scatter: RuntimeError, else IndexError)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{what}: index must be an integer tensor (int64), got {index.dtype}")
    if index.size and (int(index.min()) < 0 or int(index.max()) >= size):
        bad = int(index.min()) if int(index.min()) < 0 else int(index.max())
        cls = IndexError if what == "index_select" else RuntimeError
        raise cls(f"{what}: index {bad} is out of bounds for dimension with size {size} (index out of range in "
                  "self; indices must lie in [0, size), negative ones don't count from the end)")
    return index


def gather(input, dim: int, index):
    """out[i][j] = input[i][index[i][j]] along ``dim`` (index may be smaller than input elsewhere)."""
    d = normalize_dim(dim, input.ndim)
    if input.ndim == 0:     # a 0-d input is one element along dim 0; the output has the index's shape
        idx = _check_index(index._array, 1, "gather")
        if idx.ndim > 1:
            raise RuntimeError(f"gather: Index tensor must have the same number of dimensions as input tensor (a 0-d "
                               f"input takes a 0-d or 1-D index, got {idx.ndim}-D)")
        return getitem(input.reshape(1), (idx.reshape(-1),)).reshape(idx.shape)
    idx = _check_index(index._array, input.shape[d], "gather")
    if idx.size == 0:       # PyTorch accepts an empty index of any rank: an empty output of its shape
        return getitem(input.reshape(-1), slice(0, 0)).reshape(idx.shape)
    if idx.ndim != input.ndim:
        raise RuntimeError(f"gather: index has {idx.ndim} dims but input has {input.ndim}")
    if any(i > n for k, (i, n) in enumerate(zip(idx.shape, input.shape)) if k != d):
        raise RuntimeError(f"gather: index shape {tuple(idx.shape)} is larger than input shape {tuple(input.shape)} outside dim {dim}")
    if idx.shape != input.shape:
        sl = tuple(slice(0, idx.shape[k]) if k != d else slice(None) for k in range(input.ndim))
        input = getitem(input, sl)
    return TakeAlongDim.apply(input, idx, d)


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx, x, idx, src, axis):
        xp = xp_of(x)
        out = x.copy()
        grids = along_axis_index(xp, idx, axis)
        xp.add.at(out, grids, src[tuple(slice(0, n) for n in idx.shape)])
        ctx.save_for_backward(idx, grids)
        ctx.axis, ctx.src_shape = axis, src.shape
        return out

    @staticmethod
    def backward(ctx, g):
        idx, grids = ctx.saved_tensors
        xp = xp_of(g)
        gsrc = None
        if ctx.needs_input_grad[2]:
            gsrc = xp.zeros(ctx.src_shape, dtype=g.dtype)
            gsrc[tuple(slice(0, n) for n in idx.shape)] = g[tuple(grids)]
        return g, None, gsrc


def scatter_add(input, dim: int, index, src):
    """out = input; out[index[i][j]][j] += src[i][j] along ``dim`` (repeats accumulate)."""
    d = normalize_dim(dim, input.ndim)
    if src.dtype != input.dtype:
        src = src.to(input.dtype)
    if input.ndim == 0:     # one element: it receives the first index.numel() values of src
        idx = _check_index(index._array, 1, "scatter_add")
        return input + getitem(src.reshape(-1), slice(0, idx.size)).sum() if idx.size else input.clone()
    idx = _check_index(index._array, input.shape[d], "scatter_add")
    return ScatterAdd.apply(input, idx, src, d)


def index_select(input, dim: int, index):
    d = normalize_dim(dim, input.ndim)
    if input.ndim == 0:
        if index._array.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {index._array.size} value(s)")
        idx = _check_index(index._array, 1, "index_select")
        return getitem(input.reshape(1), (idx.reshape(-1),)).reshape(())
    idx = _check_index(index._array, input.shape[d], "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select: index must be 0-D or 1-D")
    sl = [slice(None)] * input.ndim
    sl[d] = idx.reshape(-1)
    return getitem(input, tuple(sl))


class MaskedFill(Function):
    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        v = x.dtype.type(value) if not hasattr(value, "shape") else value.astype(x.dtype, copy=False)
        return xp_of(x).where(mask, v, x)

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        xp = xp_of(g)
        zero = g.dtype.type(0)
        gv = xp.where(mask, g, zero).sum() if ctx.needs_input_grad[2] else None
        return xp.where(mask, zero, g), None, gv


def masked_fill(input, mask, value):
    """``value`` where ``mask`` is True, the input elsewhere; the output has their broadcast shape.

    ``value`` is a number or a 0-d tensor (which then receives the sum of the gradient
    where the mask holds, as in PyTorch).

    Example:
        >>> import deepglass as dg
        >>> dg.tensor([1.0, 2.0, 3.0]).masked_fill(dg.tensor([True, False, True]), 0.0)
        tensor([0., 2., 0.])
    """
    m = mask._array if isinstance(mask, Tensor) else mask
    if m.dtype != bool:
        raise RuntimeError(f"masked_fill only supports boolean masks, got {m.dtype}")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError("masked_fill only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s)")
        if value.requires_grad and input.dtype.kind == "f":
            if value.dtype != input.dtype:
                from .elementwise import _cast

                value = _cast(value, input.dtype)
        else:
            value = value.item()
    try:
        np.broadcast_shapes(tuple(m.shape), tuple(input.shape))
    except ValueError:
        raise RuntimeError(f"masked_fill: mask of shape {tuple(m.shape)} does not broadcast with the input's "
                           f"shape {tuple(input.shape)}") from None
    return MaskedFill.apply(input, m, value)


def _sorted_indices(xp, data, axis, descending, stable=True):
    if descending:
        # a stable descending sort: sort the negated keys (flip keeps equal keys reversed)
        if data.dtype.kind == "b":
            key = ~data
        elif data.dtype.kind == "u":
            key = data.max() - data if data.size else data
        else:
            key = -data
        idx = xp.argsort(key, axis=axis, kind="stable")
    else:
        idx = xp.argsort(data, axis=axis, kind="stable")
    return idx


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    """Sorted values and their original indices (ties keep their order; NaN sorts last ascending)."""
    no_complex(input, "sort")
    xp = xp_of(input._array)
    if input.ndim == 0:
        return values_indices(input, from_array(xp.zeros((), dtype=np.int64)))
    d = normalize_dim(dim, input.ndim)
    idx = _sorted_indices(xp, input._array, d, descending)
    values = TakeAlongDim.apply(input, idx, d) if input.requires_grad else from_array(xp.take_along_axis(input._array, idx, axis=d))
    return values_indices(values, from_array(idx.astype(np.int64)))


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    return sort(input, dim, descending, stable).indices


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (or smallest) values along ``dim`` with their indices."""
    d = normalize_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k ({k}) is out of range for dimension {dim} of size {n}")
    xp = xp_of(input._array)
    if input.ndim == 0:  # PyTorch returns the scalar itself for k = 0 or 1
        values = TakeAlongDim.apply(input.reshape(1), xp.zeros(1, dtype=np.intp), 0).reshape(())
        return values_indices(values, from_array(xp.zeros((), dtype=np.int64)))
    idx = _sorted_indices(xp, input._array, d, descending=largest)
    sl = [slice(None)] * input.ndim
    sl[d] = slice(0, k)
    idx = xp.ascontiguousarray(idx[tuple(sl)])
    values = TakeAlongDim.apply(input, idx, d)
    return values_indices(values, from_array(idx.astype(np.int64)))


def one_hot(tensor, num_classes: int = -1):
    """Class indices -> one-hot int64 vectors (the notes' 独热编码); ``num_classes=-1`` infers max+1."""
    data = tensor._array
    xp = xp_of(data)
    if data.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot is only applicable to index tensors (int64), got {data.dtype}")
    if data.size and int(data.min()) < 0:
        raise RuntimeError("one_hot: class values must be non-negative")
    if num_classes == -1:
        num_classes = int(data.max()) + 1 if data.size else 0
    elif data.size and int(data.max()) >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes ({num_classes}), got {int(data.max())}")
    out = (data[..., None] == xp.arange(num_classes)).astype(np.int64)
    return from_array(out)


__all__ = [
    "reshape", "view", "view_as", "reshape_as", "flatten", "unflatten", "squeeze", "unsqueeze", "permute",
    "transpose", "swapaxes", "swapdims", "t", "expand", "expand_as", "broadcast_to", "repeat", "tile",
    "contiguous", "flip", "getitem", "narrow", "select", "nonzero", "cat", "concat", "concatenate", "stack",
    "split", "chunk", "unbind", "gather", "scatter_add", "index_select", "masked_fill", "nonzero_static", "sort", "argsort", "topk", "one_hot",
]
