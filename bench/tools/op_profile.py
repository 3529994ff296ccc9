"""Where a workload's step time goes, op by op, in each framework (each in its own fresh process).

    python bench/tools/op_profile.py WORKLOAD [--steps 10] [--top 12] [--framework deepglass torch]
                                     [--src DIR]   # deepglass from another checkout's src (an A/B)

deepglass: every ``Function`` subclass's ``forward`` and ``backward`` is wrapped with a wall-clock timer
(on the calling thread, so a batch-chunk region counts in full, its pool threads included); the rest of
the step (module calls, the engine's bookkeeping, the optimizer) is reported as "outside Functions".
PyTorch: ``torch.profiler`` self CPU time per ATen op. Both use the framework's own defaults (threads
included); the timers add a few microseconds per op, so compare the large rows, not the small ones.
"""
from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

CHILD = r"""
import collections, statistics, sys, time
framework, name, steps, top, src = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
sys.path[:0] = [ROOT + "/bench/workloads", ROOT + "/bench", src or ROOT + "/src"]
if src:
    import deepglass  # noqa: F401  (before bench/run.py puts this tree's src first on the path)
import run
w = {w["name"]: w for w in run.load_workloads()}[name]
step = w[framework]()
for _ in range(3):
    step()
if framework == "deepglass":
    from deepglass.autograd.function import Function
    acc = collections.defaultdict(float)
    count = collections.Counter()

    def subclasses(c):
        for s in c.__subclasses__():
            yield s
            yield from subclasses(s)

    def wrap(cls, attr):
        f = cls.__dict__[attr]
        f = f.__func__ if isinstance(f, staticmethod) else f
        key = f"{cls.__name__}.{attr}"

        def timed(ctx, *a, **k):
            t = time.perf_counter()
            try:
                return f(ctx, *a, **k)
            finally:
                acc[key] += time.perf_counter() - t
                count[key] += 1
        setattr(cls, attr, staticmethod(timed))

    for c in set(subclasses(Function)):
        for attr in ("forward", "backward"):
            if attr in c.__dict__:
                wrap(c, attr)
    step()
    acc.clear(); count.clear()
    total = 0.0
    for _ in range(steps):
        t = time.perf_counter(); step(); total += time.perf_counter() - t
    inside = sum(acc.values())
    print(f"deepglass {name}: {total / steps * 1e3:.2f} ms per step (timers on), "
          f"{(total - inside) / steps * 1e3:.2f} ms outside Functions")
    for k, v in sorted(acc.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {k:<36} {v / steps * 1e3:8.3f} ms  x{count[k] // steps}")
else:
    import torch
    with torch.profiler.profile() as prof:
        t = time.perf_counter()
        for _ in range(steps):
            step()
        total = time.perf_counter() - t
    print(f"torch {name}: {total / steps * 1e3:.2f} ms per step (profiler on)")
    rows = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)[:top]
    for e in rows:
        print(f"  {e.key:<36} {e.self_cpu_time_total / steps / 1e3:8.3f} ms  x{e.count // steps}")
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--framework", nargs="+", default=["deepglass", "torch"], choices=["deepglass", "torch"])
    ap.add_argument("--src", default="", help="import deepglass from this src folder instead of the tree's")
    a = ap.parse_args()
    child = f"ROOT = {str(ROOT)!r}\n" + CHILD
    for framework in a.framework:
        out = subprocess.run([sys.executable, "-c", child, framework, a.workload, str(a.steps), str(a.top), a.src],
                             capture_output=True, text=True)
        print(out.stdout if out.returncode == 0 else f"{framework} failed:\n{out.stderr[-2000:]}", flush=True)


if __name__ == "__main__":
    main()
