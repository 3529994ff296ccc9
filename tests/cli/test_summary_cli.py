"""``deepglass summary`` end to end, in-process."""
from __future__ import annotations

import json
import sys

from deepglass.cli import main


def test_summary_of_a_zoo_model_prints_the_table_and_totals(capsys):
    assert main(["summary", "resnet18", "--input", "3x224x224"]) == 0
    out = capsys.readouterr().out
    assert "11,689,512" in out or "11689512" in out
    assert "1,814,073,344" in out or "1814073344" in out or "1.81" in out


def test_summary_json_for_a_user_model(tmp_path, monkeypatch, capsys):
    (tmp_path / "mynets.py").write_text(
        "import deepglass.nn as nn\n"
        "def build():\n"
        "    return nn.Sequential(nn.Conv2d(3, 10, 1), nn.ReLU(), nn.Flatten(), nn.Linear(1000, 10))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["summary", "mynets:build", "--input", "3x10x10", "--json", "--convention", "fvcore"]) == 0
    data = json.loads(capsys.readouterr().out)
    text = json.dumps(data)
    assert "13000" in text  # fvcore's documented total for this network
    sys.modules.pop("mynets", None)


def test_summary_bad_input_size_names_the_problem(capsys):
    assert main(["summary", "resnet18", "--input", "3x0x5"]) == 2
    assert "--input" in capsys.readouterr().err
