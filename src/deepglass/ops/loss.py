"""Loss functions (the notes' 损失函数), PyTorch's names, signatures and conventions.

Distance-based losses compare prediction ŷ (``input``) and truth y (``target``)
element-wise; probability-based losses compare distributions.

Two slips of the concept notes are corrected here. The MAE line there is
labelled L_MSE: the mean absolute error is L1 = (1/n) Σ |ŷ_i − y_i|. The KL
formula there has its ratio inverted: KL(y ‖ ŷ) = Σ y_i log(y_i / ŷ_i), and
deepglass follows PyTorch's convention that ``input`` already holds log ŷ, so
``kl_div(input, target) = Σ target · (log target − input)``.

Cross-entropy and NLL live in :mod:`.cross_entropy` (one fused log-softmax + NLL
primitive); the margin, ranking and embedding losses in :mod:`.margin_loss`.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ..creation import full_like
from . import elementwise as _E
from . import reduce as _R
from ._util import promote, to_float, xp_of
from .shape import one_hot  # noqa: F401  (re-exported for F.one_hot users of this module)

_REDUCTIONS = ("none", "mean", "sum")


def _legacy_reduction(size_average, reduce, reduction):
    """Map PyTorch's deprecated ``size_average``/``reduce`` flags onto ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def _check_reduction(reduction, allowed=_REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {', '.join(map(repr, allowed))}, got {reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        return _R.mean(loss)
    return _R.sum(loss)


def _pair(input, target, name):
    """Promote input/target to one float dtype; broadcast like PyTorch (with its warning)."""
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: target must be a deepglass.Tensor, got {type(target).__name__}")
    if target.shape != input.shape:
        try:
            np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(
                f"{name}: target shape {tuple(target.shape)} does not match input shape {tuple(input.shape)} "
                "and cannot be broadcast to it; give a target of the input's shape"
            ) from None
        warnings.warn(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3)
    return promote(to_float(input), to_float(target))


def _weighted(loss, weight, input, reduction, name, mean_by_weight):
    """PyTorch's element-weighted regression losses: ``"mean"`` is Σ wℓ / Σ w (L1, MSE) or mean(wℓ) (Huber)."""
    if weight is None:
        return _reduce(loss, reduction)
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError(f"{name}: weights and input must have the same size, got weight {tuple(weight.shape)} "
                         f"and input {tuple(input.shape)}")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return _R.sum(loss) / _R.sum(weight)
    return _reduce(loss, reduction)


def _same_shape(input, target, name):
    if target.shape != input.shape:
        raise ValueError(
            f"{name}: using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}) is not supported; give a target of the input's shape"
        )


