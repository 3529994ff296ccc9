"""``MNIST`` and ``FashionMNIST`` from local IDX files (raw or ``.gz``)."""
from __future__ import annotations

import gzip
import math
import os
import zlib

import numpy as np

from ..._tensor import from_array
from ._errors import corrupt, missing
from .base import VisionDataset

# IDX type codes → big-endian NumPy dtypes
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str, name: str = "IDX", source: str = "the dataset's site") -> np.ndarray:
    """Read an IDX file (``.gz`` or raw) into a native-endian NumPy array, checking its header and size.

    Example:
        >>> read_idx("train-labels-idx1-ubyte.gz").shape  # doctest: +SKIP
        (60000,)
    """
    try:
        if path.endswith(".gz"):
            with gzip.open(path, "rb") as f:
                buf = f.read()
        else:
            with open(path, "rb") as f:
                buf = f.read()
    except (OSError, EOFError, zlib.error) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise corrupt(name, path, f"could not decompress/read it ({e})", source) from None
    if len(buf) < 4:
        raise corrupt(name, path, f"only {len(buf)} bytes, shorter than an IDX header", source)
    zero, code, ndim = int.from_bytes(buf[0:2], "big"), buf[2], buf[3]
    if zero != 0 or code not in _IDX_TYPES:
        raise corrupt(name, path, f"bad IDX magic number 0x{buf[:4].hex()} (expected 0x0000080N)", source)
    head = 4 + 4 * ndim
    if len(buf) < head:
        raise corrupt(name, path, "the header ends early", source)
    dims = [int.from_bytes(buf[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    dtype = np.dtype(_IDX_TYPES[code])
    want = math.prod(dims) * dtype.itemsize  # Python ints: a forged header can't overflow the check
    if len(buf) - head != want:
        raise corrupt(name, path, f"the header promises {dims} values ({want} bytes) but the file holds "
                                  f"{len(buf) - head} bytes of data", source)
    arr = np.frombuffer(buf, dtype=dtype, offset=head).reshape(dims)
    return arr.astype(dtype.newbyteorder("="))


class MNIST(VisionDataset):
    """MNIST handwritten digits from the four IDX files (raw or gzipped).

    The files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each optionally
    ``.gz``) are looked for in ``root``, ``root/MNIST/raw`` and ``root/MNIST``
    (torchvision's layout). Samples are ``(image, label)``: a ``28×28`` uint8
    NumPy array (use ``transform=ToTensor()`` for a ``1×28×28`` float Tensor)
    and an int.

    Args:
        root: the folder holding the files.
        train: the 60,000 training images (True) or the 10,000 test images.
        transform: applied to the image.
        target_transform: applied to the label.

    Raises:
        FileNotFoundError: a file is missing (lists what was expected and where).
        ValueError: a file is corrupt or truncated.

    Example:
        >>> from deepglass.data.transforms import ToTensor
        >>> ds = MNIST("~/data", train=True, transform=ToTensor())  # doctest: +SKIP
    """

    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    source = "https://ossci-datasets.s3.amazonaws.com/mnist/ (mirror of http://yann.lecun.com/exdb/mnist/)"

    def __init__(self, root, train: bool = True, transform=None, target_transform=None):
        super().__init__(root, train, transform, target_transform)
        prefix = "train" if train else "t10k"
        images = self._find(f"{prefix}-images-idx3-ubyte")
        labels = self._find(f"{prefix}-labels-idx1-ubyte")
        name = type(self).__name__
        data = read_idx(images, name, self.source)
        targets = read_idx(labels, name, self.source)
        if data.ndim != 3 or data.dtype != np.uint8:
            raise corrupt(name, images, f"expected uint8 images N×H×W, found {data.dtype} {data.shape}", self.source)
        if targets.ndim != 1 or len(targets) != len(data):
            raise corrupt(name, labels, f"expected {len(data)} labels (one per image), found shape {targets.shape}",
                          self.source)
        if len(targets) and int(targets.max()) >= len(self.classes):
            raise corrupt(name, labels, f"label {int(targets.max())} is out of range 0..{len(self.classes) - 1}",
                          self.source)
        self._images, self._labels = data, targets.astype(np.int64)
        self.data, self.targets = from_array(self._images), from_array(self._labels)

    def _folders(self):
        return [self.root, os.path.join(self.root, type(self).__name__, "raw"),
                os.path.join(self.root, type(self).__name__)]

    def _find(self, base: str) -> str:
        for d in self._folders():
            for fname in (base, base + ".gz"):
                p = os.path.join(d, fname)
                if os.path.isfile(p):
                    return p
        prefix = "train" if self.train else "t10k"
        expected = [f"{prefix}-{k}-idx{n}-ubyte[.gz]" for k, n in (("images", 3), ("labels", 1))]
        raise missing(type(self).__name__, expected, self._folders(), self.source)

    def __len__(self) -> int:
        return len(self._labels)

    def _raw(self, index: int):
        return self._images[index], int(self._labels[index])


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: MNIST's file format and layout (``root/FashionMNIST/raw``), clothing classes.

    Example:
        >>> ds = FashionMNIST("~/data", train=False)  # doctest: +SKIP
        >>> ds.classes[0]  # doctest: +SKIP
        'T-shirt/top'
    """

    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    source = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ "
              "(see https://github.com/zalandoresearch/fashion-mnist)")
