"""Figures of the concept notes, drawn with matplotlib (imported lazily).

Each family of figures lives in its own module; the names below are looked up
on first use so that ``import deepglass`` never imports matplotlib.
"""
from __future__ import annotations

import importlib

_WHERE = {
    # metrics figures
    "plot_confusion_matrix": "metrics_plots",
    "plot_pr_curve": "metrics_plots",
    "plot_roc_curve": "metrics_plots",
    "plot_f1_confidence": "metrics_plots",
    "top_confusions": "metrics_plots",
    # activations and optimizers (the notes' table and animation)
    "plot_activations": "activations",
    "optimizer_race": "optimizers",
    # training curves
    "plot_history": "training",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        module = importlib.import_module(f"{__name__}.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'deepglass.viz' has no attribute {name!r}")
