"""``deepglass summary`` end to end, in-process."""
from __future__ import annotations

import json
import sys

from deepglass.cli import main


def test_summary_of_a_zoo_model_prints_the_table_and_totals(capsys):
    assert main(["summary", "resnet18", "--input", "3x224x224"]) == 0
    out = capsys.readouterr().out
    assert "Total params: 11,689,512 " in out      # torchvision's count
    assert "MACs: 1,814,073,344 (1.81 G)" in out   # torchvision's published "GFLOPS" for ResNet-18
    assert "layer4.1.conv2 (Conv2d)" in out        # one row per layer


def test_summary_json_for_a_user_model(tmp_path, monkeypatch, capsys):
    (tmp_path / "mynets.py").write_text(
        "import deepglass.nn as nn\n"
        "def build():\n"
        "    return nn.Sequential(nn.Conv2d(3, 10, 1), nn.ReLU(), nn.Flatten(), nn.Linear(1000, 10))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["summary", "mynets:build", "--input", "3x10x10", "--json", "--convention", "fvcore"]) == 0
    data = json.loads(capsys.readouterr().out)
    # fvcore's total for this network: conv 3·10·10·10 + linear 1000·10 multiply-adds
    assert data["totals"]["macs"] == 13000
    assert data["totals"]["total_params"] == 3 * 10 + 10 + 1000 * 10 + 10
    assert [row["type"] for row in data["rows"]][:2] == ["Conv2d", "ReLU"]
    sys.modules.pop("mynets", None)


def test_summary_bad_input_size_names_the_problem(capsys):
    assert main(["summary", "resnet18", "--input", "3x0x5"]) == 2
    assert "--input" in capsys.readouterr().err
