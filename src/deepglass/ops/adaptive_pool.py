"""Adaptive pooling: average or max pooling to a fixed output size, in 2-D and 1-D.

Output cell i along an axis of n inputs pools the window [⌊i·n/n_out⌋, ⌈(i+1)·n/n_out⌉): windows
tile the input (overlapping by one where n_out does not divide n); ``output_size = 1`` is global
pooling. Behaviour as PyTorch 2.13 (CPU): the last NaN of a window wins adaptive max, an inf or NaN
in adaptive average only changes the windows that hold it, integer inputs raise.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import xp_of
from .pool import _check_dtype, _int, _squeeze_out


# --------------------------------------------------------------- adaptive
def _adaptive_bounds(n, n_out):
    i = np.arange(n_out)
    return (i * n) // n_out, -((-(i + 1) * n) // n_out)  # floor(i·n/o), ceil((i+1)·n/o)


def _adaptive_size(name, input, output_size):
    if input.ndim not in (3, 4):
        colon = ":" if "max" in name else ""
        raise RuntimeError(f"{name}(): Expected 3D or 4D tensor, but got{colon} {list(input.shape)}")
    for a in range(1, input.ndim):
        if input.shape[a] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {list(input.shape)} with dimension {a} being empty")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise RuntimeError(f"{name}: output_size must be 2")
        o = tuple(input.shape[-2 + a] if output_size[a] is None else _int(name, "output_size", output_size[a])
                  for a in range(2))
    else:
        o = (_int(name, "output_size", output_size),) * 2
    if min(o) < 0:
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{o[0]}, {o[1]}}}")
    return o


def _window_means(xp, x, bh, bw):
    """Separable window means by slicing: only the windows holding an inf/NaN become inf/NaN."""
    rows = [x[..., a:b, :].mean(axis=-2, keepdims=True) for a, b in zip(*bh)]
    r = xp.concatenate(rows, axis=-2)
    return xp.concatenate([r[..., a:b].mean(axis=-1, keepdims=True) for a, b in zip(*bw)], axis=-1)


def _window_spread(xp, g, bh, bw, H, W):
    """The transpose of :func:`_window_means`: each gradient spread over its own window only."""
    t = xp.zeros(g.shape[:-1] + (W,), dtype=g.dtype)
    for ow, (a, b) in enumerate(zip(*bw)):
        t[..., a:b] += g[..., ow:ow + 1] / (b - a)
    gx = xp.zeros(g.shape[:-2] + (H, W), dtype=g.dtype)
    for oh, (a, b) in enumerate(zip(*bh)):
        gx[..., a:b, :] += t[..., oh:oh + 1, :] / (b - a)
    return gx


class AdaptiveAvgPool2d(Function):
    """out = P_h · x · P_wᵀ with averaging matrices P (rows: one window each); backward: the transposes.

    A product spreads an inf/NaN over the whole plane (0·inf = NaN), so a non-finite result (or gradient)
    is redone window by window, where only the windows holding it are affected, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, ph, pw, bh, bw):
        xp = xp_of(x)
        with np.errstate(invalid="ignore"):  # 0·inf: the product is redone below
            y = ph @ (x @ pw.T)
            if not bool(xp.isfinite(y).all()):
                y = _window_means(xp, x, bh, bw)
        ctx.save_for_backward(ph, pw)
        ctx.bounds = (bh, bw, x.shape[-2], x.shape[-1])
        return y

    @staticmethod
    def backward(ctx, g):
        ph, pw = ctx.saved_tensors
        xp = xp_of(g)
        if not bool(xp.isfinite(g).all()):
            return _window_spread(xp, g, *ctx.bounds)
        return ph.T @ (g @ pw)


def _avg_matrix(xp, n, n_out, dtype):
    start, end = _adaptive_bounds(n, n_out)
    idx = np.arange(n)
    m = ((idx >= start[:, None]) & (idx < end[:, None])) / (end - start)[:, None]
    return xp.asarray(m.astype(dtype))


def _adaptive_avg(name, input, output_size):
    o = _adaptive_size(name, input, output_size)
    _check_dtype(name, input.dtype)
    xp = xp_of(input._array)
    H, W = input.shape[-2:]
    bh, bw = _adaptive_bounds(H, o[0]), _adaptive_bounds(W, o[1])
    return AdaptiveAvgPool2d.apply(input, _avg_matrix(xp, H, o[0], input.dtype), _avg_matrix(xp, W, o[1], input.dtype),
                                   bh, bw)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size: window i spans [⌊i·H/H_out⌋, ⌈(i+1)·H/H_out⌉).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)`` (floating point).
        output_size: int or pair (None keeps that input size); ``1`` is global average pooling.

    Shape:
        ``(N, C, H_out, W_out)``.

    Returns:
        The pooled tensor.

    Example:
        >>> adaptive_avg_pool2d(deepglass.randn(2, 3, 7, 5), 1).shape
        (2, 3, 1, 1)
    """
    return _adaptive_avg("adaptive_avg_pool2d", input, output_size)


def _output_size_1d(name, output_size):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got {len(output_size)})")
        output_size = output_size[0]
    if output_size is None:
        raise TypeError(f"{name}(): argument 'output_size' (position 2) must be tuple of ints, not NoneType")
    return _int(name, "output_size", output_size)


def _check_1d(name, input):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {name})")


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of an ``(N, C, L)`` or ``(C, L)`` input to ``L_out`` (adaptive_avg_pool2d with height 1).

    Args:
        output_size: int (or 1-tuple): window i spans [⌊i·L/L_out⌋, ⌈(i+1)·L/L_out⌉).

    Shape:
        ``(N, C, L_out)``.

    Returns:
        The pooled tensor.

    Example:
        >>> adaptive_avg_pool1d(deepglass.randn(2, 3, 7), 3).shape
        (2, 3, 3)
    """
    _check_1d("adaptive_avg_pool1d", input)
    o = _output_size_1d("adaptive_avg_pool1d", output_size)
    return _adaptive_avg("adaptive_avg_pool2d", input.unsqueeze(-2), (1, o)).squeeze(-2)


