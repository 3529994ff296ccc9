"""train.config.blas_threads: the block runs on n threads and leaves deepglass's threading model as it found it."""
from __future__ import annotations

import subprocess
import sys


def test_blas_threads_restores_one_numpy_blas_thread_in_a_fresh_process():
    """Entered before deepglass's first computation (as `deepglass train` does), the block must not hand NumPy's
    BLAS its start-up thread count back on exit: deepglass keeps it at one (its pool does the threading)."""
    code = """
from threadpoolctl import threadpool_info
import deepglass as dg
from deepglass import parallel
from deepglass.train import config
numpy_blas = lambda: parallel._numpy_blas().get_num_threads()
with config.blas_threads(1):
    inside = (dg.get_num_threads(), numpy_blas())
    dg.nn.functional.conv2d(dg.ones(2, 16, 8, 8), dg.ones(4, 16, 3, 3), padding=1)
print(*inside, dg.get_num_threads(), numpy_blas())
"""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "1", "2", "1"]
