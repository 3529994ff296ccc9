"""A small anchor-free one-stage object detector (FCOS / YOLOX style), its label assignment, loss and
post-processing.

Architecture (:class:`TinyDetector`):

* **Backbone**: four stride-2 stages of 3×3 Conv-BatchNorm-SiLU blocks (each followed by one more
  3×3 block), giving feature maps C3, C4, C5 at strides 4, 8 and 16.
* **Neck**: a feature pyramid (Lin et al., 2017, "Feature Pyramid Networks for Object Detection"):
  1×1 lateral convolutions to a common width, top-down nearest upsampling and addition, one 3×3
  block per level: P3, P4, P5.
* **Head**: one decoupled head shared by the levels (Ge et al., 2021, "YOLOX: Exceeding YOLO Series
  in 2021"): a classification branch (3×3 block → ``num_classes`` logits) and a regression branch
  (3×3 block → 4 box distances and 1 objectness logit). Each location (cell centre ``(x, y)`` of a
  level with stride ``s``) predicts its distances to the box's left, top, right and bottom edges
  (Tian et al., 2019, "FCOS: Fully Convolutional One-Stage Object Detection") as
  ``softplus(raw) · s``, so the box is ``(x - l, y - t, x + r, y + b)``.

Score of a (location, class): ``sigmoid(objectness) · sigmoid(class logit)``.

**Label assignment** (:func:`assign_centre_sampling`): a location is a positive for ground-truth box
``g`` when it lies inside ``g`` *and* within ``radius · s`` of ``g``'s centre (FCOS's centre
sampling, with YOLOX's radius 2.5), on every level. A location claimed by several boxes takes the
smallest one (FCOS's rule for ambiguous locations). A box that gets no location on a level (too small
to contain a cell centre) gets that level's location nearest to its centre, so every object is
learned. Everything else is background.

**Loss** (:func:`detection_loss`), normalised by the number of positives ``P``:

* box: GIoU loss (or CIoU) of the positives' decoded boxes against their ground truth, weight 5;
* objectness: BCE-with-logits on every location; the target of a positive is the (detached) IoU of
  its predicted box with its ground truth, of every other location 0 — an IoU-aware objectness (as
  in VarifocalNet, Zhang et al., 2021) so the score ranks well-localised boxes first, which is what
  mAP@.5:.95 rewards;
* class: BCE-with-logits on the positives against their one-hot class.

**Post-processing** (:func:`postprocess`): keep (location, class) pairs scoring at least
``conf_threshold``, the ``pre_nms_top_k`` best, class-aware NMS (``deepglass.metrics.detection
.batched_nms``) at ``iou_threshold``, then the ``max_detections`` best.
"""
from __future__ import annotations

import numpy as np

from .. import backend, nn
from .._tensor import from_array
from ..nn import functional as F

__all__ = ["TinyDetector", "tiny_detector", "assign_centre_sampling", "detection_loss", "decode_boxes",
           "postprocess"]


def _block(cin: int, cout: int, stride: int = 1, k: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.SiLU())


