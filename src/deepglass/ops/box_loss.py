"""Bounding-box regression losses with ``torchvision.ops``' names and semantics.

Boxes are ``(..., 4)`` in ``xyxy`` format (``x1 <= x2``, ``y1 <= y2``); the loss is computed per pair
of matching rows (``boxes1[i]`` against ``boxes2[i]``), never all-pairs. With ``I`` the intersection,
``U`` the union, ``C`` the smallest box enclosing both, ``ρ`` the distance of the two centres and
``c`` the diagonal of ``C``:

* GIoU (Rezatofighi et al., 2019, "Generalized Intersection over Union"):
  ``L = 1 - I/U + (|C| - U)/|C|``.
* DIoU (Zheng et al., 2020, "Distance-IoU Loss"): ``L = 1 - I/U + ρ²/c²``.
* CIoU (same paper): ``L = 1 - I/U + ρ²/c² + α v`` with ``v = 4/π² (atan(w2/h2) - atan(w1/h1))²`` and
  ``α = v / (1 - I/U + v + eps)`` treated as a constant (no gradient), as in torchvision.

``eps`` (1e-7) keeps the ratios finite for degenerate boxes. ``reduction``: ``"none"`` | ``"mean"`` |
``"sum"`` (torchvision's default is ``"none"``).

The expressions are built from differentiable deepglass ops, so gradients come from autograd.
"""
from __future__ import annotations

import math

from .._tensor import Tensor

__all__ = ["generalized_box_iou_loss", "distance_box_iou_loss", "complete_box_iou_loss"]


def _check(boxes1, boxes2, reduction, name):
    if not isinstance(boxes1, Tensor) or not isinstance(boxes2, Tensor):
        raise TypeError(f"{name}: boxes1 and boxes2 must be Tensors, got {type(boxes1).__name__} and "
                        f"{type(boxes2).__name__}")
    if boxes1.shape[-1:] != (4,) or boxes2.shape[-1:] != (4,):
        raise ValueError(f"{name}: boxes must have a last dimension of 4 (x1, y1, x2, y2), got {tuple(boxes1.shape)} "
                         f"and {tuple(boxes2.shape)}")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{name}: Invalid Value for arg 'reduction': '{reduction}' \n Supported reduction modes: "
                         "'none', 'mean', 'sum'")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    if reduction == "sum":
        return loss.sum()
    return loss


def _parts(boxes1, boxes2, eps):
    """IoU, the enclosing box's corners, and the boxes' coordinates (all broadcast, unbound)."""
    x1, y1, x2, y2 = boxes1.unbind(-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(-1)
    xkis1, ykis1 = x1.maximum(x1g), y1.maximum(y1g)
    xkis2, ykis2 = x2.minimum(x2g), y2.minimum(y2g)
    inter = (xkis2 - xkis1).clamp(min=0) * (ykis2 - ykis1).clamp(min=0)
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter
    iou = inter / (union + eps)
    xc1, yc1 = x1.minimum(x1g), y1.minimum(y1g)
    xc2, yc2 = x2.maximum(x2g), y2.maximum(y2g)
    return iou, union, (xc1, yc1, xc2, yc2), (x1, y1, x2, y2), (x1g, y1g, x2g, y2g)


def generalized_box_iou_loss(boxes1, boxes2, reduction: str = "none", eps: float = 1e-7):
    """GIoU loss ``1 - IoU + (|C| - U) / |C|`` of matching ``xyxy`` boxes (values in [0, 2]).

    ``torchvision.ops.generalized_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7)``.

    Example:
        >>> b = deepglass.tensor([[0., 0., 2., 2.]])
        >>> F.generalized_box_iou_loss(b, deepglass.tensor([[4., 0., 6., 2.]])).tolist()  # |C|=12, U=8
        [1.3333333730697632]
    """
    _check(boxes1, boxes2, reduction, "generalized_box_iou_loss")
    iou, union, (xc1, yc1, xc2, yc2), _, _ = _parts(boxes1, boxes2, eps)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    return _reduce(1 - (iou - (area_c - union) / (area_c + eps)), reduction)


def _diou(boxes1, boxes2, eps):
    iou, _, (xc1, yc1, xc2, yc2), (x1, y1, x2, y2), (x1g, y1g, x2g, y2g) = _parts(boxes1, boxes2, eps)
    diag = (xc2 - xc1) ** 2 + (yc2 - yc1) ** 2 + eps
    dist = ((x1 + x2) / 2 - (x1g + x2g) / 2) ** 2 + ((y1 + y2) / 2 - (y1g + y2g) / 2) ** 2
    return 1 - iou + dist / diag, iou


def distance_box_iou_loss(boxes1, boxes2, reduction: str = "none", eps: float = 1e-7):
    """DIoU loss ``1 - IoU + ρ²/c²`` of matching ``xyxy`` boxes.

    ``torchvision.ops.distance_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7)``.

    Example:
        >>> b = deepglass.tensor([[0., 0., 2., 2.]])
        >>> round(F.distance_box_iou_loss(b, deepglass.tensor([[4., 0., 6., 2.]])).item(), 4)  # 1 + 16/40
        1.4
    """
    _check(boxes1, boxes2, reduction, "distance_box_iou_loss")
    return _reduce(_diou(boxes1, boxes2, eps)[0], reduction)


def complete_box_iou_loss(boxes1, boxes2, reduction: str = "none", eps: float = 1e-7):
    """CIoU loss ``1 - IoU + ρ²/c² + α v`` of matching ``xyxy`` boxes (``α`` without gradient).

    ``torchvision.ops.complete_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7)``.

    Example:
        >>> b = deepglass.tensor([[0., 0., 2., 2.]])
        >>> F.complete_box_iou_loss(b, b).tolist()
        [0.0]
    """
    _check(boxes1, boxes2, reduction, "complete_box_iou_loss")
    diou, iou = _diou(boxes1, boxes2, eps)
    x1, y1, x2, y2 = boxes1.unbind(-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(-1)
    w_pred, h_pred = x2 - x1, y2 - y1
    w_gt, h_gt = x2g - x1g, y2g - y1g
    v = (4 / math.pi**2) * ((w_gt / h_gt).atan() - (w_pred / h_pred).atan()) ** 2
    alpha = (v / (1 - iou + v + eps)).detach()
    return _reduce(diou + alpha * v, reduction)
