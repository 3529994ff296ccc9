"""Inputs for ``deepglass predict``: images (via Pillow) or rows (CSV / ``.npy``) → model-ready arrays.

The run's ``config.json`` says how the training data was prepared
(``preprocessing``: channels, size, scale, normalisation); the same steps are
applied here so a PNG of a digit is seen as the model saw the digits.
"""
from __future__ import annotations

import csv
import os

import numpy as np

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
_TARGET_NAMES = ("target", "label", "y", "class")


def _image(path: str, prep: dict) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    from ..data.datasets.folder import to_8bit

    try:
        with Image.open(path) as img:
            img.load()
            img = to_8bit(img).convert("L" if prep.get("channels", 3) == 1 else "RGB")
            h, w = prep["size"]
            if img.size != (w, h):
                img = img.resize((w, h), Image.BILINEAR)
            arr = np.asarray(img, dtype=np.float32) / np.float32(255.0)
    except UnidentifiedImageError:
        raise ValueError(f"{path} is not an image Pillow can read; pass PNG/JPG images, .npy or .csv files") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"{path} is a damaged or truncated image ({e}); re-export or replace it") from None
    if arr.ndim == 2:
        arr = arr[None]
    else:
        arr = arr.transpose(2, 0, 1)
    if prep.get("dark_background") and arr.mean() > 0.5:  # dark ink on light paper: flip to the data's look
        arr = 1.0 - arr
    return _normalise(arr, prep)


def _normalise(arr: np.ndarray, prep: dict) -> np.ndarray:
    if prep.get("mean") is not None:
        mean = np.asarray(prep["mean"], np.float32).reshape(-1, 1, 1)
        std = np.asarray(prep["std"], np.float32).reshape(-1, 1, 1)
        arr = (arr - mean) / std
    return arr.astype(np.float32)


def _shape_rows(arr: np.ndarray, shape, path: str, prep: dict) -> np.ndarray:
    shape = tuple(shape)
    size = int(np.prod(shape))
    if np.asarray(arr).dtype.kind not in "biuf":
        raise ValueError(f"{path}: holds {np.asarray(arr).dtype} values; inputs must be numbers")
    arr = np.asarray(arr, dtype=np.float32)
    if arr.size and not np.isfinite(arr).all():
        where = np.argwhere(~np.isfinite(arr))[0].tolist()
        raise ValueError(f"{path}: holds NaN or infinite values (first at index {where}); fill in or drop them — a "
                         "model can't predict from them")
    if arr.shape == shape:
        arr = arr[None]
    elif arr.ndim >= 1 and arr.shape[1:] == shape:
        pass
    elif arr.ndim == 1 and arr.size == size:
        arr = arr.reshape(1, *shape)
    elif arr.ndim == 2 and arr.shape[1] == size:
        arr = arr.reshape(len(arr), *shape)
    else:
        raise ValueError(f"{path}: rows of shape {arr.shape[1:] if arr.ndim > 1 else arr.shape} don't fit the model's "
                         f"input {shape} ({size} values per row); pass N×{size} rows or an "
                         f"N×{'×'.join(map(str, shape))} "
                         "array")
    if prep.get("scale") and arr.size and arr.max() > 1.0:  # raw values (e.g. digits 0..16): scale like training
        arr = arr * np.float32(prep["scale"])
    if prep.get("kind") == "image" and prep.get("to_tensor") and arr.size and arr.max() > 1.0:
        arr = arr / np.float32(255.0)
    if prep.get("kind") == "image":
        arr = np.stack([_normalise(a, prep) for a in arr]) if len(arr) else arr
    return arr


def _csv_rows(path: str, target: str | None) -> np.ndarray:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
    if not rows:
        raise ValueError(f"{path} is empty")
    header = None
    try:
        [float(c) for c in rows[0]]
    except ValueError:
        header, rows = [h.strip() for h in rows[0]], rows[1:]
    if header is not None:
        drop = [i for i, h in enumerate(header) if h == target or (target is None and h in _TARGET_NAMES)]
        rows = [[c for i, c in enumerate(r) if i not in drop] for r in rows]
    try:
        return np.asarray([[float(c) for c in r] for r in rows], dtype=np.float32)
    except ValueError as e:
        raise ValueError(f"{path}: every value must be a number ({e}); a header row is allowed") from None


def load_inputs(paths, cfg: dict):
    """Read every input into ``(names, batch)``: one name per sample (``file`` or ``file[row]``).

    Args:
        paths: image files, folders of images, ``.npy`` or ``.csv`` files.
        cfg: the run's ``config.json`` (``info.input_shape`` and ``preprocessing``).

    Returns:
        ``(names, array)`` with ``array`` of shape ``N×input_shape`` (float32).
    """
    prep = cfg.get("preprocessing", {})
    shape = cfg["info"]["input_shape"]
    names, arrays = [], []
    files = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = sorted(os.path.join(p, n) for n in os.listdir(p) if n.lower().endswith(IMAGE_EXTENSIONS))
            if not found:
                raise FileNotFoundError(f"no images ({', '.join(IMAGE_EXTENSIONS)}) in the folder {p}")
            files += found
        elif not os.path.isfile(p):
            raise FileNotFoundError(f"no such input file: {p}")
        else:
            files.append(p)
    for p in files:
        ext = os.path.splitext(p)[1].lower()
        if ext in (".npy", ".csv"):
            raw = np.load(p, allow_pickle=False) if ext == ".npy" else _csv_rows(p, cfg.get("target"))
            rows = _shape_rows(raw, shape, p, prep)
            names += [f"{p}[{i}]" for i in range(len(rows))]
            arrays.append(rows)
        elif ext in IMAGE_EXTENSIONS:
            if prep.get("kind") != "image":
                raise ValueError(f"{p}: this model takes table rows, not images; pass a .csv or .npy file")
            names.append(p)
            arrays.append(_image(p, prep)[None])
        else:
            raise ValueError(f"{p}: unknown input type {ext!r}; pass images ({', '.join(IMAGE_EXTENSIONS)}), "
                             ".npy or .csv files")
    if not arrays:
        raise ValueError("no inputs given")
    return names, np.concatenate(arrays).astype(np.float32)
