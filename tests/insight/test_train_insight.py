"""deepglass train --insight: the run folder gains the health section, health.json/png and report.html."""
import json
import os

import pytest

from deepglass.cli import main


def test_default_train_run_has_health_and_html(digits_run):
    md = open(os.path.join(digits_run, "report.md"), encoding="utf-8").read()
    assert md.index("## Diagnosis") < md.index("## Training health") < md.index("## Configuration")
    assert "![gradient norm per layer](figures/health.png)" in md
    health = json.load(open(os.path.join(digits_run, "health.json")))
    assert health["every"] == 50 and health["steps"][0] == 0 and health["findings"] == []
    page = open(os.path.join(digits_run, "report.html"), encoding="utf-8").read()
    assert "<h2>Training health</h2>" in page and "<script" not in page


def test_insight_off_and_full(tmp_path):
    off = str(tmp_path / "off")
    assert main(["train", "--epochs", "1", "--batch-size", "128", "--out", off, "--quiet", "--insight", "off"]) == 0
    assert "## Training health" not in open(os.path.join(off, "report.md")).read()
    assert os.path.isfile(os.path.join(off, "report.html")) and not os.path.exists(os.path.join(off, "health.json"))
    full = str(tmp_path / "full")
    assert main(["train", "--epochs", "1", "--batch-size", "128", "--out", full, "--quiet", "--insight", "full"]) == 0
    assert json.load(open(os.path.join(full, "health.json")))["every"] == 10
    with pytest.raises(SystemExit):  # argparse refuses an unknown level
        main(["train", "--insight", "loud"])
