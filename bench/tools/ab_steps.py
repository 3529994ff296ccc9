"""A/B step times in fresh processes, variants alternating (the order flipped each round); issue 16's method.

    python bench/tools/ab_steps.py WORKLOAD [--rounds 4] [--steps 20] [--variants new torch]
        [--old-parallel FILE]   # variant "old": this file replaces deepglass.parallel (e.g. `git show REV:...`)
        [--old-src DIR]         # variant "oldtree": deepglass imported from DIR (`git worktree add /tmp/old REV`)

Variants: ``new`` (the tree as it is), ``oldtree`` (another checkout's ``src``, same workloads), ``new1``
(``deepglass.set_num_threads(1)``), ``old`` (see above), ``wino0`` / ``wino1`` (the Winograd conv kernel off /
on), ``torch``. Each cell is one process: build the workload, 3 warm-up steps, then the median and the best of
``--steps`` steps, in ms. Nothing in the environment is changed.
"""
from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

CHILD = r"""
import importlib.util, statistics, sys, time
variant, name, steps, old, old_src = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
sys.path[:0] = [ROOT + "/bench/workloads", ROOT + "/bench", old_src if variant == "oldtree" else ROOT + "/src"]
if variant == "old":
    spec = importlib.util.spec_from_file_location("deepglass.parallel", old)
    m = importlib.util.module_from_spec(spec); sys.modules["deepglass.parallel"] = m; spec.loader.exec_module(m)
if variant == "oldtree":
    import deepglass  # noqa: F401  (before bench/run.py puts this tree's src first on the path)
import run
w = {w["name"]: w for w in run.load_workloads()}[name]
if variant in ("new1", "wino0", "wino1"):
    import deepglass as dg
    import deepglass.kernels.winograd as wg
    if variant == "new1":
        dg.set_num_threads(1)
    else:
        wg.ENABLED = variant == "wino1"
step = w["torch" if variant == "torch" else "deepglass"]()
for _ in range(3):
    step()
ts = []
for _ in range(steps):
    t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
print(f"{statistics.median(ts) * 1e3:.3f} {min(ts) * 1e3:.3f}")
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--variants", nargs="+", default=["new", "torch"])
    ap.add_argument("--old-parallel", default="")
    ap.add_argument("--old-src", default="")
    a = ap.parse_args()
    child = f"ROOT = {str(ROOT)!r}\n" + CHILD
    print("variant  median_ms  best_ms")
    for r in range(a.rounds):
        for v in a.variants if r % 2 == 0 else a.variants[::-1]:
            out = subprocess.run([sys.executable, "-c", child, v, a.workload, str(a.steps), a.old_parallel,
                                  a.old_src],
                                 capture_output=True, text=True)
            line = out.stdout.strip().splitlines()[-1] if out.returncode == 0 else "failed: " + out.stderr[-300:]
            print(f"{v:8s} {line}", flush=True)


if __name__ == "__main__":
    main()
