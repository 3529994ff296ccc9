"""Convolution layers: ``Conv1d``, ``Conv2d``, ``Conv3d``, ``ConvTranspose1d/2d/3d`` (kernels in
``deepglass.ops.conv`` and ``deepglass.ops.conv3d``)."""
from __future__ import annotations

from ...creation import empty
from ...ops.layout import pad as _pad
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


def _tuple(v, n):
    if isinstance(v, (tuple, list)):
        if len(v) != n:
            raise ValueError(f"expected an int or a {n}-tuple, got {v!r}")
        return tuple(int(i) for i in v)
    return (int(v),) * n


class _ConvNd(Module):
    _n = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None, output_padding=0):
        super().__init__()
        n = self._n
        if groups < 1 or in_channels % groups:
            raise ValueError(f"in_channels ({in_channels}) must be divisible by groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"out_channels ({out_channels}) must be divisible by groups ({groups})")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', "
                             f"got {padding_mode!r}")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of ('valid', 'same')")
            if padding == "same" and any(s != 1 for s in _tuple(stride, n)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _tuple(kernel_size, n)
        self.stride = _tuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, n)
        self.dilation = _tuple(dilation, n)
        self.output_padding = _tuple(output_padding, n)
        self.groups = int(groups)
        self.padding_mode = padding_mode
        if self._transposed:
            shape = (self.in_channels, self.out_channels // groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // groups) + self.kernel_size
        self.weight = Parameter(empty(tuple(shape), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(self.out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._default_layer_init(self.weight, self.bias)

    def _pad_input(self, input):
        """Non-zero padding modes pad explicitly, then convolve without padding (as PyTorch)."""
        if self.padding_mode == "zeros":
            return input, self.padding
        if isinstance(self.padding, str):
            if self.padding == "valid":
                return input, self.padding
            pads = []
            for k, d in zip(reversed(self.kernel_size), reversed(self.dilation)):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
        else:
            pads = [p for p in reversed(self.padding) for _ in range(2)]
        return _pad(input, tuple(pads), mode=self.padding_mode), 0

    def extra_repr(self) -> str:
        n = self._n
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"  # PyTorch prints strings unquoted: padding=same
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _ConvForwardNd(_ConvNd):
    """Shared constructor and forward of Conv1d/2d/3d (``_conv`` is the functional)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)

    def forward(self, input):
        x, padding = self._pad_input(input)
        return self._conv(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv1d(_ConvForwardNd):
    """1-D convolution over ``(N, C_in, L)``.

    Args:
        in_channels, out_channels, kernel_size: as Conv2d, with ints.
        stride, padding (int, 'same' or 'valid'), dilation, groups, bias, padding_mode: as Conv2d.

    Shape:
        ``(N, C_in, L)`` → ``(N, C_out, L_out)``, L_out = ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1.

    Example:
        >>> Conv1d(16, 33, 3, stride=2)(deepglass.randn(20, 16, 50)).shape
        (20, 33, 24)
    """

    _n = 1

    _conv = staticmethod(F.conv1d)


class Conv2d(_ConvForwardNd):
    """2-D convolution over ``(N, C_in, H, W)`` (the notes' 卷积层).

    Parameters: (k·k)·C_in/groups·C_out weights (+ C_out biases); work ≈ k²·H_out·W_out·C_in·C_out
    multiply-adds. Initialised as PyTorch: U(±1/√fan_in), fan_in = C_in/groups·k·k.

    Args:
        in_channels: channels of the input. out_channels: number of filters.
        kernel_size: int or pair. stride: int or pair. padding: int, pair, ``'same'`` or ``'valid'``.
        dilation: spacing between kernel elements. groups: channel groups (``in_channels``: depthwise).
        bias: learn a bias per filter. padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'``, ``'circular'``.
        device, dtype: of the parameters.

    Shape:
        ``(N, C_in, H, W)`` → ``(N, C_out, H_out, W_out)``, H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1.

    Example:
        >>> Conv2d(3, 32, 5, padding=2)(deepglass.randn(1, 3, 32, 32)).shape
        (1, 32, 32, 32)
    """

    _conv = staticmethod(F.conv2d)


class Conv3d(_ConvForwardNd):
    """3-D convolution over ``(N, C_in, D, H, W)`` (volumes, video clips).

    Parameters: (kd·kh·kw)·C_in/groups·C_out weights (+ C_out biases). Initialised as PyTorch:
    U(±1/√fan_in), fan_in = C_in/groups·kd·kh·kw.

    Args:
        in_channels, out_channels: channels of the input and number of filters.
        kernel_size, stride, dilation: int or triple. padding: int, triple, ``'same'`` or ``'valid'``.
        groups, bias, padding_mode (``'zeros'``, ``'reflect'``, ``'replicate'``, ``'circular'``), device, dtype:
            as Conv2d.

    Shape:
        ``(N, C_in, D, H, W)`` → ``(N, C_out, D_out, H_out, W_out)``, D_out = ⌊(D + 2p − d(k−1) − 1)/s⌋ + 1.

    Example:
        >>> Conv3d(2, 4, 3, padding=1)(deepglass.randn(1, 2, 5, 6, 7)).shape
        (1, 4, 5, 6, 7)
    """

    _n = 3

    _conv = staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    """Shared constructor and forward of the transposed convolutions (``_conv`` is the functional)."""

    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        name = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f"Only 'zeros' padding mode is supported for {name}, got {padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"{name}: padding must be an int or a {'pair' if self._n == 2 else f'{self._n}-tuple'} "
                             "(no 'same'/'valid')")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype, output_padding=output_padding)

    def forward(self, input, output_size=None):
        op = self.output_padding
        if output_size is not None:  # the output_padding that reaches the requested size
            n = self._n
            size = tuple(output_size)[-n:]
            op = []
            for a in range(n):
                base = ((input.shape[-n + a] - 1) * self.stride[a] - 2 * self.padding[a]
                        + self.dilation[a] * (self.kernel_size[a] - 1) + 1)
                extra = size[a] - base
                if not 0 <= extra < max(self.stride[a], self.dilation[a]):
                    raise ValueError(f"{type(self).__name__}: requested output_size {size} is not reachable from "
                                     f"input {tuple(input.shape)} (sizes between {base} and "
                                     f"{base + max(self.stride[a], self.dilation[a]) - 1})")
                op.append(extra)
            op = tuple(op)
        return self._conv(input, self.weight, self.bias, self.stride, self.padding, op, self.groups, self.dilation)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (upsampling by a learned kernel); weight ``(C_in, C_out/groups, kh, kw)``.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation:
            as :func:`deepglass.nn.functional.conv_transpose2d`; padding_mode: only ``'zeros'``.

    Shape:
        H_out = (H − 1)·s − 2p + d(k − 1) + output_padding + 1.

    Example:
        >>> ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)(deepglass.randn(1, 16, 5, 5)).shape
        (1, 8, 10, 10)
    """

    _conv = staticmethod(F.conv_transpose2d)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over ``(N, C_in, L)``; weight ``(C_in, C_out/groups, k)``.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation:
            as :func:`deepglass.nn.functional.conv_transpose1d`; padding_mode: only ``'zeros'``.

    Shape:
        L_out = (L − 1)·s − 2p + d(k − 1) + output_padding + 1.

    Example:
        >>> ConvTranspose1d(16, 8, 3, stride=2, padding=1, output_padding=1)(deepglass.randn(1, 16, 5)).shape
        (1, 8, 10)
    """

    _n = 1
    _conv = staticmethod(F.conv_transpose1d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution over ``(N, C_in, D, H, W)``; weight ``(C_in, C_out/groups, kd, kh, kw)``.

    Args:
        in_channels, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation:
            as :func:`deepglass.nn.functional.conv_transpose3d`; padding_mode: only ``'zeros'``.

    Shape:
        D_out = (D − 1)·s − 2p + d(k − 1) + output_padding + 1 (and likewise H_out, W_out).

    Example:
        >>> ConvTranspose3d(4, 2, 3, stride=2, padding=1, output_padding=1)(deepglass.randn(1, 4, 3, 5, 5)).shape
        (1, 2, 6, 10, 10)
    """

    _n = 3
    _conv = staticmethod(F.conv_transpose3d)