class AdaptiveMaxPool2d(Function):
    """Gather each (padded-by-repetition) window, take the max; backward scatters through flat indices."""

    @staticmethod
    def forward(ctx, x, ih, iw):
        xp = xp_of(x)
        lead = x.shape[:-2]
        H, W = x.shape[-2:]
        Ho, kh = ih.shape
        Wo, kw = iw.shape
        v = x[..., ih[:, :, None, None], iw[None, None, :, :]]  # (..., Ho, kh, Wo, kw)
        v = xp.moveaxis(v, -3, -2).reshape(lead + (Ho, Wo, kh * kw))
        a = v.argmax(axis=-1)  # the first maximum (NaN counts as one)
        if x.dtype.kind == "f":
            nan = xp.isnan(v)
            if bool(nan.any()):  # PyTorch keeps the last NaN of a window
                a = xp.where(nan.any(axis=-1), kh * kw - 1 - nan[..., ::-1].argmax(axis=-1), a)
        a = xp.expand_dims(a, -1)
        out = xp.take_along_axis(v, a, axis=-1)[..., 0]
        a = a[..., 0]
        flat = ih[xp.arange(Ho)[:, None], a // kw] * W + iw[xp.arange(Wo)[None, :], a % kw]
        ctx.flat = flat
        ctx.shape = x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        shape = ctx.shape
        HW = shape[-2] * shape[-1]
        planes = g.size // max(g.shape[-2] * g.shape[-1], 1) if g.size else 0
        if not planes:
            return xp.zeros(shape, dtype=g.dtype)
        idx = ctx.flat.reshape(planes, -1) + xp.arange(planes).reshape(planes, 1) * HW
        gx = xp.bincount(idx.ravel(), weights=g.ravel(), minlength=planes * HW)
        return gx.astype(g.dtype).reshape(shape)


def _max_index(xp, n, n_out):
    start, end = _adaptive_bounds(n, n_out)
    k = int((end - start).max()) if n_out else 1
    idx = np.minimum(start[:, None] + np.arange(k), end[:, None] - 1)  # repeats the last element: max unchanged
    return xp.asarray(idx.astype(np.int64))


def _adaptive_max(name, input, output_size, return_indices):
    o = _adaptive_size(name, input, output_size)
    _check_dtype(name, input.dtype)
    xp = xp_of(input._array)
    H, W = input.shape[-2:]
    ih, iw = _max_index(xp, H, o[0]), _max_index(xp, W, o[1])
    if not return_indices:
        return AdaptiveMaxPool2d.apply(input, ih, iw)
    from .._tensor import from_array
    from ..autograd import grad_mode

    if input.requires_grad and grad_mode._state.enabled:
        out = AdaptiveMaxPool2d.apply(input, ih, iw)
        flat = out.grad_fn.flat
    else:  # nothing to record: one forward, keeping the indices
        ctx = AdaptiveMaxPool2d.__new__(AdaptiveMaxPool2d)
        out = from_array(AdaptiveMaxPool2d.forward(ctx, input._array, ih, iw))
        flat = ctx.flat
    return out, from_array(flat)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size (windows as :func:`adaptive_avg_pool2d`).

    Args:
        input: ``(N, C, H, W)`` or ``(C, H, W)`` (floating point).
        output_size: int or pair (None keeps that input size).
        return_indices: also return the flat (h·W + w) index of each maximum (the last NaN of a window
            when it holds NaN, as PyTorch).

    Shape:
        ``(N, C, H_out, W_out)``.

    Returns:
        The pooled tensor (and int64 indices).

    Example:
        >>> adaptive_max_pool2d(deepglass.randn(1, 2, 5, 5), (2, 3)).shape
        (1, 2, 2, 3)
    """
    return _adaptive_max("adaptive_max_pool2d", input, output_size, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of an ``(N, C, L)`` or ``(C, L)`` input to ``L_out`` (adaptive_max_pool2d with height 1).

    Args:
        output_size: int (or 1-tuple); return_indices: also return the index (into L) of each maximum.

    Shape:
        ``(N, C, L_out)``.

    Returns:
        The pooled tensor (and int64 indices).

    Example:
        >>> adaptive_max_pool1d(deepglass.randn(2, 3, 7), 3).shape
        (2, 3, 3)
    """
    _check_1d("adaptive_max_pool1d", input)
    for a in range(1, input.ndim):
        if input.shape[a] == 0:
            raise RuntimeError(f"adaptive_max_pool1d(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with dimension {a} being empty")
    o = _output_size_1d("adaptive_max_pool1d", output_size)
    r = _adaptive_max("adaptive_max_pool1d", input.unsqueeze(-2), (1, o), return_indices)
    return _squeeze_out(r, -2, return_indices)


__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d"]
