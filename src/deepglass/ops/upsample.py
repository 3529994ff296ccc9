"""PyTorch's deprecated resizing aliases of ``interpolate`` (``nn.functional.upsample*``).

Each warns as PyTorch does (a ``UserWarning`` naming ``interpolate``) and calls
:func:`deepglass.nn.functional.interpolate`:

- ``upsample(x, size, scale_factor, mode, align_corners)`` = ``interpolate(...)`` with the same arguments;
- ``upsample_nearest(x, size, scale_factor)`` = ``interpolate(..., mode="nearest")``;
- ``upsample_bilinear(x, size, scale_factor)`` = ``interpolate(..., mode="bilinear", align_corners=True)``.
"""
from __future__ import annotations

import warnings

from .sampling import interpolate


def _deprecated(name):
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", UserWarning,
                  stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None):
    """Deprecated alias of ``interpolate(input, size, scale_factor, mode, align_corners)`` (warns).

    Example:
        >>> import warnings, deepglass as dg
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample(dg.ones(1, 1, 2, 2), scale_factor=2).shape
        (1, 1, 4, 4)
    """
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated alias of ``interpolate(input, size, scale_factor, mode="nearest")`` (warns).

    Example:
        >>> import warnings, deepglass as dg
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample_nearest(dg.tensor([[[1., 2.]]]), scale_factor=2).tolist()
        [[[1.0, 1.0, 2.0, 2.0]]]
    """
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated alias of ``interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)`` (warns).

    Example:
        >>> import warnings, deepglass as dg
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample_bilinear(dg.tensor([[[[0., 3.]]]]), size=(1, 4)).tolist()
        [[[[0.0, 1.0, 2.0, 3.0]]]]
    """
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["upsample", "upsample_nearest", "upsample_bilinear"]
