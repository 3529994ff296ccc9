"""``deepglass plot``: draw the concept notes' figures with deepglass itself.

    deepglass plot activations --out docs/images        # activations.png
    deepglass plot optimizers --out docs/images         # optimizer_race.gif + optimizer_race.png
"""
from __future__ import annotations

import os


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "plot",
        help="draw the notes' figures: activation functions, the optimizer race",
        description="Draw the concept notes' figures with deepglass: each activation and its autograd "
                    "derivative (activations.png), or SGD/SGDM/NAG/AdaGrad/AdaDelta/Adam/NAdam racing on "
                    "2-D surfaces (optimizer_race.gif and its final frame optimizer_race.png).",
    )
    p.add_argument("figure", choices=["activations", "optimizers"], help="which figure to draw")
    p.add_argument("--out", default=".", help="output folder (default: the current folder)")
    p.add_argument("--steps", type=int, default=300, help="optimizers: steps per optimizer (default 300)")
    p.add_argument("--frames", type=int, default=60, help="optimizers: frames of the GIF (default 60)")
    p.add_argument("--fps", type=int, default=10, help="optimizers: frames per second (default 10)")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import viz

    for name, value, hi in (("--steps", args.steps, 100_000), ("--frames", args.frames, 1_000), ("--fps", args.fps, 100)):
        if not 1 <= value <= hi:  # bounded: a typo must not start an hour-long, memory-hungry animation
            raise ValueError(f"{name} must be between 1 and {hi:,}, got {value}")
    os.makedirs(args.out, exist_ok=True)
    if args.figure == "activations":
        path = os.path.join(args.out, "activations.png")
        viz.plot_activations(path)
        print(path)
        return 0
    res = viz.optimizer_race(args.out, steps=args.steps, frames=args.frames, fps=args.fps)
    print(res["gif"])
    print(res["png"])
    return 0
