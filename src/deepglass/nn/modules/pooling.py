"""Pooling layers (the notes' 池化层: no parameters, compress the feature map)."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d"]


def _single(v):
    """PyTorch's ``_single``: an int -> a 1-tuple, a sequence -> a tuple."""
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


class _MaxPoolNd(Module):
    """Shared constructor and repr of MaxPool1d/2d (PyTorch's ``_MaxPoolNd``)."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return self._pool(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                          self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)``: the largest value of each window.

    Args:
        kernel_size, stride (default: kernel_size), padding, dilation, return_indices, ceil_mode:
            as :func:`deepglass.nn.functional.max_pool1d`.

    Shape:
        L_out = ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ceil_mode).

    Example:
        >>> MaxPool1d(2)(deepglass.randn(1, 3, 8)).shape
        (1, 3, 4)
    """

    _pool = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling: the largest value of each window.

    Args:
        kernel_size, stride (default: kernel_size), padding, dilation, return_indices, ceil_mode:
            as :func:`deepglass.nn.functional.max_pool2d`.

    Shape:
        H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ceil_mode).

    Example:
        >>> MaxPool2d(2)(deepglass.randn(1, 3, 32, 32)).shape
        (1, 3, 16, 16)
    """

    _pool = staticmethod(F.max_pool2d)


class _AvgPoolNd(Module):
    """Shared constructor, forward and repr of AvgPool2d/3d (``_pool`` is the functional)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return self._pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """2-D average pooling.

    Args:
        kernel_size, stride (default: kernel_size), padding, ceil_mode, count_include_pad, divisor_override:
            as :func:`deepglass.nn.functional.avg_pool2d`.

    Shape:
        H_out = ⌊(H + 2p − k)/s⌋ + 1 (⌈⌉ with ceil_mode).

    Example:
        >>> AvgPool2d(2)(deepglass.randn(1, 3, 8, 8)).shape
        (1, 3, 4, 4)
    """

    _pool = staticmethod(F.avg_pool2d)


class AvgPool1d(Module):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)``.

    Args:
        kernel_size, stride (default: kernel_size), padding, ceil_mode, count_include_pad:
            as :func:`deepglass.nn.functional.avg_pool1d` (kept as 1-tuples, as PyTorch does).

    Shape:
        L_out = ⌊(L + 2p − k)/s⌋ + 1 (⌈⌉ with ceil_mode).

    Example:
        >>> AvgPool1d(2)(deepglass.randn(1, 3, 8)).shape
        (1, 3, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePoolNd(Module):
    """Shared constructor, forward and repr of the adaptive pools (``_pool`` is the functional)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return self._pool(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPoolNd(_AdaptivePoolNd):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return self._pool(input, self.output_size, self.return_indices)


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """Average pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed length (``1``: global average pooling).

    Example:
        >>> AdaptiveAvgPool1d(1)(deepglass.randn(2, 8, 7)).shape
        (2, 8, 1)
    """

    _pool = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """Average pooling to a fixed output size (``1``: global average pooling).

    Example:
        >>> AdaptiveAvgPool2d((1, 1))(deepglass.randn(2, 8, 7, 7)).shape
        (2, 8, 1, 1)
    """

    _pool = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling of ``(N, C, L)`` or ``(C, L)`` to a fixed length.

    Example:
        >>> AdaptiveMaxPool1d(2)(deepglass.randn(2, 8, 7)).shape
        (2, 8, 2)
    """

    _pool = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed output size.

    Example:
        >>> AdaptiveMaxPool2d(2)(deepglass.randn(2, 8, 7, 7)).shape
        (2, 8, 2, 2)
    """

    _pool = staticmethod(F.adaptive_max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``: the largest value of each window.

    Args:
        kernel_size, stride (default: kernel_size), padding, dilation, return_indices, ceil_mode:
            as :func:`deepglass.nn.functional.max_pool3d`.

    Shape:
        D_out = ⌊(D + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ceil_mode), likewise H_out, W_out.

    Example:
        >>> MaxPool3d(2)(deepglass.randn(1, 3, 8, 8, 8)).shape
        (1, 3, 4, 4, 4)
    """

    _pool = staticmethod(F.max_pool3d)


class AvgPool3d(_AvgPoolNd):
    """3-D average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Args:
        kernel_size, stride (default: kernel_size), padding, ceil_mode, count_include_pad, divisor_override:
            as :func:`deepglass.nn.functional.avg_pool3d`.

    Shape:
        D_out = ⌊(D + 2p − k)/s⌋ + 1 (⌈⌉ with ceil_mode), likewise H_out, W_out.

    Example:
        >>> AvgPool3d(2)(deepglass.randn(1, 3, 8, 8, 8)).shape
        (1, 3, 4, 4, 4)
    """

    _pool = staticmethod(F.avg_pool3d)


class AdaptiveAvgPool3d(_AdaptivePoolNd):
    """Average pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed output size (``1``: global).

    Example:
        >>> AdaptiveAvgPool3d(1)(deepglass.randn(2, 8, 5, 7, 7)).shape
        (2, 8, 1, 1, 1)
    """

    _pool = staticmethod(F.adaptive_avg_pool3d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max pooling of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` to a fixed output size.

    Example:
        >>> AdaptiveMaxPool3d(2)(deepglass.randn(2, 8, 5, 7, 7)).shape
        (2, 8, 2, 2, 2)
    """

    _pool = staticmethod(F.adaptive_max_pool3d)
