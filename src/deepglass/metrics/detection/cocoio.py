"""Reading COCO instances (ground truth) and results (detections) into arrays.

Validation happens here, so that the evaluator works on clean float64 arrays:
malformed JSON, missing keys, NaN or infinite numbers and boxes with a negative
width or height raise ``ValueError`` naming the offending entry.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

__all__ = ["CocoGroundTruth", "CocoDetections", "load_ground_truth", "load_detections"]


@dataclass
class CocoGroundTruth:
    """Ground truth as arrays (one row per annotation, in file order)."""

    img_ids: np.ndarray  # sorted unique image ids
    cat_ids: np.ndarray  # sorted unique category ids
    cat_names: dict
    image_id: np.ndarray
    category_id: np.ndarray
    bbox: np.ndarray  # (N, 4) xywh
    area: np.ndarray
    iscrowd: np.ndarray  # bool
    ann_id: np.ndarray


@dataclass
class CocoDetections:
    """Detections as arrays (one row per result, in file order)."""

    image_id: np.ndarray
    category_id: np.ndarray
    bbox: np.ndarray
    score: np.ndarray


def _read_json(source, what: str):
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{what} file not found: {path}")
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"malformed JSON in {what} file {path}: {exc}") from None
    return source


def _boxes(raw, what: str) -> np.ndarray:
    try:
        b = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: every 'bbox' must be a list of 4 numbers [x, y, w, h].") from None
    if len(raw) == 0:
        return np.zeros((0, 4))
    if b.ndim != 2 or b.shape[1] != 4:
        raise ValueError(f"{what}: every 'bbox' must be a list of 4 numbers [x, y, w, h].")
    bad = ~np.isfinite(b).all(axis=1)
    if bad.any():
        raise ValueError(f"{what} #{int(np.argmax(bad))} has a NaN or infinite bbox {b[np.argmax(bad)].tolist()}.")
    neg = (b[:, 2] < 0) | (b[:, 3] < 0)
    if neg.any():
        i = int(np.argmax(neg))
        raise ValueError(f"{what} #{i} has a bbox with negative width or height {b[i].tolist()}; "
                         "COCO boxes are [x, y, width, height].")
    return b


def _ids(values, key: str, what: str) -> np.ndarray:
    """Integer ids as int64: 1.7 is not id 1 (pycocotools rejects it), 2**70 is not an int64, "3" is not 3."""
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        ok = isinstance(v, (int, np.integer)) and not isinstance(v, bool)
        if isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
            v, ok = int(v), True
        if not ok or not -(1 << 63) <= int(v) < (1 << 63):
            raise ValueError(f"{what} #{i}: '{key}' must be an integer id (an int64), got {v!r}.")
        out[i] = int(v)
    return out


def _column(items, key, what, dtype=None):
    try:
        values = [it[key] for it in items]
    except KeyError:
        raise ValueError(f"{what}: an entry has no '{key}' field.") from None
    except TypeError:
        raise ValueError(f"{what}: entries must be JSON objects (dicts).") from None
    if dtype is np.int64:
        return _ids(values, key, what)
    return values if dtype is None else np.asarray(values, dtype=dtype)


def load_ground_truth(gt) -> CocoGroundTruth:
    """Read a COCO instances dict or JSON path.

    ``area`` is taken from the annotations as pycocotools does (``w * h`` when the
    field is missing); ``iscrowd`` defaults to 0.
    """
    data = _read_json(gt, "ground-truth")
    if not isinstance(data, dict):
        raise ValueError("ground truth must be a COCO instances dict (or a path to one).")
    for key in ("images", "annotations", "categories"):
        if key not in data:
            raise ValueError(f"ground truth has no '{key}' list; is this a COCO instances file?")
    img_ids = np.unique(_column(data["images"], "id", "images", np.int64))
    cats = data["categories"]
    cat_list = _column(cats, "id", "categories")
    cat_ids = np.unique(_ids(cat_list, "id", "categories"))
    names = {int(c["id"]): str(c.get("name", c["id"])) for c in cats}
    anns = data["annotations"]
    bbox = _boxes(_column(anns, "bbox", "annotations"), "ground-truth annotation")
    ann_id = _column(anns, "id", "annotations", np.int64)
    if len(np.unique(ann_id)) != len(ann_id):
        raise ValueError("ground-truth annotation ids are not unique; each annotation needs its own 'id'.")
    area = np.asarray([a.get("area", np.nan) for a in anns], dtype=np.float64)
    missing = np.isnan(area)
    area[missing] = bbox[missing, 2] * bbox[missing, 3]
    if not np.isfinite(area).all():
        raise ValueError("ground-truth annotation 'area' values must be finite numbers.")
    return CocoGroundTruth(
        img_ids=img_ids, cat_ids=cat_ids, cat_names=names,
        image_id=_column(anns, "image_id", "annotations", np.int64),
        category_id=_column(anns, "category_id", "annotations", np.int64),
        bbox=bbox, area=area,
        iscrowd=np.asarray([bool(a.get("iscrowd", 0)) for a in anns], dtype=bool),
        ann_id=ann_id,
    )


def load_detections(dt, gt: CocoGroundTruth) -> CocoDetections:
    """Read a COCO results list (or JSON path, or ``(N, 7)`` array
    ``[image_id, x, y, w, h, score, category_id]``)."""
    data = _read_json(dt, "results")
    if isinstance(data, np.ndarray):
        if data.ndim != 2 or data.shape[1] != 7:
            raise ValueError(f"a results array must have shape (N, 7), got {data.shape}.")
        data = np.asarray(data, dtype=np.float64)
        image_id = _ids(data[:, 0].tolist(), "image_id", "results row")
        category_id = _ids(data[:, 6].tolist(), "category_id", "results row")
        bbox = _boxes(data[:, 1:5], "detection")
        score = data[:, 5]
    else:
        if isinstance(data, dict) and "annotations" in data:
            data = data["annotations"]
        if not isinstance(data, list):
            raise ValueError("results must be a list of {image_id, category_id, bbox, score} dicts "
                             "(or a path to a JSON file holding one).")
        image_id = _column(data, "image_id", "results", np.int64)
        category_id = _column(data, "category_id", "results", np.int64)
        bbox = _boxes(_column(data, "bbox", "results"), "detection")
        try:
            score = _column(data, "score", "results", np.float64)
        except (TypeError, ValueError) as exc:
            if "field" in str(exc):
                raise
            raise ValueError("results: every 'score' must be a number.") from None
    if len(score) and not np.isfinite(score).all():
        i = int(np.argmax(~np.isfinite(score)))
        raise ValueError(f"detection #{i} has a NaN or infinite score.")
    unknown = np.setdiff1d(image_id, gt.img_ids)
    if len(unknown):
        raise ValueError(f"results refer to image ids not in the ground truth, e.g. {unknown[:5].tolist()}; "
                         "results do not correspond to this COCO set.")
    return CocoDetections(image_id=image_id, category_id=category_id, bbox=bbox, score=score)
