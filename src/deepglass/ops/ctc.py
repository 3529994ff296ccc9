"""Connectionist temporal classification: ``ctc_loss`` (Graves et al., 2006), in log space.

For one sequence of per-frame log-probabilities ``lp[t, c]`` (t < T) and a target
``l`` of length L, the extended target ``l'`` puts a blank around every label
(length 2L + 1). The forward variables sum over the alignments of the first
s + 1 symbols of ``l'`` to the first t + 1 frames::

    α_0(0) = lp[0, blank],  α_0(1) = lp[0, l_1]
    α_t(s) = logsumexp(α_{t−1}(s), α_{t−1}(s−1), [α_{t−1}(s−2) if l'_s ≠ blank and l'_s ≠ l'_{s−2}]) + lp[t, l'_s]

and the backward variables ``β`` run the same recursion from the end (including
the emission at t). The loss is ``nll = −logsumexp(α_{T−1}(2L), α_{T−1}(2L − 1))``.

Gradient: with ``γ_t(c) = logsumexp_{s: l'_s = c} α_t(s) + β_t(s)``, PyTorch returns

    ∂/∂lp[t, c] = exp(lp[t, c]) − exp(γ_t(c) + nll − lp[t, c])      (t < T; 0 after the input's length)

the exact gradient minus ``exp(lp)``: the two agree once passed back through the
``log_softmax`` that produces ``log_probs`` (whose rows sum to one in probability),
and deepglass returns the same as PyTorch.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import xp_of


def _lse3(xp, a, b, c):
    m = xp.maximum(xp.maximum(a, b), c)
    safe = xp.where(xp.isfinite(m), m, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return xp.where(xp.isfinite(m), safe + xp.log(xp.exp(a - safe) + xp.exp(b - safe) + xp.exp(c - safe)), m)


class CTCNegLogLikelihood(Function):
    """Per-sample −log p(target | log_probs) of (T, N, C) log-probabilities; (N,) output."""

    @staticmethod
    def forward(ctx, lp, ext, in_len, ext_len, can_skip, blank, zero_infinity):
        xp = xp_of(lp)
        t_max, n, _ = lp.shape
        s_max = ext.shape[1]
        bidx = xp.arange(n)[:, None]
        emit = lp[:, bidx, ext]                                     # (T, N, S'): lp[t, n, l'_s]
        valid = xp.arange(s_max)[None, :] < ext_len[:, None]        # (N, S')
        ninf = xp.asarray(-np.inf, lp.dtype)
        alpha = xp.full((t_max, n, s_max), -np.inf, lp.dtype)
        alpha[0, :, 0] = emit[0, :, 0]
        if s_max > 1:
            alpha[0, :, 1] = xp.where(ext_len > 1, emit[0, :, 1], ninf)
        pad = xp.full((n, 2), -np.inf, lp.dtype)
        for t in range(1, t_max):
            prev = xp.concatenate([pad, alpha[t - 1]], axis=1)
            a, b, c = prev[:, 2:], prev[:, 1:-1], xp.where(can_skip, prev[:, :-2], ninf)
            alpha[t] = xp.where(valid, _lse3(xp, a, b, c) + emit[t], ninf)
        beta = xp.full((t_max, n, s_max), -np.inf, lp.dtype)
        last = in_len - 1
        end = ext_len - 1
        can_skip_next = xp.concatenate([can_skip[:, 2:], xp.zeros((n, 2), bool)], axis=1)  # s → s + 2 allowed
        for t in range(t_max - 1, -1, -1):
            start = (last == t)[:, None]
            init = xp.where((xp.arange(s_max)[None, :] == end[:, None]) | (xp.arange(s_max)[None, :] == end[:, None] - 1),
                            emit[t], ninf)
            init = xp.where(valid, init, ninf)
            if t + 1 < t_max:
                nxt = xp.concatenate([beta[t + 1], pad], axis=1)
                a, b, c = nxt[:, :-2], nxt[:, 1:-1], xp.where(can_skip_next, nxt[:, 2:], ninf)
                rec = xp.where(valid, _lse3(xp, a, b, c) + emit[t], ninf)
            else:
                rec = xp.full((n, s_max), -np.inf, lp.dtype)
            running = (t < last)[:, None]
            beta[t] = xp.where(start, init, xp.where(running, rec, ninf))
        fin = alpha[last, xp.arange(n)]                                # (N, S') at each input's last frame
        e1 = xp.take_along_axis(fin, end[:, None], 1)[:, 0]
        e2 = xp.where(end >= 1, xp.take_along_axis(fin, xp.maximum(end - 1, 0)[:, None], 1)[:, 0], ninf)
        nll = -xp.logaddexp(e1, e2)
        nll = xp.where(in_len == 0, xp.where(ext_len == 1, 0.0, np.inf), nll).astype(lp.dtype)   # no frames
        inf = ~xp.isfinite(nll)
        if zero_infinity:
            nll = xp.where(inf, 0, nll).astype(lp.dtype)
        ctx.saved = (lp, ext, alpha, beta, nll, in_len, inf, zero_infinity)
        return nll

    @staticmethod
    def backward(ctx, g):
        lp, ext, alpha, beta, nll, in_len, inf, zero_infinity = ctx.saved
        xp = xp_of(lp)
        t_max, n, c = lp.shape
        ab = alpha + beta                                          # (T, N, S')
        m = ab.max(axis=2, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        onehot = (ext[:, :, None] == xp.arange(c)[None, None, :]).astype(lp.dtype)   # (N, S', C)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lcab = xp.log(xp.einsum("tns,nsc->tnc", xp.exp(ab - m), onehot)) + m
            grad = xp.exp(lp) - xp.exp(lcab + nll[None, :, None] - lp)
        grad = xp.where((xp.arange(t_max)[:, None] < in_len[None, :])[:, :, None], grad, 0)
        if zero_infinity:
            grad = xp.where(inf[None, :, None], 0, grad)
        return (grad * g[None, :, None]).astype(lp.dtype), None


def _lengths(v, name, xp):
    if isinstance(v, Tensor):
        arr = np.asarray(v.detach().cpu().numpy())
    else:
        arr = np.asarray(v)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: {name} must be integers, got {arr.dtype}")
    return arr.astype(np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0, reduction: str = "mean",
             zero_infinity: bool = False):
    """The CTC loss −log p(target | log_probs), summed over every alignment by the α/β recursion.

    Args:
        log_probs: (T, N, C) log-probabilities (e.g. ``log_softmax(x, 2)``), or (T, C) unbatched.
        targets: (N, S) padded label rows, or 1-D: all targets concatenated; labels never ``blank``.
        input_lengths, target_lengths: (N,) tensors or sequences of ints (each ≤ T, ≤ S).
        blank: the blank class. reduction: ``'none'`` (N,), ``'sum'``, or ``'mean'``
            (each loss divided by its target length, then averaged).
        zero_infinity: impossible alignments (loss inf) give 0 and a zero gradient.

    Example:
        >>> import deepglass as dg
        >>> lp = dg.zeros(3, 1, 2).log_softmax(2)              # p = 1/2 everywhere, T = 3, C = 2
        >>> round(F.ctc_loss(lp, dg.tensor([[1]]), [3], [1], reduction="sum").item(), 4)   # 6 alignments of 8
        0.2877
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_probs.dtype.kind != "f":
        raise RuntimeError(f"ctc_loss: log_probs must be floating point, got {log_probs.dtype}")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.reshape(1, -1) if targets.ndim == 1 else targets
    if log_probs.ndim != 3:
        raise RuntimeError(f"ctc_loss: log_probs must be (T, N, C) or (T, C), got shape {tuple(log_probs.shape)}")
    t_max, n, c = log_probs.shape
    xp = xp_of(log_probs._array)
    in_len = _lengths(input_lengths, "input_lengths", xp)
    tg_len = _lengths(target_lengths, "target_lengths", xp)
    if in_len.size != n or tg_len.size != n:
        raise RuntimeError(f"ctc_loss: expected {n} input_lengths and target_lengths (the batch size), got "
                           f"{in_len.size} and {tg_len.size}")
    if targets.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: targets must be integers, got {targets.dtype}")
    tg = np.asarray(targets.detach().cpu().numpy()).astype(np.int64)
    for i in range(n):
        if not 0 <= in_len[i] <= t_max:
            raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value {in_len[i]} "
                               f"(while checking arguments for ctc_loss_cpu)")
        if tg_len[i] < 0:
            raise RuntimeError(f"ctc_loss: target_lengths must be >= 0, got {tg_len[i]}")
    if tg.ndim == 2:
        if np.any(tg_len > tg.shape[1]):
            raise RuntimeError(f"Expected tensor to have size at least {int(tg_len.max())} at dimension 1, but got "
                               f"size {tg.shape[1]} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_cpu)")
        rows = [tg[i, :tg_len[i]] for i in range(n)]
    else:
        if tg_len.sum() > tg.size:
            raise RuntimeError(f"ctc_loss: the 1-D targets hold {tg.size} labels but target_lengths sum to "
                               f"{int(tg_len.sum())}")
        starts = np.concatenate([[0], np.cumsum(tg_len)[:-1]])
        rows = [tg[s:s + k] for s, k in zip(starts, tg_len)]
    if not 0 <= blank < c:
        raise RuntimeError(f"blank must be in label range, got blank={blank} with {c} classes")
    for r in rows:
        if r.size and (r.min() < 0 or r.max() >= c or np.any(r == blank)):
            raise RuntimeError(f"ctc_loss: target labels must lie in [0, {c}) and differ from blank ({blank})")
    s_max = 2 * max((len(r) for r in rows), default=0) + 1
    ext = np.full((n, s_max), blank, np.int64)
    for i, r in enumerate(rows):
        ext[i, 1:2 * len(r):2] = r
    ext_len = 2 * tg_len + 1
    prev2 = np.concatenate([np.full((n, 2), -1), ext[:, :-2]], axis=1)
    can_skip = (ext != blank) & (ext != prev2)
    if t_max == 0 or n == 0:
        nll = from_array(xp.zeros((n,), log_probs.dtype))
    else:
        dev = log_probs.device
        to = (lambda a: backend.to_device(a, dev))
        nll = CTCNegLogLikelihood.apply(log_probs, to(ext), to(in_len), to(ext_len), to(can_skip), blank,
                                        bool(zero_infinity))
    if reduction == "none":
        return nll.reshape(()) if unbatched else nll
    if reduction == "sum":
        return nll.sum()
    denom = from_array(backend.to_device(np.maximum(tg_len, 1).astype(log_probs.dtype), log_probs.device))
    return (nll / denom).mean()


__all__ = ["ctc_loss"]
