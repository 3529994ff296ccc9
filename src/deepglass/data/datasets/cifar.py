"""``CIFAR10`` and ``CIFAR100`` from the local **binary** distribution (never the pickled one)."""
from __future__ import annotations

import os

import numpy as np

from ._errors import corrupt, missing
from .base import VisionDataset

_PIXELS = 3 * 32 * 32

_CIFAR100_FINE = (
    "apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can "
    "castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin "
    "elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard lobster "
    "man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck "
    "pine_tree plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk "
    "skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone television tiger "
    "tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm").split()
_CIFAR100_COARSE = (
    "aquatic_mammals fish flowers food_containers fruit_and_vegetables household_electrical_devices "
    "household_furniture insects large_carnivores large_man-made_outdoor_things large_natural_outdoor_scenes "
    "large_omnivores_and_herbivores medium_mammals non-insect_invertebrates people reptiles small_mammals trees "
    "vehicles_1 vehicles_2").split()


def _read_names(path: str, default: list[str]) -> list[str]:
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            names = [line.strip() for line in f if line.strip()]
        if len(names) == len(default):
            return names
    return list(default)


class CIFAR10(VisionDataset):
    """CIFAR-10 from the binary version (``cifar-10-binary.tar.gz``, extracted).

    Looks for ``data_batch_1.bin`` … ``data_batch_5.bin`` (train) or
    ``test_batch.bin`` (test) in ``root/cifar-10-batches-bin`` and ``root``.
    Each record is 1 label byte then 3,072 pixel bytes (the red, green and blue
    32×32 planes). Samples are ``(image, label)``: a ``32×32×3`` uint8 NumPy
    array (H×W×C, use ``ToTensor()`` for ``3×32×32`` floats) and an int.

    Args:
        root: the folder holding ``cifar-10-batches-bin`` (or the files themselves).
        train: the 50,000 training images (True) or the 10,000 test images.
        transform: applied to the image.
        target_transform: applied to the label.

    Raises:
        FileNotFoundError: files missing (the message lists them and the folders searched).
        ValueError: a file is truncated or holds an out-of-range label.

    Example:
        >>> ds = CIFAR10("~/data", train=False)  # doctest: +SKIP
        >>> ds[0][0].shape  # doctest: +SKIP
        (32, 32, 3)
    """

    base_folder = "cifar-10-batches-bin"
    source = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (the binary version; extract it)"
    pickled_folder = "cifar-10-batches-py"
    train_files = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_files = ["test_batch.bin"]
    label_bytes = 1
    num_classes = (10,)

    def __init__(self, root, train: bool = True, transform=None, target_transform=None):
        super().__init__(root, train, transform, target_transform)
        folder = self._folder()
        labels, images = [], []
        for fname in self.train_files if train else self.test_files:
            lab, img = self._read(os.path.join(folder, fname))
            labels.append(lab)
            images.append(img)
        labels = np.concatenate(labels)
        self.data = np.ascontiguousarray(np.concatenate(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        self._set_labels(labels)
        self.classes = self._classes(folder)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _set_labels(self, labels: np.ndarray) -> None:
        self.targets = labels[:, 0].astype(np.int64).tolist()

    def _classes(self, folder: str) -> list[str]:
        default = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        return _read_names(os.path.join(folder, "batches.meta.txt"), default)

    def _folder(self) -> str:
        files = self.train_files if self.train else self.test_files
        candidates = [os.path.join(self.root, self.base_folder), self.root]
        for d in candidates:
            if all(os.path.isfile(os.path.join(d, f)) for f in files):
                return d
        extra = ""
        if os.path.isdir(os.path.join(self.root, self.pickled_folder)):
            extra = (f"found {os.path.join(self.root, self.pickled_folder)}: that is the Python (pickled) version, "
                     "which deepglass never unpickles; get the binary version instead.")
        raise missing(type(self).__name__, files, candidates, self.source, extra)

    def _read(self, path: str):
        name = type(self).__name__
        rec = self.label_bytes + _PIXELS
        size = os.path.getsize(path)
        if size == 0 or size % rec:
            raise corrupt(name, path, f"{size} bytes is not a whole number of {rec}-byte records", self.source)
        raw = np.fromfile(path, dtype=np.uint8).reshape(-1, rec)
        labels = raw[:, : self.label_bytes]
        for j, n in enumerate(self.num_classes):
            if int(labels[:, j].max()) >= n:
                raise corrupt(name, path, f"label {int(labels[:, j].max())} is out of range 0..{n - 1} "
                                          "(is this the right file?)", self.source)
        return labels, raw[:, self.label_bytes:]

    def __len__(self) -> int:
        return len(self.data)

    def _raw(self, index: int):
        return self.data[index], self.targets[index]


class CIFAR100(CIFAR10):
    """CIFAR-100 from the binary version: ``cifar-100-binary/train.bin`` and ``test.bin``.

    Each record is a coarse label byte (20 superclasses), a fine label byte (100
    classes) and 3,072 pixel bytes. ``targets`` are the fine labels and
    ``coarse_targets`` the coarse ones; ``target_type`` picks what a sample
    returns: ``"fine"`` (default, as torchvision), ``"coarse"`` or ``"both"``
    (a ``(fine, coarse)`` tuple).

    Example:
        >>> ds = CIFAR100("~/data", train=True, target_type="both")  # doctest: +SKIP
        >>> img, (fine, coarse) = ds[0]  # doctest: +SKIP
    """

    base_folder = "cifar-100-binary"
    source = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz (the binary version; extract it)"
    pickled_folder = "cifar-100-python"
    train_files = ["train.bin"]
    test_files = ["test.bin"]
    label_bytes = 2
    num_classes = (20, 100)

    def __init__(self, root, train: bool = True, transform=None, target_transform=None, target_type: str = "fine"):
        if target_type not in ("fine", "coarse", "both"):
            raise ValueError(f"target_type must be 'fine', 'coarse' or 'both', got {target_type!r}")
        self.target_type = target_type
        super().__init__(root, train, transform, target_transform)

    def _set_labels(self, labels: np.ndarray) -> None:
        self.coarse_targets = labels[:, 0].astype(np.int64).tolist()
        self.targets = labels[:, 1].astype(np.int64).tolist()

    def _classes(self, folder: str) -> list[str]:
        self.coarse_classes = _read_names(os.path.join(folder, "coarse_label_names.txt"), _CIFAR100_COARSE)
        return _read_names(os.path.join(folder, "fine_label_names.txt"), _CIFAR100_FINE)

    def _raw(self, index: int):
        fine, coarse = self.targets[index], self.coarse_targets[index]
        target = fine if self.target_type == "fine" else coarse if self.target_type == "coarse" else (fine, coarse)
        return self.data[index], target
