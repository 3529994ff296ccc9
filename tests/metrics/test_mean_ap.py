"""mean_average_precision (per-image arrays) equals pycocotools; detection confusion matrix; YOLO."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import make_coco, run_pycocotools

from deepglass.metrics import detection as det


def coco_to_arrays(gt, dets, fmt="xyxy"):
    """Per-image dicts (in image-id order) from COCO data; boxes converted to ``fmt``."""
    ids = sorted(im["id"] for im in gt["images"])
    preds = {i: {"boxes": [], "scores": [], "labels": []} for i in ids}
    targets = {i: {"boxes": [], "labels": [], "iscrowd": [], "area": []} for i in ids}
    for a in gt["annotations"]:
        t = targets[a["image_id"]]
        t["boxes"].append(a["bbox"])
        t["labels"].append(a["category_id"])
        t["iscrowd"].append(a["iscrowd"])
        t["area"].append(a["area"])
    for d in dets:
        p = preds[d["image_id"]]
        p["boxes"].append(d["bbox"])
        p["scores"].append(d["score"])
        p["labels"].append(d["category_id"])
    out = []
    for coll in (preds, targets):
        lst = []
        for i in ids:
            item = {k: np.asarray(v, dtype=float) for k, v in coll[i].items()}
            item["boxes"] = det.box_convert(item["boxes"].reshape(-1, 4), "xywh", fmt)
            item["labels"] = item["labels"].astype(int)
            lst.append(item)
        out.append(lst)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_mean_average_precision_equals_pycocotools(seed):
    gt, dets = make_coco(seed + 20, n_empty_cats=0)
    # keep only detections of known classes (torchmetrics-like inputs have no category list)
    dets = [d for d in dets if d["category_id"] <= 5]
    stats, precision, _, _ = run_pycocotools(gt, dets)
    for fmt in ("xywh", "xyxy", "cxcywh"):
        preds, targets = coco_to_arrays(gt, dets, fmt)
        r = det.mean_average_precision(preds, targets, box_format=fmt)
        got = [r[k] for k in ("map", "map_50", "map_75", "map_small", "map_medium", "map_large",
                              "mar_1", "mar_10", "mar_100", "mar_small", "mar_medium", "mar_large")]
        np.testing.assert_allclose(got, stats, atol=1e-6)
    np.testing.assert_allclose(r["result"].precision, precision, atol=1e-6)


def test_mean_average_precision_micro_and_thresholds():
    gt, dets = make_coco(9, n_empty_cats=0)
    dets = [d for d in dets if d["category_id"] <= 5]
    one = {"images": gt["images"], "categories": [{"id": 1}],
           "annotations": [dict(a, category_id=1) for a in gt["annotations"]]}
    stats, _, _, _ = run_pycocotools(one, [dict(d, category_id=1) for d in dets])
    preds, targets = coco_to_arrays(gt, dets)
    r = det.mean_average_precision(preds, targets, average="micro")
    assert r["map"] == pytest.approx(stats[0], abs=1e-6) and r["mar_100"] == pytest.approx(stats[8], abs=1e-6)
    r = det.mean_average_precision(preds, targets, iou_thresholds=[0.5])
    full = det.mean_average_precision(preds, targets)
    assert r["map"] == pytest.approx(full["map_50"], abs=1e-12) and r["map_75"] == -1


def test_mean_average_precision_bad_inputs():
    ok_p = {"boxes": [[0, 0, 1, 1]], "scores": [0.5], "labels": [0]}
    ok_t = {"boxes": [[0, 0, 1, 1]], "labels": [0]}
    with pytest.raises(ValueError, match="images"):
        det.mean_average_precision([ok_p], [ok_t, ok_t])
    with pytest.raises(ValueError, match="scores"):
        det.mean_average_precision([dict(ok_p, scores=[0.5, 0.1])], [ok_t])
    with pytest.raises(ValueError, match="NaN"):
        det.mean_average_precision([dict(ok_p, scores=[np.nan])], [ok_t])
    with pytest.raises(ValueError, match="negative width"):
        det.mean_average_precision([dict(ok_p, boxes=[[2, 2, 1, 1]])], [ok_t])
    with pytest.raises(ValueError, match="NaN"):
        det.mean_average_precision([ok_p], [dict(ok_t, boxes=[[0, 0, np.nan, 1]])])


def test_detection_confusion_matrix_hand_case():
    # classes 0, 1; background index 2; rows = true, columns = predicted
    targets = [{"boxes": [[0, 0, 10, 10], [20, 20, 30, 30], [50, 50, 60, 60]], "labels": [0, 1, 1]},
               {"boxes": np.zeros((0, 4)), "labels": []}]
    preds = [{"boxes": [[0, 0, 10, 10], [20, 20, 30, 29], [80, 80, 90, 90], [0, 0, 10, 9]],
              "scores": [0.9, 0.8, 0.7, 0.1], "labels": [0, 0, 1, 1]},
             {"boxes": [[0, 0, 5, 5]], "scores": [0.6], "labels": [0]}]
    m = det.detection_confusion_matrix(preds, targets, 2, conf=0.25, iou=0.45)
    expected = np.array([[1, 0, 0],   # true 0: matched as 0
                         [1, 0, 1],   # true 1: one predicted as 0 (confusion), one missed
                         [1, 1, 0]])  # background: FP of class 0 in the image without gt, FP of class 1
    np.testing.assert_array_equal(m, expected)
    assert m.sum(axis=1)[:2].tolist() == [1, 2]  # every gt counted once


def test_detection_confusion_matrix_one_to_one_by_iou():
    t = [{"boxes": [[0, 0, 10, 10]], "labels": [0]}]
    p = [{"boxes": [[0, 0, 10, 9], [0, 0, 10, 10]], "scores": [0.9, 0.8], "labels": [0, 0]}]
    m = det.detection_confusion_matrix(p, t, 1, iou=0.5)
    assert m.tolist() == [[1, 0], [1, 0]]  # the higher-IoU detection matches, the other is a FP
    with pytest.raises(ValueError, match="outside the declared classes"):
        det.detection_confusion_matrix(p, [{"boxes": [[0, 0, 1, 1]], "labels": [3]}], 1)


def test_yolo_loader_and_conversion(tmp_path):
    gt_dir, pr_dir = tmp_path / "labels", tmp_path / "pred"
    gt_dir.mkdir()
    pr_dir.mkdir()
    (gt_dir / "a.txt").write_text("0 0.5 0.5 0.25 0.5\n1 0.1 0.1 0.1 0.1\n")
    (gt_dir / "b.txt").write_text("\n")
    (pr_dir / "a.txt").write_text("0 0.5 0.5 0.25 0.5 0.9\n")
    sizes = {"a": (640, 480), "b": (100, 100), "c": (10, 10)}
    lab = det.load_yolo_labels(gt_dir, sizes)
    np.testing.assert_allclose(lab["a"]["boxes"][0], [240, 120, 400, 360])
    assert lab["a"]["labels"].tolist() == [0, 1] and len(lab["b"]["labels"]) == 0
    gt, res = det.yolo_to_coco(gt_dir, sizes, pred_dir=pr_dir, class_names=["cat", "dog"])
    assert len(gt["images"]) == 3 and len(gt["annotations"]) == 2 and len(res) == 1
    assert gt["annotations"][0]["bbox"] == pytest.approx([240, 120, 160, 240])
    r = det.coco_evaluate(gt, res)
    assert r.ap50_per_class[0] == pytest.approx(1.0, abs=1e-9) and r.ap50_per_class[1] == 0
    (gt_dir / "bad.txt").write_text("0 0.5 0.5 0.25\n")
    with pytest.raises(ValueError, match="bad.txt:1: expected 5 columns"):
        det.load_yolo_labels(gt_dir)
    (gt_dir / "bad.txt").write_text("0 0.5 0.5 -0.25 0.1\n")
    with pytest.raises(ValueError, match="negative box width"):
        det.load_yolo_labels(gt_dir)
    (gt_dir / "bad.txt").write_text("7 0.5 0.5 0.25 0.1\n")
    with pytest.raises(ValueError, match="outside the declared classes"):
        det.load_yolo_labels(gt_dir, num_classes=2)
