"""Margin, ranking and embedding losses, PyTorch's names, signatures and conventions.

Each penalises a score (or a distance) that falls on the wrong side of a margin:

- pairs of scores: ``margin_ranking_loss`` (which of two should rank higher),
  ``hinge_embedding_loss`` and ``soft_margin_loss`` (a ±1 label per score);
- embeddings: ``cosine_embedding_loss`` (similar / dissimilar pairs),
  ``triplet_margin_loss`` and ``triplet_margin_with_distance_loss``
  (an anchor closer to its positive than to its negative);
- classification: ``multi_margin_loss`` (the multi-class SVM hinge),
  ``multilabel_margin_loss`` and ``multilabel_soft_margin_loss`` (several labels per sample).

Most are composed from existing ops (their gradients are then exact, including
PyTorch's choice at a kink: the hinge max(0, z) passes the gradient at z = 0, as
``clamp_min`` does). The two index-based losses are primitives with their derivatives.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from . import elementwise as _E
from . import reduce as _R
from ._util import to_float, xp_of
from .activation_more import logsigmoid
from .distance import pairwise_distance
from .loss import _check_reduction, _legacy_reduction, _reduce


def _shape(t) -> list:
    return list(t.shape)


def _hinge(z):
    """max(z, 0), with the gradient passed at z = 0 (PyTorch's clamp_min)."""
    return _E.clamp(z, min=0)


def _class_indices(target, name):
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: target must be a deepglass.Tensor of class indices, got {type(target).__name__}")
    if target.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: expected integer (int64) class indices as target, got dtype {target.dtype}; "
                           "convert with .long()")
    return target._array.astype(np.int64, copy=False)


def _vector_or_matrix(input, name):
    if input.ndim > 2 or (input.ndim > 0 and input.shape[-1] == 0):
        raise RuntimeError(f"{name}: expected a non-empty vector (C,) or matrix (N, C) (N may be 0), but got "
                           f"input of shape {_shape(input)}")


# ----------------------------------------------------------- pairs of scores


