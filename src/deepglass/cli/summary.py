"""``deepglass summary``: parameters, MACs/FLOPs, memory and receptive field of a model.

    deepglass summary resnet50 --input 3x224x224
    deepglass summary vgg16 --input 3x224x224 --batch 2 --convention torchinfo
    deepglass summary mypkg.nets:build_net --input 1x28x28 --json

MODEL is a zoo name (``deepglass.models.list_models()``) or ``module:callable`` (the
callable is called without arguments and must return a module).
"""
from __future__ import annotations

import importlib
import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "summary",
        help="per-layer parameters, MACs/FLOPs, memory and receptive field of a model",
        description="Analyse a model by a shape-only pass: per-layer geometry, output shape, parameters, "
                    "MACs (bias excluded, torchvision's convention), FLOPs (2·MACs + element-wise), output "
                    "bytes and receptive field, with totals; --convention reproduces fvcore/thop/ptflops/"
                    "torchinfo totals.",
    )
    p.add_argument("model", help="a zoo model name, or module:callable returning a model")
    p.add_argument("--input", default="3x224x224", help="input shape without the batch, e.g. 3x224x224")
    p.add_argument("--batch", type=int, default=1, help="batch size (default 1)")
    p.add_argument("--dtype", default="float32", help="input dtype (default float32)")
    p.add_argument("--depth", type=int, default=None, help="show rows down to this nesting depth")
    p.add_argument("--convention", default="deepglass",
                   choices=["deepglass", "fvcore", "thop", "ptflops", "torchinfo"],
                   help="also report this tool's total")
    p.add_argument("--train", action="store_true", help="analyse in training mode (batch norm counts differ)")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.set_defaults(func=run)


def parse_input(text: str) -> tuple:
    try:
        dims = tuple(int(t) for t in text.lower().replace(",", "x").split("x") if t)
    except ValueError:
        dims = ()
    if not dims or any(d < 1 for d in dims):
        raise ValueError(f"--input {text!r}: expected positive sizes separated by 'x', e.g. 3x224x224")
    return dims


def load_model(spec: str):
    if ":" in spec:
        mod_name, _, attr = spec.partition(":")
        try:
            mod = importlib.import_module(mod_name)
        except ImportError as e:
            raise ValueError(f"cannot import {mod_name!r} (from {spec!r}): {e}") from None
        obj = mod
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise ValueError(f"{mod_name!r} has no attribute {attr!r}")
            obj = getattr(obj, part)
        from ..nn import Module

        if isinstance(obj, Module):
            model = obj
        elif not callable(obj):
            raise ValueError(f"{spec!r} is a {type(obj).__name__}, not a model or a callable returning one")
        else:
            try:
                model = obj()
            except TypeError as e:
                raise ValueError(f"calling {spec}() failed ({e}); MODEL must name a callable that takes no "
                                 "arguments (wrap it: def build(): return Net(width=64))") from None
        if not isinstance(model, Module):
            raise ValueError(f"{spec!r} did not return a deepglass.nn.Module (got {type(model).__name__})")
        return model
    from .. import models

    get = getattr(models, "get_model", None)
    if get is None:
        fn = getattr(models, spec, None)
        if fn is None:
            raise ValueError(f"unknown model {spec!r}; give a zoo name or module:callable")
        return fn()
    try:
        return get(spec)
    except (KeyError, ValueError) as e:
        names = getattr(models, "list_models", lambda: [])()
        raise ValueError(f"unknown model {spec!r}; zoo models: {', '.join(names)}") from e


def run(args) -> int:
    import numpy as np

    from ..analysis import summary

    try:
        np.dtype(args.dtype)
    except TypeError:
        raise ValueError(f"--dtype {args.dtype!r} is not a dtype; use e.g. float32, float64 or float16") from None
    model = load_model(args.model)
    model.train(bool(args.train))
    shape = (args.batch,) + parse_input(args.input)
    s = summary(model, shape, dtype=args.dtype, depth=args.depth, convention=args.convention)
    if args.json:
        json.dump(s.to_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(s)
    return 0
