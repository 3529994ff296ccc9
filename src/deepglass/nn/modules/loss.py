"""Loss modules (the notes' 损失函数), PyTorch's names, arguments and state-dict keys.

Each module stores its options and calls the function of the same name in
:mod:`deepglass.nn.functional` (see :mod:`deepglass.ops.loss` and
:mod:`deepglass.ops.margin_loss` and :mod:`deepglass.ops.ctc` for the formulas).
``weight`` and ``pos_weight`` are registered as buffers, so they follow the
module in ``.to(device)`` and appear in ``state_dict()`` like PyTorch's.
"""
from __future__ import annotations

from ...ops.loss import _legacy_reduction
from .. import functional as F
from .distance import PairwiseDistance
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
        tensor(0.8950)
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
        tensor(4.0100)
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
        >>> p, q = deepglass.tensor([[0.5, 0.5]]), deepglass.tensor([[0.9, 0.1]])
        >>> nn.KLDivLoss(reduction="batchmean")(q.log(), p)      # Σ p·(log p − log q)
        tensor(0.5108)
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
        tensor(3.0461)
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
        tensor(3.0784)
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
        tensor(0.1643)
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
        tensor(2.0162)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean", pos_weight=None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood: e^x − y·x (``log_input``), else λ − y·log(λ + eps).
    See :func:`deepglass.nn.functional.poisson_nll_loss`.

    Args:
        log_input: whether the input is log λ. full: add the Stirling term for log(y!).
        eps: for log(λ + eps). reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (*); output scalar or (*).

    Example:
        >>> nn.PoissonNLLLoss()(deepglass.randn(5, 2), deepglass.tensor([[1.0, 0.0]] * 5))
        tensor(2.4946)
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None, eps: float = 1e-8, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood ½(log var + (input − target)²/var), var clamped at ``eps``.
    See :func:`deepglass.nn.functional.gaussian_nll_loss` for the shapes ``var`` may take.

    Args:
        full: add ½ log 2π. eps: the clamp of var. reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input (N, *) or (*); target like input (or broadcastable); var like input, one dimension fewer,
        or with one dimension of size 1; output scalar or the input's shape.

    Example:
        >>> nn.GaussianNLLLoss()(deepglass.randn(5, 2), deepglass.randn(5, 2), deepglass.ones(5, 1))
        tensor(1.8920)
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """Ranking hinge max(0, −y·(x₁ − x₂) + margin). See :func:`deepglass.nn.functional.margin_ranking_loss`.

    Args:
        margin: the required gap (default 0). reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input1, input2, target: (N) or (); output scalar or (N).

    Example:
        >>> nn.MarginRankingLoss(0.5)(deepglass.randn(3), deepglass.randn(3), deepglass.tensor([1.0, -1.0, 1.0]))
        tensor(1.8930)
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """x for y = 1, max(0, margin − x) for y = −1. See :func:`deepglass.nn.functional.hinge_embedding_loss`.

    Args:
        margin: default 1. reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (*); output scalar or (*).

    Example:
        >>> nn.HingeEmbeddingLoss()(deepglass.rand(4), deepglass.tensor([1.0, -1.0, -1.0, 1.0]))
        tensor(0.4739)
    """

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss log(1 + e^{−y·x}), computed stably. See
    :func:`deepglass.nn.functional.soft_margin_loss`.

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input: (*); target broadcastable to it; output scalar or (*).

    Example:
        >>> nn.SoftMarginLoss()(deepglass.randn(4), deepglass.tensor([1.0, -1.0, -1.0, 1.0]))
        tensor(1.1459)
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """1 − cos(x₁, x₂) for y = 1, max(0, cos(x₁, x₂) − margin) for y = −1. See
    :func:`deepglass.nn.functional.cosine_embedding_loss`.

    Args:
        margin: default 0. reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input1, input2: (N, D) or (D); target (N) or (); output scalar or (N).

    Example:
        >>> nn.CosineEmbeddingLoss(0.2)(deepglass.randn(3, 8), deepglass.randn(3, 8), deepglass.tensor([1, -1, 1]))
        tensor(0.3828)
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(0, ‖a − p‖ − ‖a − n‖ + margin) with p-norm distances. See
    :func:`deepglass.nn.functional.triplet_margin_loss`.

    Args:
        margin: > 0 (default 1). p: the norm's order (2). eps: added to the differences (1e-6).
        swap: the distance swap. reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        anchor, positive, negative: (N, D) or (D); output scalar or (N).

    Example:
        >>> nn.TripletMarginLoss(margin=0.3)(deepglass.randn(4, 8), deepglass.randn(4, 8), deepglass.randn(4, 8))
        tensor(0.5920)
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False, size_average=None,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """max(0, d(a, p) − d(a, n) + margin) with any distance d. See
    :func:`deepglass.nn.functional.triplet_margin_with_distance_loss`.

    Args:
        distance_function: a callable (x, y) -> distances; None: ``nn.PairwiseDistance()`` (Euclidean).
        margin: > 0 (default 1). swap: the distance swap. reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        anchor, positive, negative: (N, *) with the same number of dimensions; output scalar or (N).

    Example:
        >>> a, p, n = deepglass.zeros(1, 2), deepglass.tensor([[1.0, 0.0]]), deepglass.tensor([[0.0, 3.0]])
        >>> nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: (x - y).abs().sum(-1))(a, p, n)
        tensor(0.)
    """

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                   margin=self.margin, swap=self.swap, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge Σ_{i ≠ y} w_y·max(0, margin − x_y + x_i)^p / C. See
    :func:`deepglass.nn.functional.multi_margin_loss`.

    Args:
        p: 1 or 2. margin: default 1. weight: per-class weights (C), a buffer.
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input (N, C) or (C); target (N) or (); output scalar or (N).

    Example:
        >>> nn.MultiMarginLoss()(deepglass.randn(4, 10), deepglass.tensor([1, 0, 9, 3]))
        tensor(1.3571)
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError(f"MultiMarginLoss: only p == 1 and p == 2 supported, got p={p}")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.ndim}D instead")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge Σ_{j ∈ labels} Σ_{i ∉ labels} max(0, 1 − (x_j − x_i)) / C, labels listed in ``target``
    and padded with −1. See :func:`deepglass.nn.functional.multilabel_margin_loss`.

    Args:
        reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input (N, C) or (C); target (int64) the input's shape; output scalar or (N).

    Example:
        >>> nn.MultiLabelMarginLoss()(deepglass.randn(1, 4), deepglass.tensor([[3, 0, -1, 1]]))
        tensor(2.2645)
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One-vs-all logistic loss per class, averaged over the classes. See
    :func:`deepglass.nn.functional.multilabel_soft_margin_loss`.

    Args:
        weight: per-class weights (C), a buffer. reduction: ``"none"`` | ``"mean"`` | ``"sum"``.

    Shape:
        input, target: (N, C) or (C); output scalar or (N).

    Example:
        >>> nn.MultiLabelSoftMarginLoss()(deepglass.randn(2, 3), deepglass.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]]))
        tensor(0.7782)
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class CTCLoss(_Loss):
    """Connectionist temporal classification loss. See :func:`deepglass.nn.functional.ctc_loss`.

    Args:
        blank: the blank class (0). reduction: ``"none"`` | ``"mean"`` | ``"sum"``.
        zero_infinity: impossible alignments give a zero loss and gradient.

    Shape:
        log_probs (T, N, C) or (T, C); targets (N, S) or 1-D concatenated; lengths (N,); output scalar or (N,).

    Example:
        >>> lp = F.log_softmax(deepglass.randn(8, 2, 5), dim=2)
        >>> nn.CTCLoss()(lp, deepglass.tensor([[1, 2], [3, 3]]), [8, 6], [2, 2]).shape
        ()
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                          self.zero_infinity)


__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
           "BCEWithLogitsLoss", "PoissonNLLLoss", "GaussianNLLLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
           "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
           "MultiMarginLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "CTCLoss"]
