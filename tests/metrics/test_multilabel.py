"""Multilabel indicator targets: equal to scikit-learn 1.9 (to 1e-12), same warnings, same errors."""
from __future__ import annotations

import doctest
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.utils.multiclass import type_of_target as sk_type_of_target

from deepglass import metrics as dm
from deepglass.metrics import _utils

ZERO_DIVISION = ["warn", 0, 1, 0.0, 1.0, np.nan]
AVERAGES = [None, "micro", "macro", "weighted", "samples"]
DTYPES = [np.int64, bool, np.float64, np.int8]


def assert_same(ours, theirs):
    if theirs is None:
        assert ours is None
        return
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12, equal_nan=True)


def quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def caught(fn, *a, **k):
    """``(result, [(warning class name, message), ...])`` of the metric warnings raised."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = fn(*a, **k)
    names = ("UndefinedMetricWarning", "UserWarning")
    return out, [(w.category.__name__, str(w.message)) for w in rec if w.category.__name__ in names]


def multilabel_data(seed, sizes=(1, 2, 3, 8, 40, 200)):
    """Random indicator matrices with the zero-division cases mixed in.

    Columns empty in y_true, in y_pred or in both; rows empty in y_true, in
    y_pred or in both (for average="samples"); int, bool, float and int8 dtypes
    (y_true and y_pred may differ); float weights, or integer ones with zeros.
    """
    rng = np.random.default_rng(seed)
    n = int(rng.choice(sizes))
    k = int(rng.integers(2, 7))
    rates = rng.uniform(0.05, 0.7, k)
    y_true = (rng.random((n, k)) < rates).astype(np.int64)
    y_pred = np.where(rng.random((n, k)) < 0.25, 1 - y_true, y_true)
    cols = rng.permutation(k)
    if k >= 3 and seed % 2 == 0:
        y_true[:, cols[0]] = 0
    if k >= 3 and seed % 3 == 0:
        y_pred[:, cols[1]] = 0
    if seed % 4 == 0:
        y_true[:, cols[-1]] = 0
        y_pred[:, cols[-1]] = 0
    if n >= 4:
        y_true[0] = 0
        y_pred[1] = 0
        y_true[2] = y_pred[2] = 0
    if seed % 3:
        w = rng.random(n)
    else:
        w = rng.integers(0, 4, n)
        w[rng.integers(n)] = 2  # never all zero (scikit-learn rejects that)
    return y_true.astype(DTYPES[seed % 4]), y_pred.astype(DTYPES[(seed // 4) % 4]), w


def multilabel_scores(seed, sizes=(2, 3, 8, 40, 120)):
    """Indicator y_true and scores with ties, some columns all 0 or all 1."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.choice(sizes)), int(rng.integers(2, 6))
    y_true = (rng.random((n, k)) < rng.uniform(0.1, 0.8, k)).astype(np.int64)
    if seed % 3 == 0:
        y_true[:, 0] = 0
    if seed % 5 == 0:
        y_true[:, -1] = 1
    decimals = int(rng.choice([1, 2, 6]))
    y_score = np.round(rng.random((n, k)) + 0.4 * y_true, decimals)
    if seed % 7 == 0:
        y_score[:, 1] = 0.5  # a column of ties
    return y_true.astype(DTYPES[seed % 3]), y_score, rng.random(n)


# ---------------------------------------------------------------- target types

TARGETS = [
    [0, 1, 1], [1, 1], [0, 2, 1], ["a", "b"], ["a", "b", "c"], [0.0, 1.0], [0.5, 1.0], [],
    [[1], [0]], [[1], [2], [3]], [[0.5], [1.0]],
    [[1, 0, 1], [0, 0, 1]], [[1, 0, 0]], [[0, 0], [0, 0]], [[1, 1], [1, 1]], [[3, 4], [4, 4]],
    [[-1, 1], [1, 1]], [[0.0, 1.0], [1.0, 0.0]], [[True, False], [False, False]],
    [[0, 1, 2], [2, 1, 0]], [["a", "b"], ["b", "a"]], [[0.5, 1.0], [0.0, 1.0]],
    np.zeros((0, 3), int), np.zeros((0, 3)), np.zeros((3, 0)), np.zeros((2, 2, 2)), np.array(5),
    np.array([[1, 0], [0, 1]], dtype=np.uint8), np.array([object(), object()]),
]


