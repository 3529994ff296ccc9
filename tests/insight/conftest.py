import pytest

from deepglass.cli import main


@pytest.fixture(scope="session")
def digits_run(tmp_path_factory):
    """A one-epoch `deepglass train` run folder (the default digits CNN)."""
    run = str(tmp_path_factory.mktemp("insight") / "run")
    assert main(["train", "--epochs", "1", "--batch-size", "64", "--lr", "0.01", "--out", run, "--quiet"]) == 0
    return run
