"""``deepglass export``: a trained run (or checkpoint) as an ONNX file, for ONNX Runtime and other engines."""
from __future__ import annotations

import os


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="export a trained model to ONNX",
        description="Export the model of a run folder of `deepglass train` (or its model.safetensors / a "
                    "checkpoint) to ONNX. The graph's input is named 'input' with the run's input shape and a batch "
                    "of 1 (--dynamic-batch: any batch size); its output 'output' holds the logits. Needs the onnx "
                    "extra: pip install 'deepglass[onnx]'.")
    p.add_argument("run", metavar="RUN_OR_CHECKPOINT", help="run folder, its model.safetensors or a checkpoint")
    p.add_argument("--format", choices=("onnx",), default="onnx", help="output format (onnx)")
    p.add_argument("--out", help="output file (default: model.onnx in the run folder)")
    p.add_argument("--opset", type=int, default=17, help="ONNX opset version (17)")
    p.add_argument("--dynamic-batch", action="store_true", help="leave the batch axis free in the graph")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import onnx as dg_onnx
    from .. import randn
    from ..train.run import find_run, load_model

    model, cfg = load_model(args.run, device="cpu")
    run_dir = find_run(args.run)[0]
    out = args.out or os.path.join(run_dir, "model.onnx")
    shape = tuple(int(s) for s in cfg["info"]["input_shape"])
    example = randn((2 if args.dynamic_batch else 1,) + shape)
    dynamic = {"input": {0: "batch"}, "output": {0: "batch"}} if args.dynamic_batch else None
    try:
        dg_onnx.export(model, (example,), out, input_names=["input"], output_names=["output"],
                       dynamic_axes=dynamic, opset_version=args.opset)
    except ImportError as e:  # the extra is missing: one line, as for any user error
        raise RuntimeError(str(e)) from None
    batch = "any batch size" if args.dynamic_batch else "batch 1"
    print(f"wrote {out} (ONNX opset {args.opset}; input 'input' {('N',) + shape if args.dynamic_batch else (1,) + shape}"
          f" float32, {batch}; output 'output': {cfg['info']['num_classes']} logits)")
    return 0
