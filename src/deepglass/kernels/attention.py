"""Fast scaled-dot-product attention (the reference tier is :mod:`deepglass.ops.attention`).

:class:`AttentionChunked` runs the reference's forward and backward formulas on batch chunks, one per
CPU thread (``parallel_for``): each chunk's matrix products, softmax and masks are independent. The
chunks cut the first axis of q, k, v (and of the mask and dropout draw where they have it); where the
leading axes of q, k and v differ (broadcast batches) the whole input is one chunk.

Example:
    >>> import deepglass
    >>> deepglass.kernels.kernel_for("scaled_dot_product_attention").__name__
    'AttentionChunked'
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..ops._util import xp_of
from ..ops.attention import _attend, _attend_backward, _dropout_keep
from ..parallel import parallel_for
from . import register


def _batch(q, k, v, mask):
    """(chunk count, slicer): chunks over the first axis when q, k, v (and the mask, after broadcasting)
    share their leading axes, else one chunk holding everything."""
    lead = q.shape[:-2]
    same = len(lead) >= 1 and lead == k.shape[:-2] == v.shape[:-2] and (
        mask is None or mask.ndim <= q.ndim and np.broadcast_shapes(lead, mask.shape[:-2]) == lead)
    N = q.shape[0] if same else 1

    def rows(a, lo, hi):
        if not same or a is None or a.ndim != q.ndim or a.shape[0] != N:
            return a  # broadcast over the batch, or one chunk: every chunk uses all of it
        return a[lo:hi]

    return N, rows


@register("scaled_dot_product_attention")
class AttentionChunked(Function):
    """:class:`~deepglass.ops.attention.ScaledDotProductAttention` on batch chunks (see the module)."""

    @staticmethod
    def forward(ctx, q, k, v, mask, scale, dropout_p, causal):
        xp = xp_of(q)
        keep = _dropout_keep(xp, q, k, v, mask, dropout_p)  # drawn once for the whole batch, as the reference
        N, rows = _batch(q, k, v, mask)
        L, S = q.shape[-2], k.shape[-2]
        p_lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], () if mask is None else mask.shape[:-2])
        p = xp.empty(p_lead + (L, S), dtype=q.dtype)
        out = xp.empty(np.broadcast_shapes(p_lead, v.shape[:-2]) + (L, v.shape[-1]), dtype=q.dtype)

        def chunk(lo, hi):
            o, w = _attend(xp, rows(q, lo, hi), rows(k, lo, hi), rows(v, lo, hi), rows(mask, lo, hi), scale,
                           rows(keep, lo, hi), dropout_p, causal)
            rows(out, lo, hi)[...] = o
            rows(p, lo, hi)[...] = w

        parallel_for(N, chunk, work=out.size * S * 2, xp=xp)
        if ctx.needs_input_grad:
            ctx.save_for_backward(q, k, v, p, keep)
            ctx.scale, ctx.dropout_p = scale, dropout_p
        return out

    @staticmethod
    def backward(ctx, g):
        q, k, v, p, keep = ctx.saved_tensors
        xp = xp_of(g)
        need = ctx.needs_input_grad
        N, rows = _batch(q, k, v, p)  # P has the broadcast batch: chunks exactly where the forward had them
        lead = p.shape[:-2]  # the gradients' shapes before the engine sums broadcast axes away
        shapes = (lead + q.shape[-2:], lead + k.shape[-2:], g.shape[:-2] + v.shape[-2:], p.shape)
        grads = [xp.empty(shape, dtype=g.dtype) if n else None for shape, n in zip(shapes, need[:4])]

        def chunk(lo, hi):
            parts = _attend_backward(xp, rows(g, lo, hi), rows(q, lo, hi), rows(k, lo, hi), rows(v, lo, hi),
                                     rows(p, lo, hi), rows(keep, lo, hi), ctx.scale, ctx.dropout_p, need)
            for full, part in zip(grads, parts):
                if full is not None:
                    rows(full, lo, hi)[...] = part

        parallel_for(N, chunk, work=p.size * q.shape[-1] * 4, xp=xp)
        return tuple(grads)