class TinyDetector(nn.Module):
    """The small anchor-free detector described in this module's docstring.

    Args:
        num_classes: object classes (4 for Shapes).
        width: channels of the first stage (stages: w, 2w, 4w, 4w; pyramid and head: 2w).
        in_channels: image channels.

    ``forward(x)`` returns the raw predictions ``(B, N, 5 + num_classes)``: for each of the ``N``
    locations (level by level, row-major) 4 raw distances, the objectness logit and the class logits.
    ``locations(h, w)`` gives the matching ``(N, 2)`` cell centres and ``(N,)`` strides.

    Example:
        >>> m = tiny_detector(num_classes=4)
        >>> m(deepglass.randn(2, 3, 64, 64)).shape  # 16·16 + 8·8 + 4·4 locations
        (2, 336, 9)
    """

    strides = (4, 8, 16)

    def __init__(self, num_classes: int = 4, width: int = 16, in_channels: int = 3):
        super().__init__()
        w, f = width, 2 * width
        self.num_classes = num_classes
        self.stem = nn.Sequential(_block(in_channels, w, 2), _block(w, w))
        self.stage3 = nn.Sequential(_block(w, 2 * w, 2), _block(2 * w, 2 * w))
        self.stage4 = nn.Sequential(_block(2 * w, 4 * w, 2), _block(4 * w, 4 * w))
        self.stage5 = nn.Sequential(_block(4 * w, 4 * w, 2), _block(4 * w, 4 * w))
        self.lateral = nn.ModuleList([_block(c, f, k=1) for c in (2 * w, 4 * w, 4 * w)])
        self.smooth = nn.ModuleList([_block(f, f) for _ in range(3)])
        self.cls_branch = _block(f, f)
        self.reg_branch = _block(f, f)
        self.cls_out = nn.Conv2d(f, num_classes, 1)
        self.reg_out = nn.Conv2d(f, 4, 1)
        self.obj_out = nn.Conv2d(f, 1, 1)
        # prior 0.01 on objectness and classes (Lin et al., 2017, "Focal Loss", §4.1): a calm start
        prior = float(-np.log((1 - 0.01) / 0.01))
        nn.init.constant_(self.cls_out.bias, prior)
        nn.init.constant_(self.obj_out.bias, prior)
        self._cache = {}

    def pyramid(self, x):
        """The feature pyramid ``[P3, P4, P5]`` (strides 4, 8, 16)."""
        c3 = self.stage3(self.stem(x))
        c4 = self.stage4(c3)
        c5 = self.stage5(c4)
        p5 = self.lateral[2](c5)
        p4 = self.lateral[1](c4) + F.interpolate(p5, scale_factor=2, mode="nearest")
        p3 = self.lateral[0](c3) + F.interpolate(p4, scale_factor=2, mode="nearest")
        return [self.smooth[0](p3), self.smooth[1](p4), self.smooth[2](p5)]

    def forward(self, x):
        from .. import cat

        outs = []
        for p in self.pyramid(x):
            r = self.reg_branch(p)
            level = cat([self.reg_out(r), self.obj_out(r), self.cls_out(self.cls_branch(p))], 1)
            outs.append(level.reshape(level.shape[0], level.shape[1], -1).transpose(1, 2))
        return cat(outs, 1)

    def locations(self, height: int, width: int):
        """``(points, strides)``: the ``(N, 2)`` cell centres ``(x, y)`` in pixels and their strides."""
        key = (height, width)
        if key not in self._cache:
            pts, st = [], []
            for s in self.strides:
                h, w = -(-height // s), -(-width // s)
                ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
                pts.append(np.stack([(xs.ravel() + 0.5) * s, (ys.ravel() + 0.5) * s], axis=1))
                st.append(np.full(h * w, s, np.float32))
            self._cache[key] = (np.concatenate(pts).astype(np.float32), np.concatenate(st))
        return self._cache[key]


def tiny_detector(num_classes: int = 4, width: int = 16, in_channels: int = 3) -> TinyDetector:
    """:class:`TinyDetector` (the default model of ``deepglass train --task detect``)."""
    return TinyDetector(num_classes=num_classes, width=width, in_channels=in_channels)


def _const(a, like):
    """A NumPy array as a Tensor on ``like``'s device (the model may run on a GPU)."""
    t = from_array(np.ascontiguousarray(a))
    return t if like.device.type == "cpu" else t.to(like.device)


def decode_boxes(raw, points, strides):
    """``xyxy`` boxes ``(B, N, 4)`` from raw distances ``(B, N, 4)``: ``centre ∓ softplus(raw) · stride``."""
    d = F.softplus(raw) * _const(strides[:, None].astype(np.float32), raw)
    p = _const(np.concatenate([points, points], axis=1).astype(np.float32), raw)
    sign = _const(np.array([-1, -1, 1, 1], np.float32), raw)
    return p + d * sign


def assign_centre_sampling(points, strides, gt_boxes, radius: float = 2.5):
    """Centre-sampling assignment for one image (see the module docstring).

    Args:
        points: ``(N, 2)`` location centres ``(x, y)``.
        strides: ``(N,)`` their strides.
        gt_boxes: ``(G, 4)`` ``xyxy`` ground truth.
        radius: the sampling radius in strides (2.5).

    Returns:
        ``(N,)`` int64: the index of the assigned ground truth, -1 for background.

    Example:
        >>> pts = np.array([[2., 2.], [6., 2.], [30., 30.]]); st = np.array([4., 4., 4.])
        >>> assign_centre_sampling(pts, st, np.array([[0., 0., 8., 4.]])).tolist()
        [0, 0, -1]
    """
    n = len(points)
    gt = np.asarray(gt_boxes, np.float64).reshape(-1, 4)
    if len(gt) == 0:
        return np.full(n, -1, np.int64)
    x, y = points[:, 0:1].astype(np.float64), points[:, 1:2].astype(np.float64)
    inside = (x > gt[:, 0]) & (x < gt[:, 2]) & (y > gt[:, 1]) & (y < gt[:, 3])
    cx, cy = (gt[:, 0] + gt[:, 2]) / 2, (gt[:, 1] + gt[:, 3]) / 2
    r = radius * strides[:, None]
    near = (np.abs(x - cx) < r) & (np.abs(y - cy) < r)
    cand = inside & near
    # a box too small to hold a cell centre on some level gets that level's nearest location
    dist = (x - cx) ** 2 + (y - cy) ** 2
    for s in np.unique(strides):
        level = np.flatnonzero(strides == s)
        empty = ~cand[level].any(axis=0)
        if empty.any():
            g = np.flatnonzero(empty)
            cand[level[dist[level][:, g].argmin(axis=0)], g] = True
    area = (gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1])
    cost = np.where(cand, area[None, :], np.inf)
    best = cost.argmin(axis=1)
    return np.where(np.isfinite(cost[np.arange(n), best]), best, -1).astype(np.int64)


