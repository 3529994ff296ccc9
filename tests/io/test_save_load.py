"""deepglass.save/load, state dicts as safetensors, atomic writes, corruption and mismatch reports."""
import io
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
from safetensors.torch import load_file as torch_load_file
from safetensors.torch import save_file as torch_save_file

import deepglass as dg
from deepglass.io import atomic_write, check_state_dict, load_metadata, load_state_dict, save_state_dict

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def _sd():
    return {
        "conv.weight": dg.randn(4, 3, 3, 3),
        "conv.bias": dg.zeros(4),
        "bn.num_batches_tracked": dg.tensor(7),
        "half": dg.randn(5).half(),
        "double": dg.randn(2, 2).double(),
        "mask": dg.tensor([True, False]),
        "bytes": dg.tensor(np.arange(5, dtype=np.uint8)),
        "empty": dg.zeros(0, 3),
        "np_view": np.arange(12.0).reshape(3, 4)[:, ::2],  # non-contiguous NumPy value
    }


def _same(a, b):
    a = a.numpy() if isinstance(a, dg.Tensor) else np.asarray(a)
    b = b.numpy() if isinstance(b, dg.Tensor) else np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


def test_state_dict_round_trip_and_metadata(tmp_path):
    sd = _sd()
    p = tmp_path / "m.safetensors"
    save_state_dict(sd, p, metadata={"epoch": "3", "arch": "resnet18"})
    out = load_state_dict(p)
    assert list(out) == list(sd) and all(isinstance(v, dg.Tensor) for v in out.values())
    assert all(_same(out[k], sd[k]) for k in sd)
    assert out["bn.num_batches_tracked"].shape == ()
    assert load_metadata(p) == {"epoch": "3", "arch": "resnet18"}
    with pytest.raises(TypeError, match="str → str"):
        save_state_dict(sd, p, metadata={"epoch": 3})
    with pytest.raises(TypeError, match="can't save 'x'"):
        save_state_dict({"x": [1, 2]}, p)


def test_pytorch_reads_ours_and_we_read_pytorchs(tmp_path):
    sd = {k: v for k, v in _sd().items() if k != "np_view"}
    save_state_dict(sd, tmp_path / "ours.safetensors")
    theirs = torch_load_file(str(tmp_path / "ours.safetensors"))
    assert all(np.array_equal(theirs[k].numpy(), sd[k].numpy()) for k in sd)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Linear(5, 2))
    tsd = model.state_dict()
    torch_save_file(tsd, str(tmp_path / "torch.safetensors"), metadata={"format": "pt"})
    for out in (load_state_dict(tmp_path / "torch.safetensors"), dg.load(tmp_path / "torch.safetensors")):
        assert sorted(out) == sorted(tsd)  # PyTorch files carry no key order
        assert all(np.array_equal(out[k].numpy(), tsd[k].numpy()) and out[k].dtype == tsd[k].numpy().dtype
                   for k in tsd)
    assert load_metadata(tmp_path / "torch.safetensors") == {"format": "pt"}
    torch_save_file({"w": torch.randn(3, 2, dtype=torch.bfloat16), "b": torch.ones(2)}, str(tmp_path / "bf.st"))
    with pytest.warns(UserWarning, match="bfloat16"):
        out = load_state_dict(tmp_path / "bf.st")
    ref = torch_load_file(str(tmp_path / "bf.st"))
    assert out["w"].dtype == np.float32 and np.array_equal(out["w"].numpy(), ref["w"].float().numpy())
    assert np.array_equal(out["b"].numpy(), np.ones(2, np.float32))


