"""Benchmark: COCO bbox evaluation, deepglass vs pycocotools vs faster-coco-eval.

Generates 5,000 images (~27k ground-truth boxes, ~70k detections, 20 classes),
writes them to JSON files, and times each evaluator from the files to the 12
stats (load + evaluate + accumulate + summarize), checking that the stats agree.

    python bench/bench_coco.py [--images 5000] [--repeat 3] [--json out.json]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))


def generate(n_images=5000, n_cats=20, seed=0):
    rng = np.random.default_rng(seed)
    images = [{"id": i + 1, "width": 640, "height": 480} for i in range(n_images)]
    cats = [{"id": c + 1, "name": f"class{c + 1}"} for c in range(n_cats)]
    anns, dets = [], []
    for img in images:
        n = rng.poisson(5.4)
        c = rng.integers(1, n_cats + 1, n)
        wh = rng.uniform(8, 250, (n, 2))
        xy = rng.uniform(0, 400, (n, 2))
        crowd = rng.random(n) < 0.01
        for j in range(n):
            anns.append({"id": len(anns) + 1, "image_id": img["id"], "category_id": int(c[j]),
                         "bbox": [*map(float, xy[j]), *map(float, wh[j])],
                         "area": float(wh[j, 0] * wh[j, 1]), "iscrowd": int(crowd[j])})
            for _ in range(rng.poisson(1.6)):
                jit = rng.normal(0, 0.12, 4) * np.r_[wh[j], wh[j]]
                dets.append({"image_id": img["id"], "category_id": int(c[j]) if rng.random() < 0.9 else int(rng.integers(1, n_cats + 1)),
                             "bbox": [float(xy[j, 0] + jit[0]), float(xy[j, 1] + jit[1]),
                                      float(max(wh[j, 0] + jit[2], 2)), float(max(wh[j, 1] + jit[3], 2))],
                             "score": round(float(rng.random()), 3)})
        for _ in range(rng.poisson(5.3)):
            w, h = rng.uniform(8, 200, 2)
            dets.append({"image_id": img["id"], "category_id": int(rng.integers(1, n_cats + 1)),
                         "bbox": [float(rng.uniform(0, 400)), float(rng.uniform(0, 300)), float(w), float(h)],
                         "score": round(float(rng.random()), 3)})
    return {"images": images, "annotations": anns, "categories": cats}, dets


def run_deepglass(gt_path, dt_path):
    from deepglass.metrics.detection import coco_evaluate

    res = coco_evaluate(gt_path, dt_path)
    res.summary(print_out=False)
    return np.asarray(res.stats)


def run_pycocotools(gt_path, dt_path):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
        dt = gt.loadRes(dt_path)
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return np.asarray(ev.stats)


def run_faster_coco_eval(gt_path, dt_path):
    from faster_coco_eval import COCO, COCOeval_faster

    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(gt_path)
        dt = gt.loadRes(dt_path)
        ev = COCOeval_faster(gt, dt, "bbox", print_function=lambda *a, **k: None)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return np.asarray(ev.stats)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="write the timings to this JSON file")
    args = ap.parse_args(argv)
    gt, dt = generate(args.images)
    print(f"{len(gt['images'])} images, {len(gt['annotations'])} gt boxes, {len(dt)} detections, "
          f"{len(gt['categories'])} classes")
    runners = {"deepglass": run_deepglass, "pycocotools": run_pycocotools,
               "faster-coco-eval": run_faster_coco_eval}
    timings, stats = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        gt_path, dt_path = os.path.join(tmp, "gt.json"), os.path.join(tmp, "dt.json")
        with open(gt_path, "w") as fh:
            json.dump(gt, fh)
        with open(dt_path, "w") as fh:
            json.dump(dt, fh)
        for name, fn in runners.items():
            try:
                best = float("inf")
                for _ in range(args.repeat if name != "pycocotools" else 1):
                    t0 = time.perf_counter()
                    stats[name] = fn(gt_path, dt_path)
                    best = min(best, time.perf_counter() - t0)
                timings[name] = best
            except ImportError as exc:
                print(f"{name}: not installed ({exc})")
    ref = stats.get("pycocotools")
    print(f"\n{'evaluator':<18} {'seconds':>8} {'vs deepglass':>13} {'max |Δstats| vs pycocotools':>28}")
    for name, t in timings.items():
        diff = float(np.abs(stats[name] - ref).max()) if ref is not None else float("nan")
        print(f"{name:<18} {t:8.3f} {t / timings['deepglass']:12.2f}x {diff:28.2e}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n_images": len(gt["images"]), "n_gt": len(gt["annotations"]), "n_dt": len(dt),
                       "seconds": timings,
                       "max_abs_stat_diff_vs_pycocotools": {k: float(np.abs(v - ref).max()) for k, v in stats.items()} if ref is not None else None},
                      fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
