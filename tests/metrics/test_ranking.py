"""PR/ROC curves, AP and AUC equal scikit-learn; the notes' extra curves against brute force."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from deepglass import metrics as dm


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def same(o, t):
    if isinstance(t, tuple):
        assert len(o) == len(t)
        for a, b in zip(o, t):
            same(a, b)
        return
    o, t = np.asarray(o, dtype=float), np.asarray(t, dtype=float)
    assert o.shape == t.shape
    np.testing.assert_allclose(o, t, rtol=1e-12, atol=1e-12, equal_nan=True)


def binary_data(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 2, 3, 10, 57, 500]))
    y = rng.integers(0, 2, n)
    decimals = int(rng.choice([1, 2, 6]))  # few decimals -> many ties
    s = np.round(rng.random(n) + 0.3 * y, decimals)
    if seed % 7 == 0:
        s[:] = 0.5  # all scores tied
    return y, s, rng.random(n)


@pytest.mark.parametrize("seed", range(40))
def test_binary_curves_equal_sklearn(seed):
    y, s, w = binary_data(seed)
    for drop in (False, True):
        same(quiet(dm.precision_recall_curve, y, s, drop_intermediate=drop),
             quiet(skm.precision_recall_curve, y, s, drop_intermediate=drop))
        same(quiet(dm.roc_curve, y, s, drop_intermediate=drop), quiet(skm.roc_curve, y, s, drop_intermediate=drop))
        same(quiet(dm.roc_curve, y, s, drop_intermediate=drop, sample_weight=w),
             quiet(skm.roc_curve, y, s, drop_intermediate=drop, sample_weight=w))
    same(quiet(dm.precision_recall_curve, y, s, sample_weight=w), quiet(skm.precision_recall_curve, y, s, sample_weight=w))
    same(quiet(dm.average_precision_score, y, s), quiet(skm.average_precision_score, y, s))
    same(quiet(dm.average_precision_score, y, s, sample_weight=w), quiet(skm.average_precision_score, y, s, sample_weight=w))
    same(quiet(dm.roc_auc_score, y, s), quiet(skm.roc_auc_score, y, s))
    same(quiet(dm.roc_auc_score, y, s, sample_weight=w), quiet(skm.roc_auc_score, y, s, sample_weight=w))
    # {-1, 1} labels and explicit string pos_label
    ys = np.where(y == 1, 1, -1)
    same(quiet(dm.roc_curve, ys, s), quiet(skm.roc_curve, ys, s))
    yl = np.where(y == 1, "dog", "cat")
    same(quiet(dm.precision_recall_curve, yl, s, pos_label="dog"), quiet(skm.precision_recall_curve, yl, s, pos_label="dog"))
    if len(np.unique(y)) == 2:
        same(dm.average_precision_score(yl, s, pos_label="dog"), skm.average_precision_score(yl, s, pos_label="dog"))


def multiclass_data(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(12, 300)), int(rng.integers(3, 7))
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    if seed % 3 == 0:
        p = np.round(p, 2)
        p /= p.sum(1, keepdims=True)
    return y, p, rng.random(n)


@pytest.mark.parametrize("seed", range(20))
def test_multiclass_auc_and_ap_equal_sklearn(seed):
    y, p, w = multiclass_data(seed)
    for avg in ("macro", "weighted", "micro", None):
        same(quiet(dm.roc_auc_score, y, p, multi_class="ovr", average=avg),
             quiet(skm.roc_auc_score, y, p, multi_class="ovr", average=avg))
        same(quiet(dm.average_precision_score, y, p, average=avg), quiet(skm.average_precision_score, y, p, average=avg))
        same(quiet(dm.roc_auc_score, y, p, multi_class="ovr", average=avg, sample_weight=w),
             quiet(skm.roc_auc_score, y, p, multi_class="ovr", average=avg, sample_weight=w))
    for avg in ("macro", "weighted"):
        same(dm.roc_auc_score(y, p, multi_class="ovo", average=avg), skm.roc_auc_score(y, p, multi_class="ovo", average=avg))
    labels = np.arange(p.shape[1])
    same(dm.roc_auc_score(y, p, multi_class="ovo", labels=labels), skm.roc_auc_score(y, p, multi_class="ovo", labels=labels))


def test_sklearn_docstring_examples():
    p, r, t = dm.precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    np.testing.assert_allclose(p, [0.5, 0.66666667, 0.5, 1.0, 1.0], atol=1e-8)
    np.testing.assert_allclose(r, [1.0, 1.0, 0.5, 0.5, 0.0])
    np.testing.assert_allclose(t, [0.1, 0.35, 0.4, 0.8])
    assert dm.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.8333333333333333, abs=1e-15)
    fpr, tpr, thr = dm.roc_curve([1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8], pos_label=2)
    assert fpr.tolist() == [0.0, 0.0, 0.5, 0.5, 1.0]
    assert tpr.tolist() == [0.0, 0.5, 0.5, 1.0, 1.0]
    assert thr.tolist() == [np.inf, 0.8, 0.4, 0.35, 0.1]
    assert dm.auc(fpr, tpr) == 0.75
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_scores = np.array([[0.7, 0.2, 0.1], [0.4, 0.3, 0.3], [0.1, 0.8, 0.1],
                         [0.2, 0.3, 0.5], [0.4, 0.4, 0.2], [0.1, 0.2, 0.7]])
    assert dm.average_precision_score(y_true, y_scores) == pytest.approx(0.7777777777777777, abs=1e-15)


def test_edge_cases_like_sklearn():
    # no positives / no negatives / one sample
    for y, s in (([0, 0, 0], [0.1, 0.2, 0.3]), ([1, 1], [0.3, 0.3]), ([1], [0.5]), ([0], [0.2])):
        same(quiet(dm.precision_recall_curve, y, s), quiet(skm.precision_recall_curve, y, s))
        same(quiet(dm.roc_curve, y, s), quiet(skm.roc_curve, y, s))
        same(quiet(dm.average_precision_score, y, s), quiet(skm.average_precision_score, y, s))
        same(quiet(dm.roc_auc_score, y, s), quiet(skm.roc_auc_score, y, s))
    with pytest.warns(UserWarning, match="No positive class"):
        dm.precision_recall_curve([0, 0], [0.1, 0.2])
    with pytest.warns(dm.UndefinedMetricWarning, match="Only one class"):
        assert np.isnan(dm.roc_auc_score([1, 1], [0.1, 0.2]))
    same(dm.auc([1, 0.5, 0], [1, 1, 0]), skm.auc([1, 0.5, 0], [1, 1, 0]))


def brute_pr_points(y, s):
    """Precision/recall at each distinct threshold, by direct counting (test oracle)."""
    thr = np.unique(s)[::-1]
    P = np.sum(y == 1)
    out = []
    for t in thr:
        pred = s >= t
        tp = np.sum(pred & (y == 1))
        fp = np.sum(pred & (y == 0))
        out.append((t, tp / (tp + fp), tp / P if P else 0.0, 2 * tp / (2 * tp + fp + (P - tp)) if (2 * tp + fp + P - tp) else 0.0))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_f1_confidence_curve_brute_force(seed):
    y, s, _ = binary_data(seed + 1)
    if y.sum() == 0:
        y[0] = 1
    c = dm.f1_confidence_curve(y, s)
    pts = brute_pr_points(y, s)[::-1]  # increasing threshold
    np.testing.assert_allclose(c.thresholds, [p[0] for p in pts])
    np.testing.assert_allclose(c.precision, [p[1] for p in pts], atol=1e-12)
    np.testing.assert_allclose(c.recall, [p[2] for p in pts], atol=1e-12)
    np.testing.assert_allclose(c.f1, [p[3] for p in pts], atol=1e-12)
    best = max(pts, key=lambda p: (p[3], p[0]))
    assert c.best_threshold == best[0] and c.best_f1 == pytest.approx(best[3], abs=1e-12)


def brute_interpolated_ap(y, s, method, voc_points=None):
    pts = brute_pr_points(y, s)  # decreasing threshold, increasing recall
    prec = np.array([p[1] for p in pts])
    rec = np.array([p[2] for p in pts])
    interp = lambda r: max([p for p, q in zip(prec, rec) if q >= r], default=0.0)
    if method == "voc2007":
        points = voc_points if voc_points is not None else [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
        return sum(interp(r) for r in points) / 11
    if method == "coco101":
        return sum(interp(i / 100) for i in range(101)) / 101
    total, prev = 0.0, 0.0
    for q in rec:
        total += (q - prev) * interp(q)
        prev = q
    return total


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("method", ["voc2007", "voc2010", "coco101"])
def test_interpolated_ap_brute_force(seed, method):
    y, s, _ = binary_data(seed + 1)
    if y.sum() == 0:
        y[0] = 1
    assert dm.interpolated_average_precision(y, s, method=method) == pytest.approx(brute_interpolated_ap(y, s, method), abs=1e-12)


def test_voc2007_uses_exact_tenths():
    # 3 TP, 5 FP, then 7 TP: recall is exactly 3/10 = 0.3 at precision 1, but
    # np.arange(0, 1.1, 0.1)[3] is 0.30000000000000004 and would miss that point
    y = np.array([1] * 3 + [0] * 5 + [1] * 7)
    s = np.linspace(1.0, 0.1, len(y))
    drifted = np.arange(0.0, 1.1, 0.1)
    assert drifted[3] > 0.3
    exact = brute_interpolated_ap(y, s, "voc2007")
    wrong = brute_interpolated_ap(y, s, "voc2007", voc_points=drifted)
    assert exact - wrong > 0.01
    assert dm.interpolated_average_precision(y, s, method="voc2007") == pytest.approx(exact, abs=1e-12)


def test_bad_inputs():
    with pytest.raises(ValueError, match="Inconsistent"):
        dm.roc_auc_score([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="NaN"):
        dm.average_precision_score([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="pos_label"):
        dm.roc_curve([1, 2, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="sum up to 1"):
        dm.roc_auc_score([0, 1, 2], np.ones((3, 3)), multi_class="ovr")
    with pytest.raises(ValueError, match="multi_class"):
        dm.roc_auc_score([0, 1, 2], np.ones((3, 3)) / 3)
    with pytest.raises(ValueError, match="method"):
        dm.interpolated_average_precision([0, 1], [0.1, 0.2], method="voc2012")
    with pytest.raises(ValueError, match="neither increasing nor decreasing"):
        dm.auc([0, 1, 0.5], [0, 1, 1])
