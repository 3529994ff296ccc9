"""Benchmark: roc_auc_score / average_precision_score / curves on 1M scores, deepglass vs scikit-learn.

    python bench/bench_ranking.py [--n 1000000] [--repeat 5] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))


def best_time(fn, repeat):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", help="write the timings to this JSON file")
    args = ap.parse_args(argv)
    from sklearn import metrics as skm

    from deepglass import metrics as dm

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, args.n)
    cases = {
        "continuous scores": rng.random(args.n) + 0.3 * y,
        "scores with ties (3 decimals)": np.round(rng.random(args.n) + 0.3 * y, 3),
    }
    funcs = ["roc_auc_score", "average_precision_score", "roc_curve", "precision_recall_curve"]
    rows = []
    warnings.simplefilter("ignore")
    for case, s in cases.items():
        for f in funcs:
            t_dg, r_dg = best_time(lambda f=f, s=s: getattr(dm, f)(y, s), args.repeat)
            t_sk, r_sk = best_time(lambda f=f, s=s: getattr(skm, f)(y, s), args.repeat)
            if isinstance(r_dg, tuple):
                diff = max(float(np.max(np.abs(a - b))) for a, b in zip(r_dg, r_sk) if len(a))
            else:
                diff = abs(r_dg - r_sk)
            rows.append({"case": case, "function": f, "deepglass_s": t_dg, "sklearn_s": t_sk,
                         "speedup": t_sk / t_dg, "max_abs_diff": diff})
    print(f"n = {args.n:,} scores\n")
    print(f"{'case':<30} {'function':<24} {'deepglass s':>11} {'sklearn s':>10} {'sklearn/dg':>10} {'|diff|':>9}")
    for r in rows:
        print(f"{r['case']:<30} {r['function']:<24} {r['deepglass_s']:11.4f} {r['sklearn_s']:10.4f} "
              f"{r['speedup']:9.2f}x {r['max_abs_diff']:9.1e}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n": args.n, "rows": rows}, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
