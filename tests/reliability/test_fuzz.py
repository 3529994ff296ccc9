"""Hypothesis fuzzing of ``deepglass.load``, the dataset readers and the public metrics: only the documented
exception classes come out, each message naming the input."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deepglass as dg
from deepglass import metrics

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_VALID = None


def _valid() -> bytes:
    global _VALID
    if _VALID is None:
        import io

        f = io.BytesIO()
        dg.save({"model": {"w": dg.arange(4.0)}, "lr": 0.01, "step": (1, 2)}, f)
        _VALID = f.getvalue()
    return _VALID


@FUZZ
@given(st.binary(max_size=300))
def test_load_of_arbitrary_bytes_raises_only_value_error(data):
    try:
        dg.load(data)
    except ValueError as e:
        assert "<bytes>" in str(e)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=4),
       st.integers(0, 10_000))
def test_load_of_a_mutated_checkpoint_is_the_original_or_a_value_error(edits, cut):
    raw = bytearray(_valid())
    for pos, val in edits:
        raw[pos % len(raw)] = val
    raw = bytes(raw[: max(cut, len(raw) // 2)])
    try:
        got = dg.load(raw)
    except ValueError:
        return
    assert got["lr"] == 0.01 and got["step"] == (1, 2) and got["model"]["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_a_safetensors_header_length_that_looks_like_a_pickle_opcode_still_loads():
    # 0x280 = 640 bytes of header: the file starts 80 02, as a pickle does
    from safetensors.numpy import save

    for pad in range(0, 800):
        raw = save({"w": np.ones(1, np.float32)}, metadata={"p": "x" * pad})
        if raw[:2] == b"\x80\x02":
            break
    assert raw[:2] == b"\x80\x02"
    assert dg.load(raw)["w"].tolist() == [1.0]


@FUZZ
@given(st.lists(st.lists(st.sampled_from(["1", "2.5", "", "nan", "inf", "x", "-3", " 7 ", "1e400"]), min_size=1,
                         max_size=4), min_size=0, max_size=6),
       st.sampled_from([["a", "target"], ["a", "b", "target"], ["x", "label"], ["target"]]))
def test_csv_dataset_raises_only_value_error_naming_the_file(tmp_path_factory, rows, header):
    from deepglass.data import CSVDataset

    p = tmp_path_factory.mktemp("csv") / "fuzz.csv"
    p.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    try:
        ds = CSVDataset(str(p))
    except ValueError as e:
        assert "fuzz.csv" in str(e)
        return
    assert np.isfinite(ds.data).all()
    assert all(isinstance(t, (int, float)) and np.isfinite(t) for t in ds.targets)


@FUZZ
@given(st.binary(max_size=80))
def test_read_idx_raises_only_value_error_naming_the_file(tmp_path_factory, data):
    from deepglass.data.datasets.mnist import read_idx

    p = tmp_path_factory.mktemp("idx") / "fuzz-idx1-ubyte"
    p.write_bytes(data)
    try:
        read_idx(str(p))
    except ValueError as e:
        assert "fuzz-idx1-ubyte" in str(e)


_labels = st.lists(st.one_of(st.integers(-3, 5), st.sampled_from([0.5, 1.0, float("nan"), float("inf")])),
                   max_size=8)
_scores = st.lists(st.one_of(st.floats(-2, 2), st.sampled_from([float("nan"), float("inf")])), max_size=8)


@FUZZ
@given(_labels, _scores)
def test_ranking_metrics_raise_only_value_error(y_true, y_score):
    for fn in (metrics.roc_auc_score, metrics.average_precision_score, metrics.roc_curve,
               metrics.precision_recall_curve):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = fn(y_true, y_score)
            except ValueError as e:
                assert str(e)
                continue
        assert len(y_true) == len(y_score) and len(y_true) > 0, (fn.__name__, y_true, y_score, out)


@FUZZ
@given(_labels, _labels)
def test_classification_metrics_raise_only_value_error(y_true, y_pred):
    for fn in (metrics.accuracy_score, metrics.confusion_matrix,
               lambda a, b: metrics.precision_recall_fscore_support(a, b, average="macro", zero_division=0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fn(y_true, y_pred)
            except ValueError as e:
                assert str(e)


@pytest.mark.parametrize("bad", [[[0, 1], [1]], "abc", None])
def test_metric_messages_name_the_argument(bad):
    with pytest.raises(ValueError) as e:
        metrics.roc_auc_score(bad, [0.1, 0.2])
    assert "y_true" in str(e.value) or "samples" in str(e.value)
