"""Dataset formats on small files written here: IDX (raw/.gz), CIFAR binary, ImageFolder, CSV; Digits; errors."""
import gzip
import os
import struct

import numpy as np
import pytest
from PIL import Image

import deepglass as dg
from deepglass.data import CIFAR10, CIFAR100, MNIST, CSVDataset, DataLoader, Digits, FashionMNIST, ImageFolder
from deepglass.data import transforms as T


def _idx(arr: np.ndarray) -> bytes:
    code = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C}[arr.dtype]
    head = struct.pack(">HBB", 0, code, arr.ndim) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _write_mnist(folder, n=5, gz=False, split="train"):
    os.makedirs(folder, exist_ok=True)
    imgs = np.random.randint(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = np.random.randint(0, 10, n).astype(np.uint8)
    for name, arr in ((f"{split}-images-idx3-ubyte", imgs), (f"{split}-labels-idx1-ubyte", labels)):
        data = _idx(arr)
        path = os.path.join(folder, name + (".gz" if gz else ""))
        with (gzip.open(path, "wb") if gz else open(path, "wb")) as f:
            f.write(data)
    return imgs, labels


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_raw_and_gz(tmp_path, gz):
    imgs, labels = _write_mnist(str(tmp_path / "MNIST" / "raw"), gz=gz)
    ds = MNIST(tmp_path, train=True)
    assert len(ds) == 5 and ds.data.shape == (5, 28, 28) and ds.targets.dtype == np.int64
    img, y = ds[2]
    assert np.array_equal(img, imgs[2]) and y == int(labels[2]) and isinstance(y, int)
    ds = MNIST(tmp_path, transform=T.ToTensor(), target_transform=lambda t: t + 100)
    x, y = ds[-1]
    assert x.shape == (1, 28, 28) and y == int(labels[-1]) + 100
    np.testing.assert_allclose(x.numpy()[0], imgs[-1] / 255.0, rtol=1e-6)
    xb, yb = next(iter(DataLoader(ds, batch_size=4)))
    assert xb.shape == (4, 1, 28, 28) and yb.dtype == np.int64


def test_fashion_mnist_test_split_in_root(tmp_path):
    imgs, labels = _write_mnist(str(tmp_path), n=3, split="t10k")
    ds = FashionMNIST(tmp_path, train=False)
    assert len(ds) == 3 and ds.classes[0] == "T-shirt/top" and np.array_equal(ds[0][0], imgs[0])


def test_mnist_missing_and_corrupt(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        MNIST(tmp_path, train=True)
    msg = str(e.value)
    assert "train-images-idx3-ubyte" in msg and str(tmp_path) in msg and "https://" in msg and "never downloads" in msg
    _write_mnist(str(tmp_path))
    p = tmp_path / "train-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-100])  # truncated
    with pytest.raises(ValueError, match="corrupt or truncated.*promises"):
        MNIST(tmp_path)
    p.write_bytes(b"\x12\x34\x08\x03" + b"\0" * 20)
    with pytest.raises(ValueError, match="magic"):
        MNIST(tmp_path)
    os.remove(p)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx(np.zeros((5, 28, 28), np.uint8)))[:-30])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        MNIST(tmp_path)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(_idx(np.zeros((4, 28, 28), np.uint8))))
    with pytest.raises(ValueError, match="one per image"):
        MNIST(tmp_path)


def _cifar_records(n, label_cols):
    labels = np.stack([np.random.randint(0, hi, n) for hi in label_cols], 1).astype(np.uint8)
    pixels = np.random.randint(0, 256, (n, 3072), dtype=np.uint8)
    return labels, pixels, np.concatenate([labels, pixels], 1).tobytes()


def test_cifar10_binary(tmp_path):
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    all_labels, all_pixels = [], []
    for i in range(1, 6):
        labels, pixels, raw = _cifar_records(3, [10])
        (folder / f"data_batch_{i}.bin").write_bytes(raw)
        all_labels.append(labels)
        all_pixels.append(pixels)
    _, tp, raw = _cifar_records(2, [10])
    (folder / "test_batch.bin").write_bytes(raw)
    ds = CIFAR10(tmp_path, train=True)
    assert len(ds) == 15 and ds.classes[0] == "airplane"
    img, y = ds[4]  # second batch file, record 1
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8 and y == int(all_labels[1][1, 0])
    expected = all_pixels[1][1].reshape(3, 32, 32).transpose(1, 2, 0)  # R, G, B planes → H×W×C
    assert np.array_equal(img, expected)
    t = CIFAR10(tmp_path, train=False, transform=T.ToTensor())
    assert len(t) == 2 and t[1][0].shape == (3, 32, 32)
    np.testing.assert_allclose(t[1][0].numpy(), tp[1].reshape(3, 32, 32) / 255.0, rtol=1e-6)
    (folder / "test_batch.bin").write_bytes(raw[:-7])
    with pytest.raises(ValueError, match="corrupt or truncated.*3073-byte records"):
        CIFAR10(tmp_path, train=False)


