"""``deepglass.backends.cudnn``: PyTorch's cuDNN switches, accepted as no-ops.

deepglass's GPU convolutions are CuPy GEMMs chosen by the kernel registry; they
do not autotune (``benchmark``), are deterministic for a given input (so
``deterministic`` changes nothing), and do not use TF32 (``allow_tf32``).
The flags are plain module attributes a script may read and set.

Example:
    >>> from deepglass.backends import cudnn
    >>> cudnn.deterministic = True
    >>> cudnn.deterministic
    True
    >>> cudnn.deterministic = False   # back to the default
"""
from __future__ import annotations

#: PyTorch: autotune convolution algorithms. deepglass: no-op (no autotuning).
benchmark: bool = False
#: PyTorch: deterministic algorithms only. deepglass: no-op (its kernels are deterministic).
deterministic: bool = False
#: PyTorch: use cuDNN at all. deepglass: no-op.
enabled: bool = True
#: PyTorch: TF32 in cuDNN convolutions. deepglass: no-op (float32 math is full float32).
allow_tf32: bool = True
benchmark_limit: int = 10


def is_available() -> bool:
    """True when CuPy sees a GPU and its cuDNN bindings import (False on CPU-only machines, as PyTorch)."""
    from ..backend import cuda_available

    if not cuda_available():
        return False
    try:
        import cupy.cuda.cudnn  # noqa: F401
    except Exception:  # noqa: BLE001 - any import failure means "not available"
        return False
    return True


def version() -> int | None:
    """cuDNN's version number as CuPy reports it, or None without cuDNN."""
    if not is_available():
        return None
    import cupy.cuda.cudnn as _c

    return int(_c.getVersion())
