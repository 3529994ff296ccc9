"""Time and peak memory of deepglass.analysis.summary on ResNet-50 (target: well under 1 s).

    PYTHONPATH=src python bench/bench_summary.py

The shape-only pass allocates no activations, so the peak memory (tracemalloc) does
not grow with the input resolution; the real forward pass is timed for comparison.
"""
import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "analysis"))


def _model():
    try:
        from deepglass.models import resnet50
        return resnet50().eval(), "deepglass.models.resnet50"
    except ImportError:
        import tv_models

        import deepglass.nn as nn
        return tv_models.build(nn, "resnet50").eval(), "tests/analysis/tv_models resnet50"


def main():
    import deepglass
    from deepglass.analysis import receptive_field, summary

    model, origin = _model()
    print(f"model: {origin}")
    for hw in (224, 448, 896):
        shape = (1, 3, hw, hw)
        summary(model, shape)  # warm-up
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            s = summary(model, shape)
            times.append(time.perf_counter() - t0)
        tracemalloc.start()
        summary(model, shape)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"summary(resnet50, {shape}): best {min(times) * 1e3:.1f} ms, median {sorted(times)[2] * 1e3:.1f} ms, "
              f"peak {peak / 2**20:.2f} MiB, MACs {s.macs:,}, activations {s.activation_bytes / 2**20:.1f} MiB")
    t0 = time.perf_counter()
    receptive_field(model, (1, 3, 224, 224))
    print(f"receptive_field(resnet50, 224): {(time.perf_counter() - t0) * 1e3:.1f} ms")
    with deepglass.no_grad():
        x = deepglass.zeros(1, 3, 224, 224)
        model(x)
        t0 = time.perf_counter()
        model(x)
    print(f"for comparison, one real forward at 224: {(time.perf_counter() - t0) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