def test_cifar100_binary_coarse_and_fine(tmp_path):
    folder = tmp_path / "cifar-100-binary"
    folder.mkdir()
    labels, pixels, raw = _cifar_records(4, [20, 100])
    (folder / "train.bin").write_bytes(raw)
    ds = CIFAR100(tmp_path, train=True)
    assert ds.targets == labels[:, 1].tolist() and ds.coarse_targets == labels[:, 0].tolist()
    assert len(ds.classes) == 100 and len(ds.coarse_classes) == 20 and ds.classes[0] == "apple"
    assert ds[2][1] == int(labels[2, 1])
    assert CIFAR100(tmp_path, target_type="coarse")[2][1] == int(labels[2, 0])
    assert CIFAR100(tmp_path, target_type="both")[2][1] == (int(labels[2, 1]), int(labels[2, 0]))
    bad = bytearray(raw)
    bad[1] = 200  # fine label out of range
    (folder / "train.bin").write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="out of range"):
        CIFAR100(tmp_path)


def test_cifar_missing_mentions_pickled_version(tmp_path):
    (tmp_path / "cifar-10-batches-py").mkdir()
    with pytest.raises(FileNotFoundError) as e:
        CIFAR10(tmp_path)
    msg = str(e.value)
    assert "data_batch_1.bin" in msg and "cifar-10-binary.tar.gz" in msg and "pickled" in msg
    with pytest.raises(FileNotFoundError, match="train.bin"):
        CIFAR100(tmp_path)


def test_image_folder_pngs(tmp_path):
    root = tmp_path / "train"
    colours = {"cat": (255, 0, 0), "dog": (0, 255, 0)}
    for c, rgb in colours.items():
        (root / c).mkdir(parents=True)
        for i in range(3):
            Image.new("RGB", (6, 4), rgb).save(root / c / f"{i}.png")
    (root / "dog" / "notes.txt").write_text("ignored")
    ds = ImageFolder(tmp_path, train=True, transform=T.ToTensor())
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert len(ds) == 6 and ds.targets == [0, 0, 0, 1, 1, 1]
    x, y = ds[4]
    assert x.shape == (3, 4, 6) and y == 1 and float(x.numpy()[1].mean()) == 1.0
    assert ImageFolder(root)[0][0].size == (6, 4)
    xb, yb = next(iter(DataLoader(ds, batch_size=6, num_workers=2)))
    assert xb.shape == (6, 3, 4, 6) and yb.tolist() == [0, 0, 0, 1, 1, 1]
    (root / "cat" / "3.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="3.png is corrupt"):
        ImageFolder(root)[3]
    (root / "bird").mkdir()
    with pytest.raises(FileNotFoundError, match="no valid file for the classes bird"):
        ImageFolder(root)
    with pytest.raises(FileNotFoundError, match="test"):
        ImageFolder(tmp_path, train=False)


def test_csv_dataset(tmp_path):
    p = tmp_path / "iris.csv"
    p.write_text("sepal,petal,species\n1.0,2.5,setosa\n3,4,virginica\n5.5,-1e2,setosa\n")
    ds = CSVDataset(p, target="species")
    assert ds.classes == ["setosa", "virginica"] and ds.targets == [0, 1, 0]
    x, y = ds[2]
    assert x.dtype == np.float32 and x.tolist() == [5.5, -100.0] and y == 0
    xb, yb = next(iter(DataLoader(ds, batch_size=3)))
    assert xb.shape == (3, 2) and xb.dtype == np.float32 and yb.dtype == np.int64
    (tmp_path / "train.csv").write_text("a,b,label\n1,2,0\n3,4,1\n")
    (tmp_path / "test.csv").write_text("a,b,label\n1,2,0.5\n")
    assert CSVDataset(tmp_path, train=True).targets == [0, 1]
    assert CSVDataset(tmp_path, train=False).targets == [0.5]
    assert CSVDataset(tmp_path, features=["b"])[1][0].tolist() == [4.0]
    with pytest.raises(ValueError, match="target column 'price'.*columns are"):
        CSVDataset(p, target="price")
    p.write_text("a,target\n1,0\nx,1\n")
    with pytest.raises(ValueError, match="line 3, column 'a': 'x' is not a number"):
        CSVDataset(p)
    with pytest.raises(FileNotFoundError, match="test.csv"):
        CSVDataset(tmp_path / "nowhere", train=False)


def test_digits_fixed_split():
    tr, te = Digits(train=True), Digits(train=False)
    assert len(tr) == 1437 and len(te) == 360
    x, y = tr[0]
    assert isinstance(x, dg.Tensor) and x.shape == (1, 8, 8) and x.dtype == np.float32 and isinstance(y, int)
    assert tr.data.min() == 0.0 and tr.data.max() == 1.0
    from sklearn.datasets import load_digits

    raw = load_digits()
    both = np.concatenate([tr.data, te.data]).reshape(-1, 64) * 16
    assert sorted(map(bytes, both.astype(np.uint8))) == sorted(map(bytes, raw.data.astype(np.uint8)))
    assert Digits(train=True).targets.tolist() == tr.targets.tolist()  # fixed, not re-drawn
    assert set(te.targets.tolist()) == set(range(10))
