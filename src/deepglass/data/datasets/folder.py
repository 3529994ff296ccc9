"""``ImageFolder``: one sub-folder per class, images read with Pillow."""
from __future__ import annotations

import os

from ._errors import missing
from .base import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def to_8bit(img):
    """A Pillow image with 16-bit or 32-bit samples (modes ``I;16*``, ``I``, ``F``) rescaled to 8-bit ``L``.

    Pillow's own ``convert("L"/"RGB")`` clips such samples at 255, so a 16-bit PNG
    would become an all-white picture: here 0..65535 maps to 0..255 (a float image
    in 0..1 maps to 0..255, any other range is stretched from its minimum to its maximum).
    Other modes are returned unchanged.
    """
    import numpy as np
    from PIL import Image

    if not (img.mode.startswith("I") or img.mode == "F"):
        return img
    a = np.asarray(img, dtype=np.float64)
    if a.size and not np.isfinite(a).all():
        raise ValueError("the image holds NaN or infinite pixel values")
    lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
    if img.mode == "F" and lo >= 0.0 and hi <= 1.0:
        a = a * 255.0
    elif lo >= 0.0 and hi <= 65535.0 and (img.mode.startswith("I;16") or hi > 255.0):
        a = a / 257.0
    elif lo < 0.0 or hi > 255.0:
        a = (a - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(a)
    return Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8), mode="L")


def pil_loader(path: str):
    """Open ``path`` with Pillow and convert it to RGB (16-bit images rescaled, not clipped); a damaged file
    raises ValueError naming it."""
    from PIL import Image, UnidentifiedImageError

    try:
        with open(path, "rb") as f:
            img = Image.open(f)
            img.load()
            return to_8bit(img).convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"ImageFolder: {os.path.abspath(path)} is corrupt or not an image Pillow can read ({e}); "
                         "delete or replace it") from None


class ImageFolder(VisionDataset):
    """Images arranged as ``root/<class>/<image>``; labels are the sorted class folder names' indices.

    Args:
        root: the folder whose sub-folders are the classes.
        train: None (default) uses ``root`` itself; True uses ``root/train``;
            False uses ``root/test`` (or ``root/val`` when there is no ``test``).
        transform: applied to the PIL image (e.g. ``Compose([Resize(32), ToTensor()])``).
        target_transform: applied to the class index.
        loader: ``loader(path)`` → sample (default: Pillow, converted to RGB).
        extensions: accepted file extensions (lower case).
        is_valid_file: ``is_valid_file(path)`` → bool, instead of ``extensions``.
        allow_empty: allow class folders without any valid file.

    Attributes:
        classes: class names (sorted folder names).
        class_to_idx: name → index.
        samples: ``(path, class_index)`` pairs; ``targets`` the indices alone.

    Example:
        >>> ds = ImageFolder("photos/")  # photos/cat/1.png, photos/dog/2.png  # doctest: +SKIP
        >>> ds.classes, ds.class_to_idx  # doctest: +SKIP
        (['cat', 'dog'], {'cat': 0, 'dog': 1})
    """

    def __init__(self, root, train: bool | None = None, transform=None, target_transform=None, loader=None,
                 extensions=IMG_EXTENSIONS, is_valid_file=None, allow_empty: bool = False):
        super().__init__(root, train, transform, target_transform)
        self.folder = self._split_folder()
        self.loader = loader or pil_loader
        if is_valid_file is None:
            exts = tuple(e.lower() for e in extensions)

            def is_valid_file(p):
                return p.lower().endswith(exts)
        self.extensions = extensions
        self.classes = sorted(e.name for e in os.scandir(self.folder) if e.is_dir() and not e.name.startswith("."))
        if not self.classes:
            raise FileNotFoundError(f"ImageFolder: couldn't find any class folder in {os.path.abspath(self.folder)}; "
                                    "expected one sub-folder per class, e.g. root/cat/001.png, root/dog/002.png")
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.samples, empty = [], []
        for c in self.classes:
            found = 0
            for dirpath, _, files in sorted(os.walk(os.path.join(self.folder, c), followlinks=True)):
                for fname in sorted(files):
                    path = os.path.join(dirpath, fname)
                    if is_valid_file(path):
                        self.samples.append((path, self.class_to_idx[c]))
                        found += 1
            if not found:
                empty.append(c)
        if empty and not allow_empty:
            raise FileNotFoundError(f"ImageFolder: found no valid file for the classes {', '.join(empty)} in "
                                    f"{os.path.abspath(self.folder)}. Supported extensions are: "
                                    f"{', '.join(extensions)} (or pass allow_empty=True)")
        self.targets = [t for _, t in self.samples]
        self.imgs = self.samples

    def _split_folder(self) -> str:
        if self.train is None:
            candidates = [self.root]
        elif self.train:
            candidates = [os.path.join(self.root, "train")]
        else:
            candidates = [os.path.join(self.root, "test"), os.path.join(self.root, "val")]
        for c in candidates:
            if os.path.isdir(c):
                return c
        raise missing("ImageFolder", ["<class name>/<image file> sub-folders"], candidates,
                      "your own images: make one sub-folder per class")

    def __len__(self) -> int:
        return len(self.samples)

    def _raw(self, index: int):
        path, target = self.samples[index]
        return self.loader(path), target