def test_pytorch_linear_weights_load_into_deepglass_module(tmp_path):
    nn = pytest.importorskip("deepglass.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("deepglass.nn.Linear not available yet")
    t = torch.nn.Linear(3, 2)
    torch_save_file(t.state_dict(), str(tmp_path / "lin.safetensors"))
    m = nn.Linear(3, 2)
    m.load_state_dict(load_state_dict(tmp_path / "lin.safetensors", expected=m))
    x = np.random.rand(4, 3).astype(np.float32)
    with torch.no_grad():
        want = t(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(m(dg.tensor(x)).detach().numpy(), want, rtol=1e-5, atol=1e-6)


def _checkpoint():
    w, v = dg.randn(3, 2), dg.randn(2)
    return {
        "model": {"fc.weight": w, "fc.bias": v},
        "optimizer": {
            "state": {0: {"momentum_buffer": dg.ones(3, 2), "step": dg.tensor(3.0)},
                      1: {"exp_avg": dg.zeros(2), "step": 5}},
            "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1], "nesterov": False,
                              "weight_decay": 0, "foreach": None, "maximize": False}],
        },
        "scheduler": {"last_epoch": 4, "_last_lr": [0.05], "milestones": {30: 1, 60: 1}, "gamma": 0.1},
        "epoch": 3,
        "best": float("inf"), "worst": float("-inf"), "undefined": float("nan"),
        "rng": dg.get_rng_state(),
        "huge": 2**200 + 1, "neg": -(2**70),
        "np_scalars": [np.float32(1.25), np.int64(-3), np.bool_(True)],
        "arrays": {"ids": np.arange(4, dtype=np.int32)},
        "tied": {"a": w, "b": w},
        "dtype": np.dtype("float16"),
        "odd keys": {None: 1, True: 2, 2.5: 3, (1, "x"): 4, "__dg_tensor__": "not a marker"},
        "text": "epoch 3 — 准确率",
        "empty": {}, "nothing": None, "nested": [[1, [2, (3,)]]],
    }


def _equal(a, b):
    if isinstance(a, dg.Tensor) or isinstance(a, np.ndarray):
        return type(a) is type(b) and _same(a, b)
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    if isinstance(a, dict):
        return (isinstance(b, dict) and list(a) == list(b)
                and all(type(k1) is type(k2) for k1, k2 in zip(a, b)) and all(_equal(a[k], b[k]) for k in a))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def test_checkpoint_round_trip_exact(tmp_path):
    ck = _checkpoint()
    p = tmp_path / "ckpt.safetensors"
    dg.save(ck, p)
    out = dg.load(p)
    assert _equal(ck, out)
    assert out["tied"]["a"] is out["tied"]["b"]
    assert out["optimizer"]["state"][0]["step"].shape == ()
    names = set(torch_load_file(str(p)))  # an ordinary safetensors file with prefixed names
    assert {"model/fc.weight", "model/fc.bias", "optimizer/state/0/momentum_buffer", "arrays/ids"} <= names
    # restoring the RNG state reproduces the draws
    dg.manual_seed(123)
    state = dg.get_rng_state()
    first = dg.randn(4).numpy().copy()
    dg.save({"rng": state}, p)
    dg.manual_seed(0)
    dg.set_rng_state(dg.load(p)["rng"])
    assert np.array_equal(dg.randn(4).numpy(), first)


def test_flat_state_dict_and_file_objects(tmp_path):
    sd = {"a.weight": dg.randn(2, 2), "a.bias": dg.randn(2)}
    dg.save(sd, tmp_path / "sd.safetensors")
    assert sorted(torch_load_file(str(tmp_path / "sd.safetensors"))) == ["a.bias", "a.weight"]
    out = dg.io.load(tmp_path / "sd.safetensors")
    assert _equal(sd, out)
    buf = io.BytesIO()
    dg.save({"x": sd, "n": 1}, buf)
    buf.seek(0)
    assert _equal({"x": sd, "n": 1}, dg.load(buf))


def test_unsupported_objects_name_the_key_path(tmp_path):
    with pytest.raises(TypeError, match="object at 'optimizer/state/0/hook'"):
        dg.save({"optimizer": {"state": {0: {"hook": object()}}}}, tmp_path / "x")
    with pytest.raises(TypeError, match="set at 'cfg/tags'"):
        dg.save({"cfg": {"tags": {1, 2}}}, tmp_path / "x")
    with pytest.raises(TypeError, match="complex"):
        dg.save({"z": np.zeros(2, np.complex64)}, tmp_path / "x")

    class Model:
        def state_dict(self):
            return {}

    with pytest.raises(TypeError, match="state_dict"):
        dg.save(Model(), tmp_path / "x")
    assert not os.path.exists(tmp_path / "x")


@pytest.mark.parametrize("damage", ["truncate_tail", "truncate_header", "empty", "garbage", "flip_data",
                                    "flip_header"])
def test_corrupt_or_truncated_files(tmp_path, damage):
    p = tmp_path / "bad.safetensors"
    dg.save({"model": {"w": dg.randn(64, 64)}, "epoch": 1}, p)
    raw = bytearray(p.read_bytes())
    if damage == "truncate_tail":
        raw = raw[:-1000]
    elif damage == "truncate_header":
        raw = raw[:40]
    elif damage == "empty":
        raw = b""
    elif damage == "garbage":
        raw = bytearray(os.urandom(500))
    elif damage == "flip_data":
        raw[-17] ^= 0xFF
    elif damage == "flip_header":
        raw[12] = ord("}")
    p.write_bytes(bytes(raw))
    for fn in (dg.load, load_state_dict):
        with pytest.raises(ValueError, match=r"bad.safetensors is corrupt or truncated"):
            fn(p)
    with pytest.raises(FileNotFoundError, match="no such file"):
        dg.load(tmp_path / "missing.safetensors")


