"""Image transforms (torchvision's ``transforms`` names and semantics).

Inputs are PIL images, NumPy arrays laid out like images (``H×W`` or
``H×W×C``, the layout ``ToTensor`` takes) or deepglass Tensors laid out like
tensors (``…×H×W``, e.g. ``C×H×W`` after ``ToTensor``). Geometric transforms
return the kind they were given. Random transforms draw from deepglass's seeded
generator (``deepglass.manual_seed``); inside a DataLoader, from a per-batch
generator derived from it, so workers don't change the augmentations.

Example:
    >>> import numpy as np
    >>> t = Compose([ToTensor(), Normalize((0.5,), (0.5,))])
    >>> t(np.full((2, 2), 255, np.uint8)).tolist()
    [[[1.0, 1.0], [1.0, 1.0]]]
"""
from __future__ import annotations

import numbers
import sys

import numpy as np

from .. import backend
from .._tensor import Tensor, bump_version, from_array
from ._rng import numpy_rng

__all__ = ["Compose", "ToTensor", "PILToTensor", "Normalize", "RandomCrop", "RandomHorizontalFlip",
           "RandomVerticalFlip", "Resize", "CenterCrop", "Lambda"]


def _is_pil(img) -> bool:
    pil = sys.modules.get("PIL.Image")  # if PIL was never imported, img can't be a PIL image
    return pil is not None and isinstance(img, pil.Image)


def _kind(img) -> str:
    if isinstance(img, Tensor):
        return "tensor"
    if isinstance(img, np.ndarray):
        if img.ndim not in (2, 3):
            raise ValueError(f"a NumPy image must be H×W or H×W×C, got shape {img.shape}")
        return "array"
    if _is_pil(img):
        return "pil"
    raise TypeError(f"expected a PIL image, a NumPy array (H×W[×C]) or a deepglass Tensor (…×H×W), "
                    f"got {type(img).__name__}")


def _hw(img) -> tuple[int, int]:
    k = _kind(img)
    if k == "pil":
        return img.size[1], img.size[0]
    if k == "array":
        return img.shape[0], img.shape[1]
    if img.ndim < 2:
        raise ValueError(f"a tensor image must be …×H×W, got shape {img.shape}")
    return img.shape[-2], img.shape[-1]


def _pair(size, name):
    if isinstance(size, numbers.Integral):
        return int(size), int(size)
    size = tuple(int(s) for s in size)
    if len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(f"{name} must be an int or a pair (h, w), got {size}")
    return size


def _crop(img, top: int, left: int, h: int, w: int):
    k = _kind(img)
    if k == "pil":
        return img.crop((left, top, left + w, top + h))
    if k == "array":
        return img[top:top + h, left:left + w]
    return from_array(img._array[..., top:top + h, left:left + w].copy())


def _pad(img, left: int, top: int, right: int, bottom: int, fill=0, mode: str = "constant"):
    modes = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}
    if mode not in modes:
        raise ValueError(f"padding_mode must be one of {sorted(modes)}, got {mode!r}")
    k = _kind(img)
    arr = np.asarray(img) if k == "pil" else (img if k == "array" else img._array)
    if k == "tensor":
        widths = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
    else:
        widths = [(top, bottom), (left, right)] + [(0, 0)] * (arr.ndim - 2)
    xp = backend.array_module_of(arr)
    kw = {"constant_values": fill} if mode == "constant" else {}
    out = xp.pad(arr, widths, mode=modes[mode], **kw)
    if k == "pil":
        from PIL import Image

        return Image.fromarray(out, mode=img.mode)
    return from_array(out) if k == "tensor" else out


