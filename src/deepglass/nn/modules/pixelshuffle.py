"""Pixel and channel shuffles (PyTorch's ``torch/nn/modules/pixelshuffle.py`` and ``ChannelShuffle``):
reshape/permute compositions, so their gradients are exact."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


class PixelShuffle(Module):
    """Rearrange ``(*, C·r², H, W)`` into ``(*, C, H·r, W·r)`` (sub-pixel convolution upsampling).

    Example:
        >>> PixelShuffle(3)(deepglass.randn(1, 9, 4, 4)).shape
        (1, 1, 12, 12)
    """

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange ``(*, C, H·r, W·r)`` into ``(*, C·r², H, W)`` (the inverse of :class:`PixelShuffle`).

    Example:
        >>> PixelUnshuffle(3)(deepglass.randn(1, 1, 12, 12)).shape
        (1, 9, 4, 4)
    """

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave ``groups`` groups of channels of ``(N, C, *)`` (ShuffleNet), keeping the shape.

    Example:
        >>> ChannelShuffle(2)(deepglass.arange(4.).reshape(1, 4, 1)).flatten().tolist()
        [0.0, 2.0, 1.0, 3.0]
    """

    def __init__(self, groups: int):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
