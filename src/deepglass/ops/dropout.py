"""Dropout (dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout) and the embedding lookup (embedding).

Dropout zeroes each element with probability p during training and scales the
survivors by 1/(1 − p), so the expected activation is unchanged and nothing
needs rescaling at evaluation time; it keeps units from co-adapting
(a cheap ensemble). Masks are drawn from deepglass's seeded default generator
on the host (so a seed gives the same mask on the CPU and the GPU).

The embedding lookup lives here too (the kernel of ``nn.Embedding``, PyTorch's
``sparse`` family): rows of a weight table selected by integer indices.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import backend, random
from .._tensor import bump_version, from_array
from ..autograd.function import Function
from ._util import xp_of


class MaskMul(Function):
    """y = x·m with a fixed (pre-scaled) mask m; dx = g·m."""

    @staticmethod
    def forward(ctx, x, m):
        ctx.m = m
        return x * m

    @staticmethod
    def backward(ctx, g):
        return g * ctx.m, None


def _check_p(name, p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} probability has to be between 0 and 1, but got {p}")


def _mask(input, shape, p, generator=None):
    keep = random.numpy_generator(generator).random(shape, dtype=np.float32) >= p
    dtype = input.dtype if input.dtype.kind == "f" else np.float32
    m = keep.astype(dtype) * dtype.type(1.0 / (1.0 - p))
    return backend.to_device(m, input.device)


def _masked(input, mask, inplace):
    """``input · mask``; with ``inplace`` written into ``input``'s memory (recorded in a graph, as PyTorch)."""
    if inplace:
        return input._inplace(MaskMul.apply, mask)
    return MaskMul.apply(input, mask)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1 − p) (training only).

    y_i = x_i · m_i / (1 − p), m_i ~ Bernoulli(1 − p); the identity when ``training`` is False.

    Args:
        input: any shape.
        p: probability of zeroing an element.
        training: apply dropout (False: return the input unchanged).
        inplace: write the result into ``input`` and return it.

    Shape:
        Output has the input's shape.

    Returns:
        The tensor with dropped elements.

    Example:
        >>> y = dropout(deepglass.ones(1000), 0.2)
        >>> 0.75 < (y != 0).float().mean().item() < 0.85
        True
    """
    _check_p("dropout", p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    return _masked(input, _mask(input, input.shape, p), inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (feature maps) with probability ``p``, scaling the rest by 1/(1 − p).

    Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
    regularises little; dropping a channel at a time does. As PyTorch 2.13: the mask has shape
    ``(N, C, 1, ..., 1)`` for any input of 2 or more dimensions; a 3-D input is read as ``(N, C, L)``
    (not as an unbatched ``(C, H, W)``) with a warning, and inputs that are not 3-D or 4-D warn too.

    Args:
        input: ``(N, C, H, W)`` (other ranks ≥ 2 warn, as in PyTorch).
        p: probability of zeroing a channel.
        training: apply dropout (False: identity).
        inplace: write the result into ``input`` and return it.

    Shape:
        Output has the input's shape; the mask is ``(N, C, 1, 1)``.

    Returns:
        The tensor with dropped channels.

    Example:
        >>> dropout2d(deepglass.ones(2, 8, 3, 3), 0.5).shape
        (2, 8, 3, 3)
    """
    _check_p("dropout", p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", UserWarning, stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", UserWarning, stacklevel=2)
    if not training or p == 0.0 or input.numel() == 0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _masked(input, _mask(input, tuple(input.shape[:2]) + (1,) * (input.ndim - 2), p), inplace)


def _check_float_for_training(name, input):
    if input.dtype.kind != "f":
        raise RuntimeError(f"{name}: result type Float can't be cast to the desired output type {input.dtype}; "
                           f"use a floating-point input")


def _channel_dropout(name, input, p, training, mask_shape, inplace=False):
    if not training or p == 0.0:
        return input
    _check_float_for_training(name, input)
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    return _masked(input, _mask(input, mask_shape, p), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, L)`` (or unbatched ``(C, L)``) with probability ``p``, scaling the rest
    by 1/(1 − p); the identity when ``training`` is False.

    Example:
        >>> dropout1d(deepglass.ones(2, 8, 5), 0.5).shape
        (2, 8, 5)
    """
    _check_p("dropout", p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    lead = 1 if input.ndim == 2 else 2
    return _channel_dropout("dropout1d", input, p, training, tuple(input.shape[:lead]) + (1,) * (input.ndim - lead),
                            inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, D, H, W)`` (or unbatched ``(C, D, H, W)``) with probability ``p``, scaling
    the rest by 1/(1 − p).

    Other ranks are accepted with a warning, as PyTorch: the input is treated as unbatched (its first dimension
    is the channel dimension).

    Example:
        >>> dropout3d(deepglass.ones(2, 4, 3, 3, 3), 0.5).shape
        (2, 4, 3, 3, 3)
    """
    _check_p("dropout", p)
    if input.ndim not in (4, 5):
        import warnings

        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      "inputs).", UserWarning, stacklevel=2)
    if input.ndim == 0:
        mask_shape = ()
    else:
        lead = 2 if input.ndim == 5 else 1
        mask_shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    return _channel_dropout("dropout3d", input, p, training, mask_shape, inplace)