@pytest.mark.parametrize("y", TARGETS, ids=range(len(TARGETS)))
def test_type_of_target_equals_sklearn(y):
    y = np.asarray(y) if not isinstance(y, np.ndarray) else y
    assert _utils.type_of_target(y) == sk_type_of_target(y)
    assert _utils.is_multilabel(y) == (sk_type_of_target(y) == "multilabel-indicator")


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_type_of_target_rejects_nan_like_sklearn():
    for y in (np.array([[0.0, np.nan], [1.0, 0.0]]), np.array([0.5, np.inf])):
        with pytest.raises(ValueError):
            sk_type_of_target(y)
        with pytest.raises(ValueError, match="NaN|infinity"):
            _utils.type_of_target(y)


def test_utils_docstring_examples():
    result = doctest.testmod(_utils, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# ---------------------------------------------------------------- set-wise metrics


@pytest.mark.parametrize("seed", range(32))
def test_prfs_equal_sklearn(seed):
    y_true, y_pred, w = multilabel_data(seed)
    beta = [1.0, 0.5, 2.0, 0.0, np.inf][seed % 5]
    for average in AVERAGES:
        for zd in ZERO_DIVISION:
            for sw in (None, w):
                ours = quiet(dm.precision_recall_fscore_support, y_true, y_pred, beta=beta, average=average,
                             zero_division=zd, sample_weight=sw)
                theirs = quiet(skm.precision_recall_fscore_support, y_true, y_pred, beta=beta, average=average,
                               zero_division=zd, sample_weight=sw)
                for o, t in zip(ours, theirs):
                    assert_same(o, t)


@pytest.mark.parametrize("seed", range(12))
def test_scores_with_labels_and_weights_equal_sklearn(seed):
    y_true, y_pred, w = multilabel_data(seed + 100)
    rng = np.random.default_rng(seed)
    k = y_true.shape[1]
    subsets = [rng.permutation(k)[: max(1, k // 2)], list(rng.permutation(k)), [k - 1, 0, k - 1]]
    for labels in subsets:
        for fn in ("precision_score", "recall_score", "f1_score"):
            for average in AVERAGES:
                for zd in ("warn", 1, np.nan):
                    for sw in (None, w):
                        o = quiet(getattr(dm, fn), y_true, y_pred, labels=labels, average=average,
                                  zero_division=zd, sample_weight=sw)
                        t = quiet(getattr(skm, fn), y_true, y_pred, labels=labels, average=average,
                                  zero_division=zd, sample_weight=sw)
                        assert_same(o, t)
        for average in AVERAGES:
            assert_same(quiet(dm.fbeta_score, y_true, y_pred, beta=2, labels=labels, average=average),
                        quiet(skm.fbeta_score, y_true, y_pred, beta=2, labels=labels, average=average))


@pytest.mark.parametrize("seed", range(16))
def test_warnings_equal_sklearn(seed):
    """The same UndefinedMetricWarning/UserWarning messages, in the same order."""
    y_true, y_pred, w = multilabel_data(seed, sizes=(1, 3, 8, 40))
    for average in AVERAGES:
        for fn in ("precision_score", "recall_score", "f1_score", "precision_recall_fscore_support"):
            for extra in ({}, {"sample_weight": w}, {"pos_label": 0}, {"zero_division": 0}):
                o, o_warn = caught(getattr(dm, fn), y_true, y_pred, average=average, **extra)
                t, t_warn = caught(getattr(skm, fn), y_true, y_pred, average=average, **extra)
                assert o_warn == t_warn, (fn, average, extra)
                if isinstance(t, tuple):
                    for a, b in zip(o, t):
                        assert_same(a, b)
                else:
                    assert_same(o, t)
        o, o_warn = caught(dm.fbeta_score, y_true, y_pred, beta=0.5, average=average)
        t, t_warn = caught(skm.fbeta_score, y_true, y_pred, beta=0.5, average=average)
        assert o_warn == t_warn
        assert_same(o, t)


def test_samples_warning_names_samples_and_labels():
    y_true = np.array([[1, 0], [0, 0], [1, 1]])
    y_pred = np.array([[1, 0], [0, 0], [0, 0]])
    with pytest.warns(dm.UndefinedMetricWarning, match="in samples with no predicted labels"):
        dm.precision_score(y_true, y_pred, average="samples")
    with pytest.warns(dm.UndefinedMetricWarning, match="in labels with no predicted samples"):
        dm.precision_score(y_true, y_pred, average="macro")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dm.precision_score(y_true, y_pred, average="samples", zero_division=1)


@pytest.mark.parametrize("seed", range(24))
def test_accuracy_equal_sklearn(seed):
    y_true, y_pred, w = multilabel_data(seed)
    if seed % 5 == 0:
        y_pred = y_true.copy()  # every row right
    for normalize in (True, False):
        assert_same(dm.accuracy_score(y_true, y_pred, normalize=normalize),
                    skm.accuracy_score(y_true, y_pred, normalize=normalize))
        assert_same(dm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=w),
                    skm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=w))


@pytest.mark.parametrize("seed", range(24))
def test_multilabel_confusion_matrix_equal_sklearn(seed):
    y_true, y_pred, w = multilabel_data(seed)
    k = y_true.shape[1]
    rng = np.random.default_rng(seed)
    for labels in (None, rng.permutation(k)[: max(1, k - 1)], [k - 1, k - 1, 0]):
        for samplewise in (False, True):
            for sw in (None, w):
                o = dm.multilabel_confusion_matrix(y_true, y_pred, labels=labels, samplewise=samplewise,
                                                   sample_weight=sw)
                t = skm.multilabel_confusion_matrix(y_true, y_pred, labels=labels, samplewise=samplewise,
                                                    sample_weight=sw)
                assert o.dtype.kind == t.dtype.kind, (labels, samplewise, sw is None)
                assert_same(o, t)


@pytest.mark.parametrize("seed", range(16))
def test_multilabel_confusion_matrix_of_labels_equal_sklearn(seed):
    """1-D binary/multiclass labels are binarised one-vs-rest, as scikit-learn."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.choice([1, 2, 9, 60])), int(rng.integers(2, 6))
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, k + 1, n))
    if seed % 4 == 0:
        y_pred = (y_true + 1) % (k + 1)  # nothing right
    w = rng.random(n)
    present = np.union1d(y_true, y_pred)
    for labels in (None, rng.permutation(present)[: max(1, len(present) // 2)], np.r_[present[::-1], 99]):
        for sw in (None, w):
            o = dm.multilabel_confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sw)
            t = skm.multilabel_confusion_matrix(y_true, y_pred, labels=labels, sample_weight=sw)
            assert o.dtype.kind == t.dtype.kind
            assert_same(o, t)
    names = np.array(["ant", "bird", "cat"])
    yt, yp = names[y_true % 3], names[y_pred % 3]
    for labels in (None, ["cat", "ant"], ["bird", "dog", "cat"]):
        assert_same(dm.multilabel_confusion_matrix(yt, yp, labels=labels),
                    skm.multilabel_confusion_matrix(yt, yp, labels=labels))


def test_sklearn_docstring_multilabel_examples():
    y_true = [[0, 0, 0], [1, 1, 1], [0, 1, 1]]
    y_pred = [[0, 0, 0], [1, 1, 1], [1, 1, 0]]
    for fn in (dm.f1_score, dm.precision_score, dm.recall_score):
        sk = getattr(skm, fn.__name__)
        assert_same(fn(y_true, y_pred, average=None), sk(y_true, y_pred, average=None))
    # the all-zero row: 0/0 for that sample
    assert_same(quiet(dm.f1_score, y_true, y_pred, average="samples"), quiet(skm.f1_score, y_true, y_pred, average="samples"))
    assert_same(dm.f1_score(y_true, y_pred, average="samples", zero_division=1),
                skm.f1_score(y_true, y_pred, average="samples", zero_division=1))
    assert_same(dm.accuracy_score(np.array([[0, 1], [1, 1]]), np.ones((2, 2))),
                skm.accuracy_score(np.array([[0, 1], [1, 1]]), np.ones((2, 2))))
    y_true, y_pred = np.array([[1, 0, 1], [0, 1, 0]]), np.array([[1, 0, 0], [0, 1, 1]])
    assert_same(dm.multilabel_confusion_matrix(y_true, y_pred), skm.multilabel_confusion_matrix(y_true, y_pred))


class FakeTensor:
    """Duck-typed stand-in for a deepglass Tensor (has .numpy())."""

    def __init__(self, a):
        self._a = np.asarray(a)

    def numpy(self):
        return self._a


def test_accepts_lists_and_tensors():
    y_true, y_pred, _ = multilabel_data(4)
    ref = skm.f1_score(y_true, y_pred, average="samples", zero_division=0)
    assert_same(dm.f1_score(FakeTensor(y_true), FakeTensor(y_pred), average="samples", zero_division=0), ref)
    assert_same(dm.f1_score(y_true.tolist(), y_pred.tolist(), average="samples", zero_division=0), ref)
    torch = pytest.importorskip("torch")
    assert_same(dm.f1_score(torch.tensor(y_true), torch.tensor(y_pred), average="samples", zero_division=0), ref)


# ---------------------------------------------------------------- ranking metrics


@pytest.mark.parametrize("seed", range(30))
def test_ranking_equal_sklearn(seed):
    y_true, y_score, w = multilabel_scores(seed)
    for average in AVERAGES:
        for sw in (None, w):
            assert_same(quiet(dm.average_precision_score, y_true, y_score, average=average, sample_weight=sw),
                        quiet(skm.average_precision_score, y_true, y_score, average=average, sample_weight=sw))
            assert_same(quiet(dm.roc_auc_score, y_true, y_score, average=average, sample_weight=sw),
                        quiet(skm.roc_auc_score, y_true, y_score, average=average, sample_weight=sw))


def test_ranking_zero_weights_and_undefined_columns():
    y_true = np.array([[1, 0, 1], [0, 0, 1], [1, 0, 1], [0, 0, 1]])  # column 1 no positives, column 2 no negatives
    y_score = np.array([[0.9, 0.1, 0.3], [0.2, 0.4, 0.3], [0.6, 0.2, 0.8], [0.6, 0.3, 0.1]])
    w = np.array([1.0, 0.0, 2.0, 0.5])
    # rows 1 and 3 have a single class (NaN AUC for average="samples"); row 1 weighs nothing
    rows_true = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 0], [0, 0, 0]])
    for yt in (y_true, rows_true):
        for average in AVERAGES:
            for sw in (None, w, np.array([1.0, 0.0, 2.0, 0.0])):
                for fn in ("average_precision_score", "roc_auc_score"):
                    assert_same(quiet(getattr(dm, fn), yt, y_score, average=average, sample_weight=sw),
                                quiet(getattr(skm, fn), yt, y_score, average=average, sample_weight=sw))
    assert not np.isnan(quiet(dm.roc_auc_score, rows_true, y_score, average="samples", sample_weight=[1, 0, 2, 0]))
    with pytest.warns(dm.UndefinedMetricWarning, match="Only one class"):
        assert np.isnan(dm.roc_auc_score(y_true, y_score, average=None)[1:]).all()
    # every label absent: "weighted" has no weight at all, 0 like scikit-learn
    zeros = np.zeros_like(y_true)
    assert_same(quiet(dm.average_precision_score, zeros, y_score, average="weighted"),
                quiet(skm.average_precision_score, zeros, y_score, average="weighted"))


@pytest.mark.parametrize("seed", range(8))
def test_multiclass_average_precision_samples_equal_sklearn(seed):
    """scikit-learn binarises multiclass y_true, so average="samples" works there too."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(5, 80)), int(rng.integers(3, 6))
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    p = rng.dirichlet(np.ones(k), n)
    w = rng.random(n)
    for sw in (None, w):
        assert_same(dm.average_precision_score(y, p, average="samples", sample_weight=sw),
                    skm.average_precision_score(y, p, average="samples", sample_weight=sw))


# ---------------------------------------------------------------- errors

Y = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]])
S = np.array([[0.9, 0.1, 0.3], [0.2, 0.4, 0.3], [0.6, 0.2, 0.8]])
MC = np.array([[0, 1, 2], [2, 1, 0], [1, 1, 2]])

