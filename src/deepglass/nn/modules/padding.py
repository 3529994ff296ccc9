"""Padding layers (PyTorch's ``torch/nn/modules/padding.py``): ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``,
``ReflectionPad1d/2d/3d``, ``ReplicationPad1d/2d/3d`` and ``CircularPad1d/2d/3d``, all on top of
:func:`deepglass.nn.functional.pad`.

``padding`` is an int (the same on every side) or a tuple ``(left, right[, top, bottom[, front, back]])``
from the last dimension backwards; negative values crop (constant padding).
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _ntuple(padding, n):
    if isinstance(padding, (tuple, list)):
        return tuple(padding)
    return (padding,) * (2 * n)


def _check_non_constant_rank(input, padding):
    """PyTorch's F.pad accepts reflect/replicate/circular padding of k dims only on (k+1)-D or (k+2)-D inputs."""
    k = len(padding) // 2
    if input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(padding)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


class _ConstantPadNd(Module):
    _n = 1

    def __init__(self, padding, value: float):
        super().__init__()
        self.padding = _ntuple(padding, self._n)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``: ``(*, W)`` → ``(*, W + left + right)``.

    Example:
        >>> ConstantPad1d(2, 3.5)(deepglass.ones(1, 2, 4)).shape
        (1, 2, 8)
    """

    _n = 1

    def __init__(self, padding, value: float):
        super().__init__(padding, value)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dimensions with ``value``; padding ``(left, right, top, bottom)``.

    Example:
        >>> ConstantPad2d((1, 1, 2, 0), 3.5)(deepglass.ones(1, 2, 2)).shape
        (1, 4, 4)
    """

    _n = 2

    def __init__(self, padding, value: float):
        super().__init__(padding, value)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dimensions with ``value``; padding ``(left, right, top, bottom, front, back)``.

    Example:
        >>> ConstantPad3d(1, 3.5)(deepglass.ones(1, 2, 2, 2)).shape
        (1, 4, 4, 4)
    """

    _n = 3

    def __init__(self, padding, value: float):
        super().__init__(padding, value)


class ZeroPad1d(ConstantPad1d):
    """Pad the last dimension with zeros.

    Example:
        >>> ZeroPad1d(2)(deepglass.ones(1, 2, 4)).shape
        (1, 2, 8)
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dimensions with zeros; padding ``(left, right, top, bottom)``.

    Example:
        >>> ZeroPad2d((1, 1, 2, 0))(deepglass.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dimensions with zeros.

    Example:
        >>> ZeroPad3d(1)(deepglass.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ModePadNd(Module):
    _n = 1
    _mode = "reflect"

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(padding, self._n)

    def forward(self, input):
        _check_non_constant_rank(input, self.padding)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    """Pad the last dimension of ``(N, C, W)`` or ``(C, W)`` by reflecting about the border (each padding < W).

    Example:
        >>> ReflectionPad1d(2)(deepglass.arange(4.).reshape(1, 1, 4)).flatten().tolist()
        [2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]
    """

    _n, _mode = 1, "reflect"


class ReflectionPad2d(_ModePadNd):
    """Reflection padding of the last two dimensions of ``(N, C, H, W)`` or ``(C, H, W)``.

    Example:
        >>> ReflectionPad2d(1)(deepglass.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """

    _n, _mode = 2, "reflect"


class ReflectionPad3d(_ModePadNd):
    """Reflection padding of the last three dimensions of ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> ReflectionPad3d(1)(deepglass.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    _n, _mode = 3, "reflect"


class ReplicationPad1d(_ModePadNd):
    """Pad the last dimension of ``(N, C, W)`` or ``(C, W)`` by repeating the border value.

    Example:
        >>> ReplicationPad1d(2)(deepglass.arange(3.).reshape(1, 1, 3)).flatten().tolist()
        [0.0, 0.0, 0.0, 1.0, 2.0, 2.0, 2.0]
    """

    _n, _mode = 1, "replicate"


class ReplicationPad2d(_ModePadNd):
    """Replication padding of the last two dimensions of ``(N, C, H, W)`` or ``(C, H, W)``.

    Example:
        >>> ReplicationPad2d(1)(deepglass.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """

    _n, _mode = 2, "replicate"


class ReplicationPad3d(_ModePadNd):
    """Replication padding of the last three dimensions of ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> ReplicationPad3d(1)(deepglass.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    _n, _mode = 3, "replicate"


class _CircularPadNd(_ModePadNd):
    _mode = "circular"

    def forward(self, input):
        lo = self._n + 1
        if input.ndim not in (lo, lo + 1):
            raise ValueError(f"expected {lo}D or {lo + 1}D input (got {input.ndim}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """Pad the last dimension of ``(N, C, W)`` or ``(C, W)`` periodically (wrapping around, at most once).

    Example:
        >>> CircularPad1d(1)(deepglass.arange(3.).reshape(1, 1, 3)).flatten().tolist()
        [2.0, 0.0, 1.0, 2.0, 0.0]
    """

    _n = 1


class CircularPad2d(_CircularPadNd):
    """Circular padding of the last two dimensions of ``(N, C, H, W)`` or ``(C, H, W)``.

    Example:
        >>> CircularPad2d(1)(deepglass.ones(1, 1, 3, 3)).shape
        (1, 1, 5, 5)
    """

    _n = 2


class CircularPad3d(_CircularPadNd):
    """Circular padding of the last three dimensions of ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> CircularPad3d(1)(deepglass.ones(1, 1, 2, 2, 2)).shape
        (1, 1, 4, 4, 4)
    """

    _n = 3
