"""The kernel tests exercise every fast kernel, including those off by default (Winograd)."""
from __future__ import annotations

import pytest

from deepglass.kernels import winograd


@pytest.fixture(autouse=True, scope="package")
def _winograd_on():
    with pytest.MonkeyPatch.context() as mp:  # package scope: module-scoped fixtures (the registry run) see it too
        mp.setattr(winograd, "ENABLED", True)
        yield