def _padding4(padding):
    if isinstance(padding, numbers.Integral):
        return (int(padding),) * 4
    padding = tuple(int(p) for p in padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:  # (left/right, top/bottom)
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:  # (left, top, right, bottom)
        return padding
    raise ValueError(f"padding must be an int or a sequence of 1, 2 or 4 ints, got {padding}")


class Compose:
    """Apply transforms one after the other.

    Example:
        >>> Compose([Lambda(lambda x: x + 1), Lambda(lambda x: x * 2)])(3)
        8
    """

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class ToTensor:
    """A PIL image or an ``H×W[×C]`` NumPy array → a ``C×H×W`` float32 Tensor.

    ``uint8`` values (and PIL modes L, RGB, RGBA, P, 1...) are scaled to
    ``[0, 1]`` by dividing by 255; other NumPy dtypes are only transposed, as in
    torchvision.

    Example:
        >>> import numpy as np
        >>> ToTensor()(np.array([[[0, 255, 51]]], np.uint8)).shape
        (3, 1, 1)
    """

    def __call__(self, pic):
        if _is_pil(pic):
            types = {"I": np.int32, "I;16": np.int16, "F": np.float32}
            arr = np.array(pic, types.get(pic.mode, np.uint8), copy=True)
            if pic.mode == "1":
                arr = arr * np.uint8(255)
            if arr.ndim == 2:
                arr = arr[:, :, None]
        elif isinstance(pic, np.ndarray):
            if pic.ndim not in (2, 3):
                raise ValueError(f"pic should be 2 or 3 dimensional (H×W or H×W×C), got {pic.ndim} dimensions")
            arr = pic[:, :, None] if pic.ndim == 2 else pic
        else:
            hint = "; tensors are already images, drop ToTensor()" if isinstance(pic, Tensor) else ""
            raise TypeError(f"pic should be a PIL Image or a NumPy array, got {type(pic).__name__}{hint}")
        chw = np.ascontiguousarray(arr.transpose(2, 0, 1))
        if chw.dtype == np.uint8:
            return from_array(chw.astype(np.float32) / np.float32(255))
        return from_array(chw)

    def __repr__(self):
        return "ToTensor()"


class PILToTensor:
    """A PIL image or ``H×W[×C]`` array → a ``C×H×W`` Tensor of the same dtype (no scaling)."""

    def __call__(self, pic):
        arr = np.asarray(pic)
        arr = arr[:, :, None] if arr.ndim == 2 else arr
        return from_array(np.ascontiguousarray(arr.transpose(2, 0, 1)))


class Normalize:
    """``(x − mean[c]) / std[c]`` per channel of a ``…×C×H×W`` float Tensor.

    Args:
        mean: per-channel means.
        std: per-channel standard deviations (non-zero).
        inplace: write into the input tensor.

    Example:
        >>> import deepglass as dg
        >>> Normalize([0.5], [0.25])(dg.ones(1, 1, 2)).tolist()
        [[[2.0, 2.0]]]
    """

    def __init__(self, mean, std, inplace: bool = False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"Normalize expects a deepglass Tensor (C×H×W), got {type(tensor).__name__}; "
                            "put ToTensor() before it")
        if tensor.dtype.kind != "f":
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.ndim < 3:
            raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got {tensor.shape}.")
        arr = tensor._array
        xp = backend.array_module_of(arr)
        mean = xp.asarray(self.mean, dtype=arr.dtype).reshape(-1, 1, 1)
        std = xp.asarray(self.std, dtype=arr.dtype).reshape(-1, 1, 1)
        if bool((std == 0).any()):
            raise ValueError(f"std evaluated to zero after conversion to {arr.dtype}, leading to division by zero.")
        if self.inplace:
            arr -= mean
            arr /= std
            bump_version(tensor)
            return tensor
        return from_array((arr - mean) / std)

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomCrop:
    """Crop a random ``size`` window, after optional padding.

    Args:
        size: ``(h, w)`` or an int for a square.
        padding: pad the borders first: an int, ``(left/right, top/bottom)`` or
            ``(left, top, right, bottom)``.
        pad_if_needed: pad images smaller than ``size``.
        fill: constant fill value.
        padding_mode: ``"constant"``, ``"edge"``, ``"reflect"`` or ``"symmetric"``.

    Example:
        >>> import numpy as np
        >>> RandomCrop(32, padding=4)(np.zeros((32, 32, 3), np.uint8)).shape
        (32, 32, 3)
    """

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0, padding_mode: str = "constant"):
        self.size = _pair(size, "size")
        self.padding = None if padding is None else _padding4(padding)
        self.pad_if_needed, self.fill, self.padding_mode = pad_if_needed, fill, padding_mode

    def __call__(self, img):
        if self.padding is not None:
            img = _pad(img, *self.padding, fill=self.fill, mode=self.padding_mode)
        h, w = _hw(img)
        th, tw = self.size
        if self.pad_if_needed and w < tw:
            img = _pad(img, tw - w, 0, tw - w, 0, fill=self.fill, mode=self.padding_mode)
        if self.pad_if_needed and h < th:
            img = _pad(img, 0, th - h, 0, th - h, fill=self.fill, mode=self.padding_mode)
        h, w = _hw(img)
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}; "
                             "use padding= or pad_if_needed=True")
        rng = numpy_rng()
        top = int(rng.integers(0, h - th + 1))
        left = int(rng.integers(0, w - tw + 1))
        return _crop(img, top, left, th, tw)

    def __repr__(self):
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class _RandomFlip:
    axis_name = ""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, img):
        if numpy_rng().random() < self.p:
            return self._flip(img)
        return img

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror left↔right with probability ``p``.

    Example:
        >>> import numpy as np
        >>> RandomHorizontalFlip(p=1.0)(np.array([[1, 2, 3]])).tolist()
        [[3, 2, 1]]
    """

    def _flip(self, img):
        k = _kind(img)
        if k == "pil":
            from PIL import Image

            return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if k == "array":
            return img[:, ::-1].copy()
        return from_array(img._array[..., ::-1].copy())


class RandomVerticalFlip(_RandomFlip):
    """Mirror top↔bottom with probability ``p``.

    Example:
        >>> import numpy as np
        >>> RandomVerticalFlip(p=1.0)(np.array([[1], [2]])).tolist()
        [[2], [1]]
    """

    def _flip(self, img):
        k = _kind(img)
        if k == "pil":
            from PIL import Image

            return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        if k == "array":
            return img[::-1].copy()
        return from_array(img._array[..., ::-1, :].copy())


def _resize_axis(arr, axis: int, out: int, mode: str):
    """Resample one axis (align_corners=False, like ``F.interpolate`` without antialiasing)."""
    xp = backend.array_module_of(arr)
    n = arr.shape[axis]
    scale = n / out
    if mode == "nearest":
        idx = np.minimum(np.floor(np.arange(out) * scale).astype(np.int64), n - 1)
        return xp.take(arr, xp.asarray(idx), axis=axis)
    src = np.maximum((np.arange(out) + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    frac = (src - i0).astype(arr.dtype)
    shape = [1] * arr.ndim
    shape[axis] = out
    frac = xp.asarray(frac).reshape(shape)
    a, b = xp.take(arr, xp.asarray(i0), axis=axis), xp.take(arr, xp.asarray(i1), axis=axis)
    return a + (b - a) * frac


class Resize:
    """Resize to ``size``: ``(h, w)``, or an int to match the smaller edge (keeping the aspect ratio).

    PIL images use Pillow's resampling; arrays and tensors use bilinear (or
    nearest) interpolation with ``align_corners=False`` and no antialiasing,
    i.e. ``torch.nn.functional.interpolate(..., antialias=False)``. Integer
    arrays are rounded back to their dtype.

    Example:
        >>> import numpy as np
        >>> Resize(16)(np.zeros((32, 64, 3), np.uint8)).shape
        (16, 32, 3)
    """

    def __init__(self, size, interpolation: str = "bilinear"):
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(f"interpolation must be 'bilinear' or 'nearest', got {interpolation!r}")
        self.size, self.interpolation = size, interpolation

    def _target(self, h: int, w: int) -> tuple[int, int]:
        if isinstance(self.size, numbers.Integral) or len(self.size) == 1:
            s = int(self.size) if isinstance(self.size, numbers.Integral) else int(self.size[0])
            if h <= w:
                return s, int(s * w / h)
            return int(s * h / w), s
        return _pair(self.size, "size")

    def __call__(self, img):
        h, w = _hw(img)
        th, tw = self._target(h, w)
        k = _kind(img)
        if k == "pil":
            from PIL import Image

            res = Image.Resampling.BILINEAR if self.interpolation == "bilinear" else Image.Resampling.NEAREST
            return img.resize((tw, th), res)
        arr = img if k == "array" else img._array
        ax_h, ax_w = (0, 1) if k == "array" else (arr.ndim - 2, arr.ndim - 1)
        work = arr if arr.dtype.kind == "f" else arr.astype(np.float32)
        out = _resize_axis(_resize_axis(work, ax_h, th, self.interpolation), ax_w, tw, self.interpolation)
        if arr.dtype.kind != "f":
            xp = backend.array_module_of(out)
            info = np.iinfo(arr.dtype) if arr.dtype.kind in "iu" else None
            out = xp.round(out)
            if info is not None:
                out = xp.clip(out, info.min, info.max)
            out = out.astype(arr.dtype)
        return out if k == "array" else from_array(out)

    def __repr__(self):
        return f"Resize(size={self.size}, interpolation={self.interpolation})"


class CenterCrop:
    """Crop the central ``size`` window (zero-padding first if the image is smaller).

    Example:
        >>> import numpy as np
        >>> CenterCrop(2)(np.arange(16).reshape(4, 4)).tolist()
        [[5, 6], [9, 10]]
    """

    def __init__(self, size):
        self.size = _pair(size, "size")

    def __call__(self, img):
        h, w = _hw(img)
        th, tw = self.size
        if th > h or tw > w:
            pl, pt = (tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0
            pr, pb = (tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0
            img = _pad(img, pl, pt, pr, pb)
            h, w = _hw(img)
        top = int(round((h - th) / 2.0))
        left = int(round((w - tw) / 2.0))
        return _crop(img, top, left, th, tw)

    def __repr__(self):
        return f"CenterCrop(size={self.size})"


class Lambda:
    """Wrap a function as a transform.

    Example:
        >>> Lambda(lambda x: x * 10)(4)
        40
    """

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return "Lambda()"
