"""Box utilities with torchvision's names and conventions (NumPy, float64).

Boxes are ``(N, 4)`` arrays. Formats: ``"xyxy"`` (corners), ``"xywh"`` (top-left
corner, width, height; COCO), ``"cxcywh"`` (centre, width, height; YOLO).

IoU of boxes A and B: ``|A ∩ B| / |A ∪ B|``; GIoU subtracts ``|C \\ (A ∪ B)| / |C|``
for the smallest enclosing box C; DIoU subtracts ``d^2 / c^2`` (centre distance
over the enclosing diagonal); CIoU also subtracts ``alpha v`` for the aspect ratio.
"""
from __future__ import annotations

import numpy as np

from .._utils import _to_numpy

__all__ = ["box_convert", "box_area", "box_iou", "generalized_box_iou", "distance_box_iou",
           "complete_box_iou", "nms", "batched_nms"]

_FORMATS = ("xyxy", "xywh", "cxcywh")


def _boxes(b, name="boxes") -> np.ndarray:
    a = _to_numpy(b, name).astype(np.float64)
    if a.ndim == 1 and a.size == 0:
        a = a.reshape(0, 4)
    if a.ndim != 2 or a.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), got {a.shape}.")
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN coordinates; remove those boxes.")
    return a


def _check_xyxy(a: np.ndarray, name: str) -> None:
    if np.any(a[:, 2] < a[:, 0]) or np.any(a[:, 3] < a[:, 1]):
        raise ValueError(f"{name} has boxes with x2 < x1 or y2 < y1 (negative size); "
                         "check the box format.")


def box_convert(boxes, in_fmt: str, out_fmt: str) -> np.ndarray:
    """Convert boxes between ``"xyxy"``, ``"xywh"`` and ``"cxcywh"``.

    Example:
        >>> box_convert([[10, 20, 30, 40]], "xywh", "xyxy").tolist()
        [[10.0, 20.0, 40.0, 60.0]]
    """
    for f in (in_fmt, out_fmt):
        if f not in _FORMATS:
            raise ValueError(f"box format must be one of {_FORMATS}, got {f!r}.")
    a = _boxes(boxes)
    if in_fmt == "xywh":
        a = np.stack([a[:, 0], a[:, 1], a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]], axis=1)
    elif in_fmt == "cxcywh":
        a = np.stack([a[:, 0] - a[:, 2] / 2, a[:, 1] - a[:, 3] / 2,
                      a[:, 0] + a[:, 2] / 2, a[:, 1] + a[:, 3] / 2], axis=1)
    if out_fmt == "xywh":
        a = np.stack([a[:, 0], a[:, 1], a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]], axis=1)
    elif out_fmt == "cxcywh":
        a = np.stack([(a[:, 0] + a[:, 2]) / 2, (a[:, 1] + a[:, 3]) / 2,
                      a[:, 2] - a[:, 0], a[:, 3] - a[:, 1]], axis=1)
    return a


def box_area(boxes) -> np.ndarray:
    """Areas ``(x2 - x1) (y2 - y1)`` of ``xyxy`` boxes.

    Example:
        >>> box_area([[0, 0, 2, 3]]).tolist()
        [6.0]
    """
    a = _boxes(boxes)
    return (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])


