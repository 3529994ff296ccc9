"""``embedding_bag``: sums, means or maxima of bags of embedding rows, without the intermediate lookups.

The indices form bags: the rows of a 2-D ``input`` (B, N), or the segments of a
1-D ``input`` that ``offsets`` start (bag b is ``input[offsets[b]:offsets[b+1]]``,
the last one running to the end unless ``include_last_offset``). With ``W`` the
table and ``w_i`` the optional per-sample weights (mode ``'sum'`` only):

    sum:   out[b] = Σ_{i∈b} w_i · W[input_i]
    mean:  out[b] = (1/|b|) Σ_{i∈b} W[input_i]
    max:   out[b, d] = max_{i∈b} W[input_i, d]

Entries equal to ``padding_idx`` are left out of their bag (and of its count); an
empty bag gives zeros. Gradients: a row of ``W`` receives the (weighted, or
1/|b|-scaled) gradient of each bag it is in; in max mode only the row that won
each (bag, feature) does. The per-sample weights receive ``⟨grad[b], W[input_i]⟩``.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, bump_version
from ..autograd import grad_mode
from ..autograd.function import Function
from ._util import xp_of


def _scatter(xp, op, target, index, values):
    """``op.at(target, index, values)`` (add/maximum/minimum) on NumPy, or cupyx's scatter on CuPy."""
    ufunc = getattr(xp, op)
    if hasattr(ufunc, "at"):
        ufunc.at(target, index, values)
        return
    import cupyx

    {"add": cupyx.scatter_add, "maximum": cupyx.scatter_max, "minimum": cupyx.scatter_min}[op](target, index, values)


class EmbeddingBagFn(Function):
    @staticmethod
    def forward(ctx, weight, psw, idx, bag, keep, n_bags, mode, scale_grad_by_freq):
        xp = xp_of(weight)
        d = weight.shape[1]
        rows = weight[idx]
        ctx.geom = (weight.shape, idx, bag, keep, n_bags, mode, scale_grad_by_freq)
        if mode == "max":
            out = xp.full((n_bags, d), -xp.inf, weight.dtype)
            _scatter(xp, "maximum", out, bag, rows)
            first = xp.full((n_bags, d), idx.size, np.int64)
            winners = xp.where(rows == out[bag], xp.arange(idx.size)[:, None], idx.size)
            _scatter(xp, "minimum", first, bag, winners)
            ctx.first = first
            return xp.where(first < idx.size, out, 0).astype(weight.dtype)
        scaled = rows if psw is None else rows * psw[keep][:, None]
        out = xp.zeros((n_bags, d), weight.dtype)
        _scatter(xp, "add", out, bag, scaled)
        ctx.count = None
        if mode == "mean":
            count = xp.bincount(bag, minlength=n_bags).astype(weight.dtype)
            ctx.count = xp.maximum(count, 1)
            out = out / ctx.count[:, None]
        ctx.save_for_backward(weight, psw)
        return out

    @staticmethod
    def backward(ctx, g):
        shape, idx, bag, keep, n_bags, mode, scale_grad_by_freq = ctx.geom
        xp = xp_of(g)
        gw = xp.zeros(shape, g.dtype)
        if mode == "max":
            first = ctx.first.reshape(-1)
            won = first < idx.size
            _scatter(xp, "add", gw, (idx[first[won]], xp.tile(xp.arange(shape[1]), n_bags)[won]), g.reshape(-1)[won])
            return gw, None
        weight, psw = ctx.saved_tensors
        gb = g[bag]
        if ctx.count is not None:
            gb = gb / ctx.count[bag][:, None]
        g_psw = None
        if psw is not None:
            g_psw = xp.zeros(psw.shape, g.dtype)
            g_psw[keep] = (gb * weight[idx]).sum(axis=1)
            gb = gb * psw[keep][:, None]
        if scale_grad_by_freq:
            freq = xp.bincount(idx, minlength=shape[0])
            gb = gb / freq[idx][:, None].astype(g.dtype)
        _scatter(xp, "add", gw, idx, gb)
        return gw, g_psw


