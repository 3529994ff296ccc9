"""``deepglass graph``: the autograd graph of a model's forward pass (ops, shapes, saved arrays, parameters).

    deepglass graph lenet5 --input 1x28x28
    deepglass graph cifar_net --input 3x32x32 --out cifar.svg      # SVG/PNG need Graphviz's dot
    deepglass graph mypkg.nets:build_net --input 16 --out net.dot

MODEL is a zoo name or ``module:callable``, as for ``deepglass summary``.
"""
from __future__ import annotations

import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "graph", help="the autograd graph of a model's forward pass (DOT, SVG/PNG with Graphviz)",
        description="Run one forward pass in grad mode and walk the output's grad_fn back to the parameters: "
                    "every op with its output shape and the bytes it saves for backward, every parameter by "
                    "name. Without --out the graph is printed as text; --out FILE.dot writes Graphviz DOT, "
                    "FILE.svg/.png/.pdf renders it when Graphviz's dot program is installed (otherwise the "
                    "DOT file is written and a message says so).")
    p.add_argument("model", help="a zoo model name, or module:callable returning a model")
    p.add_argument("--input", required=True, help="input shape without the batch, e.g. 3x32x32")
    p.add_argument("--batch", type=int, default=1, help="batch size (default 1)")
    p.add_argument("--train", action="store_true", help="trace in training mode (dropout, batch statistics)")
    p.add_argument("--out", default=None, help="write FILE.dot / .svg / .png / .pdf instead of printing")
    p.add_argument("--json", action="store_true", help="print the graph as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import manual_seed, randn
    from ..insight import graph
    from .summary import load_model, parse_input

    if args.batch < 1:
        raise ValueError(f"--batch must be >= 1, got {args.batch}")
    manual_seed(0)
    model = load_model(args.model)
    model.train(bool(args.train))
    x = randn((args.batch,) + parse_input(args.input))
    out = model(x)
    if isinstance(out, (tuple, list)):
        out = [o for o in out if hasattr(o, "grad_fn")]
    g = graph(out, model=model, params={"input": x})
    if args.json:
        json.dump(g.as_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif args.out is None:
        print(g)
    else:
        path, message = g.render(args.out)
        print(message)
    return 0
