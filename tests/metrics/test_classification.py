"""Classification metrics equal scikit-learn 1.9 (to 1e-12) and reject bad inputs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from deepglass import metrics as dm

ZERO_DIVISION = ["warn", 0, 1, 0.0, 1.0, np.nan]
AVERAGES = [None, "micro", "macro", "weighted"]


def assert_same(ours, theirs):
    if theirs is None:
        assert ours is None
        return
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float),
                               rtol=1e-12, atol=1e-12, equal_nan=True)


def call_quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def random_labels(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 2, 5, 17, 100, 1000]))
    k = int(rng.integers(2, 8))
    y_true = rng.integers(0, k, n)
    # predictions right ~half the time, sometimes using classes never true
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, k + int(rng.integers(0, 2)), n))
    return y_true, y_pred


@pytest.mark.parametrize("seed", range(40))
def test_prfs_equal_sklearn_random(seed):
    y_true, y_pred = random_labels(seed)
    rng = np.random.default_rng(seed + 1000)
    beta = float(rng.choice([0.5, 1.0, 2.0, 0.0]))
    for average in AVERAGES:
        for zd in ZERO_DIVISION:
            ours = call_quiet(dm.precision_recall_fscore_support, y_true, y_pred, beta=beta,
                              average=average, zero_division=zd)
            theirs = call_quiet(skm.precision_recall_fscore_support, y_true, y_pred, beta=beta,
                                average=average, zero_division=zd)
            for o, t in zip(ours, theirs):
                assert_same(o, t)


@pytest.mark.parametrize("seed", range(25))
def test_scores_equal_sklearn_random_with_labels(seed):
    y_true, y_pred = random_labels(seed)
    rng = np.random.default_rng(seed)
    present = np.union1d(y_true, y_pred)
    # a subset of the labels, plus one absent label, in shuffled order
    labels = rng.permutation(np.r_[rng.choice(present, max(1, len(present) // 2), replace=False), 99])
    for fn in ("precision_score", "recall_score", "f1_score"):
        for average in AVERAGES:
            for zd in ("warn", 1, np.nan):
                o = call_quiet(getattr(dm, fn), y_true, y_pred, labels=labels, average=average, zero_division=zd)
                t = call_quiet(getattr(skm, fn), y_true, y_pred, labels=labels, average=average, zero_division=zd)
                assert_same(o, t)
    assert_same(dm.fbeta_score(y_true, y_pred, beta=2, average="macro"),
                call_quiet(skm.fbeta_score, y_true, y_pred, beta=2, average="macro"))


@pytest.mark.parametrize("seed", range(20))
def test_binary_average_and_accuracy_and_confusion(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    w = rng.random(n)
    for zd in ZERO_DIVISION:
        for pos in (0, 1):
            assert_same(call_quiet(dm.f1_score, y_true, y_pred, pos_label=pos, zero_division=zd),
                        call_quiet(skm.f1_score, y_true, y_pred, pos_label=pos, zero_division=zd))
            assert_same(call_quiet(dm.precision_score, y_true, y_pred, pos_label=pos, zero_division=zd),
                        call_quiet(skm.precision_score, y_true, y_pred, pos_label=pos, zero_division=zd))
    assert_same(dm.accuracy_score(y_true, y_pred), skm.accuracy_score(y_true, y_pred))
    assert_same(dm.accuracy_score(y_true, y_pred, normalize=False), skm.accuracy_score(y_true, y_pred, normalize=False))
    assert_same(dm.accuracy_score(y_true, y_pred, sample_weight=w), skm.accuracy_score(y_true, y_pred, sample_weight=w))
    for norm in (None, "true", "pred", "all"):
        o = call_quiet(dm.confusion_matrix, y_true, y_pred, normalize=norm)
        t = call_quiet(skm.confusion_matrix, y_true, y_pred, normalize=norm)
        assert o.dtype.kind == t.dtype.kind
        assert_same(o, t)
        assert_same(call_quiet(dm.confusion_matrix, y_true, y_pred, normalize=norm, sample_weight=w),
                    call_quiet(skm.confusion_matrix, y_true, y_pred, normalize=norm, sample_weight=w))
    for avg in AVERAGES:
        assert_same(call_quiet(dm.f1_score, y_true, y_pred, average=avg, sample_weight=w),
                    call_quiet(skm.f1_score, y_true, y_pred, average=avg, sample_weight=w))


def test_multiclass_confusion_matrix_labels_and_strings():
    y_true = ["cat", "ant", "cat", "cat", "ant", "bird"]
    y_pred = ["ant", "ant", "cat", "cat", "ant", "cat"]
    for labels in (None, ["ant", "bird", "cat"], ["cat", "ant"], ["bird", "dog", "cat"]):
        assert_same(dm.confusion_matrix(y_true, y_pred, labels=labels),
                    skm.confusion_matrix(y_true, y_pred, labels=labels))
    assert_same(call_quiet(dm.f1_score, y_true, y_pred, average=None),
                call_quiet(skm.f1_score, y_true, y_pred, average=None))
    assert_same(dm.f1_score(["a", "b", "a"], ["a", "b", "b"], pos_label="a"),
                skm.f1_score(["a", "b", "a"], ["a", "b", "b"], pos_label="a"))


def test_sklearn_docstring_examples():
    # confusion_matrix
    assert dm.confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]).tolist() == [[2, 0, 0], [0, 0, 1], [1, 0, 2]]
    tn, fp, fn, tp = dm.confusion_matrix([0, 1, 0, 1], [1, 1, 1, 0]).ravel().tolist()
    assert (tn, fp, fn, tp) == (0, 2, 1, 1)
    # accuracy
    assert dm.accuracy_score([0, 2, 1, 3], [0, 1, 2, 3]) == 0.5
    assert dm.accuracy_score([0, 2, 1, 3], [0, 1, 2, 3], normalize=False) == 2.0
    # precision / recall / f1 / fbeta
    y_true, y_pred = [0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]
    assert dm.precision_score(y_true, y_pred, average="macro") == pytest.approx(0.2222222222222222, abs=1e-15)
    assert dm.precision_score(y_true, y_pred, average="micro") == pytest.approx(0.3333333333333333, abs=1e-15)
    assert dm.recall_score(y_true, y_pred, average="weighted") == pytest.approx(0.3333333333333333, abs=1e-15)
    assert dm.f1_score(y_true, y_pred, average="macro") == pytest.approx(0.26666666666666666, abs=1e-15)
    assert dm.fbeta_score(y_true, y_pred, average="macro", beta=0.5) == pytest.approx(0.23809523809523805, abs=1e-15)
    assert dm.f1_score(y_true, y_pred, average=None).tolist() == pytest.approx([0.8, 0, 0])
    y_pred0 = [0, 0, 0, 0, 0, 0]
    assert call_quiet(dm.precision_score, y_true, y_pred0, average=None).tolist() == pytest.approx([1 / 3, 0, 0])
    assert dm.precision_score(y_true, y_pred0, average=None, zero_division=1).tolist() == pytest.approx([1 / 3, 1, 1])
    p = dm.precision_score(y_true, y_pred0, average=None, zero_division=np.nan)
    assert p[0] == pytest.approx(1 / 3) and np.isnan(p[1:]).all()
    # (the multilabel docstring examples are in test_multilabel.py) the F1 of all-zero
    assert dm.f1_score([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], zero_division=1) == 1.0
    # precision_recall_fscore_support
    y_true = np.array(["cat", "dog", "pig", "cat", "dog", "pig"])
    y_pred = np.array(["cat", "pig", "dog", "cat", "cat", "dog"])
    for avg, expected in (("macro", (0.222, 0.333, 0.266)), ("micro", (0.333, 0.333, 0.333)),
                          ("weighted", (0.222, 0.333, 0.266))):
        p, r, f, s = dm.precision_recall_fscore_support(y_true, y_pred, average=avg)
        assert (round(p, 3) - expected[0], round(r, 3) - expected[1]) == pytest.approx((0, 0), abs=1.1e-3)
        assert s is None
    # top_k_accuracy_score
    y_true = np.array([0, 1, 2, 2])
    y_score = np.array([[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]])
    assert dm.top_k_accuracy_score(y_true, y_score, k=2) == 0.75
    assert dm.top_k_accuracy_score(y_true, y_score, k=2, normalize=False) == 3.0


@pytest.mark.parametrize("seed", range(15))
def test_top_k_accuracy_equal_sklearn(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(5, 200)), int(rng.integers(3, 7))
    y_true = rng.integers(0, k, n)
    y_true[:k] = np.arange(k)
    y_score = np.round(rng.random((n, k)), 1)  # many ties between classes
    w = rng.random(n)
    for top in range(1, k + 1):
        assert_same(call_quiet(dm.top_k_accuracy_score, y_true, y_score, k=top),
                    call_quiet(skm.top_k_accuracy_score, y_true, y_score, k=top))
        assert_same(call_quiet(dm.top_k_accuracy_score, y_true, y_score, k=top, sample_weight=w, normalize=False),
                    call_quiet(skm.top_k_accuracy_score, y_true, y_score, k=top, sample_weight=w, normalize=False))
    # binary: scores 1-D
    yb = rng.integers(0, 2, n)
    sb = rng.random(n)
    for top in (1, 2):
        assert_same(call_quiet(dm.top_k_accuracy_score, yb, sb, k=top),
                    call_quiet(skm.top_k_accuracy_score, yb, sb, k=top))
    # y_true lacking a class, with labels
    labels = np.arange(k + 1)
    sc = rng.random((n, k + 1))
    assert_same(call_quiet(dm.top_k_accuracy_score, y_true, sc, k=2, labels=labels),
                call_quiet(skm.top_k_accuracy_score, y_true, sc, k=2, labels=labels))


def test_edge_cases_like_sklearn():
    cases = [
        ([0, 0, 0], [0, 0, 0]),  # one class, no positives
        ([1, 1, 1], [1, 1, 1]),  # one class, all positive
        ([0, 0, 0], [1, 1, 1]),
        ([1], [0]),
        ([2, 2], [2, 2]),  # single label that is neither 0 nor 1
    ]
    for y_true, y_pred in cases:
        for avg in AVERAGES + ["binary"]:
            for zd in ZERO_DIVISION:
                try:
                    t = call_quiet(skm.precision_recall_fscore_support, y_true, y_pred, average=avg, zero_division=zd)
                except ValueError:
                    with pytest.raises(ValueError):
                        call_quiet(dm.precision_recall_fscore_support, y_true, y_pred, average=avg, zero_division=zd)
                    continue
                o = call_quiet(dm.precision_recall_fscore_support, y_true, y_pred, average=avg, zero_division=zd)
                for a, b in zip(o, t):
                    assert_same(a, b)
        assert_same(call_quiet(dm.confusion_matrix, y_true, y_pred), call_quiet(skm.confusion_matrix, y_true, y_pred))


def test_warnings_follow_sklearn():
    y_true, y_pred = [0, 1, 2, 0], [0, 0, 0, 0]
    with pytest.warns(dm.UndefinedMetricWarning, match="Precision is ill-defined"):
        dm.precision_score(y_true, y_pred, average="macro")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dm.precision_score(y_true, y_pred, average="macro", zero_division=0)
        dm.recall_score(y_true, y_pred, average="macro")  # recall is defined: no warning
    with pytest.warns(UserWarning, match="single label"):
        dm.confusion_matrix([1, 1], [1, 1])
    with pytest.warns(UserWarning, match="pos_label"):
        dm.f1_score([0, 1, 2], [0, 1, 1], average="macro", pos_label=2)


class FakeTensor:
    """Duck-typed stand-in for a deepglass Tensor (has .numpy())."""

    def __init__(self, a):
        self._a = np.asarray(a)

    def numpy(self):
        return self._a


def test_accepts_lists_and_tensors():
    y_true, y_pred = [0, 1, 2, 2, 1], [0, 2, 2, 2, 1]
    ref = dm.f1_score(np.array(y_true), np.array(y_pred), average="macro")
    assert dm.f1_score(FakeTensor(y_true), FakeTensor(y_pred), average="macro") == ref
    assert dm.f1_score(y_true, y_pred, average="macro") == ref
    torch = pytest.importorskip("torch")
    assert dm.f1_score(torch.tensor(y_true), torch.tensor(y_pred), average="macro") == ref


@pytest.mark.parametrize("call, match", [
    (lambda: dm.accuracy_score([0, 1, 1], [0, 1]), "Inconsistent numbers of samples"),
    (lambda: dm.f1_score([0, 1, np.nan], [0, 1, 1]), "NaN"),
    (lambda: dm.f1_score([0.5, 1, 0], [0, 1, 1]), "continuous"),
    (lambda: dm.f1_score([0, 1, 2], [0, 1, 1]), "average='binary'"),
    (lambda: dm.f1_score([0, 1], [0, 1], average="mean"), "average has to be one of"),
    (lambda: dm.f1_score([0, 1], [0, 1], zero_division=2), "zero_division"),
    (lambda: dm.f1_score([0, 1], [0, 1], pos_label=3), "pos_label=3 is not a valid label"),
    (lambda: dm.confusion_matrix([0, 1], [0, 1], labels=[5]), "At least one label"),
    (lambda: dm.confusion_matrix([0, 1], [0, 1], normalize="rows"), "normalize"),
    (lambda: dm.accuracy_score([], []), "empty"),
    (lambda: dm.f1_score([[0, 1], [1, 0]], [[0, 1], [1, 0]]), "multilabel"),
    (lambda: dm.fbeta_score([0, 1], [0, 1], beta=-1), "beta"),
    (lambda: dm.top_k_accuracy_score([0, 1, 2], np.ones((3, 4)) / 4), "Number of classes"),
    (lambda: dm.top_k_accuracy_score([0, 1, 5], np.ones((3, 3)) / 3, labels=[0, 1, 2]), "not in parameter 'labels'"),
])
def test_bad_inputs_raise_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
