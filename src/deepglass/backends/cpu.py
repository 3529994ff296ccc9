"""``deepglass.backends.cpu``: what PyTorch reports about the CPU backend.

Example:
    >>> from deepglass.backends import cpu
    >>> cpu.get_cpu_capability() in ("DEFAULT", "AVX2", "AVX512")
    True
"""


def get_cpu_capability() -> str:
    """The widest SIMD level NumPy was built to dispatch to, in PyTorch's words."""
    import numpy as np

    try:
        features = np._core._multiarray_umath.__cpu_features__
    except AttributeError:
        return "DEFAULT"
    if features.get("AVX512F"):
        return "AVX512"
    if features.get("AVX2"):
        return "AVX2"
    return "DEFAULT"
