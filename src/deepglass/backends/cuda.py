"""``deepglass.backends.cuda``: PyTorch's CUDA math switches, accepted as no-ops.

``backends.cuda.matmul.allow_tf32 = True`` is remembered but deepglass's GPU
matmuls (CuPy/cuBLAS with default math mode) do not change: float32 stays
full float32. Unknown attribute names raise ``AttributeError`` as in PyTorch,
so a typo is not silently accepted.

Example:
    >>> from deepglass.backends import cuda
    >>> cuda.matmul.allow_tf32
    False
    >>> cuda.matmul.allow_tf32 = True
    >>> cuda.matmul.allow_tf32
    True
    >>> cuda.matmul.allow_tf32 = False   # back to the default
"""
from __future__ import annotations


class _MatmulFlags:
    """``backends.cuda.matmul``: PyTorch's cuBLAS flags (no-ops in deepglass)."""

    _names = ("allow_tf32", "allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction",
              "allow_fp16_accumulation")

    def __init__(self):
        object.__setattr__(self, "allow_tf32", False)
        object.__setattr__(self, "allow_fp16_reduced_precision_reduction", True)
        object.__setattr__(self, "allow_bf16_reduced_precision_reduction", True)
        object.__setattr__(self, "allow_fp16_accumulation", False)

    def __setattr__(self, name, value):
        if name not in self._names:
            raise AttributeError(f"Unknown attribute {name}")
        object.__setattr__(self, name, bool(value))


matmul = _MatmulFlags()


def is_built() -> bool:
    """True when CuPy (deepglass's CUDA engine) is installed."""
    from .. import backend

    return backend._cupy is not None


def is_flash_attention_available() -> bool:
    """False: deepglass's attention is the plain softmax(QKᵀ/√d)V (no flash kernel)."""
    return False
