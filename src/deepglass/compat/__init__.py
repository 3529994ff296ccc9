"""Run unchanged PyTorch programs on deepglass: an import hook that makes ``import torch`` give deepglass.

After :func:`install` (or inside ``with torch_as_deepglass():``, or under ``deepglass run SCRIPT``),
``torch``, ``torch.nn``, ``torch.nn.functional``, ``torch.optim``, ``torch.optim.lr_scheduler``,
``torch.utils.data``, ``torch.distributions``, ``torch.onnx`` ... resolve to the deepglass modules
of the same path (``torch.X.Y`` is ``deepglass.X.Y``), and ``torchvision.datasets``,
``torchvision.transforms`` and ``torchvision.models`` to :mod:`deepglass.compat.torchvision`.
A name deepglass lacks fails at once with ``deepglass does not implement torch.X yet``
(an ``AttributeError`` or ``ModuleNotFoundError``, so ``hasattr`` and ``try: import`` still work).

Installing removes real ``torch``/``torchvision`` modules already imported from ``sys.modules``
(code that holds them keeps them); :func:`uninstall` puts them back.

Example:
    >>> import deepglass.compat
    >>> with deepglass.compat.torch_as_deepglass():
    ...     import torch
    ...     import torch.nn as nn
    ...     print(torch.zeros(2).sum().item(), nn.Linear.__module__)
    0.0 deepglass.nn.modules.linear
"""
from __future__ import annotations

import contextlib

from ._hook import install, is_installed, uninstall


@contextlib.contextmanager
def torch_as_deepglass():
    """Inside the block, ``import torch`` (and ``torchvision``) give deepglass; the previous state comes back after."""
    was = is_installed()
    if not was:
        install()
    try:
        yield
    finally:
        if not was:
            uninstall()


__all__ = ["install", "uninstall", "is_installed", "torch_as_deepglass"]
