"""``deepglass evaluate``: the metrics report of a trained model on a dataset split."""
from __future__ import annotations

import os


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate", help="accuracy, macro P/R/F1, ROC-AUC, per-class table and confusion matrix of a trained model",
        description="Evaluate a run folder (or its model.safetensors / a checkpoint) on a dataset: by default "
                    "the test split of the dataset it was trained on. --out DIR also writes metrics.json and the "
                    "figures (confusion matrix, PR, ROC, F1-confidence).")
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT", help="run folder, its model.safetensors or a checkpoint")
    p.add_argument("--data", help="dataset name (default: the run's)")
    p.add_argument("--data-dir", help="dataset folder or file (default: the run's)")
    p.add_argument("--split", choices=("test", "val", "train"), default=None,
                   help="which split (test; a detection run: its validation split, the only one it has)")
    p.add_argument("--batch-size", type=int, default=256, help="evaluation batch size (256)")
    p.add_argument("--device", default=None, help="cpu or cuda (default: the run's)")
    p.add_argument("--out", help="folder for metrics.json and figures")
    p.add_argument("--task", choices=("classify", "detect"), default=None,
                   help="detect: COCO mAP of a detection run on its validation split (default: the run's task)")
    p.set_defaults(func=run)


def _table(report: dict) -> str:
    lines = [f"{'class':<14} {'precision':>9} {'recall':>9} {'f1':>9} {'support':>8}"]
    for c in report["per_class"]:
        lines.append(f"{c['class'][:14]:<14} {c['precision']:>9.4f} {c['recall']:>9.4f} {c['f1']:>9.4f} "
                     f"{c['support']:>8}")
    return "\n".join(lines)


def _matrix(cm, classes) -> str:
    names = [c[:6] for c in classes]
    width = max(6, max(len(str(v)) for row in cm for v in row))
    head = "true\\pred " + " ".join(f"{n:>{width}}" for n in names)
    rows = [f"{n:>9} " + " ".join(f"{v:>{width}}" for v in row) for n, row in zip(names, cm)]
    return "\n".join([head] + rows)


def _detect(args) -> int:
    from ..data import DataLoader
    from ..data.detection import detection_collate
    from ..train import detect as T

    model, cfg = T.load_detector(args.run, device=args.device or "cpu")
    data_cfg = {**cfg, **({"data": args.data} if args.data else {}), **({"data_dir": args.data_dir} if args.data_dir
                                                                        else {})}
    data_cfg = T.resolve(data_cfg)
    _, val, classes = T.build_datasets(data_cfg)
    if len(classes) != cfg["info"]["num_classes"]:
        raise ValueError(f"the model detects {cfg['info']['num_classes']} classes but this dataset has {len(classes)}")
    from .. import backend

    device = backend.as_device(args.device or cfg.get("device", "cpu"))
    loader = DataLoader(val, batch_size=min(args.batch_size, 64), collate_fn=detection_collate)
    res, report, _, _, _ = T.evaluate(model, loader, device, classes, cfg["conf_threshold"], cfg["nms_iou"])
    print(f"{cfg.get('run_name', args.run)} on {data_cfg['data']} validation split ({report['num_images']} images, "
          f"{report['num_instances']} objects)")
    res.summary()
    print()
    print(res.per_class_table())
    print(f"\nbest mean F1 {report['best_f1']:.4f} at confidence {report['confidence_threshold']:.2f} (precision "
          f"{report['precision_at_threshold']:.4f}, recall {report['recall_at_threshold']:.4f} at IoU 0.5)")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        m = T.write_evaluation(args.out, model, val, loader, device, {**cfg, "data": data_cfg["data"]}, [], 0.0)
        print(f"wrote {os.path.join(args.out, 'metrics.json')} (mAP@.5 {m['mAP50']:.4f}), report.md and figures/")
    return 0


def _is_detection_run(path) -> bool:
    from ..train.run import find_run, read_config

    try:
        return read_config(find_run(path)[0]).get("task") == "detect"
    except (OSError, ValueError):
        return False


def run(args) -> int:
    if args.task == "detect" or (args.task is None and _is_detection_run(args.run)):
        if args.split not in (None, "val"):
            raise ValueError(f"a detection run is evaluated on its validation split; drop --split {args.split}")
        return _detect(args)
    args.split = args.split or "test"
    from ..data import DataLoader
    from ..train import config as C
    from ..train.report import classification_report, write_figures, write_json
    from ..train.run import load_model
    from ..train.trainer import run_model

    device = args.device
    model, cfg = load_model(args.run, device=device or cfg_device(args.run))
    device = device or cfg.get("device", "cpu")
    data_cfg = dict(cfg)
    if args.data:
        data_cfg["data"] = args.data
    if args.data_dir:
        data_cfg["data_dir"] = args.data_dir
    data_cfg = C.resolve({k: data_cfg.get(k) for k in C.DEFAULTS if k in data_cfg})
    train, val, test, info = C.build_datasets(data_cfg)
    split = {"train": train, "val": val, "test": test}[args.split]
    if split is None:
        raise ValueError(f"the dataset has no {args.split} split here (val_split is 0?); pick another --split")
    if info["num_classes"] != cfg["info"]["num_classes"]:
        raise ValueError(f"the model predicts {cfg['info']['num_classes']} classes but this dataset has "
                         f"{info['num_classes']}; evaluate on data with the same classes")
    loader = DataLoader(split, batch_size=args.batch_size)
    logits, targets, loss = run_model(model, loader, device, C.build_loss())
    report = classification_report(logits, targets, cfg["info"]["classes"])
    print(f"{cfg.get('run_name', args.run)} on {data_cfg['data']} {args.split} split ({report['num_samples']} samples)")
    print(f"loss {loss:.4f}  accuracy {100 * report['accuracy']:.2f}%  macro precision {report['precision_macro']:.4f}"
          f"  macro recall {report['recall_macro']:.4f}  macro-F1 {report['f1_macro']:.4f}")
    auc, ap = report["roc_auc_macro"], report["average_precision_macro"]
    print(f"ROC-AUC (macro) {auc if auc is None else f'{auc:.4f}'}  average precision (macro) "
          f"{ap if ap is None else f'{ap:.4f}'}  best mean F1 {report['best_f1']:.4f} at confidence "
          f"{report['best_f1_threshold']:.2f}")
    print()
    print(_table(report))
    print()
    if len(report["classes"]) <= 20:
        print("confusion matrix (rows: true class, columns: predicted)")
        print(_matrix(report["confusion_matrix"], report["classes"]))
    else:  # a C×C table of numbers helps nobody beyond a screen's width: the largest confusions instead
        print(f"most frequent confusions ({len(report['classes'])} classes; the full matrix is in metrics.json "
              "with --out)")
        for c in report["top_confusions"]:
            print(f"  true {c['true']} predicted as {c['predicted']}: {c['count']}")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        figs = write_figures(os.path.join(args.out, "figures"), logits, targets, cfg["info"]["classes"])
        write_json(os.path.join(args.out, "metrics.json"),
                   {"run": cfg.get("run_name"), "data": data_cfg["data"], "split": args.split, "loss": loss,
                    **report, "figures": {k: os.path.relpath(p, args.out) for k, p in figs.items()}})
        print(f"\nwrote {os.path.join(args.out, 'metrics.json')} and {len(figs)} figures in "
              f"{os.path.join(args.out, 'figures')}")
    return 0


def cfg_device(path) -> str:
    """The device the run was trained on (CPU when its config has none)."""
    from ..train.run import find_run, read_config

    return read_config(find_run(path)[0]).get("device", "cpu")
