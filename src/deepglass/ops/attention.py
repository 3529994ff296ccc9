"""Scaled dot-product attention (Vaswani et al. 2017, "Attention Is All You Need").

Every query position attends to every key position with weights given by the
softmax of their similarities, and returns the weighted mean of the values:

    Attention(Q, K, V) = softmax(Q·Kᵀ / √d + M) · V

with ``d`` the query/key width and ``M`` an additive mask (``−∞`` where a key
must be ignored). It is one fused primitive: forward keeps only the attention
weights P, and backward is

    dV = Pᵀ·dO,  dP = dO·Vᵀ,  dS = P ⊙ (dP − Σ_j dP ⊙ P),  dQ = dS·K·s,  dK = dSᵀ·Q·s

which saves the intermediate scores that a composed version would store.
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend, random
from .._tensor import Tensor
from ..autograd.function import Function
from ..kernels import choose
from ._util import xp_of


def _safe_softmax(xp, s):
    """Softmax over the last axis, in place in ``s``; a row whose every entry is −∞ gives zeros (as PyTorch's SDPA)."""
    m = s.max(axis=-1, keepdims=True)
    m[~xp.isfinite(m)] = 0
    s -= m
    xp.exp(s, out=s)
    z = s.sum(axis=-1, keepdims=True)
    z[z == 0] = 1
    s /= z
    return s


class ScaledDotProductAttention(Function):
    """One fused primitive: forward keeps the attention weights P (and the dropout mask), backward is the
    closed form of the module notes. The fast tier (``kernels/attention.py``) runs it on batch chunks.

    Example:
        >>> q = deepglass.tensor([[[1.0, 0.0]]]); k = deepglass.tensor([[[1.0, 0.0], [0.0, 1.0]]])
        >>> v = deepglass.tensor([[[1.0], [3.0]]])   # weights softmax(1, 0) = (0.731, 0.269): 0.731·1 + 0.269·3
        >>> round(ScaledDotProductAttention.apply(q, k, v, None, 1.0, 0.0, False).item(), 4)  # mask, scale, p, causal
        1.5379
    """

    @staticmethod
    def forward(ctx, q, k, v, mask, scale, dropout_p, causal):
        xp = xp_of(q)
        keep = _dropout_keep(xp, q, k, v, mask, dropout_p)
        out, p = _attend(xp, q, k, v, mask, scale, keep, dropout_p, causal)
        if ctx.needs_input_grad:
            ctx.save_for_backward(q, k, v, p, keep)
            ctx.scale, ctx.dropout_p = scale, dropout_p
        return out

    @staticmethod
    def backward(ctx, g):
        q, k, v, p, keep = ctx.saved_tensors
        return _attend_backward(xp_of(g), g, q, k, v, p, keep, ctx.scale, ctx.dropout_p, ctx.needs_input_grad)


def _dropout_keep(xp, q, k, v, mask, dropout_p):
    """The dropout keep mask over the weights' broadcast shape (None without dropout): one draw per call."""
    if dropout_p <= 0:
        return None
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], () if mask is None else mask.shape[:-2])  # P's shape
    shape = lead + (q.shape[-2], k.shape[-2])
    if dropout_p >= 1:
        return xp.zeros(shape, dtype=bool)
    return backend.to_device(random.numpy_generator().random(shape) >= dropout_p, backend.device_of(q))


def _attend(xp, q, k, v, mask, scale, keep, dropout_p, causal):
    """softmax(q·kᵀ·scale + mask)·v, the weights dropped where ``keep`` is False -> (output, weights P)."""
    s = q @ xp.swapaxes(k, -1, -2)
    s *= s.dtype.type(scale)
    if causal:
        L, S = s.shape[-2], s.shape[-1]
        s = xp.where(xp.tril(xp.ones((L, S), dtype=bool)), s, s.dtype.type(-np.inf))
    if mask is not None:
        if mask.dtype == bool:
            s = xp.where(mask, s, s.dtype.type(-np.inf))
        else:
            s = s + mask
    p = _safe_softmax(xp, s)
    pd = p
    if keep is not None:
        pd = p * keep * p.dtype.type(1.0 / (1.0 - dropout_p)) if dropout_p < 1 else xp.zeros_like(p)
    return pd @ v, p


