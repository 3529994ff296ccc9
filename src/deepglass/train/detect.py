"""``deepglass train --task detect``: train the small detector and write a detection run folder.

Run folder::

    config.json           task, data, model and the options (evaluate/predict rebuild from it)
    model.safetensors     the best epoch's weights (by validation mAP@.5:.95)
    history.csv/.json     one row per epoch: losses, val mAP@.5, mAP@.5:.95, lr, seconds
    tensorboard/          the same as event files
    metrics.json          the 12 COCO statistics, per-class AP, the chosen confidence threshold
    detections.json       the validation detections (COCO results) behind metrics.json
    ground_truth.json     the validation ground truth (COCO instances)
    figures/              pr_curve.png, f1_confidence.png, val_predictions.png, loss.png
    report.md             every number explained

The evaluation is :func:`deepglass.metrics.detection.coco_evaluate` (equal to pycocotools).
"""
from __future__ import annotations

import json
import os
import time

import numpy as np

from .. import backend
from .._tensor import from_array
from ..data import DataLoader
from ..data import detection as D
from ..io import save_state_dict
from ..random import manual_seed
from . import config as C
from .history import History
from .report import write_json

TASK = "detect"
DETECT_DATASETS = ("shapes", "coco", "yolo")
#: defaults of ``deepglass train --task detect`` (they reach mAP@.5 >= 0.9 and mAP@.5:.95 >= 0.6 on Shapes)
DETECT_DEFAULTS = {
    "task": TASK, "model": "tiny_detector", "model_kwargs": {}, "data": "shapes", "data_dir": None, "epochs": 12,
    "batch_size": 32, "lr": 3e-3, "optimizer": "adamw", "momentum": None, "scheduler": "onecycle",
    "weight_decay": 5e-4, "device": "cpu", "seed": 0, "image_size": 64, "num_train": 4000, "num_val": 500,
    "threads": 1, "conf_threshold": 0.001, "nms_iou": 0.6, "box_loss": "giou",
}


def resolve(cfg: dict) -> dict:
    """The detection options with the defaults filled and checked."""
    out = C.check_types({**DETECT_DEFAULTS, **{k: v for k, v in cfg.items() if v is not None and k in DETECT_DEFAULTS}})
    for k in ("num_train", "num_val"):
        if isinstance(out[k], bool) or not isinstance(out[k], int):
            raise ValueError(f"{k} must be a whole number, got {out[k]!r}")
    if out["data"] not in DETECT_DATASETS:
        raise ValueError(f"--task detect reads --data shapes, coco or yolo, got {out['data']!r}")
    if out["data"] != "shapes" and not out.get("data_dir"):
        raise ValueError(f"--data {out['data']} needs --data-dir (a folder with train and val annotations)")
    for k in ("epochs", "batch_size", "image_size", "num_train", "num_val"):
        if int(out[k]) < 1:
            raise ValueError(f"{k} must be >= 1, got {out[k]}")
    if out["box_loss"] not in ("giou", "ciou"):
        raise ValueError(f"box_loss must be 'giou' or 'ciou', got {out['box_loss']!r}")
    if out["model"] != "tiny_detector":
        raise ValueError(f"--task detect trains the tiny_detector model, got --model {out['model']!r}")
    return out


