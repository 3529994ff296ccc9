"""``Digits``: scikit-learn's bundled 8×8 handwritten digits (1,797 images, no download)."""
from __future__ import annotations

import numpy as np

from ..._tensor import from_array
from .base import VisionDataset

_TEST_SIZE = 360  # 20 %, from a fixed permutation: the split never changes


def _split_indices(n: int, train: bool) -> np.ndarray:
    # RandomState is frozen by NumPy's stream-compatibility policy (NEP 19): same split on every version
    perm = np.random.RandomState(0).permutation(n)
    return np.sort(perm[_TEST_SIZE:] if train else perm[:_TEST_SIZE])


class Digits(VisionDataset):
    """scikit-learn's digits as a dataset: the default dataset of ``deepglass train``.

    Images are float32 Tensors of shape ``1×8×8`` scaled to ``[0, 1]`` (the raw
    values are 0..16, divided by 16); targets are ints 0..9. The train/test
    split is fixed: 1,437 training and 360 test images chosen by a seeded
    permutation, the same on every machine.

    Args:
        root: ignored (the data ships with scikit-learn); accepted for a uniform signature.
        train: the training split (True) or the test split (False).
        transform: applied to the image Tensor.
        target_transform: applied to the int target.

    Example:
        >>> ds = Digits(train=True)
        >>> x, y = ds[0]
        >>> len(ds), x.shape, x.dtype, type(y)
        (1437, (1, 8, 8), dtype('float32'), <class 'int'>)
    """

    classes = [str(i) for i in range(10)]

    def __init__(self, root=None, train: bool = True, transform=None, target_transform=None):
        super().__init__(root, train, transform, target_transform)
        try:
            from sklearn.datasets import load_digits
        except ImportError as e:  # pragma: no cover - scikit-learn is a dependency
            raise ImportError("Digits needs scikit-learn: pip install scikit-learn") from e
        bunch = load_digits()
        idx = _split_indices(len(bunch.target), train)
        self.data = (bunch.images[idx].astype(np.float32) / np.float32(16.0))[:, None, :, :]
        self.targets = bunch.target[idx].astype(np.int64)

    def __len__(self) -> int:
        return len(self.targets)

    def _raw(self, index: int):
        return from_array(self.data[index].copy()), int(self.targets[index])
