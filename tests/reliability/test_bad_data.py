"""Finding 7: bad data is refused clearly (names the file and the fix), never accepted silently."""
from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from reliability_helpers import assert_user_error

from deepglass.data import MNIST, CSVDataset
from deepglass.data.datasets.folder import pil_loader


def _write_csv(path, rows, header=("a", "b", "target")):
    path.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n")
    return path


@pytest.mark.parametrize("rows, needle", [
    ([(1, 2, 0), (3, 4, "")], "line 3: the target 'target' is empty"),
    ([(1, 2, 0), (3, 4, "nan")], "line 3: the target 'target' is 'nan'"),
    ([(1, "nan", 0), (3, 4, 1)], "line 2, column 'b': 'nan' is not a finite number"),
    ([(1, 2, 0), ("-inf", 4, 1)], "line 3, column 'a': '-inf' is not a finite number"),
])
def test_csv_empty_and_non_finite_cells_are_refused(tmp_path, rows, needle):
    with pytest.raises(ValueError) as e:
        CSVDataset(_write_csv(tmp_path / "d.csv", rows))
    assert needle in str(e.value) and "d.csv" in str(e.value)


def test_training_on_a_one_row_csv_is_refused(tmp_path, cli):
    data = _write_csv(tmp_path / "one.csv", [(1, 2, 0)])
    code, _, err = cli("train", "--data", "csv", "--data-dir", data, "--out", tmp_path / "r", "--quiet")
    assert_user_error(code, err, "holds 1 sample", "at least 2")
    assert not (tmp_path / "r").exists()


def _idx(path, arr, code=0x08):
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, code, arr.ndim) + b"".join(struct.pack(">I", d) for d in arr.shape))
        f.write(arr.astype(">u1").tobytes())


def _mnist(root, n_train, n_test=2):
    rng = np.random.default_rng(0)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        _idx(root / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 255, (n, 28, 28)))
        _idx(root / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, (n,)))


def test_an_empty_idx_file_is_refused(tmp_path, cli):
    _mnist(tmp_path, n_train=0)
    assert len(MNIST(str(tmp_path))) == 0
    code, _, err = cli("train", "--data", "mnist", "--data-dir", tmp_path, "--out", tmp_path / "r", "--quiet")
    assert_user_error(code, err, "holds no samples")


def test_an_idx_header_whose_size_overflows_int64_is_corrupt_not_a_crash(tmp_path):
    from deepglass.data.datasets.mnist import read_idx

    p = tmp_path / "x-idx3-ubyte"
    # 2**32-1 cubed overflows int64: wrapped, the old size check could be fooled
    p.write_bytes(struct.pack(">HBB", 0, 0x08, 3) + struct.pack(">III", 2**32 - 1, 2**32 - 1, 2**32 - 1))
    with pytest.raises(ValueError, match="header promises"):
        read_idx(str(p))


def test_a_16_bit_png_is_rescaled_not_clipped_to_white(tmp_path):
    from PIL import Image

    a = (np.arange(64).reshape(8, 8) * 1000).astype(np.uint16)  # 0..63000
    Image.fromarray(a).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I")
    got = np.asarray(pil_loader(str(tmp_path / "deep.png")))[..., 0].astype(np.int64)
    np.testing.assert_allclose(got, np.rint(a / 257.0), atol=1)  # Pillow's convert clipped to 255 (blank input)
    assert got.min() == 0 and got.max() == 245


def test_predict_refuses_nan_input_and_reads_16_bit_pngs(run, tmp_path, cli):
    from PIL import Image

    bad = tmp_path / "bad.npy"
    x = np.zeros((2, 64), np.float32)
    x[1, 5] = np.nan
    np.save(bad, x)
    code, _, err = cli("predict", run, bad)
    assert_user_error(code, err, "NaN or infinite", "bad.npy")
    Image.fromarray((np.arange(64).reshape(8, 8) * 1000).astype(np.uint16)).save(tmp_path / "deep.png")
    code, out, err = cli("predict", run, tmp_path / "deep.png", "--json")
    assert code == 0, err
    import json
    import math

    (r,) = json.loads(out)
    assert all(math.isfinite(t["probability"]) for t in r["top"])