# (call on module m, what the deepglass message must say); scikit-learn raises ValueError too
SHARED_ERRORS = [
    (lambda m: m.accuracy_score(Y, [0, 1, 1]), "mix of multilabel-indicator and binary targets"),
    (lambda m: m.f1_score(Y, [0, 2, 1], average="macro"), "mix of multilabel-indicator and multiclass targets"),
    (lambda m: m.precision_score([0, 2, 1], Y, average="macro"), "mix of multiclass and multilabel-indicator"),
    (lambda m: m.recall_score(Y, [[0], [1], [1]], average="micro"), "mix of multilabel-indicator and binary"),
    (lambda m: m.accuracy_score(Y, S), "mix of multilabel-indicator and continuous-multioutput.*threshold"),
    (lambda m: m.accuracy_score(Y, Y[:, :2]), "different numbers of labels"),
    (lambda m: m.accuracy_score(MC, MC), "multiclass-multioutput is not supported"),
    (lambda m: m.f1_score(S, S, average="macro"), "continuous-multioutput is not supported.*threshold"),
    (lambda m: m.accuracy_score(Y[:2], Y), "Inconsistent numbers of samples"),
    (lambda m: m.confusion_matrix(Y, Y), "multilabel-indicator is not supported.*multilabel_confusion_matrix"),
    (lambda m: m.f1_score(Y, Y), r"Target is multilabel-indicator but average='binary'.*'samples'\]"),
    (lambda m: m.precision_score(Y, Y, average="mean"), "average has to be one of"),
    (lambda m: m.f1_score([0, 1, 2], [0, 1, 1], average="samples"), "Samplewise metrics are not available"),
    (lambda m: m.multilabel_confusion_matrix([0, 1, 2], [0, 1, 1], samplewise=True), "Samplewise metrics"),
    (lambda m: m.recall_score(Y, Y, labels=[0, 3], average="macro"), r"All labels must be in \[0, n labels\).*Got 3 > 2"),
    (lambda m: m.recall_score(Y, Y, labels=[-1], average="macro"), r"Got -1 < 0"),
    (lambda m: m.multilabel_confusion_matrix(Y, Y, labels=[5]), r"Got 5 > 2"),
    (lambda m: m.average_precision_score(Y, S, pos_label=0), "pos_label is fixed to 1 for multilabel-indicator"),
    (lambda m: m.average_precision_score(MC, S), "multiclass-multioutput format is not supported"),
    (lambda m: m.roc_auc_score(MC, S), "multiclass-multioutput format is not supported"),
    (lambda m: m.roc_auc_score(Y, S, average="binary"), "average has to be one of"),
    (lambda m: m.roc_auc_score(Y, S[:, 0]), r"y_score has shape \(3,\).*one score column per label"),
    (lambda m: m.roc_curve(Y, S), "multilabel-indicator format is not supported"),
    (lambda m: m.precision_recall_curve(Y, S), "multilabel-indicator format is not supported"),
    (lambda m: m.top_k_accuracy_score(Y, S), "got 'multilabel-indicator'"),
]


