"""Cost of deepglass.insight.HealthMonitor on a CIFAR-CNN training step (the notes' cifar_net, batch 64).

    python bench/bench_insight_health.py [--steps 60] [--every 20]

Runs plain steps, monitored steps (recording every N) and steps recording every time, in alternating
rounds in one process (deepglass only), and prints the median step time of each, the overhead in
percent, and the cost of one recording amortised over N steps (the steadier estimate on a busy machine).
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
    times = {"plain": [], "monitored": [], "every step": []}
    for _ in range(args.rounds):
        for kind in times:
            every = {"monitored": args.every, "every step": 1}.get(kind)
            mon = HealthMonitor(net, every=every) if every else None
            t0 = time.perf_counter()
            for _ in range(args.steps):
                step(mon)
            times[kind].append((time.perf_counter() - t0) / args.steps)
            if mon is not None:
                mon.remove()
    plain, mon, full = (np.median(times[k]) for k in ("plain", "monitored", "every step"))
    print(f"cifar_net step, batch 64: plain {plain * 1e3:.1f} ms, monitored every {args.every}: {mon * 1e3:.1f} ms "
          f"(overhead {100 * (mon / plain - 1):+.1f}%), recording every step: {full * 1e3:.1f} ms "
          f"(+{(full - plain) * 1e3:.1f} ms per recording = {100 * (full - plain) / plain / args.every:.2f}% of a step "
          f"amortised over {args.every} steps)")
    # the steadiest number on a busy machine: the time spent inside the monitor's own code (hooks, step())
    spent = [0.0]

    def timed(fn):
        def inner(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[0] += time.perf_counter() - t
        return inner

    mon = HealthMonitor(net, every=args.every)
    for h in mon._handles:  # wrap every registered hook and step()
        h.hooks[h.key] = timed(h.hooks[h.key])
    mon.step = timed(mon.step)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step(mon)
    total = time.perf_counter() - t0
    mon.remove()
    print(f"time inside the monitor: {spent[0] * 1e3:.1f} ms of {total * 1e3:.0f} ms over {args.steps} steps = "
          f"{100 * spent[0] / total:.2f}% ({len(mon.steps)} recordings)")
    print("rounds (s/step):", {k: [round(t, 4) for t in v] for k, v in times.items()})


if __name__ == "__main__":
    main()