def _inter_union(b1, b2):
    area1 = (b1[:, 2] - b1[:, 0]) * (b1[:, 3] - b1[:, 1])
    area2 = (b2[:, 2] - b2[:, 0]) * (b2[:, 3] - b2[:, 1])
    lt = np.maximum(b1[:, None, :2], b2[None, :, :2])
    rb = np.minimum(b1[:, None, 2:], b2[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    return inter, area1[:, None] + area2[None, :] - inter


def box_iou(boxes1, boxes2) -> np.ndarray:
    """Pairwise IoU ``(N, M)`` of two sets of ``xyxy`` boxes (0 where the union is 0).

    Example:
        >>> box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2]]).round(4).tolist()
        [[0.3333]]
    """
    b1, b2 = _boxes(boxes1, "boxes1"), _boxes(boxes2, "boxes2")
    _check_xyxy(b1, "boxes1")
    _check_xyxy(b2, "boxes2")
    inter, union = _inter_union(b1, b2)
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def _enclosing(b1, b2):
    lt = np.minimum(b1[:, None, :2], b2[None, :, :2])
    rb = np.maximum(b1[:, None, 2:], b2[None, :, 2:])
    return lt, rb


def generalized_box_iou(boxes1, boxes2) -> np.ndarray:
    """Pairwise GIoU = ``IoU - (|C| - |A ∪ B|) / |C|``, in [-1, 1].

    Example:
        >>> generalized_box_iou([[0, 0, 1, 1]], [[2, 0, 3, 1]]).round(4).tolist()
        [[-0.3333]]
    """
    b1, b2 = _boxes(boxes1, "boxes1"), _boxes(boxes2, "boxes2")
    _check_xyxy(b1, "boxes1")
    _check_xyxy(b2, "boxes2")
    inter, union = _inter_union(b1, b2)
    iou = inter / union
    lt, rb = _enclosing(b1, b2)
    wh = np.clip(rb - lt, 0, None)
    area_c = wh[..., 0] * wh[..., 1]
    return iou - (area_c - union) / area_c


def _diou_parts(b1, b2, eps):
    inter, union = _inter_union(b1, b2)
    iou = inter / union
    lt, rb = _enclosing(b1, b2)
    diag = ((rb - lt) ** 2).sum(-1) + eps
    c1 = (b1[:, :2] + b1[:, 2:]) / 2
    c2 = (b2[:, :2] + b2[:, 2:]) / 2
    dist = ((c1[:, None, :] - c2[None, :, :]) ** 2).sum(-1)
    return iou, dist / diag


def distance_box_iou(boxes1, boxes2, eps: float = 1e-7) -> np.ndarray:
    """Pairwise DIoU = ``IoU - rho^2(centres) / c^2`` (``c``: enclosing diagonal).

    Example:
        >>> distance_box_iou([[0, 0, 1, 1]], [[0, 0, 1, 1]]).tolist()
        [[1.0]]
    """
    b1, b2 = _boxes(boxes1, "boxes1"), _boxes(boxes2, "boxes2")
    _check_xyxy(b1, "boxes1")
    _check_xyxy(b2, "boxes2")
    iou, penalty = _diou_parts(b1, b2, eps)
    return iou - penalty


def complete_box_iou(boxes1, boxes2, eps: float = 1e-7) -> np.ndarray:
    """Pairwise CIoU = ``DIoU - alpha v``, ``v = (4/pi^2)(atan(w2/h2) - atan(w1/h1))^2``,
    ``alpha = v / (1 - IoU + v)``.

    Example:
        >>> complete_box_iou([[0, 0, 1, 1]], [[0, 0, 1, 1]]).tolist()
        [[1.0]]
    """
    b1, b2 = _boxes(boxes1, "boxes1"), _boxes(boxes2, "boxes2")
    _check_xyxy(b1, "boxes1")
    _check_xyxy(b2, "boxes2")
    iou, penalty = _diou_parts(b1, b2, eps)
    w1, h1 = b1[:, 2] - b1[:, 0], b1[:, 3] - b1[:, 1]
    w2, h2 = b2[:, 2] - b2[:, 0], b2[:, 3] - b2[:, 1]
    v = (4 / np.pi**2) * (np.arctan(w1 / h1)[:, None] - np.arctan(w2 / h2)[None, :]) ** 2
    alpha = v / (1 - iou + v + eps)
    return iou - penalty - alpha * v


def nms(boxes, scores, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression; indices kept, by decreasing score.

    A box is dropped when its IoU with a higher-scoring kept box exceeds
    ``iou_threshold``. Equal scores keep input order.

    Example:
        >>> nms([[0, 0, 2, 2], [0, 0, 2, 2.1], [3, 3, 4, 4]], [0.9, 0.8, 0.7], 0.5).tolist()
        [0, 2]
    """
    b = _boxes(boxes)
    _check_xyxy(b, "boxes")
    s = _to_numpy(scores, "scores").astype(np.float64).ravel()
    if len(s) != len(b):
        raise ValueError(f"boxes has {len(b)} rows but scores has {len(s)} entries.")
    if np.isnan(s).any():
        raise ValueError("scores contains NaN.")
    order = np.argsort(-s, kind="stable")
    b = b[order]
    iou = box_iou(b, b)
    suppressed = np.zeros(len(b), dtype=bool)
    keep = []
    for i in range(len(b)):
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= iou[i] > iou_threshold
    return order[np.array(keep, dtype=np.int64)]


def batched_nms(boxes, scores, idxs, iou_threshold: float) -> np.ndarray:
    """Class-aware NMS: boxes of different ``idxs`` (classes) never suppress each other.

    Example:
        >>> batched_nms([[0, 0, 2, 2], [0, 0, 2, 2]], [0.9, 0.8], [0, 1], 0.5).tolist()
        [0, 1]
    """
    b = _boxes(boxes)
    idxs = _to_numpy(idxs, "idxs").ravel()
    if len(idxs) != len(b):
        raise ValueError(f"boxes has {len(b)} rows but idxs has {len(idxs)} entries.")
    if len(b) == 0:
        return np.zeros(0, dtype=np.int64)
    # offset each class far apart so that boxes of different classes never overlap
    offset = idxs.astype(np.float64) * (np.abs(b).max() * 2 + 1)
    return nms(b + offset[:, None], scores, iou_threshold)
