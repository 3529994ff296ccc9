"""``deepglass.backends.mps``: Apple's Metal backend, which deepglass does not have.

Example:
    >>> from deepglass.backends import mps
    >>> mps.is_available(), mps.is_built()
    (False, False)
"""


def is_available() -> bool:
    """Always False: deepglass runs on NumPy (CPU) or CuPy (CUDA), never on Metal."""
    return False


def is_built() -> bool:
    """Always False: deepglass has no Metal backend to build."""
    return False
