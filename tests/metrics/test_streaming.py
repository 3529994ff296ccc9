"""Streaming metrics equal the batch functions on all the data; merge and reset work."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from deepglass import metrics as dm


def batches(seed, n=500, k=4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    scores = rng.random((n, k)) + 0.8 * np.eye(k)[y]
    cuts = np.sort(rng.choice(np.arange(1, n), 6, replace=False))
    return y, scores, np.split(np.arange(n), cuts)


@pytest.mark.parametrize("seed", range(4))
def test_streaming_equals_batch(seed):
    y, s, parts = batches(seed)
    pred = s.argmax(1)
    cm, acc, top2 = dm.ConfusionMatrix(4), dm.Accuracy(), dm.TopKAccuracy(k=2)
    prf = {avg: dm.PrecisionRecallF1(4, average=avg) for avg in (None, "micro", "macro", "weighted")}
    ap, auc = dm.AveragePrecision(), dm.ROCAUC()
    for idx in parts:
        cm.update(y[idx], s[idx])  # scores -> argmax
        acc.update(y[idx], pred[idx])
        top2.update(y[idx], s[idx])
        for m in prf.values():
            m.update(y[idx], pred[idx])
        ap.update(y[idx] == 0, s[idx, 0])
        auc.update(y[idx] == 0, s[idx, 0])
    np.testing.assert_array_equal(cm.compute(), skm.confusion_matrix(y, pred, labels=range(4)))
    np.testing.assert_allclose(cm.compute("true"), skm.confusion_matrix(y, pred, labels=range(4), normalize="true"))
    assert acc.compute() == pytest.approx(skm.accuracy_score(y, pred), abs=1e-15)
    assert top2.compute() == pytest.approx(skm.top_k_accuracy_score(y, s, k=2), abs=1e-15)
    for avg, m in prf.items():
        p, r, f, _ = skm.precision_recall_fscore_support(y, pred, labels=range(4), average=avg, zero_division=0)
        got = m.compute()
        np.testing.assert_allclose([got["precision"], got["recall"], got["f1"]], [p, r, f], atol=1e-12)
    assert ap.compute() == pytest.approx(skm.average_precision_score(y == 0, s[:, 0]), abs=1e-12)
    assert auc.compute() == pytest.approx(skm.roc_auc_score(y == 0, s[:, 0]), abs=1e-12)


def test_merge_and_reset():
    y, s, parts = batches(7)
    pred = s.argmax(1)
    workers = [dm.ConfusionMatrix(4) for _ in range(3)]
    accs = [dm.Accuracy() for _ in range(3)]
    aps = [dm.AveragePrecision() for _ in range(3)]
    means = [dm.Mean() for _ in range(3)]
    for i, idx in enumerate(parts):
        workers[i % 3].update(y[idx], pred[idx])
        accs[i % 3].update(y[idx], pred[idx])
        aps[i % 3].update(y[idx] == 1, s[idx, 1])
        means[i % 3].update(s[idx, 0])
    total, acc, ap, mean = workers[0], accs[0], aps[0], means[0]
    for w, a, p, m in zip(workers[1:], accs[1:], aps[1:], means[1:]):
        total.merge(w)
        acc.merge(a)
        ap.merge(p)
        mean.merge(m)
    np.testing.assert_array_equal(total.compute(), skm.confusion_matrix(y, pred, labels=range(4)))
    assert acc.compute() == pytest.approx(skm.accuracy_score(y, pred), abs=1e-15)
    assert ap.compute() == pytest.approx(skm.average_precision_score(y == 1, s[:, 1]), abs=1e-12)
    assert mean.compute() == pytest.approx(s[:, 0].mean(), abs=1e-12)
    total.reset()
    assert total.compute().sum() == 0
    acc.reset()
    with pytest.raises(ValueError, match="before any update"):
        acc.compute()


def test_streaming_bad_inputs():
    cm = dm.ConfusionMatrix(3)
    with pytest.raises(ValueError, match="outside the declared classes"):
        cm.update([0, 3], [0, 1])
    with pytest.raises(ValueError, match="outside the declared classes"):
        cm.update([0, 1], [0, -1])
    with pytest.raises(ValueError, match="Inconsistent"):
        cm.update([0, 1], [0])
    with pytest.raises(ValueError, match="cannot merge"):
        cm.merge(dm.ConfusionMatrix(4))
    with pytest.raises(ValueError, match="cannot merge"):
        cm.merge(dm.Accuracy())
    with pytest.raises(ValueError, match="NaN"):
        dm.AveragePrecision().update([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="num_classes"):
        dm.ConfusionMatrix(0)
