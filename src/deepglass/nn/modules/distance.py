"""Distances between two inputs: ``CosineSimilarity`` and ``PairwiseDistance`` (no parameters;
PyTorch's ``torch/nn/modules/distance.py``)."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """cos θ between ``x1`` and ``x2`` along ``dim``: x1·x2 / (max(‖x1‖, ε) · max(‖x2‖, ε)).

    See :func:`deepglass.nn.functional.cosine_similarity` (each norm clamped to ``eps`` on its own).

    Shape:
        ``x1``, ``x2`` broadcastable → the broadcast shape without ``dim``.

    Example:
        >>> CosineSimilarity(dim=1)(deepglass.randn(100, 128), deepglass.randn(100, 128)).shape
        (100,)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """‖x1 − x2 + ε‖_p over the last dimension, row by row.

    See :func:`deepglass.nn.functional.pairwise_distance`.

    Shape:
        ``(N, D)`` and ``(N, D)`` (or broadcastable) → ``(N,)`` (``(N, 1)`` with ``keepdim``).

    Example:
        >>> PairwiseDistance(p=2)(deepglass.randn(100, 128), deepglass.randn(100, 128)).shape
        (100,)
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
