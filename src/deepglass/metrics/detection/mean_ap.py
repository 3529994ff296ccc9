"""mAP on in-memory per-image arrays, and the detection confusion matrix.

``mean_average_precision`` takes torchmetrics-like inputs (one dict per image)
and applies exactly the COCO rules of :func:`coco_evaluate` (it shares its
engine), with float64 IoU thresholds.
"""
from __future__ import annotations

import numpy as np

from .._utils import _to_numpy
from .boxes import box_convert, box_iou
from .coco import AREA_LABELS, AREA_RANGES, COCOEvalResult, _evaluate_arrays
from .cocoio import CocoDetections, CocoGroundTruth

__all__ = ["mean_average_precision", "detection_confusion_matrix", "DetectionConfusionMatrix"]


def _image_arrays(item, i, what, need_scores, box_format):
    if not isinstance(item, dict):
        raise ValueError(f"{what}[{i}] must be a dict with 'boxes' and 'labels'.")
    try:
        boxes = _to_numpy(item["boxes"], "boxes").astype(np.float64)
        labels = _to_numpy(item["labels"], "labels")
    except KeyError as exc:
        raise ValueError(f"{what}[{i}] has no {exc.args[0]!r} entry.") from None
    boxes = boxes.reshape(-1, 4) if boxes.size == 0 else boxes
    labels = labels.ravel()
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"{what}[{i}]['boxes'] must have shape (N, 4), got {boxes.shape}.")
    if not np.isfinite(boxes).all():
        raise ValueError(f"{what}[{i}]['boxes'] contains NaN or infinite coordinates.")
    if len(labels) != len(boxes):
        raise ValueError(f"{what}[{i}] has {len(boxes)} boxes but {len(labels)} labels.")
    if labels.dtype.kind == "f" and np.any(labels != np.round(labels)):
        raise ValueError(f"{what}[{i}]['labels'] must be integer class ids.")
    xywh = box_convert(boxes, box_format, "xywh")
    if np.any(xywh[:, 2:] < 0):
        raise ValueError(f"{what}[{i}] has boxes with negative width or height; is box_format={box_format!r} right?")
    scores = None
    if need_scores:
        if "scores" not in item:
            raise ValueError(f"{what}[{i}] has no 'scores' entry.")
        scores = _to_numpy(item["scores"], "scores").astype(np.float64).ravel()
        if len(scores) != len(boxes):
            raise ValueError(f"{what}[{i}] has {len(boxes)} boxes but {len(scores)} scores.")
        if not np.isfinite(scores).all():
            raise ValueError(f"{what}[{i}]['scores'] contains NaN or infinite values.")
    return xywh, labels.astype(np.int64), scores


