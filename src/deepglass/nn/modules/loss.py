"""Loss modules (the notes' 损失函数), PyTorch's names, arguments and state-dict keys.

Each module stores its options and calls the function of the same name in
:mod:`deepglass.nn.functional` (see :mod:`deepglass.ops.loss` for the formulas).
``weight`` and ``pos_weight`` are registered as buffers, so they follow the
module in ``.to(device)`` and appear in ``state_dict()`` like PyTorch's.
"""
from __future__ import annotations

from .. import functional as F
from ...ops.loss import _legacy_reduction
from .module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _legacy_reduction(size_average, reduce, reduction)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean absolute error ℓ = |ŷ − y| (the notes' L1/MAE line). See :func:`deepglass.nn.functional.l1_loss`.

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (*); output scalar or (*).

    Example:
        >>> nn.L1Loss()(deepglass.tensor([1.0, 3.0]), deepglass.tensor([2.0, 2.0]))
        tensor(1.)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error ℓ = (ŷ − y)². See :func:`deepglass.nn.functional.mse_loss`.

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (*); output scalar or (*).

    Example:
        >>> nn.MSELoss()(deepglass.tensor([1.0, 3.0]), deepglass.tensor([2.0, 2.0]))
        tensor(1.)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Smooth L1: 0.5 d²/β for |d| < β, else |d| − 0.5β. See :func:`deepglass.nn.functional.smooth_l1_loss`.

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        beta: the switch point (default 1.0).

    Shape:
        input, target: (*); output scalar or (*).

    Example:
        >>> nn.SmoothL1Loss(beta=0.5)(deepglass.tensor([0.2, 2.0]), deepglass.zeros(2))
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber: 0.5 d² for |d| < δ, else δ(|d| − 0.5δ). See :func:`deepglass.nn.functional.huber_loss`.

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        delta: the switch point (default 1.0).

    Shape:
        input, target: (*); output scalar or (*).

    Example:
        >>> nn.HuberLoss(delta=2.0)(deepglass.tensor([0.2, 5.0]), deepglass.zeros(2))
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """KL(P ‖ Q) = Σ p (log p − log q) with ``input`` = log q (PyTorch's convention; the notes invert the ratio).

    Args:
        reduction: ``"none"`` | ``"batchmean"`` (the mathematical KL per sample) | ``"sum"`` | ``"mean"``.
        log_target: whether the target is given as log p.

    Shape:
        input, target: (N, *); output scalar or (N, *).

    Example:
        >>> nn.KLDivLoss(reduction="batchmean")(F.log_softmax(x, dim=1), F.softmax(y, dim=1))
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax + NLL on logits, fused (stable for any logit size). See :func:`deepglass.nn.functional.cross_entropy`.

    Args:
        weight: per-class weights (C,), a buffer.
        ignore_index: index targets equal to it are skipped (default −100).
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        label_smoothing: ε in [0, 1].

    Shape:
        input (N, C, *) or (C,); target (N, *) class indices or (N, C, *) probabilities; output scalar or (N, *).

    Example:
        >>> nn.CrossEntropyLoss(label_smoothing=0.1)(deepglass.randn(4, 10), deepglass.tensor([1, 0, 9, 3]))
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities: ℓ = −w[y]·input[y]. See :func:`deepglass.nn.functional.nll_loss`.

    Args:
        weight: per-class weights (C,), a buffer.
        ignore_index: targets equal to it are skipped.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input (N, C, *) or (C,); target (N, *); output scalar or (N, *).

    Example:
        >>> nn.NLLLoss()(F.log_softmax(deepglass.randn(4, 10), dim=1), deepglass.tensor([1, 0, 9, 3]))
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities, −[y log ŷ + (1 − y) log(1 − ŷ)], logs clamped at −100.

    Args:
        weight: element weights broadcast to the input, a buffer.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (*); output scalar or (*).

    Example:
        >>> nn.BCELoss()(deepglass.tensor([0.9, 0.2]), deepglass.tensor([1.0, 0.0]))
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable expression. See
    :func:`deepglass.nn.functional.binary_cross_entropy_with_logits`.

    Args:
        weight: element weights, a buffer.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        pos_weight: weight of positives per class (broadcast along the last dim), a buffer.

    Shape:
        input, target: (*); output scalar or (*).

    Example:
        >>> nn.BCEWithLogitsLoss(pos_weight=deepglass.tensor([3.0]))(deepglass.randn(8, 1), deepglass.ones(8, 1))
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean", pos_weight=None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
           "BCEWithLogitsLoss"]
