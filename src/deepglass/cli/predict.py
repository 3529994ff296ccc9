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


def run(args) -> int:
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
