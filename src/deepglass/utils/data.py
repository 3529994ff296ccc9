"""``torch.utils.data`` under its PyTorch name: the same objects as :mod:`deepglass.data`.

Example:
    >>> from deepglass.utils.data import DataLoader, TensorDataset
    >>> import deepglass
    >>> DataLoader is deepglass.data.DataLoader
    True
"""
from __future__ import annotations

from ..data import *  # noqa: F401,F403
from ..data import __all__  # noqa: F401