def _attend_backward(xp, g, q, k, v, p, keep, scale, dropout_p, need):
    """dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − Σ_j dP ⊙ P), dQ = dS·K·s, dK = dSᵀ·Q·s (dS is the mask's gradient)."""
    pd = p
    if keep is not None:
        inv = p.dtype.type(1.0 / (1.0 - dropout_p)) if dropout_p < 1 else p.dtype.type(0)
        pd = p * keep * inv
    gv = xp.swapaxes(pd, -1, -2) @ g if need[2] else None
    gq = gk = gm = None
    if need[0] or need[1] or need[3]:
        dp = g @ xp.swapaxes(v, -1, -2)
        if keep is not None:
            dp = dp * keep * inv
        ds = p * (dp - (dp * p).sum(axis=-1, keepdims=True))
        if need[3]:
            gm = ds
        sc = ds.dtype.type(scale)
        if need[0]:
            gq = (ds @ k) * sc
        if need[1]:
            gk = (xp.swapaxes(ds, -1, -2) @ q) * sc
    return gq, gk, gv, gm


def _repeat_heads(x, rep):
    """Repeat each head ``rep`` times along dim −3 (grouped-query attention)."""
    from .shape import getitem

    idx = np.repeat(np.arange(x.shape[-3]), rep)
    return getitem(x, (Ellipsis, backend.to_device(idx, x.device), slice(None), slice(None)))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0, is_causal: bool = False,
                                 scale=None, enable_gqa: bool = False):
    """Attention(Q, K, V) = softmax(Q·Kᵀ·scale + M) · V, with ``scale = 1/√E`` by default.

    Each of the ``L`` queries attends to the ``S`` keys: its output is the mean of
    the values weighted by how well the query matches each key (Vaswani et al. 2017).

    Args:
        query: ``(N, ..., L, E)``.
        key: ``(N, ..., S, E)``.
        value: ``(N, ..., S, Ev)``.
        attn_mask: broadcastable to ``(N, ..., L, S)``. Boolean: True where a
            query **may** attend to a key (False positions get −∞); float: added
            to the scores (use ``-inf`` to block). A row that blocks every key
            returns zeros.
        dropout_p: probability of dropping an attention weight (the kept ones are
            scaled by ``1/(1 − p)``); pass 0 in evaluation.
        is_causal: mask out keys after the query (``j > i``, upper triangle); do not
            pass ``attn_mask`` as well.
        scale: the factor on Q·Kᵀ (default ``1/√E``).
        enable_gqa: allow fewer key/value heads than query heads (dim −3); each
            key/value head serves ``Hq / Hkv`` query heads.

    Shape:
        ``(N, ..., L, E)``, ``(N, ..., S, E)``, ``(N, ..., S, Ev)`` → ``(N, ..., L, Ev)``.

    Returns:
        The attended values.

    Example:
        >>> q = deepglass.randn(2, 4, 5, 8); k = v = deepglass.randn(2, 4, 7, 8)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        (2, 4, 5, 8)
    """
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ValueError("scaled_dot_product_attention: query, key and value need at least 2 dims (..., L, E)")
    if query.shape[-1] != key.shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: query width {query.shape[-1]} != key width {key.shape[-1]}")
    if key.shape[-2] != value.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: key length {key.shape[-2]} != value length {value.shape[-2]}")
    if not (query.dtype == key.dtype == value.dtype):
        raise ValueError(f"scaled_dot_product_attention: query, key and value must share one dtype, got "
                         f"{query.dtype}, {key.dtype} and {value.dtype}")
    if is_causal and attn_mask is not None:
        raise ValueError("scaled_dot_product_attention: pass either attn_mask or is_causal=True, not both")
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be in [0, 1], got {dropout_p}")
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        hq, hk = query.shape[-3], key.shape[-3]
        if hq % hk or value.shape[-3] != hk:
            raise ValueError(f"scaled_dot_product_attention: {hq} query heads are not a multiple of {hk} key/value heads")
        key, value = _repeat_heads(key, hq // hk), _repeat_heads(value, hq // hk)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    mask = attn_mask
    if mask is not None:
        if not isinstance(mask, Tensor):
            raise TypeError(f"attn_mask must be a Tensor, got {type(mask).__name__}")
        if mask.dtype != bool and mask.dtype != query.dtype:
            mask = mask.to(query.dtype)
    fn = choose("scaled_dot_product_attention", ScaledDotProductAttention)
    return fn.apply(query, key, value, mask, float(scale), float(dropout_p), bool(is_causal))


__all__ = ["scaled_dot_product_attention"]
