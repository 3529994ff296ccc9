"""Helpers of the adversarial suite (imported as ``reliability_helpers``): tiny runs, subprocesses under a memory limit, the CLI's output."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def run_python(code: str, *, mem_mb: int | None = None, timeout: float = 120, env=None):
    """Run ``code`` in a fresh interpreter (deepglass importable), optionally under ``RLIMIT_AS = mem_mb``.

    Returns the ``CompletedProcess`` (text output). A memory regression fails the test with a
    MemoryError inside the child instead of exhausting the machine.
    """
    preexec = None
    if mem_mb is not None:
        def preexec():
            import resource

            limit = int(mem_mb) << 20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    e = {**os.environ, "PYTHONPATH": os.path.abspath(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""),
         "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    e.update(env or {})
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec, env=e)


def make_cli(capsys):
    """``cli(*argv)`` → ``(exit code, stdout, stderr)`` of the ``deepglass`` command, in-process."""
    from deepglass.cli import main

    def call(*argv):
        capsys.readouterr()
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def assert_user_error(code, err, *needles):
    """Exit code 2, one line on stderr naming the problem, no traceback."""
    assert code == 2, err
    assert "Traceback" not in err, err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    for n in needles:
        assert n in err, (n, err)
