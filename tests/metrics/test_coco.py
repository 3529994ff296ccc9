"""COCO evaluation equals pycocotools (12 stats and precision/recall arrays to 1e-6)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import make_coco, run_pycocotools

from deepglass.metrics.detection import coco_evaluate


def check_equal(gt, dets, **params):
    stats, precision, recall, text = run_pycocotools(gt, dets, **params)
    kw = {}
    if "iouThrs" in params:
        kw["iou_thresholds"] = params["iouThrs"]
    if "maxDets" in params:
        kw["max_dets"] = params["maxDets"]
    res = coco_evaluate(gt, dets, **kw)
    if 100 not in params.get("maxDets", [100]):
        # pycocotools' first stat asks for maxDets=100 and gives -1; we use the largest maxDet
        p = precision[..., 0, -1]
        assert stats[0] == -1 and res.stats[0] == pytest.approx(np.mean(p[p > -1]), abs=1e-12)
        stats, res_stats = stats[1:], res.stats[1:]
    else:
        res_stats = res.stats
    np.testing.assert_allclose(res_stats, stats, atol=1e-6, rtol=0)
    assert res.precision.shape == precision.shape
    np.testing.assert_allclose(res.precision, precision, atol=1e-6, rtol=0)
    np.testing.assert_allclose(res.recall, recall, atol=1e-6, rtol=0)
    return res, text


@pytest.mark.parametrize("seed", range(12))
def test_random_coco_equal_pycocotools(seed):
    gt, dets = make_coco(seed, n_images=25 + 5 * (seed % 4), n_cats=3 + seed % 5, dense=seed % 3 == 0,
                         score_decimals=1 + seed % 3)
    assert any(a["iscrowd"] for a in gt["annotations"])
    res, text = check_equal(gt, dets)
    assert res.summary(print_out=False) + "\n" == text
    assert (res.precision[:, :, -1] == -1).all()  # the class without ground truth


def test_summary_prints_the_12_lines(capsys):
    gt, dets = make_coco(3)
    coco_evaluate(gt, dets).summary()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 12
    assert lines[0].startswith(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = ")
    assert lines[6].startswith(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = ")


def test_custom_params_equal_pycocotools():
    gt, dets = make_coco(5, dense=True)
    check_equal(gt, dets, iouThrs=np.array([0.3, 0.5, 0.75]), maxDets=[1, 5, 20])


def one_image(gt_boxes, det_boxes, scores, crowd=None, cats=None):
    crowd = crowd or [0] * len(gt_boxes)
    gt = {"images": [{"id": 1}], "categories": [{"id": 1, "name": "thing"}],
          "annotations": [{"id": i + 1, "image_id": 1, "category_id": 1, "bbox": list(map(float, b)),
                           "area": float(b[2] * b[3]), "iscrowd": c} for i, (b, c) in enumerate(zip(gt_boxes, crowd))]}
    dets = [{"image_id": 1, "category_id": 1, "bbox": list(map(float, b)), "score": s}
            for b, s in zip(det_boxes, scores)]
    return gt, dets


def test_greedy_not_optimal_matching():
    # det1 (0.9) overlaps A 0.8 and B 0.6, det2 (0.8) only A: greedy gives det1->A, det2 FP;
    # a one-shot (Hungarian) matching would find two true positives.
    A, B = [0, 0, 10, 10], [3, 0, 10, 10]
    det1, det2 = [1, 0, 10, 10], [-1.5, 0, 10, 10]
    gt, dets = one_image([A, B], [det1, det2], [0.9, 0.8])
    res, _ = check_equal(gt, dets)
    # TP then FP over 2 gts: precision 1 up to recall 0.5 -> 51 of 101 points
    assert res.stats[1] == pytest.approx(51 / 101 / (1 + np.spacing(1)), abs=1e-12)


def test_iou_exactly_one_half():
    gt, dets = one_image([[0, 0, 10, 10]], [[0, 0, 10, 5]], [0.9])  # inter 50 / union 100
    res, _ = check_equal(gt, dets)
    assert res.stats[1] == pytest.approx(1.0, abs=1e-12)  # matched at 0.50
    assert res.stats[2] == 0.0  # not at 0.75
    assert res.stats[0] == pytest.approx(0.1, abs=1e-12)


def test_equal_iou_later_gt_wins():
    # det1 has IoU 0.6 with both gts; pycocotools gives it to the later one (gt2),
    # leaving gt1 for det2 -> 2 TP. Giving gt1 to det1 would make det2 a FP.
    gt1, gt2 = [0, 0, 10, 10], [5, 0, 10, 10]
    gt, dets = one_image([gt1, gt2], [[2.5, 0, 10, 10], [0, 0, 10, 10]], [0.9, 0.8])
    res, _ = check_equal(gt, dets)
    assert res.stats[1] == pytest.approx(1.0, abs=1e-12)


def test_seven_tp_seven_fp_one_tp():
    gts = [[20 * (i % 10), 20 * (i // 10), 10, 10] for i in range(100)]
    det_boxes = gts[:7] + [[500 + 20 * i, 500, 10, 10] for i in range(7)] + [gts[7]]
    scores = [1.0 - 0.01 * i for i in range(15)]
    gt, dets = one_image(gts, det_boxes, scores)
    res, _ = check_equal(gt, dets)
    assert res.stats[1] == pytest.approx(0.0844884, abs=1e-7)


def test_crowd_absorbs_many_detections():
    crowd_box = [0, 0, 100, 100]
    gts = [crowd_box, [200, 200, 30, 30]]
    dets_in = [[10 * i, 10, 20, 20] for i in range(5)]  # inside the crowd region
    gt, dets = one_image(gts, dets_in + [[200, 200, 30, 30]], [0.9, 0.85, 0.8, 0.75, 0.7, 0.6], crowd=[1, 0])
    res, _ = check_equal(gt, dets)
    assert res.stats[1] == pytest.approx(1.0, abs=1e-12)  # the 5 crowd detections are ignored, not FP


def test_boundary_area_counts_in_small_and_medium():
    gt, dets = one_image([[0, 0, 32, 32]], [[0, 0, 32, 32]], [0.9])
    res, _ = check_equal(gt, dets)
    assert res.stats[3] == pytest.approx(1.0, abs=1e-12) and res.stats[4] == pytest.approx(1.0, abs=1e-12)
    assert res.stats[5] == -1


def test_tied_scores_across_images_follow_image_id_order():
    gt = {"images": [{"id": 2}, {"id": 1}], "categories": [{"id": 1}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0},
                          {"id": 2, "image_id": 2, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}]}
    dets = [{"image_id": 2, "category_id": 1, "bbox": [50, 50, 10, 10], "score": 0.5},  # FP, image 2
            {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.5}]  # TP, image 1
    check_equal(gt, dets)


def test_json_paths_and_per_class(tmp_path):
    gt, dets = make_coco(7)
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "dt.json").write_text(json.dumps(dets))
    res = coco_evaluate(tmp_path / "gt.json", str(tmp_path / "dt.json"))
    stats, precision, _, _ = run_pycocotools(gt, dets)
    np.testing.assert_allclose(res.stats, stats, atol=1e-6)
    for k in range(len(res.cat_ids)):
        p = precision[:, :, k, 0, -1]
        expected = np.mean(p[p > -1]) if (p > -1).any() else -1
        assert res.ap_per_class[k] == pytest.approx(expected, abs=1e-9)
        p50 = precision[0, :, k, 0, -1]
        assert res.ap50_per_class[k] == pytest.approx(np.mean(p50[p50 > -1]) if (p50 > -1).any() else -1, abs=1e-9)
    assert "class1" in res.per_class_table()


# deliberate departures from pycocotools


def test_empty_results_give_zero_ap():
    gt, _ = make_coco(2)
    res = coco_evaluate(gt, [])
    assert res.stats[0] == 0.0 and res.stats[8] == 0.0
    assert (res.ap_per_class[:-1] == 0).all() and res.ap_per_class[-1] == -1


def test_largest_max_det_used_when_100_absent():
    gt, dets = make_coco(4)
    res = coco_evaluate(gt, dets, max_dets=(1, 10))
    stats, precision, _, _ = run_pycocotools(gt, dets, maxDets=[1, 10, 10])
    assert stats[0] == -1  # pycocotools: no maxDets=100
    p = precision[..., 0, -1]
    assert res.stats[0] == pytest.approx(np.mean(p[p > -1]), abs=1e-12)
    np.testing.assert_allclose(res.stats[1:], stats[1:], atol=1e-6)


@pytest.mark.parametrize("mutate, match", [
    (lambda gt, d: d[0].__setitem__("bbox", [float("nan"), 0, 1, 1]), "NaN or infinite bbox"),
    (lambda gt, d: d[0].__setitem__("score", float("nan")), "NaN or infinite score"),
    (lambda gt, d: d[0].__setitem__("bbox", [0, 0, -3, 4]), "negative width or height"),
    (lambda gt, d: gt["annotations"][0].__setitem__("bbox", [0, 0, 3, -4]), "negative width or height"),
    (lambda gt, d: gt["annotations"][0].__setitem__("bbox", [0, 0, 3]), "4 numbers"),
    (lambda gt, d: d[0].__setitem__("image_id", 10**9), "image ids not in the ground truth"),
    (lambda gt, d: d[0].pop("score"), "no 'score' field"),
    (lambda gt, d: gt.pop("categories"), "no 'categories'"),
    (lambda gt, d: gt["annotations"][1].__setitem__("id", gt["annotations"][0]["id"]), "not unique"),
])
def test_bad_inputs_raise_value_error(mutate, match):
    gt, dets = make_coco(1)
    mutate(gt, dets)
    with pytest.raises(ValueError, match=match):
        coco_evaluate(gt, dets)


def test_malformed_json(tmp_path):
    (tmp_path / "gt.json").write_text('{"images": [')
    with pytest.raises(ValueError, match="malformed JSON"):
        coco_evaluate(tmp_path / "gt.json", [])
    with pytest.raises(FileNotFoundError):
        coco_evaluate(tmp_path / "missing.json", [])
