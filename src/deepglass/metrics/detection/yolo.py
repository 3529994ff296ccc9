"""YOLO-format labels: ``labels/<image>.txt`` with one ``class cx cy w h [score]`` per line.

Coordinates are normalised to [0, 1] by the image width and height. Ground
truth has 5 columns; predictions have a 6th, the confidence.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["load_yolo_labels", "yolo_to_coco"]


def _parse_file(path: Path, with_scores: bool):
    rows = []
    want = 6 if with_scores else 5
    for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != want:
            raise ValueError(f"{path}:{ln}: expected {want} columns (class cx cy w h{' score' if with_scores else ''}), "
                             f"got {len(parts)}.")
        try:
            vals = [float(v) for v in parts]
        except ValueError:
            raise ValueError(f"{path}:{ln}: non-numeric value in {line!r}.") from None
        if not np.isfinite(vals).all():
            raise ValueError(f"{path}:{ln}: NaN or infinite value in {line!r}.")
        if vals[0] != int(vals[0]) or vals[0] < 0:
            raise ValueError(f"{path}:{ln}: class id must be a non-negative integer, got {parts[0]!r}.")
        if vals[3] < 0 or vals[4] < 0:
            raise ValueError(f"{path}:{ln}: negative box width or height in {line!r}.")
        rows.append(vals)
    return np.asarray(rows, dtype=np.float64).reshape(-1, want)


def load_yolo_labels(labels_dir, image_sizes=None, *, with_scores: bool = False, num_classes=None):
    """Read every ``*.txt`` of a YOLO labels folder.

    Args:
        labels_dir: the folder (``.../labels``).
        image_sizes: optional ``{stem: (width, height)}``; boxes are then in
            pixels, otherwise normalised.
        with_scores: files have a 6th confidence column (predictions).
        num_classes: if given, class ids must be below it.

    Returns:
        ``{stem: {"boxes": (N, 4) xyxy, "labels": (N,) int64[, "scores": (N,)]}}``,
        sorted by file name.

    Example:
        >>> load_yolo_labels("runs/val/labels", {"img1": (640, 480)})  # doctest: +SKIP
    """
    root = Path(labels_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"YOLO labels folder not found: {root}")
    out = {}
    for path in sorted(root.glob("*.txt")):
        a = _parse_file(path, with_scores)
        labels = a[:, 0].astype(np.int64)
        if num_classes is not None and len(labels) and labels.max() >= num_classes:
            raise ValueError(f"{path}: class id {labels.max()} is outside the declared classes 0..{num_classes - 1}.")
        cx, cy, w, h = a[:, 1], a[:, 2], a[:, 3], a[:, 4]
        boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
        if image_sizes is not None:
            if path.stem not in image_sizes:
                raise ValueError(f"no image size given for {path.stem!r}; pass image_sizes[{path.stem!r}] = (width, height).")
            W, H = image_sizes[path.stem]
            boxes = boxes * np.array([W, H, W, H], dtype=np.float64)
        item = {"boxes": boxes, "labels": labels}
        if with_scores:
            item["scores"] = a[:, 5]
        out[path.stem] = item
    return out


def yolo_to_coco(gt_dir, image_sizes, *, pred_dir=None, class_names=None):
    """Convert YOLO labels (and optionally predictions) to COCO ground truth and results.

    Args:
        gt_dir: folder of ground-truth ``*.txt``.
        image_sizes: ``{stem: (width, height)}`` for every image (images without a
            label file count as images without objects).
        pred_dir: optional folder of prediction ``*.txt`` (6 columns).
        class_names: optional list of names; class ``i`` becomes category id ``i``.

    Returns:
        ``(gt_dict, results_list)`` usable by :func:`coco_evaluate`.
    """
    gts = load_yolo_labels(gt_dir, image_sizes)
    stems = sorted(image_sizes)
    ids = {s: i + 1 for i, s in enumerate(stems)}
    unknown = set(gts) - set(ids)
    if unknown:
        raise ValueError(f"label files without an image size: {sorted(unknown)[:5]}")
    n_cls = max([int(v["labels"].max()) + 1 for v in gts.values() if len(v["labels"])] + [len(class_names or [])])
    names = list(class_names) if class_names else [str(i) for i in range(n_cls)]
    anns = []
    for s, item in gts.items():
        for b, c in zip(item["boxes"], item["labels"]):
            w, h = b[2] - b[0], b[3] - b[1]
            anns.append({"id": len(anns) + 1, "image_id": ids[s], "category_id": int(c),
                         "bbox": [float(b[0]), float(b[1]), float(w), float(h)], "area": float(w * h), "iscrowd": 0})
    gt = {"images": [{"id": ids[s], "file_name": s, "width": image_sizes[s][0], "height": image_sizes[s][1]} for s in stems],
          "annotations": anns, "categories": [{"id": i, "name": n} for i, n in enumerate(names)]}
    results = []
    if pred_dir is not None:
        for s, item in load_yolo_labels(pred_dir, image_sizes, with_scores=True).items():
            if s not in ids:
                raise ValueError(f"prediction file {s!r} has no image size.")
            for b, c, sc in zip(item["boxes"], item["labels"], item["scores"]):
                results.append({"image_id": ids[s], "category_id": int(c), "score": float(sc),
                                "bbox": [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])]})
    return gt, results
