"""Property-based checks (hypothesis) against scikit-learn and pycocotools, and the docstring examples."""
from __future__ import annotations

import doctest
import importlib
import warnings

import numpy as np
import pytest
from conftest import run_pycocotools
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from deepglass import metrics as dm
from deepglass.metrics.detection import coco_evaluate

labels = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(pairs=labels, average=st.sampled_from([None, "micro", "macro", "weighted"]),
       zd=st.sampled_from(["warn", 0, 1, np.nan]), beta=st.sampled_from([0.5, 1.0, 3.0]))
def test_prfs_property(pairs, average, zd, beta):
    y_true, y_pred = map(np.array, zip(*pairs))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = dm.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=zd, beta=beta)
        theirs = skm.precision_recall_fscore_support(y_true, y_pred, average=average, zero_division=zd, beta=beta)
    for o, t in zip(ours, theirs):
        if t is None:
            assert o is None
        else:
            np.testing.assert_allclose(np.asarray(o, float), np.asarray(t, float), atol=1e-12, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(data=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5)), min_size=2, max_size=50))
def test_ranking_property(data):
    y, s = map(np.array, zip(*data))
    s = s / 5.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn in ("average_precision_score", "roc_auc_score"):
            a, b = getattr(dm, fn)(y, s), getattr(skm, fn)(y, s)
            assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, abs=1e-12)


box = st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(1, 5), st.integers(1, 5))


@st.composite
def coco_case(draw):
    n_img = draw(st.integers(1, 3))
    anns, dets = [], []
    for img in range(1, n_img + 1):
        for b, c, crowd in draw(st.lists(st.tuples(box, st.integers(1, 2), st.booleans()), max_size=5)):
            b = [float(v) * 8 for v in b]  # areas around the 32² boundary
            anns.append({"id": len(anns) + 1, "image_id": img, "category_id": c, "bbox": b,
                         "area": b[2] * b[3], "iscrowd": int(crowd and draw(st.booleans()))})
        for b, c, sc in draw(st.lists(st.tuples(box, st.integers(1, 3), st.integers(1, 4)), max_size=7)):
            dets.append({"image_id": img, "category_id": c, "bbox": [float(v) * 8 for v in b], "score": sc / 4})
    gt = {"images": [{"id": i} for i in range(1, n_img + 1)], "annotations": anns,
          "categories": [{"id": 1}, {"id": 2}, {"id": 3}]}
    return gt, dets


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=coco_case())
def test_coco_property(case):
    gt, dets = case
    if not dets:
        return  # pycocotools cannot load an empty result list
    stats, precision, recall, _ = run_pycocotools(gt, dets)
    res = coco_evaluate(gt, dets)
    np.testing.assert_allclose(res.stats, stats, atol=1e-6)
    np.testing.assert_allclose(res.precision, precision, atol=1e-6)
    np.testing.assert_allclose(res.recall, recall, atol=1e-6)


@pytest.mark.parametrize("module", [
    "deepglass.metrics.classification", "deepglass.metrics.precision_recall", "deepglass.metrics.ranking", "deepglass.metrics.streaming",
    "deepglass.metrics.detection.boxes", "deepglass.metrics.detection.coco",
    "deepglass.metrics.detection.mean_ap",
])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
