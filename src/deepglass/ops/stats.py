"""Differences, integrals, statistics and counting: diff, trapezoid/trapz,
cumulative_trapezoid, cov, corrcoef, renorm, dist; histc, histogram, bincount, unique,
unique_consecutive, searchsorted, bucketize, argwhere.

The first group is composed from existing ops, so gradients come from them::

    trapezoid(y, x) = Σᵢ (xᵢ₊₁ − xᵢ)·(yᵢ + yᵢ₊₁)/2
    cov(X)          = (X − X̄)(X − X̄)ᵀ / (N − correction)       (rows are variables)
    corrcoef(X)     = cov(X)ᵢⱼ / √(cov(X)ᵢᵢ·cov(X)ⱼⱼ)

The counting ops return integer tensors and are not differentiable (as in PyTorch).
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import dtypes
from .._tensor import Tensor, from_array
from ._util import normalize_dim, to_float, xp_of

histogram_return_type = namedtuple("histogram", ["hist", "bin_edges"])
builtins_range = range      # histogramdd's ``range`` argument shadows the builtin


def _narrow(t, axis, start, length):
    return t.narrow(axis, start, length)


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None):
    """The n-th forward difference along ``dim`` (``prepend``/``append`` joined first); bool uses xor.

    Example:
        >>> import deepglass as dg
        >>> dg.diff(dg.tensor([1, 3, 6, 10]))
        tensor([2, 3, 4])
    """
    from .compare import logical_xor
    from .elementwise import sub
    from .shape import cat

    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    axis = normalize_dim(dim, input.ndim)
    if n == 0:
        return input
    parts = [p for p in (prepend, input, append) if p is not None]
    parts = [p if isinstance(p, Tensor) else from_array(xp_of(input._array).full(
        [1 if a == axis else s for a, s in enumerate(input.shape)], p, dtype=input.dtype)) for p in parts]
    x = cat(parts, axis) if len(parts) > 1 else input
    for _ in range(n):
        m = x.shape[axis]
        if m == 0:
            break
        hi, lo = _narrow(x, axis, 1, m - 1), _narrow(x, axis, 0, m - 1)
        x = logical_xor(hi, lo) if x.dtype.kind == "b" else sub(hi, lo)
    return x


def _pairs(y, axis):
    m = y.shape[axis]
    return _narrow(y, axis, 1, m - 1), _narrow(y, axis, 0, m - 1)


def _trap_terms(y, x, dx, axis):
    hi, lo = _pairs(y, axis)
    mean = (hi + lo) * 0.5
    if x is None:
        return mean * (1 if dx is None else dx)
    if not isinstance(x, Tensor):
        return mean * x
    if x.ndim == 1:
        dxs = x[1:] - x[:-1]
        shape = [1] * y.ndim
        shape[axis] = dxs.shape[0]
        return mean * dxs.reshape(shape)
    dxs = diff(x, dim=axis - y.ndim)
    return mean * dxs


def trapezoid(y, x=None, *, dx=None, dim: int = -1):
    """∫ y along ``dim`` by the trapezoidal rule, sample points ``x`` (or spacing ``dx``, default 1).

    Example:
        >>> import deepglass as dg
        >>> dg.trapezoid(dg.tensor([1.0, 2.0, 3.0]))
        tensor(4.)
    """
    from .reduce import sum as _sum

    axis = normalize_dim(dim, y.ndim)
    if not isinstance(x, Tensor) and x is not None:
        dx, x = x, None
    y = to_float(y) if y.dtype.kind == "b" else y
    if y.shape[axis] == 0:
        return _sum(y, axis) * 0
    return _sum(_trap_terms(y, x, dx, axis), axis)


def trapz(y, x=None, *, dx=None, dim: int = -1):
    """The older name of :func:`trapezoid`."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1):
    """The running trapezoidal integral along ``dim`` (one fewer element than ``y``)."""
    from .reduce import cumsum

    axis = normalize_dim(dim, y.ndim)
    if not isinstance(x, Tensor) and x is not None:
        dx, x = x, None
    if y.shape[axis] == 0:
        return y
    return cumsum(_trap_terms(y, x, dx, axis), axis)


