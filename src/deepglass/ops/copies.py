"""Small members of PyTorch's surface built from the views and joins: the ``*_copy`` forms of
views (a view, then a copy), split_with_sizes, unsafe_split/unsafe_chunk, msort,
unravel_index, sum_to_size, combinations, Tensor.unfold (sliding windows), and the
complex-number helpers that are identities on real tensors (conj, resolve_conj, ...).

Everything here is a composition, so gradients come from the ops it is made of.
"""
from __future__ import annotations

import itertools

import numpy as np

from .._tensor import Tensor, from_array
from ._util import normalize_dim, xp_of
from .complex import conj, conj_physical, resolve_conj  # complex-aware; listed in this family's __all__ as before


def _cloned(out):
    if isinstance(out, (tuple, list)):
        return type(out)(o.clone() for o in out)
    return out.clone()


def _copy_form(view_name):
    def fn(input, *args, **kwargs):
        return _cloned(getattr(input, view_name)(*args, **kwargs))

    fn.__name__ = f"{view_name}_copy"
    fn.__doc__ = f"``input.{view_name}(...)`` as a new tensor with its own memory (PyTorch's {view_name}_copy)."
    return fn


expand_copy = _copy_form("expand")
diagonal_copy = _copy_form("diagonal")
permute_copy = _copy_form("permute")
t_copy = _copy_form("t")
transpose_copy = _copy_form("transpose")
unsqueeze_copy = _copy_form("unsqueeze")
squeeze_copy = _copy_form("squeeze")
view_copy = _copy_form("view")
unbind_copy = _copy_form("unbind")
narrow_copy = _copy_form("narrow")
split_with_sizes_copy = _copy_form("split_with_sizes")


def alias_copy(input):
    """A copy of input (PyTorch's alias, materialised)."""
    return input.clone()


def split_with_sizes(input, split_sizes, dim: int = 0):
    """Split into pieces of exactly ``split_sizes`` along ``dim`` (they must sum to the size)."""
    axis = normalize_dim(dim, input.ndim)
    if sum(split_sizes) != input.shape[axis]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {input.shape[axis]} (input "
                           f"tensor's size at dimension {dim}), but got split_sizes={list(split_sizes)}")
    out, start = [], 0
    for s in split_sizes:
        out.append(input.narrow(axis, start, s))
        start += s
    return tuple(out)


def unsafe_split(input, split_size, dim: int = 0):
    """:meth:`Tensor.split` (PyTorch's unsafe form skips a view check deepglass does not have)."""
    return input.split(split_size, dim)


def unsafe_chunk(input, chunks: int, dim: int = 0):
    """:meth:`Tensor.chunk` (see :func:`unsafe_split`)."""
    return input.chunk(chunks, dim)


def msort(input):
    """Sorted along the first dimension (values only)."""
    return input.sort(0).values if input.ndim else input.clone()