# ----------------------------------------------------------------------- data
def transforms(cfg: dict, train: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    steps = [D.Letterbox(int(cfg["image_size"]))]
    if train:
        steps += [D.RandomHorizontalFlip(0.5, rng=rng), D.ColorJitter(0.2, 0.2, 0.2, rng=rng)]
    return D.Compose(steps + [D.ToArray()])


def _coco_split(root: str, split: str):
    for cand in (os.path.join(root, f"{split}.json"), os.path.join(root, "annotations", f"instances_{split}.json")):
        if os.path.isfile(cand):
            return cand
    return None


def build_datasets(cfg: dict):
    """``(train, val, classes)`` for the configured detection data."""
    data, root, seed = cfg["data"], cfg.get("data_dir"), int(cfg["seed"])
    tr, ev = transforms(cfg, True, seed), transforms(cfg, False)
    if data == "shapes":
        s = int(cfg["image_size"])
        return (_Cached(D.Shapes(int(cfg["num_train"]), s, seed=seed), tr),
                _Cached(D.Shapes(int(cfg["num_val"]), s, seed=seed + 1), ev), list(D.SHAPE_CLASSES))
    if data == "coco":
        files = {sp: _coco_split(root, sp) for sp in ("train", "val")}
        if files["train"] is None or files["val"] is None:
            raise FileNotFoundError(f"--data coco: {root} needs train.json and val.json (or annotations/"
                                    "instances_train.json and instances_val.json); image file names are relative "
                                    "to the folder")
        a, b = D.CocoDetection(root, files["train"], tr), D.CocoDetection(root, files["val"], ev)
        return a, b, a.classes
    a = D.YoloDetection(root, "train", transform=tr)
    return a, D.YoloDetection(root, "val", num_classes=len(a.classes), transform=ev), a.classes


class _Cached:
    """Shapes images drawn once and kept in memory (the transform still runs every time)."""

    def __init__(self, base, transform):
        self.base, self.transform, self._items = base, transform, {}
        self.classes = base.classes

    def __len__(self):
        return len(self.base)

    def __getitem__(self, i):
        if i not in self._items:
            self._items[i] = self.base.draw(int(i))
        img, tgt = self._items[i]
        return self.transform(img, {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in tgt.items()})


def build_model(cfg: dict, num_classes: int):
    from ..models.detector import tiny_detector

    return tiny_detector(num_classes=num_classes, **dict(cfg.get("model_kwargs") or {}))


# ----------------------------------------------------------------- evaluation
def _unletterbox(boxes, tgt):
    r, px, py = tgt.get("letterbox", (1.0, 0, 0))
    return (np.asarray(boxes, np.float64) - np.array([px, py, px, py])) / r


def detect(model, loader, device, conf_threshold=0.001, nms_iou=0.6):
    """Run the model over a detection loader: ``(detections, targets)`` per image, in the original image
    coordinates (letterboxing undone)."""
    from ..autograd import no_grad
    from ..models.detector import postprocess

    model.eval()
    dets, tgts = [], []
    with no_grad():
        for x, targets in loader:
            x = x.to(device) if device.type != "cpu" else x
            pred = model(x)
            pts, st = model.locations(x.shape[2], x.shape[3])
            for d, t in zip(postprocess(backend.to_numpy(pred._array), pts, st, conf_threshold, nms_iou), targets):
                dets.append({**d, "boxes": _unletterbox(d["boxes"], t)})
                tgts.append({**t, "boxes": _unletterbox(t["boxes"], t)})
    return dets, tgts


def to_coco(dets, tgts, classes):
    """``(ground truth dict, results list)`` in COCO format (image id = position + 1, category = label + 1)."""
    images, anns, results = [], [], []
    for i, (d, t) in enumerate(zip(dets, tgts), 1):
        images.append({"id": i})
        for b, c in zip(t["boxes"], t["labels"]):
            w, h = float(b[2] - b[0]), float(b[3] - b[1])
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": int(c) + 1,
                         "bbox": [float(b[0]), float(b[1]), w, h], "area": w * h, "iscrowd": 0})
        for b, s, c in zip(d["boxes"], d["scores"], d["labels"]):
            results.append({"image_id": i, "category_id": int(c) + 1, "score": float(s),
                            "bbox": [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])]})
    gt = {"images": images, "annotations": anns,
          "categories": [{"id": k + 1, "name": n} for k, n in enumerate(classes)]}
    return gt, results


STAT_NAMES = ["AP@[.50:.95]", "AP@.50", "AP@.75", "AP_small", "AP_medium", "AP_large",
              "AR@1", "AR@10", "AR@100", "AR_small", "AR_medium", "AR_large"]


