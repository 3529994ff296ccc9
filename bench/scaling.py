"""Data-parallel scaling of deepglass (issue 18): samples/s for 1, 2, … processes and communication per step.

    python bench/scaling.py [--nproc 1 2] [--model cifar_net] [--batch 32] [--steps 20] [--hostfile FILE]

For each process count P it starts ``mpiexec -n P python bench/scaling.py --worker …``: every rank
trains the model wrapped in ``DistributedDataParallel`` on its own batch of ``--batch`` samples
(weak scaling: the global batch is P·batch) with SGD + momentum. Each rank uses cpu_count // P
BLAS threads (``deepglass.set_num_threads``), so P processes share the machine's cores rather
than oversubscribe them. Rank 0 reports the median step time and:

- samples/s      = P·batch / step time
- comm ms/step   = one blocking all-reduce of all the gradients (the bytes DDP moves per step), timed alone
- exposed ms     = the time backward's last hook spends waiting for the buckets (communication
                   that did not overlap with computation)

On a cluster: ``--hostfile hosts.txt`` (MPICH's host file) and larger ``--nproc``.
Results are printed as a table and written to ``bench/results/scaling.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent


def worker(a) -> None:
    import numpy as np

    import deepglass as dg
    import deepglass.distributed as dist
    from deepglass import models, nn
    from deepglass.nn.parallel import DistributedDataParallel as DDP
    from deepglass.parallel import set_num_threads

    dist.init_process_group("mpi")
    P, R = dist.get_world_size(), dist.get_rank()
    threads = a.threads or max(1, (os.cpu_count() or 1) // P)
    set_num_threads(threads)
    dg.manual_seed(0)
    model = DDP(models.get_model(a.model))
    opt = dg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    exposed = []
    finalize = model._finalize

    def timed_finalize(last):
        t0 = time.perf_counter()
        out = finalize(last)
        exposed.append(time.perf_counter() - t0)
        return out

    model._finalize = timed_finalize
    rng = np.random.default_rng(R)
    x = dg.tensor(rng.standard_normal((a.batch, 3, 32, 32)).astype(np.float32))
    y = dg.tensor(rng.integers(0, 10, a.batch))
    times = []
    for i in range(a.warmup + a.steps):
        dist.barrier()
        t0 = time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    grads = dg.tensor(np.concatenate([p.grad._array.ravel() for p in model.parameters()]))
    comm = []
    for _ in range(a.steps):
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(grads)
        comm.append(time.perf_counter() - t0)
    step = statistics.median(times)
    if R == 0:
        print("RESULT " + json.dumps({
            "nproc": P, "model": a.model, "batch_per_rank": a.batch, "step_ms": 1e3 * step,
            "samples_per_s": P * a.batch / step, "comm_ms_per_step": 1e3 * statistics.median(comm),
            "exposed_comm_ms_per_step": 1e3 * statistics.median(exposed[a.warmup:]),
            "grad_mb": grads._array.nbytes / 2**20, "buckets": len(model._buckets),
            "threads_per_rank": threads}), flush=True)
    dist.destroy_process_group()


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nproc", type=int, nargs="+", default=[1, 2])
    p.add_argument("--model", default="cifar_net")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--hostfile", default=None)
    p.add_argument("--threads", type=int, default=0, help="BLAS threads per rank (default cpu_count // nproc)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        return worker(a)
    sys.path.insert(0, str(HERE.parent / "src"))
    from deepglass.distributed.run import mpiexec_command

    rows = []
    for n in a.nproc:
        cmd = mpiexec_command(n, [__file__, "--worker", "--model", a.model, "--batch", str(a.batch),
                                  "--steps", str(a.steps), "--warmup", str(a.warmup), "--threads", str(a.threads)], hostfile=a.hostfile)
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            sys.exit(f"{n} processes failed:\n{out.stdout}")
        rows.append(json.loads(line[len("RESULT "):]))
    base = rows[0]["samples_per_s"] / rows[0]["nproc"]
    print(f"{'procs':>5} {'step ms':>8} {'samples/s':>10} {'speed-up':>8} {'efficiency':>10} {'comm ms':>8} "
          f"{'exposed ms':>10}  ({rows[0]['model']}, batch {a.batch} per process, {rows[0]['grad_mb']:.2f} MB "
          "of gradients)")
    for r in rows:
        speedup = r["samples_per_s"] / rows[0]["samples_per_s"]
        r["efficiency"] = r["samples_per_s"] / (base * r["nproc"])
        print(f"{r['nproc']:>5} {r['step_ms']:>8.1f} {r['samples_per_s']:>10.1f} {speedup:>8.2f} "
              f"{r['efficiency']:>10.2f} {r['comm_ms_per_step']:>8.2f} {r['exposed_comm_ms_per_step']:>10.2f}")
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    (out_dir / "scaling.json").write_text(json.dumps({"cpu_count": os.cpu_count(), "load_average_1min": load,
                                                      "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