def detection_loss(pred, targets, points, strides, box_loss: str = "giou", box_weight: float = 5.0):
    """The detector's loss for a batch (see the module docstring).

    Args:
        pred: ``(B, N, 5 + C)`` raw predictions of :class:`TinyDetector`.
        targets: list of ``B`` dicts with ``"boxes"`` (``xyxy`` pixels) and ``"labels"``.
        points, strides: the locations (:meth:`TinyDetector.locations`).
        box_loss: ``"giou"`` or ``"ciou"``.
        box_weight: weight of the box term.

    Returns:
        ``(loss, parts)``: the scalar loss Tensor and a dict of floats ``box``, ``obj``, ``cls``,
        ``positives``.
    """
    B, N, K = pred.shape
    C = K - 5
    boxes = decode_boxes(pred[:, :, :4], points, strides)
    flat_boxes = boxes.reshape(B * N, 4)
    pos_idx, gt_pos, lab_pos = [], [], []
    for b, t in enumerate(targets):
        gtb = np.asarray(t["boxes"], np.float32).reshape(-1, 4)
        match = assign_centre_sampling(points, strides, gtb)
        idx = np.flatnonzero(match >= 0)
        pos_idx.append(b * N + idx)
        gt_pos.append(gtb[match[idx]])
        lab_pos.append(np.asarray(t["labels"], np.int64)[match[idx]])
    pos_idx = np.concatenate(pos_idx)
    gt_pos = np.concatenate(gt_pos).astype(np.float32)
    lab_pos = np.concatenate(lab_pos)
    P = max(len(pos_idx), 1)
    obj_target = np.zeros(B * N, np.float32)
    flat = pred.reshape(B * N, K)
    if len(pos_idx):
        sel = _const(pos_idx, pred)
        pb = flat_boxes[sel]
        gt_t = _const(gt_pos, pred)
        fn = F.complete_box_iou_loss if box_loss == "ciou" else F.generalized_box_iou_loss
        l_box = fn(pb, gt_t, reduction="sum") / P
        ious = _rowwise_iou(backend.to_numpy(pb._array).astype(np.float64), gt_pos.astype(np.float64))
        obj_target[pos_idx] = np.clip(ious, 0, 1)
        cls_t = np.zeros((len(pos_idx), C), np.float32)
        cls_t[np.arange(len(pos_idx)), lab_pos] = 1
        l_cls = F.binary_cross_entropy_with_logits(flat[sel][:, 5:], _const(cls_t, pred), reduction="sum") / P
    else:
        l_box = (flat[:, :4] * 0).sum()
        l_cls = (flat[:, 5:] * 0).sum()
    l_obj = F.binary_cross_entropy_with_logits(flat[:, 4], _const(obj_target, pred), reduction="sum") / P
    loss = box_weight * l_box + l_obj + l_cls
    return loss, {"box": float(l_box.item()), "obj": float(l_obj.item()), "cls": float(l_cls.item()),
                  "positives": int(len(pos_idx))}


def _rowwise_iou(a, b):
    iw = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    ih = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = iw * ih
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    return inter / np.maximum(union, 1e-12)


def postprocess(pred, points, strides, conf_threshold: float = 0.001, iou_threshold: float = 0.6,
                pre_nms_top_k: int = 1000, max_detections: int = 100):
    """Detections per image from raw predictions (see the module docstring).

    Returns:
        a list of ``B`` dicts with ``"boxes"`` (``K×4`` ``xyxy`` pixels), ``"scores"`` and ``"labels"``
        (NumPy), best first.
    """
    from ..metrics.detection import batched_nms

    raw = (backend.to_numpy(pred._array) if hasattr(pred, "_array") else np.asarray(pred)).astype(np.float64)
    d = np.logaddexp(0, raw[:, :, :4]) * strides[None, :, None]
    boxes = np.concatenate([points[None] - d[:, :, :2], points[None] + d[:, :, 2:]], axis=2)
    scores = 1 / (1 + np.exp(-raw[:, :, 4:5])) / (1 + np.exp(-raw[:, :, 5:]))
    out = []
    for b in range(raw.shape[0]):
        s = scores[b]
        loc, cls = np.nonzero(s >= conf_threshold)
        sc = s[loc, cls]
        order = np.argsort(-sc, kind="stable")[:pre_nms_top_k]
        loc, cls, sc = loc[order], cls[order], sc[order]
        bx = boxes[b, loc]
        keep = batched_nms(bx, sc, cls, iou_threshold)[:max_detections] if len(sc) else np.zeros(0, np.int64)
        out.append({"boxes": bx[keep], "scores": sc[keep], "labels": cls[keep].astype(np.int64)})
    return out