# ----------------------------------------------------------------- distances


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """Mean absolute error (MAE, the notes' L1 line — mislabelled L_MSE there).

    ℓ_i = |ŷ_i − y_i|; reduced by mean (default), sum, or kept (``"none"``).
    Robust to outliers; its gradient is sign(ŷ − y) (0 at 0, as PyTorch).

    Args:
        input: predictions ŷ, any shape.
        target: truths y, same shape (broadcast with a warning, like PyTorch).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        weight: optional element weights (input's shape); ``"mean"`` is then Σ wℓ / Σ w.

    Shape:
        input, target: (*); output: scalar, or (*) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.l1_loss(deepglass.tensor([1.0, 3.0]), deepglass.tensor([2.0, 2.0]))
        tensor(1.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = _pair(input, target, "l1_loss")
    return _weighted((input - target).abs(), weight, input, reduction, "l1_loss", True)


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """Mean squared error (the notes' L2 / MSE): ℓ_i = (ŷ_i − y_i)².

    Args:
        input: predictions ŷ, any shape.
        target: truths y, same shape.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        weight: optional element weights (input's shape); ``"mean"`` is then Σ wℓ / Σ w.

    Shape:
        input, target: (*); output: scalar, or (*) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.mse_loss(deepglass.tensor([1.0, 3.0]), deepglass.tensor([2.0, 2.0]))
        tensor(1.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = _pair(input, target, "mse_loss")
    d = input - target
    return _weighted(d * d, weight, input, reduction, "mse_loss", True)


class _Huber(Function):
    """Smooth-L1 (``scale=False``: quadratic part divided by beta) or Huber (``scale=True``: linear part × delta)."""

    @staticmethod
    def forward(ctx, x, t, beta, huber):
        xp = xp_of(x)
        d = x - t
        ad = xp.abs(d)
        if beta == 0:
            loss = ad
        elif huber:
            loss = xp.where(ad < beta, 0.5 * d * d, beta * (ad - 0.5 * beta))
        else:
            loss = xp.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
        ctx.save_for_backward(d)
        ctx.beta, ctx.huber = beta, huber
        return loss.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (d,) = ctx.saved_tensors
        xp = xp_of(d)
        beta = ctx.beta
        if beta == 0:
            dd = xp.sign(d)
        elif ctx.huber:
            dd = xp.clip(d, -beta, beta)
        else:
            dd = xp.clip(d / beta, -1.0, 1.0)
        gx = g * dd.astype(d.dtype, copy=False)
        need = ctx.needs_input_grad
        return (gx if need[0] else None), (-gx if need[1] else None)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
    """Smooth L1: quadratic near zero, L1 beyond ``beta`` (Fast R-CNN's box loss).

    ℓ_i = 0.5 (ŷ_i − y_i)² / β  if |ŷ_i − y_i| < β, else |ŷ_i − y_i| − 0.5 β
    (β = 0 gives L1). Equals ``huber_loss(delta=β) / β``.

    Args:
        input, target: same shape.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        beta: the switch point, ≥ 0.

    Shape:
        input, target: (*); output: scalar, or (*) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.smooth_l1_loss(deepglass.tensor([0.5, 3.0]), deepglass.zeros(2))
        tensor(1.3125)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    input, target = _pair(input, target, "smooth_l1_loss")
    return _reduce(_Huber.apply(input, target, float(beta), False), reduction)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """Huber loss: ℓ_i = 0.5 d² if |d| < δ, else δ (|d| − 0.5 δ), with d = ŷ_i − y_i.

    Args:
        input, target: same shape.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        delta: the switch point, > 0.
        weight: optional element weights (input's shape); ``"mean"`` is then mean(wℓ).

    Shape:
        input, target: (*); output: scalar, or (*) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.huber_loss(deepglass.tensor([0.5, 3.0]), deepglass.zeros(2), delta=1.0)
        tensor(1.3125)
    """
    _check_reduction(reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    input, target = _pair(input, target, "huber_loss")
    return _weighted(_Huber.apply(input, target, float(delta), True), weight, input, reduction, "huber_loss", False)


# ------------------------------------------------------------------ KL divergence


class _KLDiv(Function):
    @staticmethod
    def forward(ctx, x, t, log_target):
        xp = xp_of(x)
        ctx.log_target = log_target
        if log_target:
            et = xp.exp(t)
            ctx.save_for_backward(x, t, et)
            return et * (t - x)
        ctx.save_for_backward(x, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            xlogy = xp.where(t == 0, 0, t * xp.log(t)).astype(x.dtype, copy=False)
        return xlogy - t * x

    @staticmethod
    def backward(ctx, g):
        need = ctx.needs_input_grad
        xp = xp_of(g)
        if ctx.log_target:
            x, t, et = ctx.saved_tensors
            gx = -g * et if need[0] else None
            gt = g * et * (t - x + 1) if need[1] else None
            return gx, gt
        x, t = ctx.saved_tensors
        gx = -g * t if need[0] else None
        gt = None
        if need[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                gt = g * (xp.log(t) + 1 - x)
        return gx, gt


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False):
    """Kullback–Leibler divergence KL(P ‖ Q) with Q given in log space (PyTorch's convention).

    KL(P ‖ Q) = Σ_i p_i log(p_i / q_i) — the notes write the ratio inverted.
    ``input`` is log q; ``target`` is p (or log p with ``log_target=True``):
    ℓ_i = p_i (log p_i − input_i), with 0 · log 0 = 0.

    Args:
        input: log-probabilities log q.
        target: probabilities p (log p when ``log_target``).
        reduction: ``"none"`` | ``"batchmean"`` (sum / batch size: the true KL) |
            ``"sum"`` | ``"mean"`` (mean over all elements, PyTorch's default).
        log_target: whether ``target`` is given in log space.

    Shape:
        input, target: (N, *); output: scalar, or (N, *) for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> q = F.log_softmax(deepglass.randn(2, 3), dim=1)
        >>> F.kl_div(q, F.softmax(deepglass.randn(2, 3), dim=1), reduction="batchmean")
        tensor(0.3230)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    input, target = _pair(input, target, "kl_div")
    loss = _KLDiv.apply(input, target, bool(log_target))
    if reduction == "batchmean":
        total = _R.sum(loss)
        return total / input.shape[0] if input.ndim > 0 else total
    return _reduce(loss, reduction)


# ----------------------------------------------------------------- binary


class _BCE(Function):
    """ℓ = −[y·max(log x, −100) + (1 − y)·max(log(1 − x), −100)] (PyTorch's clamp)."""

    @staticmethod
    def forward(ctx, x, t):
        xp = xp_of(x)
        with np.errstate(divide="ignore"):
            lx = xp.maximum(xp.log(x), -100)
            l1x = xp.maximum(xp.log1p(-x), -100)
        ctx.save_for_backward(x, t, lx, l1x)
        return ((t - 1) * l1x - t * lx).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t, lx, l1x = ctx.saved_tensors
        xp = xp_of(g)
        need = ctx.needs_input_grad
        gx = g * (x - t) / xp.maximum((1 - x) * x, 1e-12) if need[0] else None
        gt = g * (l1x - lx) if need[1] else None
        return gx, gt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
    """Binary cross-entropy on probabilities (the notes' L = −[y log ŷ + (1 − y) log(1 − ŷ)]).

    The logs are clamped at −100 like PyTorch, so ŷ ∈ {0, 1} gives a finite loss.
    Prefer :func:`binary_cross_entropy_with_logits` on raw scores.

    Args:
        input: probabilities ŷ in [0, 1].
        target: y in [0, 1], same shape.
        weight: optional weights broadcast to the input's shape.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (*); output scalar or (*).

    Returns:
        The loss tensor.

    Example:
        >>> F.binary_cross_entropy(deepglass.tensor([0.9, 0.2]), deepglass.tensor([1.0, 0.0]))
        tensor(0.1643)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _same_shape(input, target, "binary_cross_entropy")
    input, target = promote(to_float(input), to_float(target))
    d = input._array
    if d.size and bool(((d < 0) | (d > 1)).any()):
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 and 1 "
                         "(apply sigmoid first, or use binary_cross_entropy_with_logits)")
    t = target._array
    if t.size and bool(((t < 0) | (t > 1)).any()):  # as PyTorch (RuntimeError); NaN targets pass, as there
        raise RuntimeError("binary_cross_entropy: all elements of target should be between 0 and 1 "
                           "(targets are probabilities of the positive class)")
    loss = _BCE.apply(input, target)
    if weight is not None:
        loss = loss * weight.detach()
    return _reduce(loss, reduction)


class _BCEWithLogits(Function):
    """ℓ = (1 − y)·x − l·log σ(x), l = 1 + (p − 1)·y, with log σ(x) = min(x, 0) − log1p(e^−|x|) (stable)."""

    @staticmethod
    def forward(ctx, x, t, pw):
        xp = xp_of(x)
        logsig = xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))
        if pw is None:
            loss = (1 - t) * x - logsig
        else:
            loss = (1 - t) * x - ((pw - 1) * t + 1) * logsig
        ctx.save_for_backward(x, t, pw, logsig)
        return loss.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t, pw, logsig = ctx.saved_tensors
        xp = xp_of(g)
        need = ctx.needs_input_grad
        sig = xp.exp(logsig)
        gx = gt = None
        if pw is None:
            if need[0]:
                gx = g * (sig - t)
            if need[1]:
                gt = -g * x
        else:
            if need[0]:
                gx = g * (((pw - 1) * t + 1) * sig - pw * t)
            if need[1]:
                gt = -g * (x + (pw - 1) * logsig)
        return gx, gt, None


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable expression (PyTorch's BCEWithLogits).

    ℓ = −w [p·y·log σ(x) + (1 − y)·log(1 − σ(x))], computed as
    (1 − y)·x − (1 + (p − 1)·y)·log σ(x) with a stable log σ, so |x| ≥ 100 stays finite.

    Args:
        input: logits x.
        target: y in [0, 1], same shape.
        weight: optional weights broadcast to the input's shape.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        pos_weight: p, weight of positive examples, broadcast along the last (class) dim.

    Shape:
        input, target: (*); output scalar or (*).

    Returns:
        The loss tensor.

    Example:
        >>> F.binary_cross_entropy_with_logits(deepglass.tensor([2.0, -1.0]), deepglass.tensor([1.0, 0.0]))
        tensor(0.2201)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    input, target = promote(to_float(input), to_float(target))
    pw = None
    if pos_weight is not None:
        pw = pos_weight.detach().to(input.dtype)
        try:
            np.broadcast_shapes(tuple(pw.shape), tuple(input.shape))
        except ValueError:
            raise ValueError(f"binary_cross_entropy_with_logits: pos_weight of shape {tuple(pw.shape)} cannot be "
                             f"broadcast to the input's shape {tuple(input.shape)}") from None
    loss = _BCEWithLogits.apply(input, target, pw)
    if weight is not None:
        loss = loss * weight.detach()
    return _reduce(loss, reduction)


# ------------------------------------------------------------ likelihoods


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False, size_average=None,
                     eps: float = 1e-8, reduce=None, reduction: str = "mean"):
    """Negative log-likelihood of a Poisson target: ``target`` ~ Poisson(λ) with λ predicted by ``input``.

    ℓ = e^x − y·x with ``log_input`` (x = log λ, the default), else ℓ = λ − y·log(λ + eps).
    The constant log(y!) is dropped unless ``full``, which adds its Stirling approximation
    y·log y − y + ½·log(2πy) for y > 1 (0 for y ≤ 1, as PyTorch).

    Args:
        input: log λ (``log_input``) or λ, any shape.
        target: counts y, broadcastable with ``input``.
        log_input: whether ``input`` is log λ.
        full: add the Stirling term.
        eps: keeps log(λ + eps) finite at λ = 0 (``log_input=False`` only).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (*); output: scalar, or the broadcast shape for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.poisson_nll_loss(deepglass.tensor([0.0, 1.0]), deepglass.tensor([1.0, 2.0]))
        tensor(0.8591)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = promote(to_float(input), to_float(target))
    if log_input:
        loss = _E.exp(input) - target * input
    else:
        loss = input - target * _E.log(input + eps)
    if full:
        big = target > 1
        # y = 1 stands in where the term is masked, so log y stays finite there (and so does dℓ/dy)
        y = _E.where(big, target, 1.0)
        stirling = y * _E.log(y) - y + 0.5 * _E.log(y * (2 * math.pi))
        loss = loss + _E.where(big, stirling, 0.0)
    return _reduce(loss, reduction)


class _ClampForward(Function):
    """max(x, lo) in the forward pass, the identity in the backward (PyTorch clamps var under no_grad)."""

    @staticmethod
    def forward(ctx, x, lo):
        return xp_of(x).maximum(x, lo).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
    """Negative log-likelihood of ``target`` under N(``input``, ``var``): regression that also predicts its uncertainty.

    ℓ = ½ (log max(var, eps) + (input − target)² / max(var, eps)) (+ ½ log 2π with ``full``).
    var is clamped at ``eps`` for stability, and the gradient passes through the clamp
    unchanged (PyTorch clamps under ``no_grad``).

    ``var`` may have the input's shape (heteroscedastic), or one dimension fewer (the last one,
    which is then broadcast), or the input's number of dimensions with exactly one of size 1
    where the input's is not (homoscedastic along it), or be a float ≥ 0.

    Args:
        input: the predicted means, (N, *) or (*).
        target: samples, broadcastable with ``input``.
        var: the predicted variances (≥ 0), see above.
        full: add the constant ½ log 2π.
        eps: the clamp of ``var``.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        output: scalar, or the broadcast shape for ``"none"``.

    Returns:
        The loss tensor.

    Example:
        >>> F.gaussian_nll_loss(deepglass.tensor([1.0]), deepglass.tensor([2.0]), deepglass.tensor([1.0]))
        tensor(0.5000)
    """
    _check_reduction(reduction)
    input = to_float(input)
    if isinstance(var, numbers.Real) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var has negative entry/entries (got var={var}); variances must "
                             "be >= 0")
        var = full_like(input, float(var))
    elif not isinstance(var, Tensor):
        raise TypeError(f"gaussian_nll_loss: var must be a deepglass.Tensor or a float, got {type(var).__name__}")
    else:
        var = to_float(var)
        if var._array.size and bool((var._array < 0).any()):
            raise ValueError("gaussian_nll_loss: var has negative entry/entries; variances must be >= 0")
    ishape, vshape = tuple(input.shape), tuple(var.shape)
    if vshape != ishape:
        if ishape[:-1] == vshape:
            var = var.unsqueeze(-1)  # one variance per row, broadcast along the last dimension
        elif not (len(ishape) == len(vshape) and sum(v for i, v in zip(ishape, vshape) if i != v) == 1):
            raise ValueError(f"gaussian_nll_loss: var is of incorrect size {vshape} for input {ishape}; give the "
                             "input's shape, the input's shape without its last dimension, or the input's shape "
                             "with one dimension set to 1")
    var = _ClampForward.apply(var, eps)
    d = input - target
    loss = 0.5 * (_E.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


__all__ = [
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "kl_div",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "poisson_nll_loss", "gaussian_nll_loss",
]
