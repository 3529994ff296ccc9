"""``deepglass explain``: why a trained model predicted what it did, as figures and a short Markdown page.

    deepglass explain runs/digits-001 digit.png --out explain/
    deepglass explain runs/cifar-003 cat.png --method gradcam --out cam/
    deepglass explain runs/vit-001 cat.png --method attention --out attn/
"""
from __future__ import annotations


def register(subparsers) -> None:
    from ..insight.explain_report import METHODS

    p = subparsers.add_parser(
        "explain", help="Grad-CAM, saliency, attention and receptive field of a prediction (figures + Markdown)",
        description="Explain one prediction of a trained run: Grad-CAM (where the evidence for the class lies), "
                    "input-gradient saliency, attention (ViT/MultiheadAttention rollout, or the SE/CBAM gates and "
                    "the spatial transformer's warp) and the receptive field of the deepest unit. The input is "
                    "read and normalised as for `deepglass predict`.")
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT", help="run folder, its model.safetensors or a checkpoint")
    p.add_argument("input", metavar="INPUT", help="an image (PNG/JPG) or a .npy/.csv file (its first row by default)")
    p.add_argument("--method", action="append", choices=METHODS + ("all",), default=None,
                   help="explanation to compute (repeatable; default: every one that applies)")
    p.add_argument("--out", required=True, help="folder for the figures and explain.md")
    p.add_argument("--index", type=int, default=0, help="which sample of a .npy/.csv file (0)")
    p.add_argument("--target", type=int, default=None, help="class index to explain (default: the predicted one)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..insight.explain_report import explain_to_folder
    from ..train.inputs import load_inputs
    from ..train.run import load_model

    model, cfg = load_model(args.run)
    names, x = load_inputs([args.input], cfg)
    if not 0 <= args.index < len(x):
        raise ValueError(f"--index {args.index} is out of range: {args.input} holds {len(x)} sample(s)")
    methods = None if not args.method or "all" in args.method else list(dict.fromkeys(args.method))
    classes = cfg.get("info", {}).get("classes")
    if args.target is not None and classes is not None and not 0 <= args.target < len(classes):
        raise ValueError(f"--target {args.target} is out of range: the model has {len(classes)} classes")
    r = explain_to_folder(model, x[args.index], args.out, methods=methods, classes=classes, name=names[args.index],
                          target=args.target)
    print(f"{names[args.index]}: {r['label']} (p={r['probability']:.3f})")
    for method, path in r["figures"].items():
        print(f"  {method}: {path}")
    for method, why in r["skipped"].items():
        print(f"  {method}: skipped ({why})")
    print(f"  page: {r['markdown']}")
    return 0
