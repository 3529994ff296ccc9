"""Activation functions (the notes' 激活函数 table).

Each one brings non-linearity; without it a stack of layers collapses to a
single linear map. Primitives are written here with their derivatives; the rest
are composed from existing ops.
"""
from __future__ import annotations

from ..autograd.function import Function
from ._util import normalize_dim, to_float, xp_of


class ReLU(Function):
    """max(x, 0); derivative 1 for x > 0, else 0 (PyTorch uses 0 at x = 0)."""

    @staticmethod
    def forward(ctx, x):
        y = xp_of(x).maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y > 0)


def relu(input, inplace: bool = False):
    """ReLU(x) = max(x, 0).

    Its gradient is exactly 1 for every active unit, so stacking layers does not
    shrink it the way sigmoid's (at most 1/4) does — this eases vanishing gradients.
    """
    return ReLU.apply(input)


class Softmax(Function):
    """softmax(x)_i = e^(x_i − max) / Σ_j e^(x_j − max); d = y ⊙ (g − Σ g⊙y)."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = xp_of(x)
        e = xp.exp(x - x.max(axis=axis, keepdims=True))
        y = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * gy.sum(axis=ctx.axis, keepdims=True)


class LogSoftmax(Function):
    """log softmax(x) = x − max − log Σ e^(x − max) (stable); d = g − softmax·Σ g (fused)."""

    @staticmethod
    def forward(ctx, x, axis):
        xp = xp_of(x)
        shifted = x - x.max(axis=axis, keepdims=True)
        y = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(y)
        ctx.axis = axis
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - xp_of(g).exp(y) * g.sum(axis=ctx.axis, keepdims=True)


def _softmax_dim(ndim, dim):
    if dim is None:
        # PyTorch's legacy implicit choice
        dim = 0 if ndim in (0, 1, 3) else 1
    return normalize_dim(dim, ndim)


def softmax(input, dim=None, dtype=None):
    """Turn scores into probabilities that are non-negative and sum to 1 along ``dim``.

    softmax(x_i) = e^{x_i} / Σ_j e^{x_j}; used on a classifier's last layer.
    """
    if dtype is not None:
        input = input.to(dtype)
    input = to_float(input)
    if input.ndim == 0:
        return Softmax.apply(input.reshape(1), 0).reshape(())
    return Softmax.apply(input, _softmax_dim(input.ndim, dim))


def log_softmax(input, dim=None, dtype=None):
    """log(softmax(x)) computed without overflow or log(0)."""
    if dtype is not None:
        input = input.to(dtype)
    input = to_float(input)
    if input.ndim == 0:
        return LogSoftmax.apply(input.reshape(1), 0).reshape(())
    return LogSoftmax.apply(input, _softmax_dim(input.ndim, dim))


__all__ = ["relu", "softmax", "log_softmax"]
