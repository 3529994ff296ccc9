"""Where a GPU training step's time goes: per-Function forward/backward time (synchronised),
the optimizer step, and the number of CuPy kernel launches, for a bench workload.

    PYTHONPATH=src python bench/tools/gpu_profile.py cifar_cnn_train_b64
"""
import collections
import sys
import time

sys.path[:0] = ["bench/workloads", "bench"]
import cupy  # noqa: E402
import run as r  # noqa: E402

from deepglass.autograd.function import Function  # noqa: E402

acc = collections.defaultdict(list)


def subclasses(c):
    for s in c.__subclasses__():
        yield s
        yield from subclasses(s)


def wrap(cls, attr):
    f = cls.__dict__[attr].__func__ if isinstance(cls.__dict__[attr], staticmethod) else cls.__dict__[attr]

    def w(ctx, *a, **k):
        cupy.cuda.Device().synchronize()
        t = time.perf_counter()
        out = f(ctx, *a, **k)
        cupy.cuda.Device().synchronize()
        acc[f"{cls.__name__}.{attr[:3]}"].append(time.perf_counter() - t)
        return out

    setattr(cls, attr, staticmethod(w))


name = sys.argv[1] if len(sys.argv) > 1 else "cifar_cnn_train_b64"
w = [w for w in r.load_workloads() if w["name"] == name][0]
step = w["deepglass"](device="cuda")
for _ in range(3):
    step()
cupy.cuda.Device().synchronize()
t = time.perf_counter()
for _ in range(20):
    step()
cupy.cuda.Device().synchronize()
print(f"{name}: {(time.perf_counter() - t) / 20 * 1e3:.2f} ms per step (unwrapped)")
for c in set(subclasses(Function)):
    for attr in ("forward", "backward"):
        if attr in c.__dict__:
            wrap(c, attr)
acc.clear()
t = time.perf_counter()
for _ in range(10):
    step()
cupy.cuda.Device().synchronize()
total = (time.perf_counter() - t) / 10 * 1e3
inside = sum(sum(v) for v in acc.values()) / 10 * 1e3
print(f"wrapped: {total:.2f} ms per step, {inside:.2f} ms inside Functions (synchronised)")
for k, v in sorted(acc.items(), key=lambda kv: -sum(kv[1]))[:25]:
    print(f"  {k:<28} {sum(v) / 10 * 1e3:7.3f} ms  x{len(v) // 10}")
