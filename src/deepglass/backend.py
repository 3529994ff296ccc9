"""The one place that knows NumPy from CuPy.

Every op asks this module for its array module (``xp``) instead of importing
numpy or cupy by name, so the same code runs on the CPU and on the GPU.

Devices are written like PyTorch's: ``"cpu"``, ``"cuda"``, ``"cuda:1"``.
"""
from __future__ import annotations

import numpy as np

from . import _malloc  # noqa: F401,E402  (keeps freed activation buffers mapped; see the module)

try:  # CuPy is optional: the ``gpu`` extra installs it.
    import cupy as _cupy

    try:
        _CUDA_COUNT = _cupy.cuda.runtime.getDeviceCount()
    except Exception:  # no driver, no device
        _CUDA_COUNT = 0
except Exception:  # pragma: no cover - depends on the machine
    _cupy = None
    _CUDA_COUNT = 0


class Device:
    """A device: ``Device("cpu")``, ``Device("cuda")``, ``Device("cuda:1")``.

    Example:
        >>> Device("cuda:1").index
        1
    """

    __slots__ = ("type", "index")

    def __init__(self, spec: str | Device = "cpu", index: int | None = None):
        if isinstance(spec, Device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise TypeError(f"a device is a string like 'cpu' or 'cuda:0', got {spec!r}")
        kind, _, num = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise ValueError(f"unknown device {spec!r}: use 'cpu', 'cuda' or 'cuda:N'")
        if num:
            if not num.isdigit():
                raise ValueError(f"bad device index in {spec!r}: use 'cuda:N' with N an integer")
            index = int(num)
        if kind == "cuda" and index is None:
            index = 0
        self.type = kind
        self.index = index if kind == "cuda" else None

    def __eq__(self, other):
        if isinstance(other, str):
            other = Device(other)
        return isinstance(other, Device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


CPU = Device("cpu")


def cuda_available() -> bool:
    """True when CuPy is installed and sees at least one CUDA device."""
    return _CUDA_COUNT > 0


def cuda_device_count() -> int:
    return _CUDA_COUNT


def as_device(device) -> Device:
    if device is None:
        return CPU
    return device if isinstance(device, Device) else Device(device)


def _require_cuda(device: Device) -> None:
    if _cupy is None:
        raise RuntimeError(
            f"device {device} needs CuPy, which is not installed: "
            "pip install 'deepglass[gpu]' (CUDA 12) or 'deepglass[gpu13]' (CUDA 13)"
        )
    if device.index >= _CUDA_COUNT:
        raise RuntimeError(
            f"device {device} does not exist: CuPy sees {_CUDA_COUNT} CUDA device(s)"
        )


def get_array_module(device: Device | None = None):
    """The array module (numpy or cupy) that computes on ``device``."""
    if device is None or device.type == "cpu":
        return np
    _require_cuda(device)
    return _cupy


def array_module_of(array):
    """numpy for NumPy arrays (and scalars), cupy for CuPy arrays."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return _cupy
    return np


def device_of(array) -> Device:
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return Device("cuda", array.device.id)
    return CPU


def is_cuda_array(array) -> bool:
    return _cupy is not None and isinstance(array, _cupy.ndarray)


def to_device(array, device: Device):
    """Move ``array`` to ``device`` (a no-op when it is already there)."""
    if device.type == "cpu":
        if is_cuda_array(array):
            return _cupy.asnumpy(array)
        return array
    _require_cuda(device)
    if is_cuda_array(array) and array.device.id == device.index:
        return array
    with _cupy.cuda.Device(device.index):
        return _cupy.asarray(array)


def to_numpy(array) -> np.ndarray:
    """A NumPy array with the same values (copies from the GPU if needed)."""
    if is_cuda_array(array):
        return _cupy.asnumpy(array)
    return np.asarray(array)


def device_context(device: Device):
    """A context manager that makes ``device`` current (a no-op on the CPU)."""
    if device.type == "cuda":
        return _cupy.cuda.Device(device.index)
    import contextlib

    return contextlib.nullcontext()