def f1_sweep(res, iou: float = 0.5, points: int = 101):
    """Mean F1 over the classes against a grid of confidence thresholds, and the best threshold."""
    grid = np.linspace(0, 1, points)
    curves = []
    for k in range(len(res.cat_ids)):
        thr, _, _, f1 = res.f1_confidence(k, iou=iou)
        if res.matches["n_pos"][k] <= 0:
            continue
        idx = np.searchsorted(thr, grid, side="left")  # detections scoring >= the threshold
        curves.append(np.where(idx < len(thr), f1[np.minimum(idx, max(len(thr) - 1, 0))] if len(thr) else 0, 0.0))
    mean = np.mean(curves, axis=0) if curves else np.zeros(points)
    best = int(len(mean) - 1 - np.argmax(mean[::-1]))
    return grid, mean, float(grid[best]), float(mean[best])


def evaluate(model, loader, device, classes, conf_threshold=0.001, nms_iou=0.6):
    """COCO evaluation of the model on a loader: ``(result, report, gt, results)``."""
    from ..metrics.detection import coco_evaluate

    dets, tgts = detect(model, loader, device, conf_threshold, nms_iou)
    gt, results = to_coco(dets, tgts, classes)
    res = coco_evaluate(gt, results)
    grid, mean_f1, thr, best = f1_sweep(res)
    report = {
        "coco_stats": {n: float(v) for n, v in zip(STAT_NAMES, res.stats)},
        "stats": [float(v) for v in res.stats],
        "mAP50": float(res.stats[1]), "mAP50_95": float(res.stats[0]),
        "per_class": [{"class": classes[k], "AP": float(res.ap_per_class[k]), "AP50": float(res.ap50_per_class[k]),
                       "AP75": float(res.ap75_per_class[k]), "instances": int(res.matches["n_pos"][k])}
                      for k in range(len(classes))],
        "best_f1": best, "confidence_threshold": thr,
        "num_images": len(dets), "num_instances": int(sum(len(t["labels"]) for t in tgts)),
        "num_detections": len(results),
    }
    report.update(_pr_at(res, tgts, dets, thr))
    return res, report, gt, results, (dets, tgts, grid, mean_f1)


def _pr_at(res, tgts, dets, thr):
    """Precision and recall of all classes together at IoU .5 when keeping detections scoring >= thr."""
    m = res.matches
    t = int(np.flatnonzero(np.isclose(res.iou_thresholds, 0.5))[0])
    keep = m["score"] >= thr
    tp = int(m["tp"][t][keep].sum())
    fp = int(m["fp"][t][keep].sum())
    npos = int(np.maximum(m["n_pos"], 0).sum())
    return {"precision_at_threshold": tp / max(tp + fp, 1), "recall_at_threshold": tp / max(npos, 1),
            "tp_at_threshold": tp, "fp_at_threshold": fp}


# -------------------------------------------------------------------- figures
def draw_boxes(img, det=None, tgt=None, classes=(), scale: int = 1, min_score: float = 0.0):
    """A PIL image with true boxes (green) and predicted boxes (red, with class and score)."""
    from PIL import Image, ImageDraw

    im = Image.fromarray(np.asarray(img, np.uint8))
    if scale != 1:
        im = im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST)
    d = ImageDraw.Draw(im)
    if tgt is not None:
        for b in tgt["boxes"]:
            d.rectangle([float(v) * scale for v in b], outline=(0, 255, 0))
    if det is not None:
        for b, s, c in zip(det["boxes"], det["scores"], det["labels"]):
            if s < min_score:
                continue
            b = [float(v) * scale for v in b]
            d.rectangle(b, outline=(255, 0, 0))
            name = classes[int(c)] if int(c) < len(classes) else str(int(c))
            d.text((b[0] + 1, b[1] + 1), f"{name} {s:.2f}", fill=(255, 255, 255))
    return im


