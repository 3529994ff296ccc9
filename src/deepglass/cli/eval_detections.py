"""``deepglass eval-detections``: COCO evaluation of a results file.

Prints pycocotools' 12 summary lines and a per-class AP table; with ``--out``
also writes the per-class PR curves (``pr_curve.png``), the F1-confidence
curves (``f1_confidence.png``) and ``metrics.json``.
"""
from __future__ import annotations

import json
import os


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eval-detections",
        help="COCO mAP of detections (pycocotools-equal), per-class AP, PR/F1 figures",
        description="Evaluate COCO-format detections against COCO instances ground truth "
                    "with the exact pycocotools rules, print the 12 summary lines and a "
                    "per-class AP table, and optionally write figures.",
    )
    p.add_argument("--gt", required=True, help="COCO instances JSON (ground truth)")
    p.add_argument("--dt", required=True, help="COCO results JSON (list of detections)")
    p.add_argument("--out", default=None, help="folder for pr_curve.png, f1_confidence.png, metrics.json")
    p.add_argument("--iou", type=float, default=0.5, help="IoU threshold of the PR / F1 figures (default 0.5)")
    p.set_defaults(func=run)


def run(args) -> int:
    from deepglass.metrics.detection import coco_evaluate

    res = coco_evaluate(args.gt, args.dt)
    res.summary()
    print()
    print(res.per_class_table())
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        _figures(res, args.gt, args.dt, args.out, args.iou)
        with open(os.path.join(args.out, "metrics.json"), "w", encoding="utf-8") as fh:
            json.dump({"stats": [float(s) for s in res.stats],
                       "per_class": {res.cat_names.get(int(c), str(c)): {
                           "AP": float(a), "AP50": float(b), "AP75": float(d)}
                           for c, a, b, d in zip(res.cat_ids, res.ap_per_class, res.ap50_per_class,
                                                 res.ap75_per_class)}}, fh, indent=2)
        print(f"\nwrote {os.path.join(args.out, 'pr_curve.png')}, f1_confidence.png and metrics.json")
    return 0


def _figures(res, gt, dt, out, iou):
    """PR curve per class (COCO 101-point precision) and F1 against confidence per class."""
    import numpy as np

    from deepglass.viz.metrics_plots import plot_f1_confidence, plot_pr_curve

    t = np.flatnonzero(np.isclose(res.iou_thresholds, iou))
    if len(t) == 0:
        raise ValueError(f"--iou {iou} is not one of the evaluated IoU thresholds {res.iou_thresholds.tolist()}.")
    t = int(t[0])
    rec = res.rec_thresholds
    pr_curves, f1_curves = {}, {}
    for k, cid in enumerate(res.cat_ids):
        prec = res.precision[t, :, k, 0, -1]
        if prec[0] < 0:  # no ground truth for this class
            continue
        name = res.cat_names.get(int(cid), str(cid))
        ap = float(np.mean(prec))
        pr_curves[name] = (np.r_[prec, 0.0], np.r_[rec, rec[-1]], ap)
        thr, _, _, f1 = res.f1_confidence(k, iou=float(res.iou_thresholds[t]))
        if len(thr):
            f1_curves[name] = (thr, f1)
    plot_pr_curve(pr_curves, title=f"Precision-Recall (IoU={iou:.2f})", path=os.path.join(out, "pr_curve.png"))
    plot_f1_confidence(f1_curves, title=f"F1-Confidence (IoU={iou:.2f})", path=os.path.join(out, "f1_confidence.png"))
