"""Fractional max pooling layers: ``FractionalMaxPool2d``, ``FractionalMaxPool3d`` (kernels in ops/fractional_pool.py)."""
from __future__ import annotations

from .. import functional as F
from .module import Module


class _FractionalMaxPoolNd(Module):
    """Shared constructor and forward (``_n`` spatial dims, ``_pool`` the functional)."""

    _n = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        n = self._n
        tup = (lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,) * n)
        self.kernel_size = tup(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = tup(output_size) if output_size is not None else None
        self.output_ratio = tup(output_ratio) if output_ratio is not None else None
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return self._pool(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                          _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-D fractional max pooling: windows of ``kernel_size`` at random fractional strides (Graham, 2014).

    Args:
        kernel_size; output_size or output_ratio (in (0, 1)); return_indices; _random_samples (N, C, 2):
            as :func:`deepglass.nn.functional.fractional_max_pool2d`.

    Example:
        >>> FractionalMaxPool2d(3, output_ratio=0.5)(deepglass.randn(1, 2, 10, 12)).shape
        (1, 2, 5, 6)
    """

    _pool = staticmethod(F.fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling over (N, C, T, H, W).

    Example:
        >>> FractionalMaxPool3d(2, output_size=(2, 3, 3))(deepglass.randn(1, 2, 5, 6, 7)).shape
        (1, 2, 2, 3, 3)
    """

    _n = 3
    _pool = staticmethod(F.fractional_max_pool3d)


__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]
