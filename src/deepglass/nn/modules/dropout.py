"""Dropout layers: ``Dropout`` and ``Dropout2d`` (active in ``train()``, the identity in ``eval()``)."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout2d"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p in training, scaling survivors by 1/(1 − p).

    Example:
        >>> Dropout(0.2)(deepglass.randn(20, 16)).shape
        (20, 16)
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Zero whole channels of ``(N, C, H, W)`` with probability p in training (scale 1/(1 − p)).

    Example:
        >>> Dropout2d(0.2)(deepglass.randn(2, 16, 4, 4)).shape
        (2, 16, 4, 4)
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)
