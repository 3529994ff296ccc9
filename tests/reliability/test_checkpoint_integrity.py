"""Findings 6 and 10, and crash safety: checksums over tensors AND metadata, damaged trees name file and key,
pickles are identified, a kill -9 during a save leaves the old or the new file, never a broken one."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from reliability_helpers import SRC

import deepglass as dg

STATE = {"model": {"w": dg.arange(6.0).reshape(2, 3), "b": dg.zeros(3)},
         "optimizer": {"param_groups": [{"lr": 0.003, "betas": (0.9, 0.999), "params": [0, 1]}],
                       "state": {0: {"step": 7}}},
         "rng": [1, 2, 3], "epoch": 3}


def _same(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dg.Tensor):
        return isinstance(b, dg.Tensor) and np.array_equal(a.numpy(), b.numpy())
    return a == b and type(a) is type(b)


@pytest.fixture
def saved(tmp_path):
    p = tmp_path / "ckpt.safetensors"
    dg.save(STATE, p)
    return p, p.read_bytes()


def test_every_single_bit_flip_in_the_header_is_caught_or_harmless(saved, tmp_path):
    # before: flips in the JSON tree changed lr 0.003 -> 0.903, betas, steps, RNG state, and loaded silently
    path, raw = saved
    n = int.from_bytes(raw[:8], "little")
    wrong = []
    for byte in range(8, 8 + n):
        for bit in range(8):
            b = bytearray(raw)
            b[byte] ^= 1 << bit
            try:
                got = dg.load(bytes(b))
            except ValueError:
                continue
            if not _same(STATE, got):
                wrong.append((byte, bit))
    assert wrong == []


def test_bit_flips_in_the_tensor_data_and_truncations_are_caught(saved):
    _, raw = saved
    n = int.from_bytes(raw[:8], "little")
    for byte in range(8 + n, len(raw)):
        b = bytearray(raw)
        b[byte] ^= 0x10
        with pytest.raises(ValueError, match="corrupt or truncated"):
            dg.load(bytes(b))
    for cut in range(0, len(raw), 23):
        with pytest.raises(ValueError):
            dg.load(raw[:cut])


def test_a_damaged_file_is_named(saved):
    path, raw = saved
    b = bytearray(raw)
    b[len(raw) - 1] ^= 1
    path.write_bytes(bytes(b))
    with pytest.raises(ValueError, match=str(path.name)):
        dg.load(path)


@pytest.mark.parametrize("zipfile", [True, False])
def test_a_pytorch_pickle_is_identified_with_how_to_convert_it(tmp_path, zipfile):
    import torch

    p = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, p, _use_new_zipfile_serialization=zipfile)
    with pytest.raises(ValueError) as e:
        dg.load(p)
    msg = str(e.value)
    assert "pickle" in msg and "never unpickles" in msg and "weights_only=True" in msg and "model.pt" in msg
    assert "utf-32" not in msg


def test_a_training_checkpoint_with_a_missing_key_names_the_file_and_the_key(tmp_path):
    from deepglass import nn, optim
    from deepglass.train import Trainer

    model = nn.Linear(2, 2)
    t = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), verbose=False, progress=False)
    state = t.state_dict()
    del state["global_step"]
    p = tmp_path / "last.safetensors"
    dg.save(state, p)
    with pytest.raises(ValueError, match=r"last\.safetensors.*'global_step'"):
        t.load_checkpoint(str(p))


def test_old_files_without_a_metadata_checksum_still_load(tmp_path):
    from safetensors.numpy import save_file

    p = tmp_path / "plain.safetensors"
    save_file({"w": np.ones(2, np.float32)}, str(p), metadata={"note": "from elsewhere"})
    assert dg.load(p)["w"].tolist() == [1.0, 1.0]


_WRITER = r"""
import sys, numpy as np, deepglass as dg
path, i = sys.argv[1], 0
big = np.random.default_rng(0).normal(size=(512, 1024)).astype(np.float32)  # 2 MB: saves take a while
print("ready", flush=True)
while True:
    i += 1
    dg.save({"model": {"w": big + i}, "step": i}, path)
"""


def test_kill_9_during_saves_leaves_a_complete_file(tmp_path):
    path = tmp_path / "last.safetensors"
    env = {**os.environ, "PYTHONPATH": os.path.abspath(SRC), "OPENBLAS_NUM_THREADS": "1"}
    rng = np.random.default_rng(1)
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE, env=env)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.05 + 0.3 * rng.random())
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        if path.exists():  # the previous or the latest complete save, never a half-written one
            got = dg.load(path)
            assert float(got["model"]["w"][0, 0].item() - got["step"]) == pytest.approx(0.12573022, abs=1e-4)
    assert all(n == path.name or n.endswith(".tmp") for n in os.listdir(tmp_path))
