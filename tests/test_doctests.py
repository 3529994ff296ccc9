"""The ``>>>`` examples in the docstrings are tests: every one must run and show its real output.

Covers the packages a reader studies first: ops, nn, optim, autograd, data, kernels, parallel,
distributions, sparse and the small namespaces (metrics runs its own in tests/metrics). A module
whose examples would need a GPU or the network has none, by design.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import deepglass

PACKAGES = ["deepglass.ops", "deepglass.nn", "deepglass.optim", "deepglass.autograd", "deepglass.data",
            "deepglass.kernels", "deepglass.distributions", "deepglass.sparse", "deepglass.backends",
            "deepglass.insight"]
SINGLE = ["deepglass.parallel", "deepglass._tensor", "deepglass.creation", "deepglass.backend",
          "deepglass.accelerator", "deepglass.onnx", "deepglass.hub", "deepglass.masked"]


def _modules():
    names = list(SINGLE)
    for pkg_name in PACKAGES:
        pkg = importlib.import_module(pkg_name)
        names.append(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg_name + "."):
            names.append(info.name)
    return sorted(set(names))


MODULES = _modules()


def _example_names():
    """What every example may assume, as PyTorch's own docs do: the modules under their usual
    names, and for optimizer/utility examples a small ``model`` with a batch ``x``, ``y`` and ``loss_fn``."""
    nn = deepglass.nn
    deepglass.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    x, y = deepglass.randn(8, 4), deepglass.tensor([0, 1, 1, 0, 1, 0, 0, 1])
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(model(x), y).backward()
    w, b = deepglass.randn(4, requires_grad=True), deepglass.zeros(1, requires_grad=True)
    ((w * w).sum() + b.sum()).backward()
    return {"w": w, "b": b, "lr": 0.1, "opt": deepglass.optim.SGD(model.parameters(), lr=0.1),
            "deepglass": deepglass, "dg": deepglass, "np": np, "numpy": np, "nn": nn, "F": nn.functional,
            "optim": deepglass.optim, "model": model, "x": x, "y": y, "loss_fn": loss_fn}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    for test in finder.find(module, name, globs=dict(vars(module))):
        if test.filename and module.__file__ and test.filename != module.__file__:
            continue  # re-exported objects are tested in their own module
        test.globs.update(_example_names())  # fresh for each docstring, seeded: its random numbers are its own
        runner.run(test, clear_globs=True)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (output above)"
