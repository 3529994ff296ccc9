"""Detection data: Shapes, COCO/YOLO datasets with their errors, collate, box-aware transforms."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from deepglass.data import DataLoader
from deepglass.data import detection as D


def test_shapes_is_deterministic_and_boxes_are_valid():
    a, b, c = D.Shapes(6, 64, seed=3), D.Shapes(6, 64, seed=3), D.Shapes(6, 64, seed=4)
    for i in range(6):
        (ia, ta), (ib, tb) = a[i], b[i]
        np.testing.assert_array_equal(ia, ib)
        np.testing.assert_array_equal(ta["boxes"], tb["boxes"])
        bx = ta["boxes"]
        assert ia.shape == (64, 64, 3) and ia.dtype == np.uint8
        assert len(bx) >= 1 and np.all(bx[:, 2] > bx[:, 0]) and np.all(bx[:, 3] > bx[:, 1])
        assert bx.min() >= 0 and bx.max() <= 64
        assert set(ta["labels"].tolist()) <= {0, 1, 2, 3}
    assert any(not np.array_equal(a[i][0], c[i][0]) for i in range(6))


def test_single_shape_box_is_tight_around_the_changed_pixels():
    ds = D.Shapes(5, 64, seed=1, max_objects=1)
    for i in range(5):
        img, t = ds[i]
        x1, y1, x2, y2 = t["boxes"][0].astype(int)
        colour = img[(y1 + y2) // 2, (x1 + x2) // 2]  # the centre of a shape is inside it (all four are convex
        # or star-shaped about their centre)
        mask = np.all(img == colour, axis=2)
        ys, xs = np.nonzero(mask)
        assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (x1, y1, x2, y2)


def test_export_to_coco_reads_back_with_coco_detection_and_pycocotools(tmp_path):
    ds = D.Shapes(4, 64, seed=0)
    path = ds.to_coco(tmp_path)
    from pycocotools.coco import COCO

    coco = COCO(path)
    assert len(coco.getImgIds()) == 4 and len(coco.getCatIds()) == 4
    back = D.CocoDetection(tmp_path, path)
    assert back.classes == D.SHAPE_CLASSES
    for i in range(4):
        (img, t), (img2, t2) = ds[i], back[i]
        np.testing.assert_array_equal(img, img2)
        np.testing.assert_allclose(t2["boxes"], t["boxes"])
        np.testing.assert_array_equal(t2["labels"], t["labels"])


def _coco(tmp_path, ann, make_image=True):
    if make_image:
        Image.new("RGB", (20, 10)).save(tmp_path / "a.png")
    data = {"images": [{"id": 7, "file_name": "a.png", "width": 20, "height": 10}],
            "categories": [{"id": 3, "name": "cat"}], "annotations": [ann]}
    path = tmp_path / "ann.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("ann, err, match", [
    ({"id": 5, "image_id": 7, "category_id": 3, "bbox": [1, 1, -2, 3]}, ValueError, "negative or zero"),
    ({"id": 5, "image_id": 7, "category_id": 3, "bbox": [15, 1, 8, 3]}, ValueError, "outside"),
    ({"id": 5, "image_id": 7, "category_id": 9, "bbox": [1, 1, 2, 3]}, ValueError, "category_id 9"),
    ({"id": 5, "image_id": 8, "category_id": 3, "bbox": [1, 1, 2, 3]}, ValueError, "image_id 8"),
])
def test_bad_coco_annotations_name_file_and_entry(tmp_path, ann, err, match):
    path = _coco(tmp_path, ann)
    with pytest.raises(err, match=match) as e:
        D.CocoDetection(tmp_path, path)
    assert str(path) in str(e.value) and "annotations[0] (id 5)" in str(e.value)


def test_missing_coco_image_names_file_and_entry(tmp_path):
    path = _coco(tmp_path, {"id": 1, "image_id": 7, "category_id": 3, "bbox": [1, 1, 2, 3]}, make_image=False)
    with pytest.raises(FileNotFoundError, match=r"images\[0\] \(id 7\) names 'a.png'") as e:
        D.CocoDetection(tmp_path, path)
    assert str(path) in str(e.value)


def _yolo(tmp_path, line, image=True):
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    if image:
        Image.new("RGB", (40, 20), (10, 20, 30)).save(tmp_path / "images" / "x.png")
    (tmp_path / "labels" / "x.txt").write_text(line + "\n")
    (tmp_path / "classes.txt").write_text("a\nb\n")


def test_yolo_dataset_reads_pixel_boxes(tmp_path):
    _yolo(tmp_path, "1 0.5 0.5 0.5 0.5")
    ds = D.YoloDetection(tmp_path)
    img, t = ds[0]
    assert img.shape == (20, 40, 3) and ds.classes == ["a", "b"]
    np.testing.assert_allclose(t["boxes"], [[10, 5, 30, 15]])
    assert t["labels"].tolist() == [1]


@pytest.mark.parametrize("line, match", [("2 0.5 0.5 0.2 0.2", "class id 2 is unknown"),
                                         ("0 0.5 0.5 -0.2 0.2", "negative"),
                                         ("0 0.95 0.5 0.2 0.2", "outside the image")])
def test_bad_yolo_labels_name_file_and_row(tmp_path, line, match):
    _yolo(tmp_path, line)
    with pytest.raises(ValueError, match=match) as e:
        D.YoloDetection(tmp_path)
    assert "x.txt" in str(e.value)


def test_yolo_label_without_image_is_an_error(tmp_path):
    _yolo(tmp_path, "0 0.5 0.5 0.2 0.2", image=False)
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / "other.png")
    with pytest.raises(FileNotFoundError, match="x.txt: label file without an image"):
        D.YoloDetection(tmp_path)


def test_collate_keeps_variable_box_counts():
    ds = D.Shapes(6, 32, seed=0, transform=D.ToArray())
    x, targets = next(iter(DataLoader(ds, batch_size=6, collate_fn=D.detection_collate)))
    assert x.shape == (6, 3, 32, 32)
    assert [len(t["boxes"]) for t in targets] == [len(ds[i][1]["boxes"]) for i in range(6)]
    assert len({len(t["boxes"]) for t in targets}) > 1


def _tgt(boxes, labels):
    return {"boxes": np.asarray(boxes, np.float32), "labels": np.asarray(labels, np.int64), "image_id": 0}


def test_hflip_moves_boxes_with_pixels():
    img = np.zeros((10, 20, 3), np.uint8)
    img[2:5, 3:7] = 255
    out, t = D.RandomHorizontalFlip(1.0)(img, _tgt([[3, 2, 7, 5]], [0]))
    ys, xs = np.nonzero(out[..., 0])
    np.testing.assert_allclose(t["boxes"], [[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]])
    np.testing.assert_allclose(t["boxes"], [[13, 2, 17, 5]])


def test_letterbox_scales_and_pads_boxes():
    img = np.zeros((20, 40, 3), np.uint8)
    img[4:8, 10:20] = 200
    out, t = D.Letterbox(80, fill=0)(img, _tgt([[10, 4, 20, 8]], [1]))
    assert out.shape == (80, 80, 3) and t["letterbox"] == (2.0, 0, 20)
    np.testing.assert_allclose(t["boxes"], [[20, 28, 40, 36]])
    ys, xs = np.nonzero(out[..., 0] > 100)
    assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (20, 28, 40, 36)


def test_random_crop_shifts_clips_and_drops_boxes():
    img = np.arange(30 * 30 * 3, dtype=np.uint32).reshape(30, 30, 3).astype(np.uint8)
    rng = np.random.default_rng(0)
    crop = D.RandomCrop(20, min_visibility=0.5, rng=rng)
    for _ in range(20):
        t0 = _tgt([[0, 0, 10, 10], [12, 12, 18, 18], [0, 25, 30, 30]], [0, 1, 2])
        out, t = crop(img, t0)
        assert out.shape == (20, 20, 3)
        # find the offset: the crop's top-left pixel equals the image at (top, left)
        matches = [(y, x) for y in range(11) for x in range(11) if np.array_equal(img[y:y + 20, x:x + 20], out)]
        top, left = matches[0]
        shifted = t0["boxes"] - np.array([left, top, left, top])
        clipped = np.clip(shifted, 0, 20)
        area = (shifted[:, 2] - shifted[:, 0]) * (shifted[:, 3] - shifted[:, 1])
        kept = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1])
        want = (kept > 0) & (kept >= 0.5 * area)
        np.testing.assert_allclose(t["boxes"], clipped[want])
        assert t["labels"].tolist() == np.array([0, 1, 2])[want].tolist()


def test_color_jitter_changes_pixels_not_boxes():
    img, t = D.Shapes(1, 32, seed=0)[0]
    out, t2 = D.ColorJitter(0.5, 0.5, 0.5, rng=np.random.default_rng(0))(img, t)
    assert out.shape == img.shape and out.dtype == np.uint8 and not np.array_equal(out, img)
    np.testing.assert_array_equal(t2["boxes"], t["boxes"])


def test_export_to_yolo_reads_back(tmp_path):
    ds = D.Shapes(3, 32, seed=2)
    ds.to_yolo(tmp_path, split="val")
    back = D.YoloDetection(tmp_path, split="val")
    assert back.classes == D.SHAPE_CLASSES and len(back) == 3
    for i in range(3):
        np.testing.assert_array_equal(back[i][0], ds[i][0])
        np.testing.assert_allclose(back[i][1]["boxes"], ds[i][1]["boxes"], atol=1e-4)
        np.testing.assert_array_equal(back[i][1]["labels"], ds[i][1]["labels"])
