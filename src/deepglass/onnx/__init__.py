"""``deepglass.onnx``: export to ONNX — a placeholder until issue 19 fills it.

Importing this module works, so scripts that ``import torch.onnx`` at the top
run; calling :func:`export` raises ``NotImplementedError`` naming the issue.

Example:
    >>> import deepglass.onnx
    >>> deepglass.onnx.is_in_onnx_export()
    False
"""
from __future__ import annotations

__all__ = ["export", "is_in_onnx_export"]

_MESSAGE = (
    "deepglass.onnx.export is not implemented yet: ONNX export is issue 19 "
    "('Export to ONNX, checked by ONNX Runtime'). Save the weights with deepglass.save(model.state_dict(), path) "
    "meanwhile."
)


def export(model, args=(), f=None, *unused, **kwargs):
    """PyTorch's ``torch.onnx.export``; not yet in deepglass (issue 19).

    Raises:
        NotImplementedError: always, naming the issue that adds it.
    """
    raise NotImplementedError(_MESSAGE)


def is_in_onnx_export() -> bool:
    """False: deepglass never runs a model inside an ONNX export (there is none yet)."""
    return False
