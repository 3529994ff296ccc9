"""``deepglass predict``: class and probabilities for images or rows, with a trained model."""
from __future__ import annotations

import json


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "predict", help="predict classes of images (PNG/JPG) or rows (CSV/.npy) with a trained model",
        description="Predict with a run folder (or its model.safetensors / a checkpoint). Images are read with "
                    "Pillow, converted to the model's channels, resized to its input size and normalised as in "
                    "training; .npy/.csv files hold one sample per row (or an N×C×H×W array).")
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT", help="run folder, its model.safetensors or a checkpoint")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="image files, folders of images, .npy or .csv files")
    p.add_argument("--top-k", type=int, default=3, help="probabilities shown per input (3)")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--batch-size", type=int, default=256, help="inputs per forward pass (256)")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    p.add_argument("--task", choices=("classify", "detect"), default=None,
                   help="detect: boxes of a detection run (default: the run's task)")
    p.add_argument("--out", help="detect: folder for the images with drawn boxes and detections.json (COCO results)")
    p.add_argument("--conf", type=float, default=None,
                   help="detect: keep boxes scoring at least this (default: the run's F1-best confidence)")
    p.set_defaults(func=run)


def predict(run_path, inputs, device="cpu", batch_size: int = 256):
    """``(names, probabilities, classes)`` for the inputs (a helper of the command, usable from Python)."""
    from .._tensor import from_array
    from ..data import DataLoader, TensorDataset
    from ..train.inputs import load_inputs
    from ..train.report import softmax
    from ..train.run import load_model
    from ..train.trainer import run_model

    model, cfg = load_model(run_path, device=device)
    names, x = load_inputs(inputs, cfg)
    loader = DataLoader(TensorDataset(from_array(x)), batch_size=batch_size)
    logits, _, _ = run_model(model, loader, device)
    return names, softmax(logits), cfg["info"]["classes"]


def _detect(args) -> int:
    import os

    from ..data.datasets.folder import IMG_EXTENSIONS
    from ..train import detect as T

    model, cfg = T.load_detector(args.run, device=args.device)
    paths = []
    for p in args.inputs:
        if os.path.isdir(p):
            paths += sorted(os.path.join(p, n) for n in os.listdir(p) if n.lower().endswith(tuple(IMG_EXTENSIONS)))
        elif os.path.isfile(p):
            paths.append(p)
        else:
            raise FileNotFoundError(f"no such image or folder: {p}")
    classes = cfg["info"]["classes"]
    results, listing = [], []
    for k, (path, img, det) in enumerate(T.predict_images(model, cfg, paths, args.device, args.conf), 1):
        items = [{"class": classes[int(c)], "score": float(s), "box_xyxy": [float(v) for v in b]}
                 for b, s, c in zip(det["boxes"], det["scores"], det["labels"])]
        listing.append({"input": path, "detections": items})
        for b, s, c in zip(det["boxes"], det["scores"], det["labels"]):
            results.append({"image_id": k, "file_name": os.path.basename(path), "category_id": int(c) + 1,
                            "score": float(s), "bbox": [float(b[0]), float(b[1]), float(b[2] - b[0]),
                                                        float(b[3] - b[1])]})
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            scale = max(1, 256 // max(img.shape[:2]))
            T.draw_boxes(img, det, None, classes, scale=scale).save(
                os.path.join(args.out, os.path.splitext(os.path.basename(path))[0] + ".png"))
    if args.out:
        with open(os.path.join(args.out, "detections.json"), "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
    if args.json:
        print(json.dumps(listing, indent=1))
    else:
        for r in listing:
            found = ", ".join(f"{d['class']} {d['score']:.2f} at [{', '.join(f'{v:.0f}' for v in d['box_xyxy'])}]"
                              for d in r["detections"]) or "nothing"
            print(f"{r['input']}: {found}")
    if args.out:
        print(f"wrote {len(listing)} images with boxes and detections.json (COCO results) to {args.out}")
    return 0


def run(args) -> int:
    from .evaluate import _is_detection_run

    if args.task == "detect" or (args.task is None and _is_detection_run(args.run)):
        return _detect(args)
    if args.top_k < 1:
        raise ValueError(f"--top-k must be >= 1, got {args.top_k}")
    names, probs, classes = predict(args.run, args.inputs, args.device, args.batch_size)
    k = min(args.top_k, probs.shape[1])
    results = []
    for name, p in zip(names, probs):
        order = p.argsort()[::-1][:k]
        results.append({"input": name, "class": classes[order[0]], "index": int(order[0]),
                        "probability": float(p[order[0]]),
                        "top": [{"class": classes[i], "probability": float(p[i])} for i in order]})
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for r in results:
        top = ", ".join(f"{t['class']} {t['probability']:.3f}" for t in r["top"])
        print(f"{r['input']}: {r['class']} (p={r['probability']:.3f})   top-{k}: {top}")
    return 0
