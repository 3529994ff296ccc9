"""The benchmark suite: deepglass against PyTorch on the same machine, measured fairly.

    python bench/run.py [--quick] [--only NAME ...] [--rounds N] [--device cpu|cuda]
                        [--interleaved] [--update-docs]

Every workload module in ``bench/workloads/`` defines ``WORKLOADS``: a list of
dicts with ``name``, ``deepglass`` and ``torch`` (builders that return a
zero-argument ``step()`` callable) and optionally ``flops`` (work per step, for
GFLOP/s), ``samples`` (samples per step, for samples/s = samples / step time),
``reps`` (timed steps), ``memory`` (False: no peak-memory column) and ``gpu``.

How it measures (the default): **each framework alone in a fresh process with
its own defaults**. For every workload, ``--rounds`` rounds alternate the two
frameworks (deepglass first in odd rounds, PyTorch first in even ones); each
round starts a new Python process that imports one framework, builds the
workload, runs the warm-up steps and then the timed steps, and reports the
median step time and the peak memory the workload added to the process. The
table shows the median of those per-round medians and their ratio
(deepglass / PyTorch: < 1 is faster). No environment variable is set or
changed: the processes get the user's environment as it is.

``--interleaved`` is the old secondary mode, labelled as such in its output:
both frameworks in one process, steps alternating. The two thread pools
then compete, which handicaps whichever framework keeps spinning threads, so
its ratios are not the headline figures.

Results go to ``bench/results/`` as JSON and Markdown; ``--update-docs``
rewrites the README's performance table (between its ``bench:start`` /
``bench:end`` markers) and ``bench/PERFORMANCE.md`` (the table and issue 16's
targets, met or not) from them, so no figure there is copied by hand.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE / "workloads"))

FRAMEWORKS = ("deepglass", "torch")


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


def _sync(framework: str, device: str) -> None:
    if device != "cuda":
        return
    if framework == "torch":
        import torch

        torch.cuda.synchronize()
    else:
        import deepglass

        deepglass.cuda.synchronize()


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            return int(next(line for line in f if line.startswith(key)).split()[1])
    except (OSError, StopIteration):  # not Linux
        return None


def _threads(framework: str) -> int:
    if framework == "torch":
        import torch

        return torch.get_num_threads()
    import deepglass

    return deepglass.get_num_threads()


# ----------------------------------------------------------------------------- one framework, one process
def worker(name: str, framework: str, reps: int, warmup: int, device: str) -> dict:
    """Run one workload for one framework in this (fresh) process; return its timings and peak memory."""
    __import__(framework)  # the import itself is not part of the workload's memory
    w = next(w for w in load_workloads(device) if w["name"] == name)
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the high-water mark to the current resident size
    except OSError:
        pass
    base = _status_kb("VmRSS")
    step = w[framework](**({"device": device} if device != "cpu" else {}))
    for _ in range(warmup):
        step()
    _sync(framework, device)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        _sync(framework, device)
        times.append(time.perf_counter() - t0)
    peak = _status_kb("VmHWM")
    return {"median_ms": statistics.median(times) * 1e3, "times_ms": [t * 1e3 for t in times],
            "peak_mb": None if peak is None or base is None else (peak - base) / 1024,
            "threads": _threads(framework)}


def run_in_fresh_process(name: str, framework: str, reps: int, warmup: int, device: str) -> dict:
    cmd = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker", name, "--framework", framework,
           "--reps", str(reps), "--warmup", str(warmup), "--device", device]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=HERE)  # the user's environment
    if out.returncode != 0:
        raise RuntimeError(f"{framework} worker for {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_separately(w: dict, rounds: int, reps: int, warmup: int, device: str) -> dict:
    per_round = {f: [] for f in FRAMEWORKS}
    last = {}
    for r in range(rounds):
        order = FRAMEWORKS if r % 2 == 0 else FRAMEWORKS[::-1]
        for framework in order:
            last[framework] = res = run_in_fresh_process(w["name"], framework, reps, warmup, device)
            per_round[framework].append(res["median_ms"])
    dg_ms, th_ms = statistics.median(per_round["deepglass"]), statistics.median(per_round["torch"])
    row = {"name": w["name"], "deepglass_ms": dg_ms, "torch_ms": th_ms, "ratio": dg_ms / th_ms,
           "deepglass_rounds_ms": per_round["deepglass"], "torch_rounds_ms": per_round["torch"],
           "deepglass_threads": last["deepglass"]["threads"], "torch_threads": last["torch"]["threads"]}
    if w.get("memory", True):
        row["deepglass_peak_mb"] = last["deepglass"]["peak_mb"]
        row["torch_peak_mb"] = last["torch"]["peak_mb"]
    return row


# ----------------------------------------------------------------------------- secondary mode: one process
def measure_interleaved(w: dict, reps: int, warmup: int, device: str) -> dict:
    """Both frameworks in this process, steps alternating (their thread pools compete: secondary mode)."""
    kwargs = {"device": device} if device != "cpu" else {}
    steps = {f: w[f](**kwargs) for f in FRAMEWORKS}
    for _ in range(warmup):
        for f in FRAMEWORKS:
            steps[f]()
    times = {f: [] for f in FRAMEWORKS}
    for _ in range(reps):
        for f in FRAMEWORKS:
            t0 = time.perf_counter()
            steps[f]()
            _sync(f, device)
            times[f].append(time.perf_counter() - t0)
    dg_ms, th_ms = (statistics.median(times[f]) * 1e3 for f in FRAMEWORKS)
    return {"name": w["name"], "deepglass_ms": dg_ms, "torch_ms": th_ms, "ratio": dg_ms / th_ms}


# ----------------------------------------------------------------------------- reports
def add_rates(row: dict, w: dict) -> dict:
    """Add the rates a workload declares to its measured ``row``: GFLOP/s = ``flops`` / step time,
    samples/s = ``samples`` / step time (work or samples per step over the median step time)."""
    for f in FRAMEWORKS:
        seconds = row[f"{f}_ms"] / 1e3
        if w.get("flops"):
            row[f"{f}_gflops"] = w["flops"] / seconds / 1e9
        if w.get("samples"):
            row[f"{f}_samples_s"] = w["samples"] / seconds
    if w.get("samples"):
        row["samples"] = w["samples"]
    return row


def machine_facts(device: str) -> dict:
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import numpy

    versions = {"numpy": numpy.__version__, "python": platform.python_version()}
    for name in FRAMEWORKS:  # read the version without importing the framework into this process
        from importlib.metadata import PackageNotFoundError, version

        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed" if name == "torch" else "source tree"
    return {"machine": f"{cpu}, {os.cpu_count()} cores", "device": device, "versions": versions,
            "date": time.strftime("%Y-%m-%d %H:%M")}


def to_markdown(rows: list[dict], meta: dict) -> str:
    v = meta["versions"]
    how = ("one process, steps interleaved (secondary mode: the two thread pools compete)" if meta["interleaved"]
           else f"each framework alone in a fresh process with its own defaults, {meta['rounds']} rounds "
                "alternating, median of per-round medians")
    threads = ""
    if rows and "deepglass_threads" in rows[0]:
        threads = f"; threads: deepglass {rows[0]['deepglass_threads']}, PyTorch {rows[0]['torch_threads']}"
    load = meta.get("load_average")
    load = "" if load is None else f"; load average {load:.1f} when it started (other work on the machine slows both)"
    lines = [f"Measured {meta['date']} on {meta['machine']} ({meta['device']}); deepglass {v['deepglass']}, "
             f"PyTorch {v['torch']}, NumPy {v['numpy']}, Python {v['python']}{threads}{load}.",
             f"Method: {how}. Ratio = deepglass / PyTorch step time (< 1: deepglass is faster).",
             "", "| workload | deepglass ms | PyTorch ms | ratio | dg GFLOP/s | PyTorch GFLOP/s | dg samples/s | "
             "PyTorch samples/s | dg peak MB | PyTorch peak MB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def f(v, fmt="{:.2f}"):
        return "" if v is None else fmt.format(v)

    for r in rows:
        lines.append(f"| {r['name']} | {f(r['deepglass_ms'])} | {f(r['torch_ms'])} | {f(r['ratio'])}× | "
                     f"{f(r.get('deepglass_gflops'), '{:.0f}')} | {f(r.get('torch_gflops'), '{:.0f}')} | "
                     f"{f(r.get('deepglass_samples_s'), '{:.0f}')} | {f(r.get('torch_samples_s'), '{:.0f}')} | "
                     f"{f(r.get('deepglass_peak_mb'), '{:.0f}')} | {f(r.get('torch_peak_mb'), '{:.0f}')} |")
    return "\n".join(lines) + "\n"


def update_readme(md: str) -> None:
    """Replace the README's performance table (between the bench markers) with this run's table."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"README.md has no {start} ... {end} markers to update")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    note = "<!-- generated by `python bench/run.py --update-docs`; do not edit by hand -->\n"
    tmp = readme.with_suffix(".md.tmp")
    tmp.write_text(head + start + "\n" + note + md + end + tail)
    os.replace(tmp, readme)


