"""Fixtures of the adversarial suite (helpers in ``reliability_helpers.py``)."""
from __future__ import annotations

import pytest
from reliability_helpers import make_cli


@pytest.fixture
def cli(capsys):
    """``cli(*argv)`` → ``(exit code, stdout, stderr)`` of the ``deepglass`` command, in-process."""
    return make_cli(capsys)