def _renorm_(weight: Tensor, idx, max_norm, norm_type):
    """Rows of ``weight`` used by ``idx`` rescaled in place to a ``norm_type``-norm ≤ ``max_norm`` (as embedding)."""
    xp = xp_of(weight._array)
    rows = xp.unique(idx)
    w = weight._array
    norms = xp.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
    w[rows] *= xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)[:, None]
    bump_version(weight)


def _bags(input, offsets, include_last_offset, xp):
    """(flat indices, bag of each position, number of bags) of a 2-D input or a 1-D input with offsets."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        b, n = input.shape
        return input._array.reshape(-1), xp.repeat(xp.arange(b), n), b
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    if offsets.dtype.kind not in "iu":
        raise RuntimeError(f"embedding_bag: offsets must be an integer tensor, got {offsets.dtype}")
    off = np.asarray(offsets.cpu().numpy()).astype(np.int64)
    n = input.shape[0]
    if off.size and off[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {off[0]}")
    if off.size and (np.any(np.diff(off) < 0) or off[-1] > n):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing and at most the input size ({n}), "
                           f"got {off.tolist()}")
    n_bags = off.size - 1 if include_last_offset else off.size
    end = off[-1] if include_last_offset and off.size else n
    bag = np.searchsorted(off, np.arange(n), side="right") - 1
    bag = np.where(np.arange(n) < end, bag, -1)
    return input._array, xp.asarray(bag), max(n_bags, 0)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sum, mean or max of each bag of embedding rows (``torch.nn.functional.embedding_bag``).

    Args:
        input: integer indices, (B, N) fixed bags or 1-D with ``offsets``.
        weight: the table, (num_embeddings, embedding_dim).
        offsets: 1-D starts of the bags of a 1-D input (the first must be 0).
        max_norm, norm_type: rows used are first renormalised in place, as in ``embedding``.
        scale_grad_by_freq: divide a row's gradient by its count in the input (not in max mode).
        mode: ``'sum'``, ``'mean'`` (default) or ``'max'``.
        per_sample_weights: same shape as ``input``, weights of each entry (mode ``'sum'`` only).
        include_last_offset: ``offsets`` has B + 1 entries, the last the end of the last bag.
        padding_idx: entries equal to it are left out of their bag.

    Shape:
        ``(B, embedding_dim)``.

    Example:
        >>> import deepglass as dg
        >>> w = dg.arange(12.).reshape(6, 2)
        >>> F.embedding_bag(dg.tensor([0, 2, 4, 5]), w, dg.tensor([0, 3]), mode="sum").tolist()
        [[12.0, 15.0], [10.0, 11.0]]
    """
    if isinstance(weight, Tensor) and weight.dtype.kind in "iu" and input.dtype.kind == "f":
        import warnings

        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}) is not None, "
                         f"then it must have the same shape as the input ({tuple(input.shape)})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if input.dtype.kind not in "iu":
        raise RuntimeError(f"embedding_bag: expected an integer index tensor, got dtype {input.dtype}; "
                           "use input.long()")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if sparse:
        raise (ValueError("max mode does not support sparse weights") if mode == "max" else
               NotImplementedError("embedding_bag: sparse gradients are not supported; use sparse=False"))
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                  "on GitHub.")
    xp = xp_of(weight._array)
    num = weight.shape[0]
    idx, bag, n_bags = _bags(input, offsets, include_last_offset, xp)
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= num):
        bad = int(xp.flatnonzero((idx < 0) | (idx >= num))[0])
        raise RuntimeError(f"Index {bad} of input takes value {int(idx[bad])} which is not in the valid range "
                           f"[0, {num})")
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError("padding_idx must be within the number of embeddings")
        padding_idx %= num
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    keep = bag >= 0
    if padding_idx is not None:
        keep = keep & (idx != padding_idx)
    psw = None
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1)
    idx_k, bag_k = idx[keep].astype(np.int64), bag[keep].astype(np.int64)
    return EmbeddingBagFn.apply(weight, psw, idx_k, bag_k, keep, n_bags, mode,
                                bool(scale_grad_by_freq))


__all__ = ["embedding_bag"]
