"""``deepglass.backends``: the flags PyTorch scripts set on ``torch.backends``.

``backends.cudnn.benchmark = True``, ``backends.cudnn.deterministic = True``,
``backends.cuda.matmul.allow_tf32 = True`` ... are accepted and remembered, so
such scripts run unchanged. deepglass's kernels do not read them: each flag's
docstring says what deepglass does instead (documented no-ops).
``backends.mps.is_available()`` is False: deepglass has no Metal backend.

Example:
    >>> import deepglass as dg
    >>> dg.backends.cudnn.benchmark = True
    >>> dg.backends.mps.is_available()
    False
    >>> dg.backends.cudnn.benchmark = False   # back to the default
"""
from . import cpu, cuda, cudnn, mps  # noqa: F401

__all__ = ["cpu", "cuda", "cudnn", "mps"]
