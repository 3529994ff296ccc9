"""Cross-entropy and negative log-likelihood (the notes' 交叉熵), PyTorch's names and semantics.

For logits x and a class index y: CE = −log softmax(x)_y = −x_y + log Σ_j e^{x_j}.
The fused primitive never forms softmax probabilities, so logits of ±1e4 give
finite values and gradients, and its backward is one ``softmax − one_hot``
expression. Probability targets, ``weight``, ``ignore_index`` and
``label_smoothing`` follow PyTorch. The shared reduction helpers live in
:mod:`.loss`. These are the reference tier; no fast kernel replaces them yet
(``choose`` is where one would plug in, e.g. a fused CuPy kernel).
"""
from __future__ import annotations

from .._tensor import Tensor
from ..autograd.function import Function
from ..kernels import choose
from ._util import promote, to_float, xp_of
from .loss import _check_reduction, _legacy_reduction

# --------------------------------------------------------------- cross-entropy


def _class_layout(input, target, name, allow_probs):
    """Validate (input, target) of a classification loss; returns ``probs`` (bool).

    Class axis is 1 for (N, C, *) inputs and 0 for unbatched (C,) inputs.
    """
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: target must be a deepglass.Tensor, got {type(target).__name__}")
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class dimension, got a 0-d tensor")
    index_shape = tuple(input.shape[:1] + input.shape[2:]) if input.ndim >= 2 else ()
    c = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if target.dtype.kind == "f":
        if allow_probs and tuple(target.shape) == tuple(input.shape):
            return True
        if allow_probs:
            raise ValueError(
                f"{name}: float targets are class probabilities and must have the input's shape "
                f"{tuple(input.shape)} (classes on dim {1 if input.ndim >= 2 else 0}); got shape {tuple(target.shape)}. "
                f"For class indices pass an integer tensor of shape {index_shape}"
            )
        raise ValueError(
            f"{name}: expected class indices as an integer tensor of shape {index_shape} with values in "
            f"[0, {c - 1}], got a float tensor ({target.dtype}) of shape {tuple(target.shape)}; use target.long()"
        )
    if target.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected integer class indices, got dtype {target.dtype}")
    if tuple(target.shape) != index_shape:
        raise ValueError(
            f"{name}: expected a target of shape {index_shape} (input {tuple(input.shape)} with classes on dim "
            f"{1 if input.ndim >= 2 else 0}), got {tuple(target.shape)}"
        )
    return False


def _check_indices(xp, t, c, ignore_index, name):
    if t.size == 0:
        return
    bad = ((t < 0) | (t >= c)) & (t != ignore_index)
    if bool(bad.any()):
        vals = t[bad]
        raise ValueError(
            f"{name}: class index out of range: targets must lie in [0, {c - 1}] (or equal ignore_index="
            f"{ignore_index}), got values in [{int(vals.min())}, {int(vals.max())}]"
        )


def _bshape(c, ndim):
    return (1, c) + (1,) * (ndim - 2)


def _nll_parts(xp, logp, t, weight, ignore_index, eps):
    """Per-element NLL and smoothing terms of log-probs (N, C, *) and indices (N, *)."""
    valid = t != ignore_index
    t_safe = xp.where(valid, t, 0)
    picked = xp.take_along_axis(logp, t_safe[:, None], axis=1)[:, 0]
    if weight is not None:
        w_t = weight[t_safe] * valid
    else:
        w_t = valid.astype(logp.dtype)
    nll = -(w_t * picked)
    smooth = None
    if eps > 0:
        wl = logp if weight is None else logp * weight.reshape(_bshape(logp.shape[1], logp.ndim))
        smooth = -wl.sum(axis=1) * valid
    return nll, smooth, t_safe, valid, w_t


def _combine(xp, nll, smooth, w_t, eps, c, reduction):
    """Reduce the NLL and smoothing parts; returns (loss, scale_nll, scale_smooth) for backward."""
    if reduction == "none":
        out = nll if smooth is None else (1 - eps) * nll + (eps / c) * smooth
        return out, 1.0, 1.0
    if reduction == "sum":
        out = nll.sum() if smooth is None else (1 - eps) * nll.sum() + (eps / c) * smooth.sum()
        return out, 1.0, 1.0
    denom = w_t.sum()
    if smooth is None:
        return nll.sum() / denom, 1.0 / denom, 1.0
    # both parts are divided by Σ w[y_n] over the non-ignored targets (their count when unweighted)
    out = (1 - eps) * (nll.sum() / denom) + (eps / c) * (smooth.sum() / denom)
    return out, 1.0 / denom, 1.0 / denom


def _index_grad(xp, g, logp_shape, dtype, t_safe, valid, w_t, weight, eps, s_nll, s_sm):
    """dL/dlogp for index targets (before the log-softmax chain)."""
    c, ndim = logp_shape[1], len(logp_shape)
    g = xp.asarray(g, dtype=dtype)
    a = g * s_nll * (1 - eps) * w_t
    onehot = xp.arange(c).reshape(_bshape(c, ndim)) == t_safe[:, None]
    G = xp.where(onehot, -a[:, None] if a.ndim else -a, 0).astype(dtype, copy=False)
    if G.shape != tuple(logp_shape):
        G = xp.broadcast_to(G, logp_shape).copy()
    if eps > 0:
        b = (g * s_sm * (eps / c)) * valid
        wv = 1 if weight is None else weight.reshape(_bshape(c, ndim))
        G = G - b[:, None] * wv
    return G