@pytest.mark.parametrize("call, match", SHARED_ERRORS, ids=range(len(SHARED_ERRORS)))
def test_errors_like_sklearn(call, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError):
            call(skm)
        with pytest.raises(ValueError, match=match):
            call(dm)


# Where scikit-learn computes something meaningless or fails with another exception, deepglass says why.
OWN_ERRORS = [
    (lambda: dm.average_precision_score(Y, np.c_[S, S[:, 0]]), "one score column per label"),  # sklearn: IndexError
    (lambda: dm.roc_auc_score(Y, S[:, :2]), "one score column per label"),  # sklearn: AUC of 2 of the 3 labels
    (lambda: dm.f1_score(Y, Y, labels=[1.5], average="macro"), "must be integers"),  # sklearn: column 1
    (lambda: dm.f1_score(Y, Y, labels=["a"], average="macro"), "must be integers"),  # sklearn: UFuncTypeError
    (lambda: dm.interpolated_average_precision(Y, S), "multilabel-indicator format is not supported"),
    (lambda: dm.f1_confidence_curve(Y, S), "multilabel-indicator format is not supported"),
    (lambda: dm.accuracy_score(np.zeros((2, 2, 2)), np.zeros((2, 2, 2))), "not a classification target"),
    (lambda: dm.accuracy_score(np.zeros((0, 3), int), np.zeros((0, 3), int)), "empty"),
]


