"""Fixtures of the adversarial suite (helpers in ``reliability_helpers.py``)."""
from __future__ import annotations

import pytest
from reliability_helpers import make_cli


@pytest.fixture
def cli(capsys):
    """``cli(*argv)`` → ``(exit code, stdout, stderr)`` of the ``deepglass`` command, in-process."""
    return make_cli(capsys)


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory):
    """A finished 1-epoch digits run (sgdm, exponential schedule: resumable with more epochs). Copy it before
    changing it."""
    from deepglass.train.run import train_run

    out = tmp_path_factory.mktemp("runs") / "done"
    train_run({"epochs": 1, "batch_size": 128, "scheduler": "exponential", "optimizer": "sgdm", "lr": 0.05},
              out=str(out), verbose=False, progress=False)
    return out


@pytest.fixture
def run(finished_run, tmp_path):
    """A private copy of :func:`finished_run`."""
    import shutil

    dst = tmp_path / "run"
    shutil.copytree(finished_run, dst)
    return dst
