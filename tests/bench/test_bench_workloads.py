"""bench/workloads: the training-job workloads build and run one step in each framework (nothing is timed).

Also: their PyTorch twin trains on exactly the images ``deepglass train`` trains on, and the
runner turns a workload's ``samples`` into samples/s in its JSON row and Markdown table.
"""
from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def workloads():
    sys.path.insert(0, str(BENCH / "workloads"))
    try:
        yield {stem: _load(BENCH / "workloads" / f"{stem}.py", f"bench_workloads_{stem}")
               for stem in ("train_digits", "cifar_script")}
    finally:
        sys.path.remove(str(BENCH / "workloads"))


def test_digits_twin_trains_on_the_cli_training_split(workloads):
    from deepglass.train import config as C

    m = workloads["train_digits"]
    cfg = C.resolve({})
    assert (cfg["model"], cfg["optimizer"], cfg["scheduler"], cfg["batch_size"], cfg["lr"], cfg["epochs"]) == (
        "digits_cnn", "adam", "onecycle", m.BATCH, m.LR, m.EPOCHS)
    train, _, _, _ = C.build_datasets(cfg)
    x, y = m.train_arrays()
    assert len(train) == m.N_TRAIN == len(y) == m.WORKLOADS[0]["samples"]
    for i in (0, 1, 500, len(train) - 1):
        xi, yi = train[i]
        np.testing.assert_array_equal(x[i], xi.numpy())
        assert y[i] == yi


def test_digits_twin_has_the_same_architecture(workloads):
    import torch

    from deepglass.models import digits_cnn

    m = workloads["train_digits"]
    ours = [tuple(p.shape) for p in digits_cnn().parameters()]
    twin = [tuple(p.shape) for p in m._torch_digits_cnn(torch.nn).parameters()]
    assert ours == twin


@pytest.mark.parametrize("stem", ["train_digits", "cifar_script"])
def test_one_step_in_each_framework(workloads, stem):
    from deepglass import compat

    w = workloads[stem].WORKLOADS[0]
    assert w["samples"] > 0
    out = w["torch"]()()
    if out is not None:
        assert all(math.isfinite(v) for v in np.atleast_1d(out))
    step = w["deepglass"]()
    assert not compat.is_installed()  # the hook is gone again: `import torch` is PyTorch after building
    if stem == "cifar_script":  # the script's `torch` was deepglass, as under `deepglass run`
        import deepglass

        assert isinstance(step.model, deepglass.nn.Module)
    out = step()
    if out is not None:
        assert all(math.isfinite(v) for v in np.atleast_1d(out))


def test_runner_reports_samples_per_second():
    saved = sys.path[:]
    try:
        run = _load(BENCH / "run.py", "bench_run_for_tests")  # it puts src/ and workloads/ on sys.path
    finally:
        sys.path[:] = saved
    row = run.add_rates({"name": "w", "deepglass_ms": 250.0, "torch_ms": 125.0, "ratio": 2.0},
                        {"samples": 1000, "flops": 5e8})
    assert row["deepglass_samples_s"] == pytest.approx(4000) and row["torch_samples_s"] == pytest.approx(8000)
    assert row["deepglass_gflops"] == pytest.approx(2) and row["torch_gflops"] == pytest.approx(4)
    meta = {"versions": {"deepglass": "x", "torch": "y", "numpy": "z", "python": "3"}, "date": "d", "machine": "m",
            "device": "cpu", "interleaved": False, "rounds": 2}
    md = run.to_markdown([row], meta)
    assert "| dg samples/s | PyTorch samples/s |" in md
    assert "| 2 | 4 | 4000 | 8000 |" in md


def test_performance_md_is_generated_with_the_targets(tmp_path, monkeypatch):
    saved = sys.path[:]
    try:
        run = _load(BENCH / "run.py", "bench_run_for_tests")
    finally:
        sys.path[:] = saved
    rows = [{"name": "mlp_train_b128", "deepglass_ms": 1.1, "torch_ms": 1.0, "ratio": 1.1,
             "deepglass_peak_mb": 5.0, "torch_peak_mb": 10.0},
            {"name": "resnet18_train_b32_32px", "deepglass_ms": 1.1, "torch_ms": 1.0, "ratio": 1.1}]
    monkeypatch.setattr(run, "HERE", tmp_path)
    run.write_performance_md("TABLE\n", rows)
    text = (tmp_path / "PERFORMANCE.md").read_text()
    assert text.startswith("# deepglass performance") and "TABLE" in text and "do not edit by hand" in text
    assert "| ≤ 1.0× | mlp_train_b128 | 1.10× | no |" in text
    assert "| ≤ 1.2× | resnet18_train_b32_32px | 1.10× | yes |" in text
    assert "| peak memory ≤ 1.0× | mlp_train_b128 | 0.50× | yes |" in text
    assert not list(tmp_path.glob("*.tmp"))
    with pytest.raises(SystemExit, match="full default"):
        run.main(["--update-docs", "--quick", "--only", "nothing", "--out", str(tmp_path)])
