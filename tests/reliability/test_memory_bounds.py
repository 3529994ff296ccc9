"""Finding 1: sizes derived from data are bounded before anything is allocated; figures degrade gracefully.

The memory-sensitive cases run in a child process under ``RLIMIT_AS`` so that a
regression fails the test (MemoryError in the child) instead of the machine.
"""
from __future__ import annotations

import csv
import json
import time

import numpy as np
import pytest
from reliability_helpers import assert_user_error, run_python

from deepglass.train.guard import MAX_CLASSES, class_names


def test_confusion_matrix_figure_of_1001_classes_fits_in_a_small_memory_budget(tmp_path):
    # before: the figure grew with classes² (1,001 classes: past 24 GB); now it keeps its size and drops cell text
    png = tmp_path / "cm.png"
    r = run_python(f"""
        import numpy as np
        from deepglass.viz import plot_confusion_matrix, top_confusions
        rng = np.random.default_rng(0)
        cm = rng.integers(0, 5, (1001, 1001))
        plot_confusion_matrix(cm, [str(i) for i in range(1001)], path={str(png)!r})
        print(top_confusions(cm, k=3))
    """, mem_mb=1500, timeout=90)
    assert r.returncode == 0, r.stderr[-2000:]
    assert png.stat().st_size > 0


def test_report_of_100_classes_fits_in_a_small_memory_budget(tmp_path):
    r = run_python(f"""
        import json, numpy as np
        from deepglass.train.report import classification_report, write_figures
        rng = np.random.default_rng(0)
        logits = rng.normal(size=(300, 100)).astype(np.float32)
        targets = rng.integers(0, 100, 300)
        figs = write_figures({str(tmp_path)!r}, logits, targets, [str(i) for i in range(100)])
        rep = classification_report(logits, targets)
        print(json.dumps({{"figs": sorted(figs), "top": rep["top_confusions"]}}))
    """, mem_mb=1500, timeout=60)  # the old confusion matrix alone took 1.9 GB and 15 s
    assert r.returncode == 0, r.stderr[-2000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert {"confusion_matrix", "pr_curves"} <= set(got["figs"])
    assert len(got["top"]) == 10 and got["top"][0]["count"] >= got["top"][-1]["count"]


@pytest.mark.parametrize("labels, needle", [([3, 1000], "1001 classes"), ([0, 10**12], "more than 10,000 classes"),
                                            ([0, -1, 2], "negative class label"), ([0.5, 1.0], "not integers"),
                                            ([0.0, float("nan")], "NaN")])
def test_class_names_refuses_absurd_label_sets_without_allocating(labels, needle):
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="class label|not integers|NaN") as e:
        class_names(labels)
    assert needle in str(e.value)
    assert time.perf_counter() - t0 < 1.0


def test_class_names_accepts_labels_with_a_few_absent_classes():
    assert class_names([0, 2, 4]) == ["0", "1", "2", "3", "4"]
    assert len(class_names(np.arange(MAX_CLASSES))) == MAX_CLASSES


def _csv(path, targets):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "target"])
        for i, t in enumerate(targets):
            w.writerow([i % 3, (i * 7) % 5, t])
    return path


@pytest.mark.parametrize("label, needle", [(1000, "1001 classes"), (10**12, "more than 10,000 classes"),
                                           (-1, "negative class label")])
def test_train_on_a_csv_with_a_huge_or_negative_label_is_refused_before_any_allocation(tmp_path, label, needle):
    # in a child under a memory limit: the old code built 10**12 class names and took the machine down
    data = _csv(tmp_path / "d.csv", [3, label] * 10)
    out = tmp_path / "run"
    r = run_python(f"""
        import sys
        from deepglass.cli import main
        sys.exit(main(["train", "--data", "csv", "--data-dir", {str(data)!r}, "--epochs", "1", "--out", {str(out)!r},
                       "--quiet"]))
    """, mem_mb=1500, timeout=60)
    assert_user_error(r.returncode, r.stderr, needle)
    assert not out.exists()  # nothing written for a refused run