@pytest.mark.parametrize("call, match", OWN_ERRORS, ids=range(len(OWN_ERRORS)))
def test_own_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_exported():
    assert "multilabel_confusion_matrix" in dm.__all__


# ---------------------------------------------------------------- streaming


def split(n, rng, parts=5):
    cuts = np.sort(rng.choice(np.arange(1, n), min(parts, n - 1), replace=False))
    return np.split(np.arange(n), cuts)


@pytest.mark.parametrize("seed", range(6))
def test_streaming_multilabel_equals_sklearn(seed):
    y_true, y_pred, _ = multilabel_data(seed, sizes=(60, 200))
    _, y_score, _ = multilabel_scores(seed, sizes=(len(y_true),))
    y_score = y_score[:, :1].repeat(y_true.shape[1], axis=1) + np.linspace(0, 0.3, y_true.shape[1])
    rng = np.random.default_rng(seed)
    k = y_true.shape[1]
    acc = dm.Accuracy()
    prf = {(avg, zd): dm.PrecisionRecallF1(k, average=avg, zero_division=zd, multilabel=True)
           for avg in AVERAGES for zd in (0, 1, np.nan)}
    ap = {avg: dm.AveragePrecision(average=avg) for avg in AVERAGES}
    auc = {avg: dm.ROCAUC(average=avg) for avg in AVERAGES}
    for idx in split(len(y_true), rng):
        acc.update(y_true[idx], y_pred[idx])
        for m in prf.values():
            m.update(y_true[idx], y_pred[idx])
        for m in (*ap.values(), *auc.values()):
            m.update(y_true[idx], y_score[idx])
    assert_same(acc.compute(), skm.accuracy_score(y_true, y_pred))
    for (avg, zd), m in prf.items():
        p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, average=avg, zero_division=zd)
        got = m.compute()
        for a, b in ((got["precision"], p), (got["recall"], r), (got["f1"], f)):
            assert_same(a, b)
    assert_same(dm.PrecisionRecallF1(k, multilabel=True).merge(prf["macro", 0]).matrix,
                skm.multilabel_confusion_matrix(y_true, y_pred))
    for avg in AVERAGES:
        assert_same(quiet(ap[avg].compute), quiet(skm.average_precision_score, y_true, y_score, average=avg))
        assert_same(quiet(auc[avg].compute), quiet(skm.roc_auc_score, y_true, y_score, average=avg))


