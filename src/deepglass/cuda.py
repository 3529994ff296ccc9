"""``deepglass.cuda``: what PyTorch users look for in ``torch.cuda``."""
from .backend import cuda_available, cuda_device_count


def is_available() -> bool:
    """True when CuPy is installed and a CUDA device is visible."""
    return cuda_available()


def device_count() -> int:
    return cuda_device_count()


def synchronize() -> None:
    """Wait for all GPU work to finish (a no-op without CuPy)."""
    if cuda_available():
        import cupy

        cupy.cuda.Device().synchronize()


def manual_seed(seed: int) -> None:
    """Seeds the generator of every device (deepglass has one generator)."""
    from .random import manual_seed as _seed

    _seed(seed)


manual_seed_all = manual_seed
