"""``python -m deepglass.distributed.run --nproc N script.py [args]``: start N ranks through mpiexec.

It runs ``mpiexec -n N python script.py args`` (the mpich wheel's ``mpiexec`` next to this Python
when there is one), passes its output through, and when a rank is killed (MPI's launcher reports
only the PID of a process that died without an error of its own) names the rank it was: each rank
records ``pid → rank`` in a private folder at :func:`~deepglass.distributed.init_process_group`.

Example:
    >>> from deepglass.distributed.run import mpiexec_command
    >>> mpiexec_command(2, ["train.py"], mpiexec="mpiexec")[:3]
    ['mpiexec', '-n', '2']
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PID_DIR_ENV = "DEEPGLASS_DIST_PID_DIR"


def find_mpiexec() -> str:
    """The mpiexec next to this Python (the mpich wheel's), else the first on PATH."""
    here = Path(sys.executable).parent / "mpiexec"
    found = str(here) if here.exists() else shutil.which("mpiexec")
    if found is None:
        raise FileNotFoundError("no mpiexec found: pip install mpi4py mpich (or pip install 'deepglass[dist]')")
    return found


def mpiexec_command(nproc: int, argv, mpiexec: str | None = None, hostfile: str | None = None) -> list:
    """The command line that starts ``argv`` (a script and its arguments) on ``nproc`` ranks."""
    if nproc < 1:
        raise ValueError(f"--nproc must be at least 1, got {nproc}")
    cmd = [mpiexec or find_mpiexec(), "-n", str(nproc)]
    if hostfile:
        cmd += ["-f", hostfile]
    return cmd + [sys.executable, *argv] if argv and argv[0].endswith(".py") else cmd + list(argv)


def record_pid(rank: int) -> None:
    """Called by each rank at init: note ``pid → rank`` for the launcher (only under this launcher)."""
    d = os.environ.get(PID_DIR_ENV)
    if d and os.path.isdir(d):
        with open(os.path.join(d, str(os.getpid())), "w") as f:
            f.write(str(rank))


def _dead_ranks(output: str, pid_dir: str) -> list:
    """(rank, pid, how) for each process MPI's launcher reported as terminated badly."""
    out = []
    for m in re.finditer(r"PID (\d+) RUNNING AT \S+\s*=\s*EXIT (?:CODE|STATUS): (\d+)", output):
        pid, code = m.group(1), m.group(2)
        path = os.path.join(pid_dir, pid)
        rank = open(path).read().strip() if os.path.exists(path) else "?"
        out.append((rank, pid, code))
    return out


def launch(nproc: int, argv, hostfile: str | None = None, timeout: float | None = None) -> int:
    """Run the job; return its exit status (a killed rank is named on stderr)."""
    with tempfile.TemporaryDirectory(prefix="deepglass-dist-") as pid_dir:
        env = dict(os.environ, **{PID_DIR_ENV: pid_dir})
        proc = subprocess.Popen(mpiexec_command(nproc, argv, hostfile=hostfile), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        seen = []
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            seen.append(line)
        rc = proc.wait(timeout=timeout)
        if rc != 0:
            for rank, pid, code in _dead_ranks("".join(seen), pid_dir):
                sys.stderr.write(f"deepglass.distributed: rank {rank} (pid {pid}) died (exit code {code}, a "
                                 f"signal number when it was killed); the launcher stopped the other ranks\n")
        return rc


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m deepglass.distributed.run", description=__doc__.splitlines()[0])
    p.add_argument("--nproc", "-n", type=int, required=True, help="number of processes (ranks)")
    p.add_argument("--hostfile", "-f", default=None, help="MPI host file for several machines")
    p.add_argument("script", nargs=argparse.REMAINDER, help="script.py and its arguments")
    a = p.parse_args(argv)
    if not a.script:
        p.error("give the script to run")
    return launch(a.nproc, a.script, a.hostfile)


if __name__ == "__main__":
    sys.exit(main())