_SELU_ALPHA_SCALE = 1.7580993408473766  # SELU's scale·alpha: the value of a dropped unit is −this (before a, b)


class AlphaMask(Function):
    """y = x·(a·m) + b(m) for a fixed keep mask m; dx = g·a·m."""

    @staticmethod
    def forward(ctx, x, am, b):
        ctx.am = am
        return x * am + b

    @staticmethod
    def backward(ctx, g):
        return g * ctx.am, None, None


def _alpha(name, input, p, training, mask_shape):
    if not training or p == 0.0:
        return input
    _check_float_for_training(name, input)
    if p == 1.0:
        return input * 0.0
    keep = random.numpy_generator(None).random(mask_shape, dtype=np.float32) >= p
    dtype = input.dtype
    alpha = _SELU_ALPHA_SCALE
    a = 1.0 / np.sqrt((alpha * alpha * p + 1.0) * (1.0 - p))
    am = keep.astype(dtype) * dtype.type(a)
    b = (keep.astype(np.float64) - 1.0) * (alpha * a) + alpha * a * p
    return AlphaMask.apply(input, backend.to_device(am, input.device),
                           backend.to_device(b.astype(dtype), input.device))


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation −λα and the result is
    rescaled, y = a·(x·m + λα·(p + m − 1)) with m ~ Bernoulli(1 − p) and a = (((λα)²·p + 1)·(1 − p))^(−1/2),
    so that a zero-mean, unit-variance input keeps its mean and variance. Note ``training`` defaults to False (as PyTorch).

    Example:
        >>> alpha_dropout(deepglass.randn(4, 5), 0.2, training=True).shape
        (4, 5)
    """
    _check_p("dropout", p)
    return _alpha("alpha_dropout", input, p, training, tuple(input.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """:func:`alpha_dropout` over whole channels: one draw per ``(N, C)`` entry of an ``(N, C, *)`` input.
    Note ``training`` defaults to False (as PyTorch).

    Example:
        >>> feature_alpha_dropout(deepglass.randn(2, 4, 3), 0.2, training=True).shape
        (2, 4, 3)
    """
    _check_p("dropout", p)
    if training and p != 0.0 and input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _alpha("feature_alpha_dropout", input, p, training,
                  tuple(input.shape[:2]) + (1,) * (input.ndim - 2))


class Embedding(Function):
    """y = W[idx]; dW = Σ over the occurrences of each index of g (scatter-add), padding row zero."""

    @staticmethod
    def forward(ctx, w, idx, padding_idx, scale_grad_by_freq):
        ctx.idx = idx
        ctx.geom = (w.shape, padding_idx, scale_grad_by_freq)
        return w[idx]

    @staticmethod
    def backward(ctx, g):
        shape, padding_idx, scale = ctx.geom
        xp = xp_of(g)
        idx = ctx.idx.reshape(-1)
        g2 = g.reshape(-1, shape[1])
        if scale:
            counts = xp.bincount(idx, minlength=shape[0])
            g2 = g2 / counts[idx].reshape(-1, 1).astype(g.dtype)
        gw = xp.zeros(shape, dtype=g.dtype)
        if hasattr(xp.add, "at"):
            xp.add.at(gw, idx, g2)
        else:  # older CuPy
            import cupyx

            cupyx.scatter_add(gw, idx, g2)
        if padding_idx is not None:
            gw[padding_idx] = 0
        return gw, None


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """Look up rows of ``weight`` (a table of ``num_embeddings`` vectors) at the integer ``input`` indices.

    y[..., :] = W[input[...], :]; the gradient of a row is the sum of the gradients of its lookups.

    Args:
        input: integer tensor of indices, any shape.
        weight: ``(num_embeddings, embedding_dim)``.
        padding_idx: this row gets no gradient (a fixed "padding" vector).
        max_norm: rows looked up are renormalised in place to at most this ``norm_type``-norm.
        scale_grad_by_freq: divide each row's gradient by the index's count in the batch.
        sparse: not supported (dense gradients only); must be False.

    Shape:
        ``(*input.shape, embedding_dim)``.

    Returns:
        The gathered vectors.

    Example:
        >>> embedding(deepglass.tensor([[0, 2]]), deepglass.randn(5, 3)).shape
        (1, 2, 3)
    """
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported; use sparse=False")
    if input.dtype.kind not in "iu":
        raise RuntimeError(f"embedding: expected an integer index tensor, got dtype {input.dtype}; use input.long()")
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got {tuple(weight.shape)}")
    n = weight.shape[0]
    idx = input._array
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):  # as PyTorch: negative indices don't wrap
        raise IndexError(f"index out of range in self: embedding indices must lie in [0, {n}), got min "
                         f"{int(idx.min())} and max {int(idx.max())}")
    if padding_idx is not None:
        if not -n <= padding_idx < n:
            raise ValueError(f"embedding: padding_idx must be within num_embeddings ({n}), got {padding_idx}")
        padding_idx = padding_idx % n
    if max_norm is not None:
        xp = xp_of(weight._array)
        rows = xp.unique(idx.reshape(-1))
        w = weight._array
        norms = xp.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        w[rows] *= scale[:, None]
        bump_version(weight)
    return Embedding.apply(weight, from_array(idx), padding_idx, bool(scale_grad_by_freq))


__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout", "embedding"]