class CrossEntropy(Function):
    """Fused log-softmax + NLL on logits (N, C, *): stable for any logit size, one backward pass.

    Forward: log p = x − max − log Σ e^{x − max}; ℓ = −Σ_c w_c t̃_c log p_c (t̃: the one-hot or probability
    target, smoothed). dL/dx = G − softmax(x) · Σ_c G, with G = dL/dlog p (−w·onehot for NLL).

    Example:
        >>> x, t = deepglass.tensor([[2.0, 0.0, -1.0]]), deepglass.tensor([0])
        >>> round(CrossEntropy.apply(x, t, None, "mean", -100, 0.0, False).item(), 4)  # weight, reduction, ignore, ε
        0.1698
    """

    @staticmethod
    def forward(ctx, x, t, weight, reduction, ignore_index, eps, probs):
        xp = xp_of(x)
        c = x.shape[1]
        shifted = x - x.max(axis=1, keepdims=True)
        logp = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        ctx.reduction, ctx.eps, ctx.probs = reduction, eps, probs
        if weight is not None:
            weight = weight.astype(x.dtype, copy=False)
        ctx.weight = weight
        if probs:
            tt = t * (1 - eps) + eps / c if eps > 0 else t
            wl = logp * tt if weight is None else logp * tt * weight.reshape(_bshape(c, x.ndim))
            loss = -wl.sum(axis=1)
            ctx.save_for_backward(logp, tt)
            ctx.scale = 1.0
            if reduction == "sum":
                loss = loss.sum()
            elif reduction == "mean":
                n = x.size // c if c else 0
                ctx.scale = 1.0 / n if n else float("nan")
                loss = loss.sum() * ctx.scale
            return xp.asarray(loss, dtype=x.dtype)
        nll, smooth, t_safe, valid, w_t = _nll_parts(xp, logp, t, weight, ignore_index, eps)
        out, s_nll, s_sm = _combine(xp, nll, smooth, w_t, eps, c, reduction)
        ctx.save_for_backward(logp, t_safe, valid, w_t)
        ctx.s = (s_nll, s_sm)
        return xp.asarray(out, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        weight, eps = ctx.weight, ctx.eps
        if ctx.probs:
            logp, tt = ctx.saved_tensors
            c, ndim = logp.shape[1], logp.ndim
            a = g * ctx.scale
            a = a[:, None] if a.ndim else a
            wv = 1 if weight is None else weight.reshape(_bshape(c, ndim))
            G = -(a * tt * wv)
            if G.shape != logp.shape:
                G = xp.broadcast_to(G, logp.shape)
            gx = G - xp.exp(logp) * G.sum(axis=1, keepdims=True) if ctx.needs_input_grad[0] else None
            gt = -(a * logp * wv) * (1 - eps) if ctx.needs_input_grad[1] else None
            return gx, gt, None
        logp, t_safe, valid, w_t = ctx.saved_tensors
        G = _index_grad(xp, g, logp.shape, logp.dtype, t_safe, valid, w_t, weight, eps, *ctx.s)
        return G - xp.exp(logp) * G.sum(axis=1, keepdims=True), None, None


class NLLLoss(Function):
    """NLL on log-probabilities (N, C, *): ℓ_i = −w[t_i] · input[i, t_i]."""

    @staticmethod
    def forward(ctx, logp, t, weight, reduction, ignore_index):
        xp = xp_of(logp)
        if weight is not None:
            weight = weight.astype(logp.dtype, copy=False)
        nll, _, t_safe, valid, w_t = _nll_parts(xp, logp, t, weight, ignore_index, 0.0)
        out, s_nll, s_sm = _combine(xp, nll, None, w_t, 0.0, logp.shape[1], reduction)
        ctx.save_for_backward(t_safe, valid, w_t)
        ctx.shape, ctx.dtype, ctx.s = logp.shape, logp.dtype, (s_nll, s_sm)
        return xp.asarray(out, dtype=logp.dtype)

    @staticmethod
    def backward(ctx, g):
        t_safe, valid, w_t = ctx.saved_tensors
        return _index_grad(xp_of(g), g, ctx.shape, ctx.dtype, t_safe, valid, w_t, None, 0.0, *ctx.s), None, None


def _weight_array(weight, c, dtype, name):
    if weight is None:
        return None
    if tuple(weight.shape) != (c,):
        raise ValueError(f"{name}: weight must have shape ({c},) (one entry per class), got {tuple(weight.shape)}")
    return weight.detach().to(dtype)


def _classify(fn, input, target, weight, reduction, name, extra, allow_probs):
    input = to_float(input)
    probs = _class_layout(input, target, name, allow_probs)
    unbatched = input.ndim == 1
    c = input.shape[-1] if unbatched else input.shape[1]
    if unbatched:
        input = input.reshape(1, c)
        target = target.reshape(1, c) if probs else target.reshape(1)
    elif probs:
        input, target = promote(input, target)
    if probs:
        target = target.to(input.dtype)
    else:
        _check_indices(xp_of(target._array), target._array, c, extra[0], name)
    w = _weight_array(weight, c, input.dtype, name)
    out = fn(input, target, w, probs)
    if unbatched and reduction == "none":
        out = out.reshape(())
    return out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0):
    """Cross-entropy between logits and class indices or class probabilities (softmax + NLL, fused).

    Index targets: ℓ_n = −w[y_n] log softmax(x_n)[y_n]; with label smoothing ε,
    ℓ_n = (1 − ε) ℓ_n + (ε / C) Σ_c −w[c] log softmax(x_n)[c]. ``"mean"`` divides
    by Σ w[y_n] over non-ignored targets (PyTorch's rule). Probability targets
    p (same shape as input): ℓ_n = −Σ_c w[c] p̃_nc log softmax(x_n)[c] with
    p̃ = (1 − ε) p + ε / C; ``"mean"`` divides by N·d1·…. This is the notes'
    −Σ y log ŷ with ŷ = softmax(x).

    Args:
        input: logits (N, C), (N, C, d1, …) or unbatched (C,).
        target: int class indices (N,), (N, d1, …) / () in [0, C), or float probabilities
            of the input's shape.
        weight: optional per-class weights (C,).
        ignore_index: index targets equal to it contribute nothing (and are not counted).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        label_smoothing: ε in [0, 1].

    Shape:
        input (N, C, *), target (N, *) or (N, C, *); output scalar or (N, *).

    Returns:
        The loss tensor.

    Raises:
        ValueError: a target of the wrong shape or dtype, or an index outside [0, C).

    Example:
        >>> F.cross_entropy(deepglass.tensor([[2.0, 0.0, -1.0]]), deepglass.tensor([0]))
        tensor(0.1698)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")

    def fn(x, t, w, probs):
        return choose("cross_entropy", CrossEntropy).apply(x, t, w, reduction, int(ignore_index), float(label_smoothing),
                                                          probs)

    return _classify(fn, input, target, weight, reduction, "cross_entropy", (int(ignore_index),), True)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction: str = "mean",
                         ignore_index=None, label_smoothing: float = 0.0, options=None):
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)`` in one call (PyTorch 2.13's API).

    ``linear_weight`` is (C, in) or (C, d1, …, dK, in): the logits are then (N, C, d1, …, dK), the K-dimensional
    loss. ``ignore_index=None`` means −100, as in :func:`cross_entropy`. PyTorch's ``options`` (its chunked path,
    which saves memory and computes the same loss) is accepted; deepglass always runs the reference path above.

    Example:
        >>> x, W = deepglass.tensor([[1.0, 2.0]]), deepglass.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        >>> F.linear_cross_entropy(x, W, deepglass.tensor([1]))
        tensor(0.4076)
    """
    from .linalg import matmul

    if linear_weight.ndim < 2:
        raise RuntimeError(f"linear_cross_entropy: linear_weight must be (C, in_features) or (C, d1, ..., dK, "
                           f"in_features), got shape {tuple(linear_weight.shape)}")
    out_shape = tuple(linear_weight.shape[:-1])
    if len(out_shape) > 1 and input.ndim != 2:
        raise RuntimeError("linear_cross_entropy: a multi-dimensional linear_weight needs a batched input "
                           f"(N, in_features), got shape {tuple(input.shape)}")
    logits = matmul(input, linear_weight.reshape(-1, linear_weight.shape[-1]).mT)
    logits = logits.reshape(tuple(input.shape[:-1]) + out_shape)
    if linear_bias is not None:
        logits = logits + linear_bias
    return cross_entropy(logits, target, weight, ignore_index=-100 if ignore_index is None else ignore_index,
                         reduction=reduction, label_smoothing=label_smoothing)


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean"):
    """Negative log-likelihood of log-probabilities: ℓ_n = −w[y_n] · input[n, y_n].

    Pair it with ``log_softmax`` (or use :func:`cross_entropy` on logits).

    Args:
        input: log-probabilities (N, C), (N, C, d1, …) or (C,).
        target: int class indices (N,), (N, d1, …) or () in [0, C).
        weight: optional per-class weights (C,).
        ignore_index: targets equal to it contribute nothing.
        reduction: ``"none"`` | ``"mean"`` (divides by Σ w[y_n]) | ``"sum"``.

    Shape:
        input (N, C, *), target (N, *); output scalar or (N, *).

    Returns:
        The loss tensor.

    Example:
        >>> F.nll_loss(deepglass.tensor([[-0.1, -2.4]]), deepglass.tensor([0]))
        tensor(0.1000)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)

    def fn(x, t, w, probs):
        return choose("nll_loss", NLLLoss).apply(x, t, w, reduction, int(ignore_index))

    return _classify(fn, input, target, weight, reduction, "nll_loss", (int(ignore_index),), False)


__all__ = ["cross_entropy", "linear_cross_entropy", "nll_loss"]
