"""Run a worker script of ``tests/distributed/workers`` under ``mpiexec -n N`` with a timeout."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKERS = Path(__file__).parent / "workers"
SRC = Path(__file__).resolve().parents[2] / "src"


def mpiexec():
    """The launcher next to this Python (the mpich wheel's), else one on PATH; skip without mpi4py."""
    pytest.importorskip("mpi4py", reason="distributed tests need mpi4py and mpich (pip install mpi4py mpich)")
    here = Path(sys.executable).parent / "mpiexec"
    found = str(here) if here.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec found (pip install mpich)")
    return found


def run(n: int, worker: str, *args, timeout: float = 60, expect_ok: bool = True, python_args=()):
    """Launch ``worker`` on ``n`` ranks (``python *python_args worker *args``); return the CompletedProcess
    (stdout and stderr together in ``.stdout``)."""
    env = dict(os.environ, PYTHONPATH=str(SRC), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", DEEPGLASS_NUM_THREADS="1")
    cmd = [mpiexec(), "-n", str(n), sys.executable, *python_args, str(WORKERS / worker), *map(str, args)]
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:  # a hang is a failure, never a wait
        raise AssertionError(f"{worker} on {n} ranks hung for {timeout} s:\n{e.stdout}") from None
    if expect_ok:
        assert p.returncode == 0, f"{worker} on {n} ranks failed (rc {p.returncode}):\n{p.stdout}"
    return p
