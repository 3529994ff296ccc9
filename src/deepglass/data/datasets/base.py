"""``VisionDataset``: the shared ``root`` / ``train`` / ``transform`` / ``target_transform`` plumbing."""
from __future__ import annotations

import os

from ..dataset import Dataset


class VisionDataset(Dataset):
    """Base of the bundled datasets: subclasses set ``self.data``-like storage and define ``_raw(i)``.

    ``__getitem__`` returns ``(transform(sample), target_transform(target))``.
    """

    def __init__(self, root=None, train: bool = True, transform=None, target_transform=None):
        self.root = os.path.expanduser(os.fspath(root)) if root is not None else None
        self.train, self.transform, self.target_transform = train, transform, target_transform

    def _raw(self, index: int):
        raise NotImplementedError

    def __getitem__(self, index: int):
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of length {n}")
        sample, target = self._raw(index % n)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"{type(self).__name__}(split={split!r}, size={len(self)}, root={self.root!r})"