def test_mismatches_are_all_reported(tmp_path):
    p = tmp_path / "m.safetensors"
    save_state_dict({"w": np.zeros((2, 3), np.float32), "b": np.zeros(2, np.float64), "extra": np.zeros(1)}, p)
    expected = {"w": np.zeros((3, 3), np.float32), "b": np.zeros(2, np.float32), "gone": np.zeros(1)}
    with pytest.raises(RuntimeError) as e:
        load_state_dict(p, expected=expected)
    msg = str(e.value)
    for part in ['Missing key(s) in state_dict: "gone"', 'Unexpected key(s) in state_dict: "extra"',
                 "size mismatch for w: shape (2, 3) in the file, (3, 3) expected",
                 "dtype mismatch for b: float64 in the file, float32 expected"]:
        assert part in msg
    errs = check_state_dict(load_state_dict(p), expected, strict=False)
    assert len(errs) == 2 and not any("Missing" in m for m in errs)


def test_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    p = tmp_path / "ckpt.safetensors"
    dg.save({"v": dg.full((3,), 7.0)}, p)

    def boom(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk on fire"):
        dg.save({"v": dg.full((3,), 1.0)}, p)
    with pytest.raises(RuntimeError):
        with atomic_write(p) as f:
            f.write(b"partial")
            raise RuntimeError("crash in the middle")
    monkeypatch.undo()
    assert dg.load(p)["v"].tolist() == [7.0, 7.0, 7.0]
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]  # no temporary files left behind


def test_atomic_write_text_mode_and_permissions(tmp_path):
    p = tmp_path / "log.csv"
    with atomic_write(p, "w", newline="") as f:
        f.write("epoch,loss\n1,0.5\n")
    assert p.read_text() == "epoch,loss\n1,0.5\n"
    os.chmod(p, 0o640)
    with atomic_write(p, "w") as f:
        f.write("x")
    assert p.read_text() == "x" and (os.stat(p).st_mode & 0o777) == 0o640
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with atomic_write(tmp_path / "no" / "dir.txt"):
            pass


_KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    sys.path.insert(0, {src!r})
    import deepglass.io.atomic as atomic
    from deepglass.io import save_state_dict
    real_fsync = os.fsync
    def slow_fsync(fd):  # the data is written to the temporary file; die before the rename
        print("writing", flush=True)
        time.sleep(60)
    atomic.os.fsync = slow_fsync
    save_state_dict({{"w": np.full({n}, 1.0, np.float32)}}, {path!r})
""")


def _spawn(code):
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def test_killed_save_leaves_previous_file_loadable(tmp_path):
    p = str(tmp_path / "big.safetensors")
    save_state_dict({"w": np.full(1000, 7.0, np.float32)}, p)
    proc = _spawn(_KILL_SCRIPT.format(src=os.path.abspath(SRC), n=4_000_000, path=p))
    try:
        assert proc.stdout.readline().strip() == "writing"
        tmp = [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
        assert tmp and os.path.getsize(tmp_path / tmp[0]) > 16_000_000  # the new data was (partly) written
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    out = load_state_dict(p)["w"].numpy()
    assert out.shape == (1000,) and (out == 7.0).all()


_LOOP_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    sys.path.insert(0, {src!r})
    from deepglass.io import save_state_dict
    i = 0
    while True:
        i += 1
        save_state_dict({{"w": np.full(3_000_000, float(i), np.float32), "i": np.array(i)}}, {path!r})
        print(i, flush=True)
""")


def test_killed_at_random_points_file_is_always_complete(tmp_path):
    p = str(tmp_path / "loop.safetensors")
    save_state_dict({"w": np.full(3_000_000, 0.0, np.float32), "i": np.array(0)}, p)
    rng = np.random.default_rng(0)
    for _ in range(3):
        proc = _spawn(_LOOP_SCRIPT.format(src=os.path.abspath(SRC), path=p))
        proc.stdout.readline()  # at least one save done
        time.sleep(float(rng.uniform(0, 0.3)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        out = load_state_dict(p)
        assert (out["w"].numpy() == float(out["i"].item())).all()