def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None, reduce=None,
                        reduction: str = "mean"):
    """Ranking hinge: ℓ = max(0, −y·(x₁ − x₂) + margin), y = 1 when x₁ should rank higher, −1 when x₂ should.

    Args:
        input1, input2: the two scores, broadcastable.
        target: y ∈ {1, −1}, with as many dimensions as the inputs (broadcast with them).
        margin: the gap required between the scores.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input1, input2, target: (N) or (); output: scalar, or the broadcast shape for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.margin_ranking_loss(deepglass.tensor([1.0, 2.0]), deepglass.tensor([2.0, 1.0]),
        ...                       deepglass.tensor([1.0, 1.0]), reduction="none").tolist()
        [1.0, 0.0]
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss: all input tensors should have the same number of dimensions, but "
                           f"got sizes input1: {_shape(input1)}, input2: {_shape(input2)}, target: {_shape(target)}")
    loss = _hinge(-target * (to_float(input1) - to_float(input2)) + margin)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """ℓ = x where y = 1, max(0, margin − x) where y = −1 (x is typically a distance between a pair).

    Pulls similar pairs (y = 1) together and pushes dissimilar ones (y = −1) beyond ``margin``.
    As in PyTorch, a label other than ±1 gets both terms.

    Args:
        input: x, any shape.
        target: y ∈ {1, −1}, broadcastable with ``input``.
        margin: the distance dissimilar pairs must exceed.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (*); output: scalar, or the broadcast shape for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.hinge_embedding_loss(deepglass.tensor([0.25, 0.25]), deepglass.tensor([1.0, -1.0]),
        ...                        reduction="none").tolist()
        [0.25, 0.75]
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input = to_float(input)
    loss = _E.where(target != 1, _hinge(margin - input), 0.0) + _E.where(target != -1, input, 0.0)
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """Two-class logistic loss ℓ = log(1 + e^{−y·x}), y ∈ {1, −1}: a smooth hinge.

    Computed as −log σ(y·x), so it stays finite where PyTorch's log1p(exp(·)) overflows
    (y·x < −88 in float32 gives inf there, |y·x| here).

    Args:
        input: scores x, any shape.
        target: y ∈ {1, −1}, broadcastable to the input's shape (cast to the input's dtype; not
            differentiated, as in PyTorch).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input: (*); target broadcastable to it; output: scalar, or (*) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.soft_margin_loss(deepglass.tensor([0.0]), deepglass.tensor([1.0]))  # doctest: +ELLIPSIS
        tensor(0.693...)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input = to_float(input)
    try:
        fits = np.broadcast_shapes(tuple(input.shape), tuple(target.shape)) == tuple(input.shape)
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"soft_margin_loss: target of shape {_shape(target)} cannot be broadcast to the input's "
                           f"shape {_shape(input)}; give a target of the input's shape")
    target = target.detach()
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    return _reduce(-logsigmoid(input * target), reduction)


# ---------------------------------------------------------------- embeddings

_COSINE_EPS = 1e-12  # added to each squared norm, as PyTorch


def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None, reduce=None,
                          reduction: str = "mean"):
    """ℓ = 1 − cos(x₁, x₂) where y = 1, max(0, cos(x₁, x₂) − margin) where y = −1 (0 for other labels).

    cos = x₁·x₂ / √((‖x₁‖² + ε)(‖x₂‖² + ε)), ε = 1e-12 (PyTorch's), so a zero vector gives
    cos = 0 instead of 0/0.

    Args:
        input1, input2: (N, D) or (D), broadcastable.
        target: y ∈ {1, −1}: (N) for 2-D inputs, () for 1-D ones.
        margin: in [−1, 1]; 0 to 0.5 is typical.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        output: scalar, or (N) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.cosine_embedding_loss(deepglass.tensor([[1.0, 0.0]]), deepglass.tensor([[0.0, 1.0]]),
        ...                         deepglass.tensor([1.0]))
        tensor(1.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    d = target.ndim
    if d not in (0, 1):
        raise RuntimeError(f"cosine_embedding_loss: 0D or 1D target tensor expected, multi-target not supported "
                           f"(got target of shape {_shape(target)})")
    want = 2 if d == 1 else 1
    if input1.ndim != want or input2.ndim != want:
        raise RuntimeError(f"cosine_embedding_loss: {d}D target tensor expects {want}D input tensors, but found "
                           f"inputs with sizes {_shape(input1)} and {_shape(input2)}")
    x1, x2 = to_float(input1), to_float(input2)
    dot = _R.sum(x1 * x2, d)
    mag = (_R.sum(x1 * x1, d) + _COSINE_EPS) * (_R.sum(x2 * x2, d) + _COSINE_EPS)
    cos = dot / _E.sqrt(mag)
    loss = _E.where(target == 1, 1 - cos, 0.0) + _E.where(target == -1, _hinge(cos - margin), 0.0)
    return _reduce(loss, reduction)


def _check_triplet(anchor, positive, negative, margin, name):
    if margin <= 0:
        raise ValueError(f"{name}: margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"{name}: the anchor, positive, and negative tensors are expected to have the same number "
                           f"of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")


def _triplet(dist, anchor, positive, negative, margin, swap, reduction):
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _E.minimum(d_neg, dist(positive, negative))
    return _reduce(_hinge(margin + d_pos - d_neg), reduction)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average=None, reduce=None, reduction: str = "mean"):
    """Triplet loss ℓ = max(0, d(a, p) − d(a, n) + margin), d(x, y) = ‖x − y + eps‖_p over the last dimension.

    Learns embeddings where an anchor is closer to a positive (same identity) than to a
    negative by at least ``margin`` (FaceNet). With ``swap``, d(a, n) becomes
    min(d(a, n), d(p, n)) (the harder of the two negatives; Balntas et al., 2016).

    Args:
        anchor, positive, negative: (N, D) or (D), the same number of dimensions (broadcast).
        margin: > 0. p: the norm's order. eps: added to the difference (keeps the norm differentiable).
        swap: use the distance swap.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        output: scalar, or (N) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> a = deepglass.tensor([[0.0, 0.0]])
        >>> F.triplet_margin_loss(a, deepglass.tensor([[0.0, 1.0]]), deepglass.tensor([[3.0, 0.0]]))
        tensor(0.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_triplet(anchor, positive, negative, margin, "triplet_margin_loss")
    return _triplet(lambda x, y: pairwise_distance(x, y, p, eps), anchor, positive, negative, margin, swap,
                    reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean"):
    """Triplet loss with any distance: ℓ = max(0, d(a, p) − d(a, n) + margin).

    Args:
        anchor, positive, negative: tensors with the same number of dimensions.
        distance_function: a callable (x, y) -> non-negative distances; None gives the Euclidean
            ``pairwise_distance`` (‖x − y + 1e-6‖₂ over the last dimension).
        margin: > 0. swap: use min(d(a, n), d(p, n)) as the negative distance.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        output: scalar, or the distances' shape for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> cos = lambda x, y: 1 - (x * y).sum(-1) / (x.norm(dim=-1) * y.norm(dim=-1))
        >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=cos, margin=0.5)  # doctest: +SKIP
    """
    _check_reduction(reduction)
    _check_triplet(anchor, positive, negative, margin, "triplet_margin_with_distance_loss")
    dist = distance_function if distance_function is not None else pairwise_distance
    return _triplet(dist, anchor, positive, negative, margin, swap, reduction)


# ------------------------------------------------------------ classification


class _MultiMargin(Function):
    """ℓ_n = Σ_{i ≠ y} w_y·max(0, margin − x_y + x_i)^p / C; the gradient flows where the hinge is > 0."""

    @staticmethod
    def forward(ctx, x, t, w, p, margin):
        xp = xp_of(x)
        n, c = x.shape
        rows = xp.arange(n)
        z = margin - x[rows, t][:, None] + x
        active = z > 0
        active[rows, t] = False
        h = z if p == 1 else z * z
        scale = xp.full((n, 1), 1.0 / c, dtype=x.dtype) if w is None else (w[t] / c)[:, None]
        ctx.save_for_backward(z, active, scale, t)
        ctx.p = p
        return (xp.where(active, h, 0) * scale).sum(axis=1).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        z, active, scale, t = ctx.saved_tensors
        xp = xp_of(g)
        gz = xp.where(active, (1 if ctx.p == 1 else 2 * z) * (g[:, None] * scale), 0).astype(g.dtype, copy=False)
        rows = xp.arange(gz.shape[0])
        gz[rows, t] -= gz.sum(axis=1)
        return gz, None, None, None, None


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None, size_average=None, reduce=None,
                      reduction: str = "mean"):
    """Multi-class hinge (the SVM loss): ℓ = Σ_{i ≠ y} w_y·max(0, margin − x_y + x_i)^p / C.

    Every wrong class i whose score comes within ``margin`` of the right class y's adds to the loss.

    Args:
        input: scores, (N, C) or (C).
        target: class indices y, (N), or () / (1) for a 1-D input.
        p: 1 or 2 (the hinge, or its square).
        margin: the required lead of the right class.
        weight: per-class weights (C), applied by the sample's class y; not differentiated.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        output: scalar, or (N) (the target's shape for a 1-D input) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.multi_margin_loss(deepglass.tensor([[0.1, 0.2, 0.4, 0.8]]), deepglass.tensor([3]))
        tensor(0.3250)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got p={p}")
    if weight is not None and weight.ndim != 1:
        raise ValueError(f"multi_margin_loss: weight must be one-dimensional (one entry per class), got shape "
                         f"{_shape(weight)}")
    input = to_float(input)
    _vector_or_matrix(input, "multi_margin_loss")
    t = _class_indices(target, "multi_margin_loss")
    c = input.shape[-1] if input.ndim else 1
    if input.ndim == 2:
        n = input.shape[0]
        if target.ndim != 1 or target.shape[0] != n:
            raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                               f"samples (batch size). Expected target size [{n}], but got {_shape(target)}. Input "
                               f"has shape {_shape(input)}.")
    elif target.ndim > 1 or t.size != 1:
        raise RuntimeError(f"multi_margin_loss: a {input.ndim}-D input takes a single class index as target "
                           f"(shape [] or [1]), got target of shape {_shape(target)}")
    if t.size and bool(((t < 0) | (t >= c)).any()):
        raise RuntimeError(f"multi_margin_loss: target out of range: class indices must be in [0, {c - 1}]")
    w = None
    if weight is not None:
        if weight.shape[0] != c:
            raise RuntimeError(f"multi_margin_loss: inconsistent weight size, expected {c} but got {_shape(weight)}")
        w = weight._array.astype(input.dtype, copy=False)
    x = input if input.ndim == 2 else input.reshape(1, c)
    loss = _MultiMargin.apply(x, t.reshape(-1), w, p, float(margin))
    if input.ndim < 2:
        loss = loss.reshape(tuple(target.shape))
    return _reduce(loss, reduction)