# issue 16's targets: (workloads, the largest ratio allowed); checked against each run in bench/PERFORMANCE.md
TARGETS = [
    (("cifar_cnn_train_b64",), 1.0), (("transformer_enc2_d128_b32_s64",), 1.0), (("mlp_train_b128",), 1.0),
    (("resnet18_train_b32_32px",), 1.2),
    (tuple(f"{m}_infer_b{b}" for m in ("cifar_cnn", "resnet18", "transformer", "mlp") for b in (1, 64)), 1.0),
]


def targets_markdown(rows: list[dict]) -> str:
    """The targets table: each workload's ratio against its bound, and peak memory against PyTorch's."""
    by_name = {r["name"]: r for r in rows}
    lines = ["| target | workload | ratio | met |", "|---|---|---:|---|"]
    for names, bound in TARGETS:
        for name in names:
            if name in by_name:
                ratio = by_name[name]["ratio"]
                lines.append(f"| ≤ {bound:.1f}× | {name} | {ratio:.2f}× | {'yes' if ratio <= bound else 'no'} |")
    for r in rows:
        if r.get("deepglass_peak_mb") is not None and r.get("torch_peak_mb"):
            ratio = r["deepglass_peak_mb"] / r["torch_peak_mb"]
            lines.append(f"| peak memory ≤ 1.0× | {r['name']} | {ratio:.2f}× | {'yes' if ratio <= 1.0 else 'no'} |")
    return "\n".join(lines) + "\n"


