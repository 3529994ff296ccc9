"""Registry entries for the box-regression losses (``deepglass.ops.box_loss``).

torchvision is not installed, so the PyTorch side is written here from the papers' formulas
(GIoU: Rezatofighi et al. 2019; DIoU/CIoU: Zheng et al. 2020) with torchvision's conventions:
``eps`` added to the union, the enclosing area and the squared diagonal; CIoU's ``alpha`` without
gradient; ``reduction="none"`` by default, ``"mean"`` of an empty loss is 0.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from deepglass.nn import functional as F

from . import OpInfo, Sample


def _geometry(a, b, eps):
    wa, ha = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1]
    wb, hb = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    iw = torch.clamp(torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0]), min=0)
    ih = torch.clamp(torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1]), min=0)
    inter = iw * ih
    union = wa * ha + wb * hb - inter
    cw = torch.maximum(a[..., 2], b[..., 2]) - torch.minimum(a[..., 0], b[..., 0])
    ch = torch.maximum(a[..., 3], b[..., 3]) - torch.minimum(a[..., 1], b[..., 1])
    return inter / (union + eps), union, cw, ch, (wa, ha, wb, hb)


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    return loss.sum() if reduction == "sum" else loss


def torch_giou_loss(a, b, reduction="none", eps=1e-7):
    iou, union, cw, ch, _ = _geometry(a, b, eps)
    return _reduce(1 - iou + (cw * ch - union) / (cw * ch + eps), reduction)


def _torch_diou(a, b, eps):
    iou, _, cw, ch, sizes = _geometry(a, b, eps)
    rho2 = ((a[..., 0] + a[..., 2] - b[..., 0] - b[..., 2]) / 2) ** 2 + \
        ((a[..., 1] + a[..., 3] - b[..., 1] - b[..., 3]) / 2) ** 2
    return 1 - iou + rho2 / (cw**2 + ch**2 + eps), iou, sizes


def torch_diou_loss(a, b, reduction="none", eps=1e-7):
    return _reduce(_torch_diou(a, b, eps)[0], reduction)


def torch_ciou_loss(a, b, reduction="none", eps=1e-7):
    diou, iou, (wa, ha, wb, hb) = _torch_diou(a, b, eps)
    v = 4 / math.pi**2 * (torch.atan(wb / hb) - torch.atan(wa / ha)) ** 2
    with torch.no_grad():
        alpha = v / (1 - iou + v + eps)
    return _reduce(diou + alpha * v, reduction)


def random_boxes(rng, *shape):
    xy = rng.uniform(0, 10, shape + (2,))
    wh = rng.uniform(0.5, 6, shape + (2,))
    return np.concatenate([xy, xy + wh], axis=-1)


def _samples(rng):
    a, b = random_boxes(rng, 6), random_boxes(rng, 6)
    b[0] = a[0]  # identical pair
    b[1] = a[1] + np.array([20.0, 0, 20, 0])  # disjoint pair
    return ([Sample(a, b, reduction=r) for r in ("none", "mean", "sum")]
            + [Sample(random_boxes(rng, 2, 3), random_boxes(rng, 2, 3)), Sample(a, b, eps=1e-3)])


ENTRIES = [
    OpInfo("generalized_box_iou_loss", F.generalized_box_iou_loss, torch_giou_loss, _samples),
    OpInfo("distance_box_iou_loss", F.distance_box_iou_loss, torch_diou_loss, _samples),
    OpInfo("complete_box_iou_loss", F.complete_box_iou_loss, torch_ciou_loss, _samples, gradcheck=False,
           note="alpha is a constant (no gradient), so finite differences of the full loss disagree by design"),
]
