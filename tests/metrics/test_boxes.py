"""Box utilities against direct per-pair formulas (torchvision's definitions)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from deepglass.metrics import detection as det


def random_boxes(rng, n):
    xy = rng.uniform(0, 50, (n, 2))
    wh = rng.uniform(1, 30, (n, 2))
    return np.hstack([xy, xy + wh])


def pair_terms(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    area = lambda x: (x[2] - x[0]) * (x[3] - x[1])
    union = area(a) + area(b) - inter
    cw = max(a[2], b[2]) - min(a[0], b[0])
    ch = max(a[3], b[3]) - min(a[1], b[1])
    return inter / union, cw, ch


def test_pairwise_ious_match_formulas():
    rng = np.random.default_rng(0)
    b1, b2 = random_boxes(rng, 7), random_boxes(rng, 5)
    iou, giou = det.box_iou(b1, b2), det.generalized_box_iou(b1, b2)
    diou, ciou = det.distance_box_iou(b1, b2), det.complete_box_iou(b1, b2)
    eps = 1e-7
    for i, a in enumerate(b1):
        for j, b in enumerate(b2):
            u, cw, ch = pair_terms(a, b)
            assert iou[i, j] == pytest.approx(u, abs=1e-12)
            union = u and None
            area = lambda x: (x[2] - x[0]) * (x[3] - x[1])
            inter = u * (area(a) + area(b)) / (1 + u)
            un = area(a) + area(b) - inter
            assert giou[i, j] == pytest.approx(u - (cw * ch - un) / (cw * ch), abs=1e-12)
            d2 = ((a[0] + a[2]) / 2 - (b[0] + b[2]) / 2) ** 2 + ((a[1] + a[3]) / 2 - (b[1] + b[3]) / 2) ** 2
            dv = u - d2 / (cw**2 + ch**2 + eps)
            assert diou[i, j] == pytest.approx(dv, abs=1e-12)
            v = 4 / math.pi**2 * (math.atan((a[2] - a[0]) / (a[3] - a[1])) - math.atan((b[2] - b[0]) / (b[3] - b[1]))) ** 2
            assert ciou[i, j] == pytest.approx(dv - v / (1 - u + v + eps) * v, abs=1e-12)
            del union


def test_known_values_and_convert_roundtrip():
    assert det.box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2]])[0, 0] == pytest.approx(1 / 3)
    assert det.generalized_box_iou([[0, 0, 1, 1]], [[2, 0, 3, 1]])[0, 0] == pytest.approx(-1 / 3)
    assert det.box_iou([[0, 0, 1, 1]], [[5, 5, 6, 6]])[0, 0] == 0
    b = random_boxes(np.random.default_rng(1), 6)
    for fmt in ("xywh", "cxcywh"):
        np.testing.assert_allclose(det.box_convert(det.box_convert(b, "xyxy", fmt), fmt, "xyxy"), b, atol=1e-12)
    assert det.box_convert([[1, 2, 4, 6]], "xyxy", "cxcywh").tolist() == [[2.5, 4.0, 3.0, 4.0]]
    assert det.box_area([[0, 0, 2, 3]]).tolist() == [6.0]


def brute_nms(boxes, scores, thr):
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    keep = []
    for i in order:
        if all(pair_terms(boxes[i], boxes[k])[0] <= thr for k in keep):
            keep.append(i)
    return keep


@pytest.mark.parametrize("seed", range(5))
def test_nms_and_batched_nms_brute_force(seed):
    rng = np.random.default_rng(seed)
    b = random_boxes(rng, 40)
    s = rng.random(40)
    cls = rng.integers(0, 3, 40)
    for thr in (0.3, 0.5, 0.7):
        assert det.nms(b, s, thr).tolist() == brute_nms(b, s, thr)
        keep = []
        for c in range(3):
            idx = np.flatnonzero(cls == c)
            keep += [int(idx[k]) for k in brute_nms(b[idx], s[idx], thr)]
        keep.sort(key=lambda i: -s[i])
        assert det.batched_nms(b, s, cls, thr).tolist() == keep


def test_bad_boxes():
    with pytest.raises(ValueError, match="negative size"):
        det.box_iou([[0, 0, -1, 1]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="NaN"):
        det.box_iou([[0, 0, np.nan, 1]], [[0, 0, 1, 1]])
    with pytest.raises(ValueError, match="shape"):
        det.box_area([[0, 0, 1]])
    with pytest.raises(ValueError, match="box format"):
        det.box_convert([[0, 0, 1, 1]], "xyxy", "yolo")
    with pytest.raises(ValueError, match="scores"):
        det.nms([[0, 0, 1, 1]], [0.5, 0.4], 0.5)
