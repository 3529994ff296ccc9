"""Object-detection data: the embedded Shapes generator, COCO-JSON and YOLO-txt datasets, box-aware transforms.

A detection sample is ``(image, target)``: ``image`` an ``H×W×3`` uint8 NumPy array (until
:class:`ToArray` makes it a ``3×H×W`` float32 array in [0, 1]) and ``target`` a dict with
``"boxes"`` (``N×4`` float32, ``xyxy`` pixels: left, top, right, bottom; right/bottom exclusive, so a
box's width is ``x2 - x1`` pixels), ``"labels"`` (``N`` int64, 0-based class indices) and
``"image_id"`` (int). :func:`detection_collate` stacks the images and keeps the targets as a list,
since images hold different numbers of boxes.

Transforms take and return ``(image, target)`` so the boxes follow the pixels: :class:`Letterbox`
(resize keeping the aspect ratio, then pad to a square), :class:`RandomHorizontalFlip`,
:class:`RandomCrop` (boxes are clipped to the crop; those left with less than ``min_visibility`` of
their area are dropped), :class:`ColorJitter` and :class:`ToArray`.

Example:
    >>> ds = Shapes(8, image_size=64, seed=0)
    >>> img, tgt = ds[0]
    >>> img.shape, img.dtype, tgt["boxes"].shape[1], ds.classes
    ((64, 64, 3), dtype('uint8'), 4, ['circle', 'square', 'triangle', 'star'])
    >>> bool((Shapes(8, image_size=64, seed=0)[3][0] == ds[3][0]).all())  # same seed, same images
    True
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from .._tensor import from_array
from .dataset import Dataset

__all__ = ["Shapes", "CocoDetection", "YoloDetection", "detection_collate", "Compose", "Letterbox",
           "RandomHorizontalFlip", "RandomCrop", "ColorJitter", "ToArray", "write_coco", "SHAPE_CLASSES"]

SHAPE_CLASSES = ["circle", "square", "triangle", "star"]
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def _target(boxes, labels, image_id: int) -> dict:
    return {"boxes": np.asarray(boxes, np.float32).reshape(-1, 4), "labels": np.asarray(labels, np.int64).reshape(-1),
            "image_id": int(image_id)}


# ------------------------------------------------------------------ Shapes
def _polygon(kind: str, cx: float, cy: float, r: float, angle: float):
    if kind == "triangle":
        pts = [(cx + r * math.cos(angle + k * 2 * math.pi / 3), cy + r * math.sin(angle + k * 2 * math.pi / 3))
               for k in range(3)]
    else:  # five-pointed star: outer radius r, inner 0.45 r
        pts = [(cx + (r if k % 2 == 0 else 0.45 * r) * math.cos(angle + k * math.pi / 5),
                cy + (r if k % 2 == 0 else 0.45 * r) * math.sin(angle + k * math.pi / 5)) for k in range(10)]
    return pts


class Shapes(Dataset):
    """Deterministic synthetic detection data: coloured circles, squares, triangles and stars.

    Image ``i`` is drawn from its own generator seeded with ``(seed, i)``, so the same seed gives the
    same dataset (and any image can be drawn alone). Each image has a noisy background (a random base
    colour, a linear gradient and Gaussian pixel noise) and 1 to ``max_objects`` shapes of random
    class, colour, size (``min_size`` to ``max_size`` pixels across), position and rotation (triangles
    and stars). Shapes may overlap; a placement that would hide more than ``max_hidden`` of an earlier
    shape is redrawn. Boxes are exact: the bounding box of each shape's *visible* pixels.

    Args:
        num_images: how many images.
        image_size: side of the square images in pixels (64).
        seed: the dataset's seed (0).
        min_size, max_size: shape sizes in pixels (default 0.2 and 0.5 of ``image_size``).
        max_objects: most shapes in one image (4).
        transform: called as ``transform(image, target)``.
    """

    classes = SHAPE_CLASSES

    def __init__(self, num_images: int, image_size: int = 64, seed: int = 0, *, min_size=None, max_size=None,
                 max_objects: int = 4, max_hidden: float = 0.4, transform=None):
        if num_images < 0 or image_size < 16:
            raise ValueError(f"Shapes needs num_images >= 0 and image_size >= 16, got {num_images} and {image_size}")
        self.num_images, self.image_size, self.seed = int(num_images), int(image_size), int(seed)
        self.min_size = float(min_size if min_size is not None else 0.2 * image_size)
        self.max_size = float(max_size if max_size is not None else 0.5 * image_size)
        if not 3 <= self.min_size <= self.max_size <= image_size:
            raise ValueError(f"Shapes needs 3 <= min_size <= max_size <= image_size, got {self.min_size}, "
                             f"{self.max_size}, {image_size}")
        self.max_objects, self.max_hidden, self.transform = int(max_objects), float(max_hidden), transform

    def __len__(self) -> int:
        return self.num_images

    def draw(self, index: int):
        """``(image, target)`` of image ``index`` before the transform."""
        from PIL import Image, ImageDraw

        if not 0 <= index < self.num_images:
            raise IndexError(f"index {index} is out of range for Shapes of {self.num_images} images")
        rng = np.random.default_rng([self.seed, index])
        s = self.image_size
        base = rng.uniform(30, 225, size=3)
        ramp = np.linspace(-1, 1, s)
        direction = rng.uniform(-25, 25, size=(2, 3))
        bg = (base + ramp[:, None, None] * direction[0] + ramp[None, :, None] * direction[1]
              + rng.normal(0, rng.uniform(4, 14), size=(s, s, 3)))
        img = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8))
        masks, labels = [], []
        n = int(rng.integers(1, self.max_objects + 1))
        for _ in range(n):
            for _attempt in range(20):
                label = int(rng.integers(len(SHAPE_CLASSES)))
                size = rng.uniform(self.min_size, self.max_size)
                cx, cy = rng.uniform(size / 2, s - size / 2, size=2)
                mask = Image.new("L", (s, s), 0)
                d = ImageDraw.Draw(mask)
                r = size / 2
                if label == 0:
                    d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
                elif label == 1:
                    d.rectangle([cx - r, cy - r, cx + r, cy + r], fill=255)
                else:
                    d.polygon(_polygon(SHAPE_CLASSES[label], cx, cy, r, rng.uniform(0, 2 * math.pi)), fill=255)
                m = np.asarray(mask) > 0
                if m.sum() < 9:
                    continue
                if all((old & m).sum() <= self.max_hidden * old.sum() for old in masks):
                    break
            else:
                continue
            # a colour far from the background's so every shape is visible
            while True:
                colour = rng.integers(0, 256, size=3)
                if np.abs(colour - base).sum() > 120:
                    break
            img.paste(tuple(int(c) for c in colour), mask=mask)
            masks = [old & ~m for old in masks] + [m]
            labels.append(label)
        boxes = []
        for m in masks:
            ys, xs = np.nonzero(m)
            boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
        return np.asarray(img), _target(boxes, labels, index)

    def __getitem__(self, index: int):
        img, tgt = self.draw(int(index))
        return self.transform(img, tgt) if self.transform is not None else (img, tgt)

    def to_coco(self, folder, name: str = "instances.json", images: str = "images") -> str:
        """Write the images as PNG files in ``folder/<images>/`` and their boxes as COCO instances JSON
        ``folder/<name>`` (category ids 1..4, ``file_name`` relative to ``folder``); returns the JSON's path.
        ``CocoDetection(folder, path)``, pycocotools and ``--data coco --data-dir folder`` (with ``name``
        ``train.json`` / ``val.json``) read it back."""
        from PIL import Image

        os.makedirs(os.path.join(folder, images), exist_ok=True)
        records = []
        for i in range(len(self)):
            img, tgt = self.draw(i)
            fname = f"{images}/{i:06d}.png"
            Image.fromarray(img).save(os.path.join(folder, fname))
            records.append((fname, img.shape[1], img.shape[0], tgt))
        path = os.path.join(folder, name)
        write_coco(path, records, self.classes)
        return path

    def to_yolo(self, folder, split=None) -> str:
        """Write the images as ``folder/images[/split]/*.png`` and YOLO labels ``folder/labels[/split]/*.txt``
        (``class cx cy w h`` as fractions of the image size) plus ``folder/classes.txt``; returns ``folder``."""
        from PIL import Image

        img_dir, lab_dir = os.path.join(folder, "images"), os.path.join(folder, "labels")
        if split is not None:
            img_dir, lab_dir = os.path.join(img_dir, split), os.path.join(lab_dir, split)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(lab_dir, exist_ok=True)
        for i in range(len(self)):
            img, tgt = self.draw(i)
            Image.fromarray(img).save(os.path.join(img_dir, f"{i:06d}.png"))
            s = float(self.image_size)
            with open(os.path.join(lab_dir, f"{i:06d}.txt"), "w", encoding="utf-8") as f:
                for b, c in zip(tgt["boxes"].astype(np.float64), tgt["labels"]):
                    f.write(f"{int(c)} {(b[0] + b[2]) / 2 / s:.6f} {(b[1] + b[3]) / 2 / s:.6f} "
                            f"{(b[2] - b[0]) / s:.6f} {(b[3] - b[1]) / s:.6f}\n")
        with open(os.path.join(folder, "classes.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(self.classes) + "\n")
        return os.fspath(folder)


def write_coco(path, records, classes) -> None:
    """COCO instances JSON from ``(file_name, width, height, target)`` records (category id = label + 1;
    image id = ``target["image_id"]`` + 1; COCO ``bbox`` is ``[x, y, w, h]``)."""
    images, anns = [], []
    for fname, w, h, tgt in records:
        iid = int(tgt["image_id"]) + 1
        images.append({"id": iid, "file_name": fname, "width": int(w), "height": int(h)})
        for b, c in zip(np.asarray(tgt["boxes"], np.float64), tgt["labels"]):
            bw, bh = float(b[2] - b[0]), float(b[3] - b[1])
            anns.append({"id": len(anns) + 1, "image_id": iid, "category_id": int(c) + 1,
                         "bbox": [float(b[0]), float(b[1]), bw, bh], "area": bw * bh, "iscrowd": 0})
    data = {"images": images, "annotations": anns,
            "categories": [{"id": i + 1, "name": n} for i, n in enumerate(classes)]}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)


# ------------------------------------------------------- files on disk
def _read_image(path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


class CocoDetection(Dataset):
    """A COCO instances JSON and its image folder (images read with Pillow, as RGB).

    Every entry is checked when the dataset is built: an annotation with a negative or zero
    width/height, a box outside its image, an unknown ``image_id`` or ``category_id``, or an image file
    that is missing raises ``ValueError`` / ``FileNotFoundError`` naming the JSON file and the entry.
    Crowd annotations (``iscrowd=1``) are skipped. Labels are the category's index in ``classes``
    (categories sorted by id).

    Args:
        root: the folder holding the images (``file_name`` is relative to it).
        ann_file: the instances JSON.
        transform: called as ``transform(image, target)``.
    """

    def __init__(self, root, ann_file, transform=None):
        self.root, self.ann_file, self.transform = os.fspath(root), os.fspath(ann_file), transform
        where = self.ann_file
        try:
            with open(where, encoding="utf-8") as f:
                data = json.load(f)
        except ValueError as e:
            raise ValueError(f"{where}: not valid JSON ({e})") from None
        for key in ("images", "annotations", "categories"):
            if not isinstance(data.get(key), list):
                raise ValueError(f"{where}: a COCO instances file needs a list {key!r}")
        cats = sorted(data["categories"], key=lambda c: c["id"])
        self.cat_ids = [int(c["id"]) for c in cats]
        self.classes = [str(c.get("name", c["id"])) for c in cats]
        label_of = {cid: k for k, cid in enumerate(self.cat_ids)}
        self.images, index = [], {}
        for k, im in enumerate(data["images"]):
            if "id" not in im or "file_name" not in im:
                raise ValueError(f"{where}: images[{k}] needs 'id' and 'file_name', got {im}")
            path = os.path.join(self.root, im["file_name"])
            if not os.path.isfile(path):
                raise FileNotFoundError(f"{where}: images[{k}] (id {im['id']}) names {im['file_name']!r}, but "
                                        f"{os.path.abspath(path)} does not exist; fix the path or the root folder")
            index[im["id"]] = len(self.images)
            self.images.append({"id": im["id"], "path": path, "width": im.get("width"), "height": im.get("height")})
        boxes = [[] for _ in self.images]
        labels = [[] for _ in self.images]
        for k, a in enumerate(data["annotations"]):
            entry = f"{where}: annotations[{k}] (id {a.get('id')})"
            if a.get("iscrowd", 0):
                continue
            if a.get("image_id") not in index:
                raise ValueError(f"{entry} refers to image_id {a.get('image_id')!r}, which is not in 'images'")
            if a.get("category_id") not in label_of:
                raise ValueError(f"{entry} has category_id {a.get('category_id')!r}, which is not in 'categories' "
                                 f"(known: {self.cat_ids})")
            b = a.get("bbox")
            if not (isinstance(b, list) and len(b) == 4 and all(isinstance(v, (int, float)) for v in b)
                    and all(math.isfinite(v) for v in b)):
                raise ValueError(f"{entry}: bbox must be 4 finite numbers [x, y, width, height], got {b!r}")
            x, y, w, h = (float(v) for v in b)
            if w <= 0 or h <= 0:
                raise ValueError(f"{entry}: bbox {b} has a negative or zero width/height")
            im = self.images[index[a["image_id"]]]
            W, H = im["width"], im["height"]
            if x < 0 or y < 0 or (W is not None and x + w > W + 1e-3) or (H is not None and y + h > H + 1e-3):
                raise ValueError(f"{entry}: bbox {b} reaches outside its {W}x{H} image {im['path']}")
            boxes[index[a["image_id"]]].append([x, y, x + w, y + h])
            labels[index[a["image_id"]]].append(label_of[a["category_id"]])
        self.targets = [_target(b, lab, i) for i, (b, lab) in enumerate(zip(boxes, labels))]

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        img = _read_image(self.images[index]["path"])
        tgt = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.targets[index].items()}
        return self.transform(img, tgt) if self.transform is not None else (img, tgt)


class YoloDetection(Dataset):
    """A YOLO-layout folder: ``images/`` and ``labels/`` (each optionally with a ``split`` sub-folder),
    one ``labels/<stem>.txt`` per image with lines ``class cx cy w h`` normalised to [0, 1].

    Class names come from ``classes.txt`` (one per line) or the ``names:`` list of ``data.yaml`` in
    ``root``; without either, ``num_classes`` must be given. An image without a label file has no
    objects. Errors name the file and line: a label file without an image, a negative size, a box
    outside [0, 1], an unknown class id.

    Args:
        root: the dataset folder.
        split: ``"train"``/``"val"``/... sub-folder of ``images/`` and ``labels/`` (None: none).
        num_classes: the number of classes when no names file exists.
        transform: called as ``transform(image, target)``.
    """

    def __init__(self, root, split=None, num_classes=None, transform=None):
        from ..metrics.detection.yolo import _parse_file

        self.root, self.transform = Path(root), transform
        img_dir, lab_dir = self.root / "images", self.root / "labels"
        if split is not None:
            img_dir, lab_dir = img_dir / split, lab_dir / split
        if not img_dir.is_dir():
            raise FileNotFoundError(f"YOLO dataset: no image folder {img_dir.resolve()} (expected images/ and "
                                    "labels/ under the root)")
        self.classes = self._names(num_classes)
        self.paths = sorted(p for p in img_dir.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS)
        stems = {p.stem for p in self.paths}
        self.targets = []
        if lab_dir.is_dir():
            for lab in sorted(lab_dir.glob("*.txt")):
                if lab.stem not in stems:
                    raise FileNotFoundError(f"{lab}: label file without an image (no {lab.stem}.* in {img_dir})")
        for p in self.paths:
            lab = lab_dir / f"{p.stem}.txt"
            rows = _parse_file(lab, False) if lab.is_file() else np.zeros((0, 5))
            for ln, r in enumerate(rows, 1):
                if r[0] >= len(self.classes):
                    raise ValueError(f"{lab}: row {ln}: class id {int(r[0])} is unknown (classes 0.."
                                     f"{len(self.classes) - 1}: {self.classes})")
                if r[3] <= 0 or r[4] <= 0:
                    raise ValueError(f"{lab}: row {ln}: box width/height must be positive, got {r[3]} {r[4]}")
                if (r[1] - r[3] / 2 < -1e-6 or r[2] - r[4] / 2 < -1e-6 or r[1] + r[3] / 2 > 1 + 1e-6
                        or r[2] + r[4] / 2 > 1 + 1e-6):
                    raise ValueError(f"{lab}: row {ln}: box (cx {r[1]}, cy {r[2]}, w {r[3]}, h {r[4]}) reaches "
                                     "outside the image (coordinates are fractions of the image size, 0..1)")
            cxcywh = rows[:, 1:5]
            norm = np.stack([cxcywh[:, 0] - cxcywh[:, 2] / 2, cxcywh[:, 1] - cxcywh[:, 3] / 2,
                             cxcywh[:, 0] + cxcywh[:, 2] / 2, cxcywh[:, 1] + cxcywh[:, 3] / 2], axis=1)
            self.targets.append((np.clip(norm, 0, 1), rows[:, 0].astype(np.int64)))

    def _names(self, num_classes):
        txt, yaml = self.root / "classes.txt", self.root / "data.yaml"
        if txt.is_file():
            return [ln.strip() for ln in txt.read_text(encoding="utf-8").splitlines() if ln.strip()]
        if yaml.is_file():
            import yaml as _yaml

            names = (_yaml.safe_load(yaml.read_text(encoding="utf-8")) or {}).get("names")
            if isinstance(names, dict):
                names = [names[k] for k in sorted(names)]
            if isinstance(names, list):
                return [str(n) for n in names]
        if num_classes is None:
            raise FileNotFoundError(f"YOLO dataset {self.root}: no classes.txt or data.yaml with 'names'; add one "
                                    "or pass num_classes")
        return [str(k) for k in range(int(num_classes))]

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int):
        img = _read_image(self.paths[index])
        h, w = img.shape[:2]
        norm, labels = self.targets[index]
        tgt = _target(norm * np.array([w, h, w, h]), labels, index)
        return self.transform(img, tgt) if self.transform is not None else (img, tgt)


def detection_collate(batch):
    """``(images, targets)``: the images stacked into one Tensor (they must share a size: letterbox them),
    the targets kept as a list of dicts (each image has its own number of boxes)."""
    images = [np.asarray(b[0]) for b in batch]
    shapes = {a.shape for a in images}
    if len(shapes) > 1:
        raise RuntimeError(f"detection_collate: images of different sizes {sorted(shapes)}; add a Letterbox transform")
    return from_array(np.stack(images)), [b[1] for b in batch]


# ---------------------------------------------------------- transforms
class Compose:
    """Apply ``(image, target)`` transforms in order."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img, tgt):
        for t in self.transforms:
            img, tgt = t(img, tgt)
        return img, tgt


def _keep(tgt: dict, boxes: np.ndarray, keep) -> dict:
    return {**tgt, "boxes": boxes[keep].astype(np.float32).reshape(-1, 4), "labels": tgt["labels"][keep]}


class Letterbox:
    """Resize keeping the aspect ratio so the longer side is ``size``, then pad to ``size×size``
    (centred, with ``fill``). Boxes are scaled and shifted with the pixels; ``target["letterbox"]``
    records ``(scale, pad_x, pad_y)`` so predictions can be mapped back to the original image."""

    def __init__(self, size: int, fill: int = 114):
        self.size, self.fill = int(size), int(fill)

    def __call__(self, img, tgt):
        from PIL import Image

        h, w = img.shape[:2]
        r = self.size / max(h, w)
        nw, nh = max(1, round(w * r)), max(1, round(h * r))
        if (nw, nh) != (w, h):
            img = np.asarray(Image.fromarray(img).resize((nw, nh), Image.Resampling.BILINEAR))
        px, py = (self.size - nw) // 2, (self.size - nh) // 2
        out = np.full((self.size, self.size, img.shape[2]), self.fill, dtype=img.dtype)
        out[py:py + nh, px:px + nw] = img
        sx, sy = nw / w, nh / h
        b = tgt["boxes"].astype(np.float64) * np.array([sx, sy, sx, sy]) + np.array([px, py, px, py])
        return out, {**tgt, "boxes": b.astype(np.float32), "letterbox": (r, px, py)}


class RandomHorizontalFlip:
    """Mirror left-right with probability ``p``: ``x1' = W - x2``, ``x2' = W - x1``."""

    def __init__(self, p: float = 0.5, rng=None):
        self.p, self.rng = p, rng if rng is not None else np.random.default_rng()

    def __call__(self, img, tgt):
        if self.rng.random() >= self.p:
            return img, tgt
        w = img.shape[1]
        b = tgt["boxes"].copy()
        b[:, [0, 2]] = w - tgt["boxes"][:, [2, 0]]
        return np.ascontiguousarray(img[:, ::-1]), {**tgt, "boxes": b}


class RandomCrop:
    """Crop a random ``size×size`` window (padding with ``fill`` when the image is smaller); boxes are
    shifted and clipped to the window, and a box keeping less than ``min_visibility`` of its area is
    dropped (its object is mostly cut off)."""

    def __init__(self, size: int, min_visibility: float = 0.5, fill: int = 114, rng=None):
        self.size, self.min_visibility, self.fill = int(size), float(min_visibility), int(fill)
        self.rng = rng if rng is not None else np.random.default_rng()

    def __call__(self, img, tgt):
        h, w = img.shape[:2]
        s = self.size
        if h < s or w < s:
            big = np.full((max(h, s), max(w, s), img.shape[2]), self.fill, img.dtype)
            big[:h, :w] = img
            img, h, w = big, max(h, s), max(w, s)
        top, left = int(self.rng.integers(0, h - s + 1)), int(self.rng.integers(0, w - s + 1))
        b = tgt["boxes"].astype(np.float64) - np.array([left, top, left, top])
        area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
        c = np.clip(b, 0, s)
        kept = (c[:, 2] - c[:, 0]) * (c[:, 3] - c[:, 1])
        keep = (kept > 0) & (kept >= self.min_visibility * np.maximum(area, 1e-12))
        return np.ascontiguousarray(img[top:top + s, left:left + s]), _keep(tgt, c, keep)


class ColorJitter:
    """Random brightness, contrast and saturation factors in ``[1 - x, 1 + x]`` (boxes unchanged)."""

    def __init__(self, brightness: float = 0.3, contrast: float = 0.3, saturation: float = 0.3, rng=None):
        self.b, self.c, self.s = brightness, contrast, saturation
        self.rng = rng if rng is not None else np.random.default_rng()

    def __call__(self, img, tgt):
        x = img.astype(np.float32)
        x = x * self.rng.uniform(1 - self.b, 1 + self.b)
        mean = x.mean()
        x = (x - mean) * self.rng.uniform(1 - self.c, 1 + self.c) + mean
        grey = x.mean(axis=2, keepdims=True)
        x = (x - grey) * self.rng.uniform(1 - self.s, 1 + self.s) + grey
        return np.clip(np.round(x), 0, 255).astype(np.uint8), tgt


class ToArray:
    """``H×W×3`` uint8 → ``3×H×W`` float32 in [0, 1] (the model's input layout)."""

    def __call__(self, img, tgt):
        return np.ascontiguousarray(img.transpose(2, 0, 1), dtype=np.float32) / 255.0, tgt
