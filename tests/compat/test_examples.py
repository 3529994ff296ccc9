"""examples/pytorch/: every script runs UNCHANGED under real PyTorch and under `deepglass run`.

How the two runs are made comparable: each script prints ``initial loss: X`` first, computed in
``model.eval()`` under ``no_grad`` on its first deterministic batch (the synthetic data is a formula
of ``arange``, not random draws, so both frameworks build the same tensors). Weights are random
and the two RNGs differ, so the torch run saves its initial weights with the script's own
``--save-init`` flag (``torch.save(model.state_dict(), f)``), this test re-writes that state dict
as safetensors (deepglass never unpickles), and the deepglass run loads it with the script's
``--init`` flag (``model.load_state_dict(torch.load(f))``). The initial losses must then agree.
The training that follows shuffles and samples with each framework's own RNG, so later losses
are only checked to be finite, except in scripts that draw nothing after initialisation
(``DETERMINISTIC``), where every printed loss must agree.
"""
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import safetensors.numpy
import torch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pytorch"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))
# Known gaps outside compat (other engineers' scope): the deepglass run may fail with exactly this message,
# and then the test is xfailed with it; any other failure fails the test, and once fixed it simply passes.
KNOWN_GAPS = {
    "gcn.py": ("deepglass does not implement torch.Size yet",  # torch namespace audit
               "deepglass does not implement torch.FloatTensor yet"),  # legacy constructors (issue 13), next in line
    "polynomial_regression.py": "unsupported format string passed to Tensor.__format__",  # f"{t:+.2f}" (issue 13)
}

DETERMINISTIC = {"polynomial_regression.py"}


def _run(cmd, cwd, known_gap=None):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)
    gaps = (known_gap,) if isinstance(known_gap, str) else known_gap or ()
    for gap in gaps:
        if r.returncode != 0 and gap in r.stderr:
            pytest.xfail(f"known deepglass gap: {gap}")
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    return r.stdout


def _losses(out):
    first = re.search(r"initial loss: (\S+)", out)
    assert first, out
    rest = [float(v) for v in re.findall(r"[Ll]oss:? (-?[0-9.]+(?:e[-+]?\d+)?|nan|inf)", out)]
    return float(first.group(1)), rest


def test_every_example_is_listed():
    assert len(SCRIPTS) >= 10, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS)
def test_runs_unchanged_on_torch_and_deepglass(script, tmp_path):
    path = EXAMPLES / script
    out_torch = _run([sys.executable, str(path), "--save-init", "init.pt"], tmp_path)
    sd = torch.load(tmp_path / "init.pt")
    safetensors.numpy.save_file({k: v.detach().cpu().contiguous().numpy() for k, v in sd.items()},
                                str(tmp_path / "init.safetensors"))
    out_dg = _run([sys.executable, "-m", "deepglass.cli", "run", str(path), "--init", "init.safetensors"], tmp_path,
                  KNOWN_GAPS.get(script))
    first_t, rest_t = _losses(out_torch)
    first_d, rest_d = _losses(out_dg)
    assert math.isclose(first_t, first_d, rel_tol=2e-4, abs_tol=1e-5), (first_t, first_d)
    assert len(rest_d) == len(rest_t) and all(math.isfinite(v) for v in rest_d), (out_torch, out_dg)
    if script in DETERMINISTIC:  # no shuffling or sampling after the initial weights: the whole run agrees
        for t, d in zip(rest_t, rest_d):
            assert math.isclose(t, d, rel_tol=1e-3, abs_tol=1e-5), (out_torch, out_dg)