def test_streaming_multilabel_merge():
    y_true, y_pred, _ = multilabel_data(8, sizes=(200,))
    rng = np.random.default_rng(0)
    k = y_true.shape[1]
    workers = [dm.PrecisionRecallF1(k, average="samples", multilabel=True) for _ in range(3)]
    accs = [dm.Accuracy() for _ in range(3)]
    for i, idx in enumerate(split(len(y_true), rng, parts=7)):
        workers[i % 3].update(y_true[idx], y_pred[idx])
        accs[i % 3].update(y_true[idx], y_pred[idx])
    total, acc = workers[0].merge(workers[1]).merge(workers[2]), accs[0].merge(accs[1]).merge(accs[2])
    p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, average="samples", zero_division=0)
    assert_same([total.compute()[key] for key in ("precision", "recall", "f1")], [p, r, f])
    assert_same(acc.compute(), skm.accuracy_score(y_true, y_pred))
    total.reset()
    assert total.matrix.sum() == 0 and total._sample_counts.sum() == 0


def test_streaming_multilabel_bad_inputs():
    with pytest.raises(ValueError, match="'samples' needs multilabel=True"):
        dm.PrecisionRecallF1(3, average="samples")
    m = dm.PrecisionRecallF1(3, multilabel=True)
    with pytest.raises(ValueError, match="threshold"):
        m.update(Y, S)
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        m.update(Y[:, :2], Y[:, :2])
    with pytest.raises(ValueError, match="Inconsistent"):
        m.update(Y, Y[:2])
    with pytest.raises(ValueError, match="cannot merge"):
        m.merge(dm.PrecisionRecallF1(3))
    with pytest.raises(ValueError, match="threshold"):
        dm.Accuracy().update(Y, S)
    with pytest.raises(ValueError, match="multilabel=True"):
        dm.ConfusionMatrix(3).update(Y, Y)
    ap = dm.AveragePrecision()
    ap.update(Y, S)
    with pytest.raises(ValueError, match="same labels"):
        ap.update(Y[:, :2], S[:, :2])
    with pytest.raises(ValueError, match="one score column per label"):
        ap.update(Y, S[:, 0])
    other = dm.AveragePrecision()
    other.update([0, 1], [0.2, 0.4])
    with pytest.raises(ValueError, match="same labels"):
        ap.merge(other)
