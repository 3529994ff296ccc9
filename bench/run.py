"""The benchmark suite: deepglass against PyTorch, same machine, same run.

    python bench/run.py [--quick] [--only NAME ...] [--device cpu|cuda] [--no-memory]

Every workload module in ``bench/workloads/`` defines ``WORKLOADS``: a list of
dicts with ``name``, ``deepglass`` and ``torch`` (builders that return a
zero-argument ``step()`` callable) and optionally ``flops`` (work per step, for
GFLOP/s) and ``device`` support. Steps of the two frameworks are interleaved
(dg, torch, dg, torch, ...) so that machine noise hits both alike; the table
reports the median step time of each, their ratio (deepglass / PyTorch: < 1 is
faster), GFLOP/s where the workload knows its flops, and the peak memory of
each measured in a fresh process. Results go to ``bench/results/`` as JSON and
Markdown.
"""
from __future__ import annotations

import os

# Idle BLAS/OpenMP worker threads busy-wait after each call; interleaved with the other
# framework, they starve its threads (PyTorch's CIFAR step read 60-110 ms instead of 36 ms).
# Let them sleep at once, before NumPy and PyTorch load (bench/PROFILE.md).
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import importlib.util
import json
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE / "workloads"))


def load_workloads(device: str = "cpu") -> list[dict]:
    workloads = []
    for path in sorted((HERE / "workloads").glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"bench_workloads_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for w in getattr(module, "WORKLOADS", []):
            w = dict(w)
            w.setdefault("module", path.stem)
            workloads.append(w)
    return workloads


def _sync(device: str) -> None:
    if device == "cuda":
        import torch

        torch.cuda.synchronize()
        import deepglass

        deepglass.cuda.synchronize()


def time_pair(w: dict, reps: int, warmup: int, device: str) -> dict:
    kwargs = {"device": device} if device != "cpu" else {}
    dg_step = w["deepglass"](**kwargs)
    th_step = w["torch"](**kwargs)
    for _ in range(warmup):
        dg_step()
        th_step()
    _sync(device)
    dg_times, th_times = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        dg_step()
        _sync(device)
        t1 = time.perf_counter()
        th_step()
        _sync(device)
        t2 = time.perf_counter()
        dg_times.append(t1 - t0)
        th_times.append(t2 - t1)
    dg_ms, th_ms = statistics.median(dg_times) * 1e3, statistics.median(th_times) * 1e3
    row = {"name": w["name"], "deepglass_ms": dg_ms, "torch_ms": th_ms, "ratio": dg_ms / th_ms}
    if w.get("flops"):
        row["deepglass_gflops"] = w["flops"] / dg_ms / 1e6
        row["torch_gflops"] = w["flops"] / th_ms / 1e6
    return row


def peak_memory_mb(w: dict, framework: str, steps: int, device: str) -> float | None:
    """Peak memory a workload adds to a fresh process after the imports (MB).

    The high-water mark is reset once NumPy, PyTorch and deepglass are loaded
    (``/proc/self/clear_refs``); the figure is the peak above that resident size while
    the model is built and ``steps`` steps run: weights, optimizer state, activations,
    allocator caches and whatever the library initialises lazily on first use.
    """
    code = (
        "import sys; sys.path.insert(0, %r); sys.path.insert(0, %r)\n"  # noqa: UP031  (a code template: %r keeps the paths quoted)
        "import run as r\n"
        "w = [w for w in r.load_workloads() if w['name'] == %r][0]\n"
        "import torch, deepglass\n"
        "def status(key):\n"
        "    return int([l for l in open('/proc/self/status') if l.startswith(key)][0].split()[1])\n"
        "open('/proc/self/clear_refs', 'w').write('5')\n"
        "base = status('VmRSS')\n"
        "step = w[%r](**({'device': %r} if %r != 'cpu' else {}))\n"
        "for _ in range(%d): step()\n"
        "print((status('VmHWM') - base) / 1024)\n"
    ) % (str(HERE), str(HERE.parent / "src"), w["name"], framework, device, device, steps)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=HERE)
        return float(out.stdout.strip().splitlines()[-1])
    except Exception:
        return None


def to_markdown(rows: list[dict], meta: dict) -> str:
    lines = [f"Benchmarks on {meta['machine']} ({meta['device']}), deepglass {meta['deepglass']} vs torch {meta['torch']}",
             "", "| workload | deepglass ms | torch ms | ratio | dg GFLOP/s | torch GFLOP/s | dg peak MB | torch peak MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    # peak MB: what the workload adds to a process after the imports (see peak_memory_mb)

    def f(v, fmt="{:.2f}"):
        return "" if v is None else fmt.format(v)

    for r in rows:
        lines.append(f"| {r['name']} | {f(r['deepglass_ms'])} | {f(r['torch_ms'])} | {f(r['ratio'])}× | "
                     f"{f(r.get('deepglass_gflops'), '{:.0f}')} | {f(r.get('torch_gflops'), '{:.0f}')} | "
                     f"{f(r.get('deepglass_peak_mb'), '{:.0f}')} | {f(r.get('torch_peak_mb'), '{:.0f}')} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer repetitions")
    p.add_argument("--only", nargs="*", help="workload names (or module names) to run")
    p.add_argument("--device", default="cpu")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    p.add_argument("--out", default=str(HERE / "results"))
    args = p.parse_args(argv)

    import torch

    import deepglass

    workloads = load_workloads(args.device)
    if args.only:
        workloads = [w for w in workloads if w["name"] in args.only or w["module"] in args.only]
    reps, warmup = (5, 2) if args.quick else (20, 3)
    rows = []
    for w in workloads:
        if args.device != "cpu" and not w.get("gpu", True):
            continue
        r = w.get("reps", reps)
        row = time_pair(w, r if not args.quick else min(r, reps), warmup, args.device)
        if not args.no_memory and w.get("memory", True):
            row["deepglass_peak_mb"] = peak_memory_mb(w, "deepglass", 3, args.device)
            row["torch_peak_mb"] = peak_memory_mb(w, "torch", 3, args.device)
        rows.append(row)
        extra = f"  {row['deepglass_gflops']:.0f} vs {row['torch_gflops']:.0f} GFLOP/s" if "deepglass_gflops" in row else ""
        print(f"{w['name']:<32} deepglass {row['deepglass_ms']:9.2f} ms   torch {row['torch_ms']:9.2f} ms   "
              f"ratio {row['ratio']:5.2f}x{extra}", flush=True)
    meta = {"machine": f"{platform.machine()} {os.cpu_count()} cores", "device": args.device,
            "deepglass": deepglass.__version__, "torch": torch.__version__, "time": time.strftime("%Y-%m-%d %H:%M")}
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.device == "cpu" else f"_{args.device}"
    (out / f"results{suffix}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    md = to_markdown(rows, meta)
    (out / f"results{suffix}.md").write_text(md)
    print()
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
