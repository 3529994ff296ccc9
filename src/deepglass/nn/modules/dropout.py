"""Dropout layers: ``Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout``, ``FeatureAlphaDropout`` (active in ``train()``, the identity in ``eval()``)."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


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
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of ``(N, C, H, W)`` with probability p in training (scale 1/(1 − p)).

    Example:
        >>> Dropout2d(0.2)(deepglass.randn(2, 16, 4, 4)).shape
        (2, 16, 4, 4)
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` with probability p in training (scale 1/(1 − p)).

    Example:
        >>> Dropout1d(0.2)(deepglass.randn(2, 16, 4)).shape
        (2, 16, 4)
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` with probability p in training.

    Example:
        >>> Dropout3d(0.2)(deepglass.randn(2, 16, 4, 4, 4)).shape
        (2, 16, 4, 4, 4)
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Alpha dropout for SELU networks (keeps a standardised input's mean and variance); identity in eval.

    Example:
        >>> AlphaDropout(0.2)(deepglass.randn(20, 16)).shape
        (20, 16)
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels of ``(N, C, *)``; identity in eval.

    Example:
        >>> FeatureAlphaDropout(0.2)(deepglass.randn(2, 16, 4, 4)).shape
        (2, 16, 4, 4)
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
