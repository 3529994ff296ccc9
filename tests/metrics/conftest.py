"""Shared fixtures and generators for the metrics tests."""
from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest


def make_coco(seed: int, n_images: int = 30, n_cats: int = 5, mean_gt: float = 4.0,
              crowd_frac: float = 0.06, score_decimals: int = 2, n_empty_cats: int = 1,
              dense: bool = False):
    """Random COCO ground truth and results with the hard cases mixed in.

    Crowd boxes, areas exactly 32² and 96², scores rounded (ties across images),
    categories without ground truth, images without detections, detections of a
    category unknown to the ground truth.
    """
    rng = np.random.default_rng(seed)
    cats = [{"id": c + 1, "name": f"class{c + 1}"} for c in range(n_cats + n_empty_cats)]
    images = [{"id": int(i), "width": 640, "height": 480}
              for i in rng.permutation(np.arange(1, n_images + 1) * 3)]
    anns, dets = [], []
    aid = 1
    for img in images:
        n_gt = rng.poisson(mean_gt)
        for _ in range(n_gt):
            c = int(rng.integers(1, n_cats + 1))
            kind = rng.random()
            if kind < 0.1:
                w, h = 32.0, 32.0
            elif kind < 0.15:
                w, h = 96.0, 96.0
            elif kind < 0.2:
                w, h = 16.0, 64.0
            else:
                w, h = float(rng.uniform(4, 200)), float(rng.uniform(4, 200))
            x, y = float(rng.uniform(0, 400)), float(rng.uniform(0, 300))
            crowd = int(rng.random() < crowd_frac)
            area = w * h if rng.random() < 0.8 else w * h * float(rng.uniform(0.5, 1.0))
            anns.append({"id": aid, "image_id": img["id"], "category_id": c, "bbox": [x, y, w, h],
                         "area": area, "iscrowd": crowd})
            aid += 1
            if rng.random() < 0.1:
                continue
            for _ in range(int(rng.integers(1, 3))):
                j = rng.normal(0, 0.1, 4) * [w, h, w, h]
                cc = c if rng.random() < 0.9 else int(rng.integers(1, n_cats + 2))
                dets.append({"image_id": img["id"], "category_id": cc,
                             "bbox": [x + j[0], y + j[1], max(w + j[2], 1.0), max(h + j[3], 1.0)],
                             "score": round(float(rng.random()), score_decimals)})
        if rng.random() < 0.15:
            continue
        for _ in range(rng.poisson(2)):
            w, h = float(rng.uniform(4, 150)), float(rng.uniform(4, 150))
            dets.append({"image_id": img["id"], "category_id": int(rng.integers(1, n_cats + 2)),
                         "bbox": [float(rng.uniform(0, 400)), float(rng.uniform(0, 300)), w, h],
                         "score": round(float(rng.random()), score_decimals)})
    if dense:
        # one crowded image: 30 gts and 130 overlapping detections of class 1
        img = images[-1]["id"]
        centres = rng.uniform(50, 300, (30, 2))
        for cx, cy in centres:
            w, h = rng.uniform(20, 80, 2)
            anns.append({"id": aid, "image_id": img, "category_id": 1, "bbox": [cx, cy, w, h],
                         "area": w * h, "iscrowd": int(rng.random() < 0.1)})
            aid += 1
        for _ in range(130):
            cx, cy = centres[rng.integers(0, 30)] + rng.normal(0, 6, 2)
            w, h = rng.uniform(20, 80, 2)
            dets.append({"image_id": img, "category_id": 1, "bbox": [cx, cy, w, h],
                         "score": round(float(rng.random()), score_decimals)})
    # drop every detection of some images, so images without detections exist
    no_det = {im["id"] for im in images[: max(1, n_images // 10)]}
    dets = [d for d in dets if d["image_id"] not in no_det]
    gt = {"images": images, "annotations": anns, "categories": cats}
    return gt, dets


def run_pycocotools(gt: dict, dets: list, tmp_path=None, **params):
    """pycocotools' COCOeval on copies of the inputs; returns (stats, precision, recall, text)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gt = json.loads(json.dumps(gt))
    dets = json.loads(json.dumps(dets))
    with contextlib.redirect_stdout(io.StringIO()) as out:
        coco = COCO()
        coco.dataset = gt
        coco.createIndex()
        res = coco.loadRes(dets)
        ev = COCOeval(coco, res, "bbox")
        for k, v in params.items():
            setattr(ev.params, k, v)
        ev.evaluate()
        ev.accumulate()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        ev.summarize()
    return np.array(ev.stats), ev.eval["precision"], ev.eval["recall"], out.getvalue()


@pytest.fixture
def coco_pair():
    return make_coco(0)