def cov(input, *, correction: int = 1, fweights=None, aweights=None):
    """Covariance of the rows of ``input`` (variables × observations); weights as torch.cov."""
    from .elementwise import where
    from .linalg import matmul
    from .reduce import sum as _sum

    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    x = to_float(input)
    x = x.reshape(1, -1) if x.ndim < 2 else x
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1, keepdim=True)
        norm = n_obs - correction
    else:
        wsum = _sum(w)                      # in the weights' dtype, as PyTorch (float32 weights: a float32 sum)
        avg = _sum(x * w, 1, keepdim=True) / wsum
        if correction == 0:
            norm = wsum
        elif aweights is None:
            norm = wsum - correction
        else:
            norm = wsum - correction * _sum(w * aweights) / wsum
    xc = x - avg
    xw = xc if w is None else xc * w
    c = matmul(xw, xc.t())
    if isinstance(norm, Tensor):
        norm = where(norm < 0, 0.0, norm)
    else:
        norm = max(norm, 0)
    out = c / norm
    return out.squeeze() if input.ndim < 2 or input.shape[0] == 1 else out


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``, clipped to [−1, 1]."""
    from .elementwise import clamp, sqrt
    from .matrix import diagonal

    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = sqrt(diagonal(c))
    c = c / d.reshape(-1, 1)
    c = c / d.reshape(1, -1)
    return clamp(c, -1, 1)


def renorm(input, p, dim: int, maxnorm):
    """Rescale each slice along ``dim`` whose p-norm exceeds ``maxnorm`` to norm ``maxnorm``."""
    from .elementwise import where
    from .reduce import vector_norm

    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported (got p={p})")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    axis = normalize_dim(dim, input.ndim)
    others = [a for a in range(input.ndim) if a != axis]
    norms = vector_norm(input, p, others, True) if others else input.abs()
    factor = where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return input * factor


def dist(input, other, p=2):
    """‖input − other‖_p over all elements (broadcasting)."""
    from .reduce import vector_norm

    return vector_norm(input - other, p)


# ---------------------------------------------------------------- counting (not differentiable)


def histc(input, bins: int = 100, min=0, max=0):
    """Counts in ``bins`` equal bins over [min, max] (the data's range when both are 0); outside is ignored."""
    x = input._array
    xp = xp_of(x)
    if input.dtype.kind != "f":
        raise RuntimeError(f"\"histogram_cpu\" not implemented for '{dtypes.name_of(input.dtype).capitalize()}'")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    counts, _ = np.histogram(np.asarray(x.get() if hasattr(x, "get") else x).ravel(), bins=bins, range=(lo, hi))
    return from_array(xp.asarray(counts.astype(input.dtype)))


def histogram(input, bins=100, *, range=None, weight=None, density: bool = False):
    """(hist, bin_edges) as numpy.histogram, in ``input``'s dtype."""
    xp = xp_of(input._array)
    host = lambda t: np.asarray(t._array.get() if hasattr(t._array, "get") else t._array)  # noqa: E731
    b = host(bins) if isinstance(bins, Tensor) else bins
    h, edges = np.histogram(host(input).ravel(), bins=b, range=range,
                            weights=None if weight is None else host(weight).ravel().astype(np.float64), density=density)
    return histogram_return_type(from_array(xp.asarray(h.astype(input.dtype))),
                                 from_array(xp.asarray(edges.astype(input.dtype))))


histogramdd_return_type = namedtuple("histogramdd", ["hist", "bin_edges"])


def histogramdd(input, bins, *, range=None, weight=None, density: bool = False):
    """A D-dimensional histogram of the points in the rows of ``input`` (``(..., D)``), as numpy.histogramdd.

    ``bins`` is one count for every dim, a list of counts (one per dim) or a list of 1-D tensors of
    increasing edges; ``range`` is ``[lo₀, hi₀, lo₁, hi₁, ...]`` (default: each dim's min and max).
    Each bin holds its left edge; the last one also its right edge.

    Returns:
        ``(hist, bin_edges)``: a ``D``-dim tensor of counts (or weights, or densities) and a tuple of
        ``D`` edge tensors, all in ``input``'s dtype.

    Example:
        >>> import deepglass as dg
        >>> h = dg.histogramdd(dg.tensor([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0]]), bins=[2, 2])
        >>> h.hist
        tensor([[1., 0.],
                [1., 1.]])
    """
    from .. import backend

    if input.dtype.kind != "f":
        raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the same dtype (a floating "
                           f"dtype), got {dtypes.name_of(input.dtype)}")
    if input.ndim < 1:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 1 dimension")
    d = input.shape[-1]
    dt = input.dtype
    pts = backend.to_numpy(input._array).reshape(-1, d)
    if not isinstance(bins, int) and len(bins) != d:
        raise RuntimeError(f"torch.histogramdd: expected {d} sequences of bin edges for each dimension of input, "
                           f"but got {len(bins)}")
    if range is not None and len(range) != 2 * d:
        raise RuntimeError(f"torch.histogramdd: for a {d}-dimensional histogram range should have {2 * d} "
                           f"elements, but got {len(range)}")
    edges = []
    for k in builtins_range(d):
        b = bins if isinstance(bins, int) else bins[k]
        if isinstance(b, Tensor):
            edges.append(backend.to_numpy(b._array).astype(dt))
            continue
        if range is not None:
            lo, hi = dt.type(range[2 * k]), dt.type(range[2 * k + 1])
        elif pts.shape[0]:
            lo, hi = pts[:, k].min(), pts[:, k].max()
        else:
            lo, hi = dt.type(0), dt.type(1)
        if lo == hi:
            lo, hi = lo - dt.type(0.5), hi + dt.type(0.5)
        edges.append(_torch_linspace(lo, hi, int(b) + 1, dt))
    # PyTorch's rule, also for edges that do not increase: a point counts when e[0] <= x <= e[-1]; its bin is
    # the binary search's (upper bound − 1), the last edge belonging to the last bin
    valid = np.ones(pts.shape[0], dtype=bool)
    pos = []
    for k, e in enumerate(edges):
        x = pts[:, k]
        valid &= (x >= e[0]) & (x <= e[-1])
        p = np.searchsorted(e, x, side="right") - 1
        pos.append(np.minimum(p, len(e) - 2))
    for p in pos:
        valid &= p >= 0
    w = np.ones(pts.shape[0]) if weight is None else backend.to_numpy(weight._array).reshape(-1).astype(np.float64)
    hist = np.zeros(tuple(len(e) - 1 for e in edges))
    np.add.at(hist, tuple(p[valid] for p in pos), w[valid])
    if density:
        vol = np.ones(())
        for e in edges:
            vol = np.multiply.outer(vol, np.diff(e.astype(np.float64)))
        hist = hist / hist.sum() / vol
    dev = backend.device_of(input._array)
    return histogramdd_return_type(from_array(backend.to_device(hist.astype(dt), dev)),
                                   tuple(from_array(backend.to_device(e, dev)) for e in edges))


def _torch_linspace(lo, hi, n, dt):
    """PyTorch's linspace in dtype ``dt``: from the start for the first half, from the end for the second."""
    i = np.arange(n)
    if n == 1:
        return np.array([lo], dtype=dt)
    step = (dt.type(hi) - dt.type(lo)) / dt.type(n - 1)
    fwd = dt.type(lo) + i.astype(dt) * step
    bwd = dt.type(hi) - (n - 1 - i).astype(dt) * step
    return np.where(i < n // 2, fwd, bwd).astype(dt)


def bincount(input, weights=None, minlength: int = 0):
    """Occurrences of each non-negative integer (weighted sums with ``weights``)."""
    if input.ndim != 1 or input.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    xp = xp_of(input._array)
    if input.numel() and bool((input._array < 0).any()):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = None if weights is None else weights._array
    out = xp.bincount(input._array, weights=w, minlength=minlength)
    if weights is None:
        return from_array(out.astype(np.int64))
    return from_array(out.astype(weights.dtype if weights.dtype.kind == "f" and weights.dtype != np.float16
                                 else np.float64))


def unique(input, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """The distinct values (sorted), with the inverse indices and counts on request."""
    xp = xp_of(input._array)
    a = input._array
    if dim is None:
        vals, inv, counts = xp.unique(a.ravel(), return_inverse=True, return_counts=True)
        inv = inv.reshape(a.shape)
    else:
        axis = normalize_dim(dim, input.ndim)
        vals, inv, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=axis)
        inv = inv.reshape(-1)
    out = [from_array(vals)]
    if return_inverse:
        out.append(from_array(inv.astype(np.int64)))
    if return_counts:
        out.append(from_array(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """Collapse runs of equal consecutive values (or slices along ``dim``) to one."""
    xp = xp_of(input._array)
    a = input._array
    if dim is None:
        flat = a.ravel()
        change = xp.ones(flat.shape[0], dtype=bool)
        if flat.size:
            change[1:] = flat[1:] != flat[:-1]
        vals = flat[change]
        inv = (xp.cumsum(change) - 1).reshape(a.shape)
    else:
        axis = normalize_dim(dim, input.ndim)
        m = xp.moveaxis(a, axis, 0).reshape(a.shape[axis], int(np.prod(a.shape)) // max(a.shape[axis], 1))
        change = xp.ones(m.shape[0], dtype=bool)
        if m.shape[0]:
            change[1:] = (m[1:] != m[:-1]).any(axis=1)
        vals = xp.compress(change, a, axis=axis)
        inv = xp.cumsum(change) - 1
    starts = xp.flatnonzero(change)
    counts = xp.diff(xp.concatenate([starts, xp.asarray([change.shape[0]])]))
    out = [from_array(vals)]
    if return_inverse:
        out.append(from_array(inv.astype(np.int64)))
    if return_counts:
        out.append(from_array(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False, side=None, sorter=None):
    """Insertion indices of ``input`` into each (last-axis) row of ``sorted_sequence``."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("side and right can't be set to opposites")
        right = side == "right"
    seq = sorted_sequence._array
    xp = xp_of(seq)
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._array, axis=-1)
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input) if scalar else input._array
    s = "right" if right else "left"
    if seq.ndim == 1:
        out = xp.searchsorted(seq, vals, side=s)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               "dimensions of boundaries tensor and input value tensor must match")
        nrow = int(np.prod(seq.shape[:-1]))
        rows, vrows = seq.reshape(nrow, seq.shape[-1]), vals.reshape(nrow, vals.shape[-1])
        out = xp.stack([xp.searchsorted(r, v, side=s) for r, v in zip(rows, vrows)]).reshape(vals.shape) \
            if rows.shape[0] else xp.zeros(vals.shape, dtype=np.int64)
    return from_array(xp.asarray(out).astype(np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False):
    """The bucket of each value: i with boundaries[i−1] < x ≤ boundaries[i] (``right``: ≤ x <)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def argwhere(input):
    """Indices of the non-zero elements, one row per element: shape (n, input.ndim)."""
    a = input._array
    xp = xp_of(a)
    if a.ndim == 0:
        return from_array(xp.zeros((int(bool(a)), 0), dtype=np.int64))
    return from_array(xp.argwhere(a).astype(np.int64))


def _gradient_coefficients(x, edge_order):
    """Per output position along one axis: the three stencil weights and where the stencil starts.

    ``x`` holds the sample coordinates (float64). Interior points use the second-order central
    difference for uneven spacing (NumPy's and PyTorch's formula); the two ends use a one-sided
    difference of order ``edge_order``.
    """
    n = x.shape[0]
    a, b, c = np.zeros(n), np.zeros(n), np.zeros(n)
    start = np.zeros(n, dtype=np.int64)
    d1, d2 = x[1:-1] - x[:-2], x[2:] - x[1:-1]
    a[1:-1] = -d2 / (d1 * (d1 + d2))
    b[1:-1] = (d2 - d1) / (d1 * d2)
    c[1:-1] = d1 / (d2 * (d1 + d2))
    start[1:-1] = np.arange(n - 2)
    if edge_order == 1:
        a[0], b[0] = -1 / (x[1] - x[0]), 1 / (x[1] - x[0])
        b[-1], c[-1] = -1 / (x[-1] - x[-2]), 1 / (x[-1] - x[-2])
    else:
        d1, d2 = x[1] - x[0], x[2] - x[1]
        a[0], b[0], c[0] = -(2 * d1 + d2) / (d1 * (d1 + d2)), (d1 + d2) / (d1 * d2), -d1 / (d2 * (d1 + d2))
        d1, d2 = x[-2] - x[-3], x[-1] - x[-2]
        a[-1], b[-1], c[-1] = d2 / (d1 * (d1 + d2)), -(d2 + d1) / (d1 * d2), (2 * d2 + d1) / (d2 * (d1 + d2))
    start[-1] = n - 2 if edge_order == 1 else n - 3
    if edge_order == 1:          # the last point's two weights sit on x[-2], x[-1]: shift them to a, b
        a[-1], b[-1], c[-1] = b[-1], c[-1], 0.0
    return a, b, c, start


def _gradient_along(f, axis, x, edge_order):
    from .shape import gather

    a, b, c, start = _gradient_coefficients(x, edge_order)
    n = f.shape[axis]
    shape = [1] * f.ndim
    shape[axis] = n
    xp = xp_of(f._array)
    out = None
    for k, w in enumerate((a, b, c)):
        idx = np.minimum(start + k, n - 1)
        index = xp.broadcast_to(xp.asarray(idx).reshape(shape), f.shape)
        term = gather(f, axis, from_array(xp.ascontiguousarray(index))) * from_array(
            xp.asarray(w.reshape(shape), dtype=f.dtype))
        out = term if out is None else out + term
    return out


def gradient(input, *, spacing=1, dim=None, edge_order: int = 1):
    """Estimate ∂input/∂x along each of ``dim`` by finite differences (PyTorch's ``torch.gradient``).

    Interior points: the central difference
    (h₋²·f(x+h₊) − h₊²·f(x−h₋) + (h₊² − h₋²)·f(x)) / (h₋h₊(h₋ + h₊)), exact for quadratics; the
    ends: one-sided differences of order ``edge_order`` (1 or 2).

    Args:
        input: the sampled function values.
        spacing: a number (the step along every dim), one number per dim, or one 1-D tensor of
            sample coordinates per dim.
        dim: an int, a list of ints, or None (every dim).
        edge_order: 1 or 2.

    Returns:
        A tuple with one tensor (``input``'s shape) per dim.

    Example:
        >>> import deepglass as dg
        >>> dg.gradient(dg.tensor([1.0, 4.0, 9.0, 16.0]), spacing=2.0)
        (tensor([1.5000, 2.0000, 3.0000, 3.5000]),)
    """
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.ndim)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [normalize_dim(d, input.ndim) for d in dims]
    if spacing is None:
        spacing = 1
    if isinstance(spacing, (int, float)) or (isinstance(spacing, Tensor) and spacing.ndim == 0):
        spacing = [spacing] * len(dims)
    spacing = list(spacing)
    if len(spacing) == 1 and len(dims) > 1 and not isinstance(spacing[0], Tensor):
        spacing = spacing * len(dims)
    if len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length {len(spacing)} "
                           f"and a dim argument of length {len(dims)}.")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    f = to_float(input)
    out = []
    for d, h in zip(dims, spacing):
        n = input.shape[d]
        if isinstance(h, Tensor) and h.ndim == 1:
            if h.shape[0] != n:
                raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and to have the "
                                   f"same length as the dimension it spans ({h.shape[0]} != {n} along dim {d})")
            x = np.asarray(h.detach().cpu().numpy(), dtype=np.float64)
        else:
            x = np.arange(n, dtype=np.float64) * float(h.item() if isinstance(h, Tensor) else h)
        out.append(_gradient_along(f, d, x, edge_order))
    return tuple(out)


def hash_tensor(input, dim=None, *, keepdim: bool = False, mode: int = 0):
    """An order-independent 64-bit hash: the XOR of every element's bits (PyTorch's ``hash_tensor``, mode 0).

    Each element is first widened to float64 (floating dtypes) or int64 (integers and bool), and its
    8 bytes are read as a uint64; the result is uint64. ``dim`` (an int or a list) hashes rows.

    Example:
        >>> import deepglass as dg
        >>> dg.hash_tensor(dg.tensor([3.0]))
        tensor(4613937818241073152, dtype=deepglass.uint64)
    """
    from .. import backend
    from ._util import normalize_dims

    if mode != 0:
        raise RuntimeError(f"Unknown hash_tensor mode: {mode}")
    arr = input._array
    if dim is None and arr.size == 0:
        raise RuntimeError("hash_tensor: Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    axes = normalize_dims(dim, input.ndim)
    if arr.ndim and axes is not None:
        for a in axes:
            if arr.shape[a] == 0:
                raise IndexError(f"hash_tensor: Expected reduction dim {a} to have non-zero size.")
    wide = arr.astype(np.float64 if arr.dtype.kind == "f" else np.int64).view(np.uint64)
    host = backend.to_numpy(wide)            # XOR-reduce on the host (CuPy has no bitwise_xor.reduce)
    if arr.ndim == 0:
        out = host.copy()
    else:
        out = np.bitwise_xor.reduce(host, axis=axes, keepdims=keepdim)
    return from_array(backend.to_device(np.asarray(out, dtype=np.uint64), backend.device_of(arr)))


__all__ = [
    "histogramdd", "hash_tensor", "gradient", "diff", "trapezoid", "trapz", "cumulative_trapezoid", "cov", "corrcoef", "renorm", "dist", "histc",
    "histogram", "bincount", "unique", "unique_consecutive", "searchsorted", "bucketize", "argwhere",
]
