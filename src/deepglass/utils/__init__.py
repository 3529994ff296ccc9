"""PyTorch's ``torch.utils`` names: ``deepglass.utils.data`` is :mod:`deepglass.data`.

So that ``from deepglass.utils.data import DataLoader, TensorDataset`` works as in
PyTorch scripts; the data module itself lives in ``deepglass/data/``.
:mod:`deepglass.utils.checkpoint` is activation checkpointing (``checkpoint``).
"""
from __future__ import annotations

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
