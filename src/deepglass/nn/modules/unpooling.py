"""Max unpooling layers: ``MaxUnpool1d``, ``MaxUnpool2d``, ``MaxUnpool3d`` (kernels in ops/unpool.py)."""
from __future__ import annotations

from .. import functional as F
from .module import Module


class _MaxUnpoolNd(Module):
    """Shared constructor, forward and repr (``_unpool`` is the functional)."""

    _n = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = self._tuple(kernel_size)
        self.stride = self._tuple(stride if stride is not None else kernel_size)
        self.padding = self._tuple(padding)

    def _tuple(self, v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v,) * self._n

    def forward(self, input, indices, output_size=None):
        return self._unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool1d`: ``forward(input, indices, output_size=None)``.

    Shape:
        L_out = (L − 1)·stride − 2·padding + kernel_size, or ``output_size``.

    Example:
        >>> pool, unpool = deepglass.nn.MaxPool1d(2, return_indices=True), MaxUnpool1d(2)
        >>> y, i = pool(deepglass.tensor([[[1., 5., 2., 3.]]]))
        >>> unpool(y, i).tolist()
        [[[0.0, 5.0, 0.0, 3.0]]]
    """

    _n = 1
    _unpool = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool2d`: ``forward(input, indices, output_size=None)``.

    Shape:
        H_out = (H − 1)·stride − 2·padding + kernel_size (likewise W_out), or ``output_size``.

    Example:
        >>> pool, unpool = deepglass.nn.MaxPool2d(2, return_indices=True), MaxUnpool2d(2)
        >>> y, i = pool(deepglass.randn(1, 3, 5, 5))
        >>> unpool(y, i, output_size=(5, 5)).shape
        (1, 3, 5, 5)
    """

    _unpool = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of :class:`MaxPool3d`: ``forward(input, indices, output_size=None)``.

    Example:
        >>> pool, unpool = deepglass.nn.MaxPool3d(2, return_indices=True), MaxUnpool3d(2)
        >>> y, i = pool(deepglass.randn(1, 2, 4, 4, 4))
        >>> unpool(y, i).shape
        (1, 2, 4, 4, 4)
    """

    _n = 3
    _unpool = staticmethod(F.max_unpool3d)


__all__ = ["MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]
