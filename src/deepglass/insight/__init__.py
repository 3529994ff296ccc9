"""See inside training: health of the layers, the autograd graph, explanations of predictions.

* :class:`HealthMonitor` (:mod:`.health`) — per-layer activation mean/std, dead ReLU and
  saturated sigmoid/tanh units, gradient norms and update-to-weight ratios recorded with
  hooks every N steps, and a verdict in the notes' terms (:mod:`.verdict`): vanishing or
  exploding gradients, dead units, a learning rate too high or too low.
* :func:`graph` (:mod:`.autograd_graph`) — the autograd graph behind a tensor (ops, shapes, saved
  sizes, parameter leaves) as data, Graphviz DOT text, SVG/PNG when ``dot`` is installed.
* :mod:`.explain` — Grad-CAM, input-gradient saliency, attention rollout, SE/CBAM gates,
  the spatial transformer's warp, the receptive field of an output unit.
* :mod:`.html` — a self-contained ``report.html`` from a run folder's ``report.md``.
"""
from __future__ import annotations

import importlib

__all__ = ["HealthMonitor", "Finding", "graph", "Graph", "explain", "html"]

_LAZY = {"HealthMonitor": ".health", "Finding": ".verdict", "graph": ".autograd_graph", "Graph": ".autograd_graph"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    if name in ("explain", "html", "health", "verdict"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
