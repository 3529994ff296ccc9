"""Cost of deepglass.insight.HealthMonitor on a CIFAR-CNN training step (the notes' cifar_net, batch 64).

    python bench/bench_insight_health.py [--steps 60] [--every 20]

Runs plain steps and monitored steps in alternating rounds in one process (deepglass only) and
prints the median step time of each and the overhead in percent.
"""
import argparse
import time

import numpy as np

import deepglass
from deepglass import nn
from deepglass.insight import HealthMonitor
from deepglass.models import cifar_net


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--every", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    deepglass.manual_seed(0)
    net = cifar_net()
    opt = deepglass.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x, y = deepglass.randn(64, 3, 32, 32), deepglass.randint(0, 10, (64,))

    def step(mon):
        loss = nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if mon is not None:
            mon.step()

    for _ in range(3):
        step(None)
    times = {"plain": [], "monitored": []}
    for _ in range(args.rounds):
        for kind in ("plain", "monitored"):
            mon = HealthMonitor(net, every=args.every) if kind == "monitored" else None
            t0 = time.perf_counter()
            for _ in range(args.steps):
                step(mon)
            times[kind].append((time.perf_counter() - t0) / args.steps)
            if mon is not None:
                mon.remove()
    plain, mon = np.median(times["plain"]), np.median(times["monitored"])
    print(f"cifar_net step, batch 64: plain {plain * 1e3:.1f} ms, monitored every {args.every}: {mon * 1e3:.1f} ms, "
          f"overhead {100 * (mon / plain - 1):+.1f}% (rounds: {times})")


if __name__ == "__main__":
    main()
