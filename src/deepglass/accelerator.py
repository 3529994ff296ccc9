"""``deepglass.accelerator``: PyTorch's device-agnostic accelerator queries.

deepglass knows one kind of accelerator: a CUDA GPU seen by CuPy. Scripts write::

    device = dg.accelerator.current_accelerator() if dg.accelerator.is_available() else "cpu"

As in PyTorch, :func:`current_accelerator` returns ``None`` when there is no
accelerator (the CPU is not one).

Example:
    >>> import deepglass as dg
    >>> dg.accelerator.is_available() == dg.cuda.is_available()
    True
"""
from __future__ import annotations

from .backend import Device, cuda_available, cuda_device_count

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index", "synchronize"]


def is_available() -> bool:
    """True when a CUDA device is visible to CuPy (deepglass's only accelerator)."""
    return cuda_available()


def current_accelerator(check_available: bool = False) -> Device | None:
    """The accelerator's device type, ``device(type='cuda')``, or ``None`` without one (as PyTorch).

    Args:
        check_available: accepted for PyTorch's signature; deepglass answers
            ``None`` whenever no CUDA device is visible either way.
    """
    return Device("cuda") if cuda_available() else None


def device_count() -> int:
    """How many CUDA devices CuPy sees (0 without CuPy or a GPU)."""
    return cuda_device_count()


def current_device_index() -> int:
    """The index of the current CUDA device; -1 when there is no accelerator."""
    if not cuda_available():
        return -1
    import cupy

    return int(cupy.cuda.Device().id)


def synchronize(device=None) -> None:
    """Wait for every queued GPU kernel to finish (a no-op without a GPU)."""
    from . import cuda

    cuda.synchronize()
