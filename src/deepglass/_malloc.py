"""glibc allocator tuning: keep freed activation buffers mapped between training steps."""
from __future__ import annotations

import os


def _keep_freed_memory_mapped() -> None:
    """Stop glibc from returning freed activation buffers to the kernel between steps.

    A training step frees and re-allocates the same 2–20 MB arrays; by default glibc
    unmaps each one and the next step faults its pages in again (~2k minor page faults
    per CIFAR step, which PyTorch's caching allocator avoids). Raising the mmap and trim
    thresholds keeps those pages in the heap: CIFAR step 63–75 → 53–55 ms, ResNet-18
    124–140 → 101 ms (2 threads), peak memory unchanged (bench/PROFILE.md).
    Opt out with DEEPGLASS_NO_MALLOPT=1.
    """
    if os.environ.get("DEEPGLASS_NO_MALLOPT") or not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        libc.mallopt(M_MMAP_THRESHOLD, 256 << 20)
        libc.mallopt(M_TRIM_THRESHOLD, 512 << 20)
    except (OSError, AttributeError):  # not glibc
        pass


_keep_freed_memory_mapped()