_CHUNK = 1 << 22  # elements of one (rows, C, C) block of multilabel_margin_loss


class _MultiLabelMargin(Function):
    """ℓ_n = Σ_{j ∈ targets} Σ_{i ∉ targets} max(0, 1 − (x_j − x_i)) / C, targets = the entries before the first −1
    (a repeated target counts each time, as PyTorch); the gradient flows where the hinge is > 0.

    The (rows, C, C) pairs are formed a block of rows at a time, so memory stays bounded."""

    @staticmethod
    def _blocks(x, t):
        xp = xp_of(x)
        n, c = x.shape
        valid = xp.cumprod(t >= 0, axis=1).astype(bool)  # the list ends at the first -1
        safe = xp.where(valid, t, 0)
        step = max(1, _CHUNK // max(c * c, 1))
        classes = xp.arange(c)
        for lo in range(0, n, step):
            sl = slice(lo, lo + step)
            counts = ((safe[sl, :, None] == classes) & valid[sl, :, None]).sum(axis=1)   # (rows, C)
            z = 1 - x[sl, :, None] + x[sl, None, :]                                      # z[r, j, i]
            on = (z > 0) & (counts == 0)[:, None, :] & (counts > 0)[:, :, None]
            yield sl, counts.astype(x.dtype), z, on

    @staticmethod
    def forward(ctx, x, t):
        xp = xp_of(x)
        c = x.shape[1]
        out = xp.zeros(x.shape[0], dtype=x.dtype)
        for sl, counts, z, on in _MultiLabelMargin._blocks(x, t):
            out[sl] = (xp.where(on, z, 0) * counts[:, :, None]).sum(axis=(1, 2)) / c
        ctx.save_for_backward(x, t)
        return out

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        xp = xp_of(g)
        c = x.shape[1]
        gx = xp.zeros_like(x)
        for sl, counts, _, on in _MultiLabelMargin._blocks(x, t):
            pair = on * (counts * (g[sl, None] / c))[:, :, None]    # dℓ/dz for each (j, i)
            gx[sl] = pair.sum(axis=1) - pair.sum(axis=2)
        return gx.astype(g.dtype, copy=False), None


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """Multi-label hinge: ℓ = Σ_{j ∈ targets} Σ_{i ∉ targets} max(0, 1 − (x_j − x_i)) / C.

    Every label of the sample should score at least 1 above every non-label. ``target``
    lists the label indices first and pads with −1 (the list ends at the first −1), e.g.
    ``[3, 0, -1, 1]`` means labels {3, 0}.

    Args:
        input: scores, (N, C) or (C).
        target: int64 indices padded with −1, the input's shape.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        output: scalar, or (N) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.multilabel_margin_loss(deepglass.tensor([[0.1, 0.2, 0.4, 0.8]]), deepglass.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input = to_float(input)
    _vector_or_matrix(input, "multilabel_margin_loss")
    t = _class_indices(target, "multilabel_margin_loss")
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"multilabel_margin_loss: inconsistent target size: {_shape(target)} for input of size: "
                           f"{_shape(input)}; the target lists label indices padded with -1, in the input's shape")
    c = input.shape[-1] if input.ndim else 1
    if t.size and bool(((t < -1) | (t >= c)).any()):
        raise RuntimeError(f"multilabel_margin_loss: target index out of range: entries must be class indices in "
                           f"[0, {c - 1}] or -1 (the end of the label list)")
    x = input if input.ndim == 2 else input.reshape(1, c)
    loss = _MultiLabelMargin.apply(x, t.reshape(x.shape))
    if input.ndim < 2:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    """Multi-label one-vs-all logistic loss: ℓ = −(1/C) Σ_c w_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)].

    Binary cross-entropy on logits per class, averaged over the classes (the last dimension).

    Args:
        input: logits, (N, C) or (C) (more leading dimensions are kept).
        target: y ∈ {0, 1} (or probabilities), the input's shape.
        weight: per-class weights (C), broadcast along the last dimension.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        output: scalar, or (N) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.multilabel_soft_margin_loss(deepglass.zeros(1, 3), deepglass.tensor([[1.0, 0.0, 1.0]]))
        tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.ndim == 0:
        raise IndexError("multilabel_soft_margin_loss: the input needs a class dimension (its last), got a 0-d "
                         "tensor")
    input = to_float(input)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = _R.sum(loss, -1) / input.shape[-1]
    return _reduce(loss, reduction)


__all__ = [
    "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
]
