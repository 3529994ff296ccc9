"""Shared test set-up: seeds, the ``--device`` option, and the ``gpu`` marker."""
from __future__ import annotations

import numpy as np
import pytest

import deepglass


def pytest_addoption(parser):
    parser.addoption("--device", default="cpu", help="device for the parity tests: cpu or cuda")


@pytest.fixture(autouse=True)
def _seed():
    deepglass.manual_seed(0)
    np.random.seed(0)
    yield


@pytest.fixture
def device(request):
    dev = request.config.getoption("--device")
    if dev.startswith("cuda") and not deepglass.cuda.is_available():
        pytest.skip("CuPy with a CUDA device is not available")
    return dev


def pytest_collection_modifyitems(config, items):
    if deepglass.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CuPy and a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