def write_figures(folder, res, report, extra, val_images, classes, history) -> dict:
    from ..cli.eval_detections import _figures
    from ..viz.metrics_plots import plot_f1_confidence

    os.makedirs(folder, exist_ok=True)
    figs = {}
    import warnings

    with warnings.catch_warnings():  # an untrained model may have no curve to label
        warnings.simplefilter("ignore", UserWarning)
        _figures(res, None, None, folder, 0.5)  # pr_curve.png and per-class f1_confidence.png (IoU .5)
    os.replace(os.path.join(folder, "f1_confidence.png"), os.path.join(folder, "f1_confidence_per_class.png"))
    figs["pr_curve"] = os.path.join(folder, "pr_curve.png")
    figs["f1_confidence_per_class"] = os.path.join(folder, "f1_confidence_per_class.png")
    dets, tgts, grid, mean_f1 = extra
    plot_f1_confidence({"all classes (mean F1)": (grid, mean_f1)}, title="F1-Confidence (IoU=0.50, val)",
                       path=os.path.join(folder, "f1_confidence.png"))
    figs["f1_confidence"] = os.path.join(folder, "f1_confidence.png")
    from PIL import Image

    n = min(16, len(val_images))
    if n:
        tiles = [draw_boxes(val_images[i], dets[i], tgts[i], classes, scale=3,
                            min_score=report["confidence_threshold"]) for i in range(n)]
        w, h = tiles[0].size
        cols = 4
        grid_im = Image.new("RGB", (cols * w, -(-n // cols) * h))
        for i, t in enumerate(tiles):
            grid_im.paste(t, ((i % cols) * w, (i // cols) * h))
        grid_im.save(os.path.join(folder, "val_predictions.png"))
        figs["val_predictions"] = os.path.join(folder, "val_predictions.png")
    if len(history):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(1, 2, figsize=(10, 4))
        ep = [r["epoch"] for r in history]
        ax[0].plot(ep, [r["train_loss"] for r in history], label="train loss")
        ax[0].set_xlabel("epoch")
        ax[0].legend()
        ax[1].plot(ep, [r["val_mAP50"] for r in history], label="val mAP@.5")
        ax[1].plot(ep, [r["val_mAP50_95"] for r in history], label="val mAP@.5:.95")
        ax[1].set_xlabel("epoch")
        ax[1].set_ylim(0, 1)
        ax[1].legend()
        fig.tight_layout()
        fig.savefig(os.path.join(folder, "curves.png"), dpi=100)
        plt.close(fig)
        figs["curves"] = os.path.join(folder, "curves.png")
    return figs


# -------------------------------------------------------------------- report
def render_report(run_name, cfg, report, history, figs, run_dir, seconds) -> str:
    s = report["coco_stats"]
    if len(history):
        what = (f"Model **tiny_detector** ({cfg['n_params']:,} parameters) trained on **{cfg['data']}** "
                f"({cfg['n_train']} train / {report['num_images']} validation images, {cfg['image_size']}×"
                f"{cfg['image_size']} px) for {len(history)} epochs in {seconds:.0f} s "
                f"(batch {cfg['batch_size']}, {cfg['optimizer']} lr {cfg['lr']}, {cfg['scheduler']} schedule).")
    else:
        what = (f"Evaluation of the trained tiny_detector ({cfg['n_params']:,} parameters) on the **{cfg['data']}** "
                f"validation split ({report['num_images']} images, {cfg['image_size']}×{cfg['image_size']} px input).")
    lines = [f"# Detection run {run_name}", "", what, "",
             "## Headline", "",
             f"- **mAP@.5 = {s['AP@.50']:.4f}**, **mAP@.5:.95 = {s['AP@[.50:.95]']:.4f}** on the validation split "
             f"({report['num_instances']} objects, {report['num_detections']} detections kept).",
             f"- Best mean F1 = {report['best_f1']:.4f} at confidence threshold **{report['confidence_threshold']:.2f}**"
             f": there precision = {report['precision_at_threshold']:.4f}, recall = "
             f"{report['recall_at_threshold']:.4f} (IoU ≥ 0.5).", "",
             "## What the numbers mean", "",
             "- **IoU** (intersection over union) of a predicted and a true box: the area they share divided by the "
             "area they cover together. A detection is a true positive (TP) at threshold t when it has the right "
             "class and IoU ≥ t with a true box not already taken by a higher-scoring detection; otherwise a false "
             "positive (FP). A true box no detection takes is a false negative (FN).",
             "- **Confidence sweep**: every detection has a score (objectness × class probability). Keeping only "
             "detections scoring ≥ c and sweeping c from 1 down to 0 traces how precision falls and recall rises.",
             "- **Precision** P = TP / (TP + FP): how many kept detections are right. **Recall** R = TP / (TP + FN): "
             "how many objects are found. **F1** = 2PR / (P + R); the F1-confidence curve picks the deployment "
             "threshold (the confidence maximising F1, above).",
             "- **AP** (average precision) of a class: the area under its precision-recall curve, COCO-style — "
             "precision made monotone and read at 101 recall points 0, 0.01, …, 1.",
             "- **mAP@.5**: AP at IoU threshold 0.5, averaged over the classes (the PASCAL VOC metric). "
             "**mAP@.5:.95**: the mean of AP over IoU thresholds 0.50, 0.55, …, 0.95 and the classes (COCO's "
             "primary metric); it rewards tight boxes.",
             "- The 12 COCO statistics below are exactly pycocotools' `COCOeval.summarize()` (AP/AR by IoU, object "
             "size — small < 32², medium < 96², large — and detections per image); -1 means the split has no object "
             "of that size (COCO's convention), not a score.", "",
             "## COCO statistics (validation)", "", "| statistic | value |", "|---|---|"]
    lines += [f"| {k} | {v:.4f} |" for k, v in s.items()]
    lines += ["", "## Per-class AP (validation)", "", "| class | instances | AP@.5:.95 | AP@.5 | AP@.75 |",
              "|---|---:|---:|---:|---:|"]
    lines += [f"| {c['class']} | {c['instances']} | {c['AP']:.4f} | {c['AP50']:.4f} | {c['AP75']:.4f} |"
              for c in report["per_class"]]
    if len(history):
        lines += ["", "## Training history", "", "| epoch | train loss | box | obj | cls | val mAP@.5 | "
                  "val mAP@.5:.95 | seconds |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['epoch']} | {r['train_loss']:.4f} | {r['train_box']:.4f} | {r['train_obj']:.4f} | "
                  f"{r['train_cls']:.4f} | {r['val_mAP50']:.4f} | {r['val_mAP50_95']:.4f} | {r['seconds']:.1f} |"
                  for r in history]
    titles = {"curves": "Loss and validation mAP per epoch",
              "pr_curve": "Precision-recall curve per class (IoU 0.5; AP is the area under it)",
              "f1_confidence": "Mean F1 against the confidence threshold (the dot: the chosen threshold)",
              "f1_confidence_per_class": "F1 against the confidence threshold per class",
              "val_predictions": "Validation images: true boxes green, predictions (score ≥ threshold) red"}
    lines += ["", "## Figures", ""]
    for k, p in figs.items():
        lines += [f"### {titles.get(k, k)}", "", f"![{k}]({os.path.relpath(p, run_dir)})", ""]
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------- training
def train_detect(cfg: dict, *, out=None, runs_root: str = "runs", overwrite: bool = False,
                 verbose: bool = True, time_limit: float | None = None) -> dict:
    """Train the detector as ``deepglass train --task detect`` does; returns ``{"run_dir", "metrics", ...}``."""
    from ..models.detector import detection_loss
    from .run import WEIGHTS_NAME, check_run_dir, clean_run_dir

    cfg = resolve(cfg)
    run_dir = os.fspath(out) if out is not None else os.path.join(
        runs_root, f"tiny_detector-{cfg['data']}-{time.strftime('%Y%m%d-%H%M%S')}")
    check_run_dir(run_dir, overwrite=overwrite)
    manual_seed(int(cfg["seed"]))
    train_ds, val_ds, classes = build_datasets(cfg)
    model = build_model(cfg, len(classes))
    device = backend.as_device(cfg["device"])
    model.to(device)
    from ..random import Generator

    loader = DataLoader(train_ds, batch_size=int(cfg["batch_size"]), shuffle=True, drop_last=len(train_ds) >
                        int(cfg["batch_size"]), collate_fn=D.detection_collate,
                        generator=Generator().manual_seed(int(cfg["seed"])))
    val_loader = DataLoader(val_ds, batch_size=64, collate_fn=D.detection_collate)
    optimizer = C.build_optimizer(cfg, model.parameters())
    scheduler = C.build_scheduler(cfg, optimizer, len(loader))
    clean_run_dir(run_dir, overwrite=overwrite)
    n_params = sum(int(p.numel()) for p in model.parameters())
    run_name = os.path.basename(os.path.abspath(run_dir))
    full_cfg = {**cfg, "info": {"classes": classes, "num_classes": len(classes),
                                "input_shape": [3, int(cfg["image_size"]), int(cfg["image_size"])]},
                "run_name": run_name, "n_params": n_params, "n_train": len(train_ds), "weights": WEIGHTS_NAME}
    write_json(os.path.join(run_dir, "config.json"), full_cfg)
    from tensorboardX import SummaryWriter

    writer = SummaryWriter(os.path.join(run_dir, "tensorboard"), flush_secs=10)
    history = History()
    if verbose:
        print(f"deepglass train --task detect: tiny_detector ({n_params:,} parameters) on {cfg['data']} "
              f"({len(train_ds)} train / {len(val_ds)} val images, {cfg['image_size']} px), {cfg['epochs']} epochs, "
              f"batch {cfg['batch_size']}, {cfg['optimizer']} lr {cfg['lr']}; run folder {run_dir}", flush=True)
    best, step, t_start = -1.0, 0, time.perf_counter()
    with C.blas_threads(cfg.get("threads") if device.type == "cpu" else None):
        for epoch in range(1, int(cfg["epochs"]) + 1):
            t0 = time.perf_counter()
            model.train()
            sums = {"loss": 0.0, "box": 0.0, "obj": 0.0, "cls": 0.0}
            n = 0
            for x, targets in loader:
                x = x.to(device) if device.type != "cpu" else x
                pred = model(x)
                pts, st = model.locations(x.shape[2], x.shape[3])
                loss, parts = detection_loss(pred, targets, pts, st, box_loss=cfg["box_loss"])
                value = float(loss.item())
                if not np.isfinite(value):
                    raise RuntimeError(f"the detection loss is {value} at step {step + 1} (epoch {epoch}); lower --lr")
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if scheduler is not None:
                    scheduler.step()
                step += 1
                n += 1
                sums["loss"] += value
                for k in ("box", "obj", "cls"):
                    sums[k] += parts[k]
                if step % 10 == 0:
                    writer.add_scalar("train/loss_step", value, step)
                    writer.add_scalar("train/lr_step", float(optimizer.param_groups[0]["lr"]), step)
            _, rep, _, _, _ = evaluate(model, val_loader, device, classes, cfg["conf_threshold"], cfg["nms_iou"])
            rec = {"epoch": epoch, "train_loss": sums["loss"] / max(n, 1), "train_box": sums["box"] / max(n, 1),
                   "train_obj": sums["obj"] / max(n, 1), "train_cls": sums["cls"] / max(n, 1),
                   "val_mAP50": rep["mAP50"], "val_mAP50_95": rep["mAP50_95"],
                   "lr": float(optimizer.param_groups[0]["lr"]), "seconds": time.perf_counter() - t0}
            history.append(rec)
            history.save(run_dir)
            for k, v in rec.items():
                if k != "epoch":
                    writer.add_scalar(f"epoch/{k}", v, epoch)
            if rep["mAP50_95"] > best:
                best = rep["mAP50_95"]
                save_state_dict(model.state_dict(), os.path.join(run_dir, WEIGHTS_NAME),
                                metadata={"model": "tiny_detector", "data": str(cfg["data"]), "epoch": str(epoch)})
            if verbose:
                print(f"epoch {epoch}/{cfg['epochs']}  loss {rec['train_loss']:.4f} (box {rec['train_box']:.3f} "
                      f"obj {rec['train_obj']:.3f} cls {rec['train_cls']:.3f})  val mAP@.5 {rep['mAP50']:.4f}  "
                      f"mAP@.5:.95 {rep['mAP50_95']:.4f}  {rec['seconds']:.1f}s", flush=True)
            if time_limit is not None and time.perf_counter() - t_start > time_limit:
                break
    seconds = time.perf_counter() - t_start
    writer.close()
    from ..io import load

    model.load_state_dict(load(os.path.join(run_dir, WEIGHTS_NAME)))
    with C.blas_threads(cfg.get("threads") if device.type == "cpu" else None):
        metrics = write_evaluation(run_dir, model, val_ds, val_loader, device, full_cfg, history, seconds)
    full_cfg["chosen_threshold"] = metrics["confidence_threshold"]  # predict's default confidence
    write_json(os.path.join(run_dir, "config.json"), full_cfg)
    if verbose:
        print(f"val mAP@.5 {metrics['mAP50']:.4f}  mAP@.5:.95 {metrics['mAP50_95']:.4f}  best F1 "
              f"{metrics['best_f1']:.4f} at confidence {metrics['confidence_threshold']:.2f}; trained in {seconds:.1f} s;"
              f" wrote {run_dir}/ (report.md, metrics.json, model.safetensors, figures/, tensorboard/)")
    return {"run_dir": run_dir, "metrics": metrics, "history": history, "seconds": seconds, "config": full_cfg}


def write_evaluation(out_dir, model, val_ds, val_loader, device, cfg, history, seconds, name="val") -> dict:
    """Evaluate on the loader and write metrics.json, detections.json, ground_truth.json, figures/, report.md."""
    classes = cfg["info"]["classes"]
    res, report, gt, results, extra = evaluate(model, val_loader, device, classes, cfg["conf_threshold"],
                                               cfg["nms_iou"])
    with open(os.path.join(out_dir, "detections.json"), "w", encoding="utf-8") as f:
        json.dump(results, f)
    with open(os.path.join(out_dir, "ground_truth.json"), "w", encoding="utf-8") as f:
        json.dump(gt, f)
    val_images = [_raw_image(val_ds, i) for i in range(min(16, len(val_ds)))]
    figs = write_figures(os.path.join(out_dir, "figures"), res, report, extra, val_images, classes, history)
    metrics = {"task": TASK, "split": name, "train_seconds": seconds, **report,
               "figures": {k: os.path.relpath(p, out_dir) for k, p in figs.items()},
               "detections": "detections.json", "ground_truth": "ground_truth.json"}
    write_json(os.path.join(out_dir, "metrics.json"), metrics)
    with open(os.path.join(out_dir, "report.md"), "w", encoding="utf-8") as f:
        f.write(render_report(cfg.get("run_name", ""), cfg, report, history, figs, out_dir, seconds))
    return metrics


def _raw_image(ds, i):
    """The validation image ``i`` in original coordinates, as H×W×3 uint8 (for drawing)."""
    if isinstance(ds, _Cached):
        return ds.base.draw(i)[0]
    tf = ds.transform
    ds.transform = None
    try:
        return ds[i][0]
    finally:
        ds.transform = tf


def load_detector(run_path, device="cpu"):
    """``(model, cfg)`` of a detection run folder (or its model.safetensors)."""
    from ..io import load
    from .run import find_run, read_config

    run_dir, _ = find_run(run_path)
    cfg = read_config(run_dir)
    if cfg.get("task") != TASK:
        raise ValueError(f"{run_dir} is not a detection run (its config.json has no task 'detect'); use it without "
                         "--task detect")
    model = build_model(cfg, cfg["info"]["num_classes"])
    model.load_state_dict(load(os.path.join(run_dir, cfg.get("weights", "model.safetensors")), map_location=device))
    model.to(device)
    model.eval()
    return model, cfg


def predict_images(model, cfg, paths, device="cpu", conf_threshold=None):
    """Detections for image files: list of ``(path, image, det)`` with boxes in the image's pixels."""
    from ..autograd import no_grad
    from ..models.detector import postprocess

    conf = cfg.get("chosen_threshold", 0.25) if conf_threshold is None else conf_threshold
    size = int(cfg["image_size"])
    out = []
    for p in paths:
        img = D._read_image(p)
        x, t = D.Compose([D.Letterbox(size), D.ToArray()])(img, {"boxes": np.zeros((0, 4), np.float32),
                                                                  "labels": np.zeros(0, np.int64)})
        with no_grad():
            pred = model(from_array(x[None]).to(device))
        pts, st = model.locations(size, size)
        d = postprocess(backend.to_numpy(pred._array), pts, st, conf, float(cfg.get("nms_iou", 0.6)))[0]
        boxes = _unletterbox(d["boxes"], t)
        h, w = img.shape[:2]
        boxes = np.clip(boxes, 0, [w, h, w, h])
        out.append((p, img, {**d, "boxes": boxes}))
    return out
