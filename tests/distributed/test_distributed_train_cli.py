"""``deepglass train --nproc 2``: one run folder written by rank 0; a resumed run continues exactly."""
import csv
import os
import subprocess
import sys

import pytest
from _dist_launch import SRC, mpiexec

pytestmark = [pytest.mark.dist, pytest.mark.slow]


def _train(out, *flags):
    env = dict(os.environ, PYTHONPATH=str(SRC), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    p = subprocess.run([sys.executable, "-m", "deepglass.cli", "train", "--nproc", "2", "--scheduler", "none",
                        "--quiet", "--out", str(out), *flags], env=env, cwd=out.parent, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=120)
    assert p.returncode == 0, p.stdout
    return p.stdout


def _history(run):
    with open(run / "history.csv") as f:
        return [{k: r[k] for k in ("epoch", "step", "train_loss", "val_loss")} for r in csv.DictReader(f)]


def test_train_nproc_2_writes_one_run_and_resumes_exactly(tmp_path):
    mpiexec()  # skips without mpi4py/mpich
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    out = _train(straight, "--epochs", "2")
    assert out.count("test accuracy") == 1, out  # only rank 0 reports
    assert sorted(os.listdir(tmp_path)) == ["straight"]  # and only rank 0 writes (no runs/ folder from rank 1)
    assert (straight / "model.safetensors").is_file() and (straight / "checkpoints" / "last.safetensors").is_file()
    hist = _history(straight)
    # 1293 digits training samples, 2 ranks × batch 32: ceil(647 / 32) = 21 steps per epoch
    assert [h["step"] for h in hist] == ["21", "42"], hist
    _train(resumed, "--epochs", "1")
    _train(resumed, "--epochs", "2", "--resume", str(resumed))
    assert _history(resumed) == hist  # same shard order per epoch, same optimizer state: the same run


def test_an_error_on_one_rank_ends_every_rank_naming_it(tmp_path):
    mpiexec()
    (tmp_path / "junk").write_text("not a run")
    env = dict(os.environ, PYTHONPATH=str(SRC), OPENBLAS_NUM_THREADS="1")
    p = subprocess.run([sys.executable, "-m", "deepglass.cli", "train", "--nproc", "2", "--out", str(tmp_path)],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert p.returncode != 0
    assert "rank 0 of 2 failed with FileExistsError" in p.stdout and "aborting all 2 ranks" in p.stdout, p.stdout