def write_performance_md(md: str, rows: list[dict]) -> None:
    """bench/PERFORMANCE.md, generated whole from this run (atomically): the table and the targets."""
    text = ("# deepglass performance against PyTorch on the CPU\n\n"
            "<!-- generated by `python bench/run.py --update-docs`; do not edit by hand -->\n\n"
            + md + "\n## Issue 16's targets\n\n" + targets_markdown(rows)
            + "\nWhere the time goes, per op, and why a target is out of reach: [PROFILE.md](PROFILE.md) "
              "(`python bench/tools/op_profile.py WORKLOAD` prints the per-op split of any workload). "
              "Earlier figures measured with both frameworks in one process (unfair to PyTorch) are in the git "
              "history of this file.\n")
    path = HERE / "PERFORMANCE.md"
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer steps and rounds")
    p.add_argument("--only", nargs="*", help="workload names (or module names) to run")
    p.add_argument("--rounds", type=int, default=None, help="fresh-process rounds per framework (default 3; quick 2)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--interleaved", action="store_true", help="secondary mode: both frameworks in one process")
    p.add_argument("--update-docs", action="store_true",
                   help="rewrite the README's performance table and bench/PERFORMANCE.md (full run only)")
    p.add_argument("--out", default=str(HERE / "results"))
    p.add_argument("--no-memory", action="store_true", help=argparse.SUPPRESS)  # memory now comes for free
    # the worker side of the default mode
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--framework", choices=FRAMEWORKS, help=argparse.SUPPRESS)
    p.add_argument("--reps", type=int, help=argparse.SUPPRESS)
    p.add_argument("--warmup", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.framework, args.reps, args.warmup, args.device)))
        return 0

    load_at_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    workloads = load_workloads(args.device)
    if args.only:
        workloads = [w for w in workloads if w["name"] in args.only or w["module"] in args.only]
    reps, warmup = (5, 2) if args.quick else (20, 3)
    rounds = args.rounds or (2 if args.quick else 3)
    rows = []
    for w in workloads:
        if args.device != "cpu" and not w.get("gpu", True):
            continue
        r = min(w.get("reps", reps), reps) if args.quick else w.get("reps", reps)
        if args.interleaved:
            row = measure_interleaved(w, r, warmup, args.device)
        else:
            row = measure_separately(w, rounds, r, warmup, args.device)
        add_rates(row, w)
        rows.append(row)
        extra = f"  {row['deepglass_gflops']:.0f} vs {row['torch_gflops']:.0f} GFLOP/s" if "deepglass_gflops" in row else ""
        if "deepglass_samples_s" in row:
            extra += f"  {row['deepglass_samples_s']:.0f} vs {row['torch_samples_s']:.0f} samples/s"
        print(f"{w['name']:<32} deepglass {row['deepglass_ms']:9.2f} ms   torch {row['torch_ms']:9.2f} ms   "
              f"ratio {row['ratio']:5.2f}x{extra}", flush=True)
    meta = machine_facts(args.device)
    meta.update(interleaved=args.interleaved, rounds=None if args.interleaved else rounds, reps=reps,
                load_average=load_at_start)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = ("" if args.device == "cpu" else f"_{args.device}") + ("_interleaved" if args.interleaved else "")
    (out / f"results{suffix}.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    md = to_markdown(rows, meta)
    (out / f"results{suffix}.md").write_text(md)
    print()
    print(md)
    if args.update_docs:
        if args.interleaved or args.device != "cpu" or args.quick or args.only:
            raise SystemExit("--update-docs takes the full default CPU measurement (separate processes) only")
        update_readme(md)
        write_performance_md(md, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