def mean_average_precision(preds, targets, *, iou_thresholds=None, box_format="xyxy",
                           average="macro", max_dets=(1, 10, 100)):
    """COCO mAP/mAR of per-image predictions against per-image targets.

    Args:
        preds: one dict per image: ``boxes (N, 4)``, ``scores (N,)``, ``labels (N,)``.
        targets: one dict per image: ``boxes (M, 4)``, ``labels (M,)``, optional
            ``iscrowd (M,)`` and ``area (M,)`` (default: box area).
        iou_thresholds: default ``np.linspace(.5, .95, 10)`` (float64).
        box_format: ``"xyxy"``, ``"xywh"`` or ``"cxcywh"``.
        average: ``"macro"`` (mean over classes, COCO) or ``"micro"`` (all
            classes pooled as one).
        max_dets: detections per image considered.

    Returns:
        dict with ``map``, ``map_50``, ``map_75``, ``map_small``, ``map_medium``,
        ``map_large``, ``mar_1``, ``mar_10``, ``mar_100`` (named after ``max_dets``),
        ``mar_small``, ``mar_medium``, ``mar_large`` (floats, -1 when undefined),
        ``map_per_class``, ``mar_per_class`` and ``classes`` (arrays), and
        ``result`` (the :class:`COCOEvalResult`).

    Example:
        >>> r = mean_average_precision([{"boxes": [[0, 0, 10, 10]], "scores": [.9], "labels": [1]}],
        ...                            [{"boxes": [[0, 0, 10, 10]], "labels": [1]}])
        >>> round(r["map"], 6), round(r["map_50"], 6)
        (1.0, 1.0)
    """
    if average not in ("macro", "micro"):
        raise ValueError(f"average must be 'macro' or 'micro', got {average!r}.")
    preds, targets = list(preds), list(targets)
    if len(preds) != len(targets):
        raise ValueError(f"preds has {len(preds)} images but targets has {len(targets)}.")
    gt_parts, dt_parts = [], []
    for i, (p, t) in enumerate(zip(preds, targets)):
        gb, gl, _ = _image_arrays(t, i, "targets", False, box_format)
        crowd = _to_numpy(t.get("iscrowd", np.zeros(len(gl))), "iscrowd").ravel().astype(bool)
        area = _to_numpy(t["area"], "area").astype(np.float64).ravel() if "area" in t else gb[:, 2] * gb[:, 3]
        if len(crowd) != len(gl) or len(area) != len(gl):
            raise ValueError(f"targets[{i}]: 'iscrowd'/'area' must have one entry per box.")
        db, dl, ds = _image_arrays(p, i, "preds", True, box_format)
        gt_parts.append((np.full(len(gl), i), gl, gb, area, crowd))
        dt_parts.append((np.full(len(dl), i), dl, db, ds))
    cat = lambda parts, j, shape=None: (np.concatenate([q[j] for q in parts]) if parts else np.zeros(shape or 0))
    g_img, g_lab = cat(gt_parts, 0).astype(np.int64), cat(gt_parts, 1).astype(np.int64)
    d_img, d_lab = cat(dt_parts, 0).astype(np.int64), cat(dt_parts, 1).astype(np.int64)
    if average == "micro":
        g_lab, d_lab = np.zeros_like(g_lab), np.zeros_like(d_lab)
    classes = np.union1d(g_lab, d_lab)
    g = CocoGroundTruth(
        img_ids=np.arange(len(targets)), cat_ids=classes, cat_names={int(c): str(c) for c in classes},
        image_id=g_img, category_id=g_lab, bbox=cat(gt_parts, 2, (0, 4)).reshape(-1, 4),
        area=cat(gt_parts, 3).astype(np.float64), iscrowd=cat(gt_parts, 4).astype(bool),
        ann_id=np.arange(1, len(g_img) + 1))
    d = CocoDetections(image_id=d_img, category_id=d_lab, bbox=cat(dt_parts, 2, (0, 4)).reshape(-1, 4),
                       score=cat(dt_parts, 3).astype(np.float64))
    thrs = np.linspace(0.5, 0.95, 10) if iou_thresholds is None else np.asarray(iou_thresholds, np.float64).ravel()
    max_dets = sorted(int(m) for m in max_dets)
    rec = np.linspace(0.0, 1.0, 101)
    area_rng = np.asarray(AREA_RANGES)
    precision, recall, scores = _evaluate_arrays(g, d, thrs, rec, max_dets, area_rng)
    res = COCOEvalResult(precision, recall, scores, dict(
        iou_thresholds=thrs, rec_thresholds=rec, max_dets=max_dets, area_ranges=area_rng,
        area_labels=AREA_LABELS, img_ids=g.img_ids, cat_ids=classes, cat_names=g.cat_names))
    s = res.stats
    md = max_dets + [max_dets[-1]] * (3 - len(max_dets))
    out = {"map": s[0], "map_50": s[1], "map_75": s[2], "map_small": s[3], "map_medium": s[4],
           "map_large": s[5], f"mar_{md[0]}": s[6], f"mar_{md[1]}": s[7], f"mar_{md[2]}": s[8],
           "mar_small": s[9], "mar_medium": s[10], "mar_large": s[11]}
    out = {k: float(v) for k, v in out.items()}
    rc = recall[:, :, 0, -1]
    out["map_per_class"] = res.ap_per_class
    out["mar_per_class"] = np.array([float(np.mean(rc[:, k][rc[:, k] > -1])) if (rc[:, k] > -1).any() else -1.0
                                     for k in range(len(classes))])
    out["classes"] = classes
    out["result"] = res
    return out