def unravel_index(indices, shape):
    """Flat indices to one coordinate tensor per dimension of ``shape`` (a tuple of tensors)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not isinstance(indices, Tensor) or indices.dtype.kind not in "iu":
        raise TypeError("expected 'indices' to be integer dtype")
    xp = xp_of(indices._array)
    n = int(np.prod(shape))
    idx = indices._array
    if idx.size and (bool((idx >= n).any()) or bool((idx < -n).any())):
        raise RuntimeError("unravel_index: index out of bounds")
    coords = xp.unravel_index(idx % max(n, 1), shape) if shape else ()
    return tuple(from_array(xp.asarray(c).astype(np.int64)) for c in coords)


def sum_to_size(input, *size):
    """``Tensor.sum_to_size``: sum input down to ``size`` (the reverse of broadcasting); a method only."""
    from .reduce import sum as _sum

    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    lead = input.ndim - len(size)
    if lead < 0:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(input.shape)}}}.")
    out = _sum(input, list(range(lead))) if lead else input
    axes = [i for i, s in enumerate(size) if s == 1 and out.shape[i] != 1]
    for i, s in enumerate(size):
        if s != 1 and out.shape[i] != s:
            raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(input.shape)}}}.")
    return _sum(out, axes, keepdim=True) if axes else out


def combinations(input, r: int = 2, with_replacement: bool = False):
    """All length-``r`` combinations of the elements of a 1-D tensor, one per row."""
    from .shape import stack

    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    none = from_array(xp_of(input._array).zeros((0,), dtype=np.int64))
    if r == 0:                                                  # empty, but still in the graph
        return input.index_select(0, none)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(pick(range(input.shape[0]), r))
    if not rows:
        return input.index_select(0, none).reshape(0, r)
    cols = np.asarray(rows, dtype=np.int64).T
    return stack([input.index_select(0, from_array(xp_of(input._array).asarray(c))) for c in cols], 1)


def tensor_unfold(input, dimension: int, size: int, step: int):
    """``Tensor.unfold``: all windows of ``size`` along ``dimension``, ``step`` apart, as a new last axis."""
    axis = normalize_dim(dimension, input.ndim) if input.ndim else 0
    x = input if input.ndim else input.reshape(1)
    n = x.shape[axis]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {axis} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (n - size) // step + 1
    idx = (np.arange(count)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
    xp = xp_of(x._array)
    taken = x.index_select(axis, from_array(xp.asarray(idx)))           # (..., count·size, ...)
    shape = list(x.shape)
    shape[axis: axis + 1] = [count, size]
    out = taken.reshape(shape).movedim(axis + 1, -1)
    return out.reshape(size) if input.ndim == 0 else out


def _converter(dtype_name):
    def fn(input, memory_format=None):
        from .. import dtypes

        return input.to(getattr(dtypes, dtype_name), memory_format=memory_format)

    fn.__name__ = {"uint8": "byte", "int8": "char", "int16": "short"}[dtype_name]
    fn.__doc__ = f"``input.to({dtype_name})`` (a Tensor method)."
    return fn


byte, char, short = _converter("uint8"), _converter("int8"), _converter("int16")


def unfold_copy(input, dimension: int, size: int, step: int):
    """:meth:`Tensor.unfold` as a new tensor with its own memory."""
    return tensor_unfold(input, dimension, size, step).clone()


def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False):
    """A 0-d tensor holding the number ``s`` (the default float dtype unless ``dtype``)."""
    from .. import creation, dtypes

    return creation.tensor(float(s) if not isinstance(s, bool) else s, dtype=dtype or dtypes.get_default_dtype(),
                           device=device, requires_grad=requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None, requires_grad: bool = False):
    """``steps`` numbers base^t for t evenly spaced from ``start`` to ``end``."""
    from .. import creation

    t = creation.linspace(start, end, steps, dtype=np.float64)
    out = (base ** t._array).astype(np.dtype(dtype) if dtype is not None else np.float32 if
                                    not isinstance(start, Tensor) else start.dtype)
    return creation.tensor(out, device=device, requires_grad=requires_grad)


def fill(input, value):
    """A tensor shaped like input filled with ``value`` (a number or a 0-d tensor, whose gradient is the sum)."""
    if isinstance(value, Tensor):
        return input * 0 + value.to(input.dtype) if input.dtype.kind == "f" else input * 0 + value
    return input * 0 + value if input.dtype.kind != "b" else input.logical_or(input.logical_not()) & bool(value)


def constant_pad_nd(input, pad, value=0):
    """``nn.functional.pad(input, pad, 'constant', value)`` (PyTorch's aten name)."""
    from ..nn.functional import pad as _pad

    return _pad(input, pad, "constant", value)




def resolve_neg(input):
    """Materialise a lazy negation: the tensor itself for real tensors."""
    return input


_INTERPOLATION = ("bilinear", "nearest", "bicubic")     # PyTorch's GridSamplerInterpolation enum
_PADDING = ("zeros", "border", "reflection")            # and its GridSamplerPadding enum


def _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners, ndim, name):
    if input.ndim != ndim or grid.ndim != ndim:
        raise RuntimeError(f"{name}(): expected {ndim}D input and grid with same number of dimensions, but got input "
                           f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if not 0 <= int(interpolation_mode) < (3 if ndim == 4 else 2):
        raise RuntimeError(f"{name}(): interpolation_mode {interpolation_mode} is not one of 0 (bilinear), 1 (nearest)"
                           + (", 2 (bicubic)" if ndim == 4 else " (bicubic is 2-D only)"))
    if not 0 <= int(padding_mode) < 3:
        raise RuntimeError(f"{name}(): padding_mode {padding_mode} is not one of 0 (zeros), 1 (border), 2 (reflection)")
    from .sampling import grid_sample

    return grid_sample(input, grid, _INTERPOLATION[int(interpolation_mode)], _PADDING[int(padding_mode)],
                       bool(align_corners))


def grid_sampler_2d(input, grid, interpolation_mode: int, padding_mode: int, align_corners: bool):
    """``nn.functional.grid_sample`` on 4-D input with PyTorch's integer enums.

    ``interpolation_mode``: 0 bilinear, 1 nearest, 2 bicubic; ``padding_mode``: 0 zeros, 1 border,
    2 reflection.

    Example:
        >>> import deepglass as dg
        >>> x = dg.arange(4.0).reshape(1, 1, 2, 2)
        >>> dg.grid_sampler_2d(x, dg.zeros(1, 1, 1, 2), 0, 0, True)
        tensor([[[[1.5000]]]])
    """
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners, 4, "grid_sampler_2d")


def grid_sampler_3d(input, grid, interpolation_mode: int, padding_mode: int, align_corners: bool):
    """``nn.functional.grid_sample`` on 5-D input with PyTorch's integer enums (0 bilinear, 1 nearest)."""
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners, 5, "grid_sampler_3d")


def grid_sampler(input, grid, interpolation_mode: int, padding_mode: int, align_corners: bool):
    """:func:`grid_sampler_2d` or :func:`grid_sampler_3d`, by the input's rank."""
    ndim = 5 if input.ndim == 5 else 4
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners, ndim, "grid_sampler")


__all__ = [
    "grid_sampler", "grid_sampler_2d", "grid_sampler_3d",
    "expand_copy", "diagonal_copy", "permute_copy", "t_copy", "transpose_copy", "unsqueeze_copy", "squeeze_copy",
    "view_copy", "unbind_copy", "narrow_copy", "split_with_sizes_copy", "alias_copy", "split_with_sizes",
    "unsafe_split", "unsafe_chunk", "msort", "unravel_index", "combinations", "conj",
    "conj_physical", "resolve_conj", "resolve_neg", "unfold_copy", "scalar_tensor", "logspace", "fill",
    "constant_pad_nd",
]
