"""Collectives equal their NumPy definition; a failing rank ends the job naming a rank, never a hang."""
import subprocess
import sys

import pytest
from _dist_launch import SRC, WORKERS, mpiexec, run

pytestmark = pytest.mark.dist


@pytest.mark.parametrize("n", [2, 3])
def test_collectives_match_numpy(n):
    out = run(n, "collectives.py").stdout
    assert out.count("collectives OK") == n, out


def test_raising_rank_aborts_the_job_naming_it():
    p = run(3, "faults.py", "raise", timeout=30, expect_ok=False)
    assert p.returncode != 0
    assert "rank 1 of 3 failed with ValueError: bad batch in rank 1's data; aborting all 3 ranks" in p.stdout, p.stdout
    assert "not reached" not in p.stdout


def test_hung_rank_times_out_with_an_error_naming_it():
    p = run(2, "faults.py", "hang", timeout=30, expect_ok=False)
    assert p.returncode != 0
    assert "rank 0 of 2: all_reduce (collective #2) did not complete within 3 s; rank 1 is still at collective #1" \
        in p.stdout, p.stdout


def test_exiting_rank_makes_the_others_time_out_with_an_error_naming_it():
    p = run(2, "faults.py", "exit", timeout=30, expect_ok=False)
    assert p.returncode != 0
    assert "rank 0 of 2: all_reduce (collective #2) did not complete within 3 s; rank 1 is still at collective #1" \
        in p.stdout, p.stdout


def test_killed_rank_is_named_by_the_launcher():
    mpiexec()  # skips without mpi4py/mpich
    cmd = [sys.executable, "-m", "deepglass.distributed.run", "--nproc", "2", str(WORKERS / "faults.py"), "kill"]
    env = {"PYTHONPATH": str(SRC), "PATH": str(__import__("pathlib").Path(sys.executable).parent) + ":/usr/bin:/bin",
           "OPENBLAS_NUM_THREADS": "1"}
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    assert p.returncode != 0
    assert "deepglass.distributed: rank 1 (pid " in p.stdout and "died (exit code 9" in p.stdout, p.stdout
    assert "not reached" not in p.stdout


def test_nccl_unique_id_travels_as_a_buffer_not_a_pickle():
    out = run(2, "nccl_id.py").stdout
    assert out.count("nccl id OK") == 2, out
