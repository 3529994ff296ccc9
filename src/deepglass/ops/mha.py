"""``multi_head_attention_forward``: the functional form of ``nn.MultiheadAttention`` (PyTorch's signature).

MultiHead(Q, K, V) = Concat(head₁..head_h)·W_Oᵀ + b_O, with
head_i = softmax((Q·W_Qiᵀ)(K·W_Kiᵀ)ᵀ / √d_head + M)·(V·W_Viᵀ), where M adds the
``attn_mask`` and the ``key_padding_mask`` (−∞ where blocked). The module
``deepglass.nn.MultiheadAttention`` holds the weights and calls this function.
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend
from .._tensor import Tensor, from_array
from ..creation import zeros
from .activation import softmax
from .attention import scaled_dot_product_attention
from .layout import pad
from .linalg import linear
from .shape import cat


def _dropout(x: Tensor, p: float) -> Tensor:
    """Inverted dropout (kept values scaled by 1/(1 − p)), drawn from the default generator."""
    from .dropout import dropout

    return dropout(x, p, training=True) if p > 0 else x


def float_mask(mask, dtype, name):
    """Boolean mask (True = blocked) → additive float mask (−∞ where blocked); float masks pass."""
    if mask is None:
        return None
    if not isinstance(mask, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(mask).__name__}")
    if mask.dtype == bool:
        xp = backend.array_module_of(mask._array)
        arr = xp.where(mask._array, dtype.type(-np.inf), dtype.type(0)).astype(dtype)
        return from_array(arr)
    if mask.dtype.kind != "f":
        raise TypeError(f"{name} must be a bool or float tensor, got {mask.dtype}")
    return mask if mask.dtype == dtype else mask.to(dtype)


def causal_mask(n: int, s: int, dtype, device) -> Tensor:
    m = np.triu(np.full((n, s), -np.inf), 1).astype(dtype)
    return from_array(backend.to_device(m, device))


def _project(query, key, value, e, in_proj_weight, in_proj_bias, separate, q_w, k_w, v_w):
    b = in_proj_bias
    bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
    if not separate:
        w = in_proj_weight
        if query is key and key is value:  # self-attention: one GEMM for q, k and v
            qkv = linear(query, w, b)
            return qkv[..., :e], qkv[..., e:2 * e], qkv[..., 2 * e:]
        return linear(query, w[:e], bq), linear(key, w[e:2 * e], bk), linear(value, w[2 * e:], bv)
    if q_w is None or k_w is None or v_w is None:
        raise AssertionError("use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight "
                             "is None")
    return linear(query, q_w, bq), linear(key, k_w, bk), linear(value, v_w, bv)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention with explicit weights, as ``torch.nn.functional.multi_head_attention_forward``.

    Shapes: query ``(L, N, E)``, key ``(S, N, kdim)``, value ``(S, N, vdim)`` (or without N);
    ``key_padding_mask`` ``(N, S)``; ``attn_mask`` ``(L, S)`` or ``(N·heads, L, S)`` (True = blocked,
    or additive float); ``static_k``/``static_v`` ``(N·heads, S, E/heads)`` replace the projected
    keys/values. ``is_causal`` is a hint that needs ``attn_mask`` (as PyTorch). Dropout on the
    weights only when ``training``.

    Returns:
        ``(attn_output (L, N, E), attn_weights)``: weights ``(N, L, S)`` averaged over heads,
        ``(N, heads, L, S)`` with ``average_attn_weights=False``, None when ``need_weights=False``.

    Example:
        >>> import deepglass as dg
        >>> x = dg.randn(5, 2, 8)
        >>> out, w = F.multi_head_attention_forward(x, x, x, 8, 2, dg.randn(24, 8), dg.zeros(24), None, None,
        ...                                         False, 0.0, dg.randn(8, 8), dg.zeros(8))
        >>> out.shape, w.shape
        ((5, 2, 8), (2, 5, 5))
    """
    batched = query.ndim == 3
    if query.ndim not in (2, 3):
        raise ValueError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                         "tensor")
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"For {'batched' if batched else 'unbatched'} ({query.ndim}-D) `query`, expected `key` "
                         f"and `value` to be {query.ndim}-D but found {key.ndim}-D and {value.ndim}-D tensors "
                         "respectively")
    if not batched:
        same_kv = key is value
        self_attn = query is key and same_kv
        query = query.unsqueeze(1)
        key = query if self_attn else key.unsqueeze(1)
        value = key if same_kv else value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, e = query.shape
    if e != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {e}")
    h = num_heads
    hd = e // h
    if hd * h != e:
        raise AssertionError(f"embed_dim {e} not divisible by num_heads {h}")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    dtype = query.dtype
    q, k, v = _project(query, key, value, e, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                       q_proj_weight, k_proj_weight, v_proj_weight)

    attn_mask = float_mask(attn_mask, dtype, "attn_mask")
    src0 = key.shape[0]
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src0):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                                   f"{(tgt_len, src0)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * h, tgt_len, src0):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                                   f"{(bsz * h, tgt_len, src0)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")
    key_padding_mask = float_mask(key_padding_mask, dtype, "key_padding_mask")

    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        k = cat([k, bias_k.expand(1, bsz, e)])
        v = cat([v, bias_v.expand(1, bsz, e)])
        attn_mask = pad(attn_mask, (0, 1)) if attn_mask is not None else None
        key_padding_mask = pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None
    elif (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k and bias_v must both be given or both be None")

    # (L, N, E) -> (N·H, L, hd)
    q = q.reshape(tgt_len, bsz * h, hd).transpose(0, 1)
    if static_k is None:
        k = k.reshape(k.shape[0], bsz * h, hd).transpose(0, 1)
    else:
        if tuple(static_k.shape[::2]) != (bsz * h, hd):
            raise AssertionError(f"expecting static_k of shape ({bsz * h}, S, {hd}), but got "
                                 f"{tuple(static_k.shape)}")
        k = static_k
    if static_v is None:
        v = v.reshape(v.shape[0], bsz * h, hd).transpose(0, 1)
    else:
        if tuple(static_v.shape[::2]) != (bsz * h, hd):
            raise AssertionError(f"expecting static_v of shape ({bsz * h}, S, {hd}), but got "
                                 f"{tuple(static_v.shape)}")
        v = static_v
    if add_zero_attn:
        k = cat([k, zeros(bsz * h, 1, hd, dtype=dtype, device=k.device)], dim=1)
        v = cat([v, zeros(bsz * h, 1, hd, dtype=dtype, device=v.device)], dim=1)
        attn_mask = pad(attn_mask, (0, 1)) if attn_mask is not None else None
        key_padding_mask = pad(key_padding_mask, (0, 1)) if key_padding_mask is not None else None
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                                 f"{tuple(key_padding_mask.shape)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, h, 1, src_len).reshape(bsz * h, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    p = dropout_p if training else 0.0

    if need_weights:
        s = (q * math.sqrt(1.0 / hd)) @ k.transpose(1, 2)
        if attn_mask is not None:
            s = s + attn_mask
        w = softmax(s, dim=-1)
        if p > 0:
            w = _dropout(w, p)
        out = w @ v
    else:
        q4 = q.reshape(bsz, h, tgt_len, hd)
        k4 = k.reshape(bsz, h, src_len, hd)
        v4 = v.reshape(bsz, h, src_len, hd)
        m4 = None
        if attn_mask is not None:
            m4 = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 else attn_mask.reshape(bsz, h, -1, src_len)
        out = scaled_dot_product_attention(q4, k4, v4, attn_mask=m4, dropout_p=p).reshape(bsz * h, tgt_len, hd)
    out = out.transpose(0, 1).reshape(tgt_len * bsz, e)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, e)
    if not batched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    w = w.reshape(bsz, h, tgt_len, src_len)
    if average_attn_weights:
        w = w.mean(dim=1)
    if not batched:
        w = w.squeeze(0)
    return out, w


__all__ = ["multi_head_attention_forward"]