class DetectionConfusionMatrix:
    """Confusion matrix of a detector with a background class (YOLO-style).

    Detections with ``score >= conf`` are matched one-to-one to ground truth of
    any class, greedily by decreasing IoU among pairs with ``IoU >= iou``. A
    matched pair counts at ``[true class, predicted class]`` (a wrong class is a
    confusion); an unmatched ground truth at ``[true class, background]`` (a
    miss); an unmatched detection at ``[background, predicted class]`` (a false
    alarm) — in every image, including images without ground truth.

    Orientation: rows = true, columns = predicted, background last
    (``num_classes``), like scikit-learn. YOLO draws the transpose; use
    ``plot_confusion_matrix(..., true_on_x=True)`` for that picture.

    Args:
        num_classes: labels must be in ``[0, num_classes)``.
        conf: minimum detection score.
        iou: minimum IoU for a match.
        box_format: of the boxes passed to ``update``.
    """

    def __init__(self, num_classes: int, conf: float = 0.25, iou: float = 0.45, box_format: str = "xyxy"):
        self.num_classes = int(num_classes)
        self.conf, self.iou, self.box_format = float(conf), float(iou), box_format
        self.reset()

    def reset(self):
        n = self.num_classes + 1
        self.matrix = np.zeros((n, n), dtype=np.int64)

    def _check(self, labels, what):
        if len(labels) and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(f"{what} holds a label outside the declared classes 0..{self.num_classes - 1}.")

    def update(self, pred: dict, target: dict):
        """Add one image: ``pred`` with boxes/scores/labels, ``target`` with boxes/labels."""
        db, dl, ds = _image_arrays(pred, 0, "pred", True, self.box_format)
        gb, gl, _ = _image_arrays(target, 0, "target", False, self.box_format)
        self._check(dl, "pred labels")
        self._check(gl, "target labels")
        keep = ds >= self.conf
        db, dl = db[keep], dl[keep]
        bg = self.num_classes
        used_d = np.zeros(len(db), bool)
        used_g = np.zeros(len(gb), bool)
        if len(db) and len(gb):
            ious = box_iou(box_convert(gb, "xywh", "xyxy"), box_convert(db, "xywh", "xyxy"))
            gi, di = np.nonzero(ious >= self.iou)
            order = np.argsort(-ious[gi, di], kind="stable")
            for g, d in zip(gi[order], di[order]):
                if not used_g[g] and not used_d[d]:
                    used_g[g] = used_d[d] = True
                    self.matrix[gl[g], dl[d]] += 1
        np.add.at(self.matrix, (gl[~used_g], bg), 1)
        np.add.at(self.matrix, (bg, dl[~used_d]), 1)

    def compute(self):
        return self.matrix.copy()

    def merge(self, other):
        if other.num_classes != self.num_classes:
            raise ValueError("cannot merge matrices with different num_classes.")
        self.matrix += other.matrix
        return self


def detection_confusion_matrix(preds, targets, num_classes: int, *, conf: float = 0.25,
                               iou: float = 0.45, box_format: str = "xyxy") -> np.ndarray:
    """Detection confusion matrix over a dataset; see :class:`DetectionConfusionMatrix`.

    Returns:
        ``(num_classes + 1, num_classes + 1)`` int64 array, rows = true, columns =
        predicted, index ``num_classes`` = background.

    Example:
        >>> detection_confusion_matrix([{"boxes": [[0, 0, 9, 9]], "scores": [.9], "labels": [1]}],
        ...                            [{"boxes": [[0, 0, 10, 10]], "labels": [0]}], 2).tolist()
        [[0, 1, 0], [0, 0, 0], [0, 0, 0]]
    """
    preds, targets = list(preds), list(targets)
    if len(preds) != len(targets):
        raise ValueError(f"preds has {len(preds)} images but targets has {len(targets)}.")
    m = DetectionConfusionMatrix(num_classes, conf=conf, iou=iou, box_format=box_format)
    for p, t in zip(preds, targets):
        m.update(p, t)
    return m.compute()
