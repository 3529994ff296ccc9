"""The one place that knows NumPy from CuPy.

Every op asks this module for its array module (``xp``) instead of importing
numpy or cupy by name, so the same code runs on the CPU and on the GPU.

Devices are written like PyTorch's: ``"cpu"``, ``"cuda"``, ``"cuda:1"``.
"""
from __future__ import annotations

import os
import threading

import numpy as np


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

try:  # CuPy is optional: the ``gpu`` extra installs it.
    import cupy as _cupy

    try:
        _CUDA_COUNT = _cupy.cuda.runtime.getDeviceCount()
    except Exception:  # no driver, no device
        _CUDA_COUNT = 0
except Exception:  # pragma: no cover - depends on the machine
    _cupy = None
    _CUDA_COUNT = 0


class Device:
    """A device: ``Device("cpu")``, ``Device("cuda")``, ``Device("cuda:1")``.

    Example:
        >>> Device("cuda:1").index
        1
    """

    __slots__ = ("type", "index")

    def __init__(self, spec: "str | Device" = "cpu", index: int | None = None):
        if isinstance(spec, Device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise TypeError(f"a device is a string like 'cpu' or 'cuda:0', got {spec!r}")
        kind, _, num = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise ValueError(f"unknown device {spec!r}: use 'cpu', 'cuda' or 'cuda:N'")
        if num:
            if not num.isdigit():
                raise ValueError(f"bad device index in {spec!r}: use 'cuda:N' with N an integer")
            index = int(num)
        if kind == "cuda" and index is None:
            index = 0
        self.type = kind
        self.index = index if kind == "cuda" else None

    def __eq__(self, other):
        if isinstance(other, str):
            other = Device(other)
        return isinstance(other, Device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"


CPU = Device("cpu")


def cuda_available() -> bool:
    """True when CuPy is installed and sees at least one CUDA device."""
    return _CUDA_COUNT > 0


def cuda_device_count() -> int:
    return _CUDA_COUNT


def as_device(device) -> Device:
    if device is None:
        return CPU
    return device if isinstance(device, Device) else Device(device)


def _require_cuda(device: Device) -> None:
    if _cupy is None:
        raise RuntimeError(
            f"device {device} needs CuPy, which is not installed: "
            "pip install 'deepglass[gpu]' (CUDA 12) or 'deepglass[gpu13]' (CUDA 13)"
        )
    if device.index >= _CUDA_COUNT:
        raise RuntimeError(
            f"device {device} does not exist: CuPy sees {_CUDA_COUNT} CUDA device(s)"
        )


def get_array_module(device: Device | None = None):
    """The array module (numpy or cupy) that computes on ``device``."""
    if device is None or device.type == "cpu":
        return np
    _require_cuda(device)
    return _cupy


def array_module_of(array):
    """numpy for NumPy arrays (and scalars), cupy for CuPy arrays."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return _cupy
    return np


def device_of(array) -> Device:
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return Device("cuda", array.device.id)
    return CPU


def is_cuda_array(array) -> bool:
    return _cupy is not None and isinstance(array, _cupy.ndarray)


def to_device(array, device: Device):
    """Move ``array`` to ``device`` (a no-op when it is already there)."""
    if device.type == "cpu":
        if is_cuda_array(array):
            return _cupy.asnumpy(array)
        return array
    _require_cuda(device)
    if is_cuda_array(array) and array.device.id == device.index:
        return array
    with _cupy.cuda.Device(device.index):
        return _cupy.asarray(array)


def to_numpy(array) -> np.ndarray:
    """A NumPy array with the same values (copies from the GPU if needed)."""
    if is_cuda_array(array):
        return _cupy.asnumpy(array)
    return np.asarray(array)


def device_context(device: Device):
    """A context manager that makes ``device`` current (a no-op on the CPU)."""
    if device.type == "cuda":
        return _cupy.cuda.Device(device.index)
    import contextlib

    return contextlib.nullcontext()


# --------------------------------------------------------------------- CPU threads
#
# NumPy's OpenBLAS wakes all its threads for any product above a small size. Waking
# a thread costs more than a tiny GEMM itself, and on a 2-core machine shared with
# other work it can cost milliseconds (measured under load: a digits CNN step took
# 89 ms with two BLAS threads and 11 ms with one; on a quiet machine 8.2 vs 9.3 ms,
# and a 128×256×256 product 0.11 ms on two threads vs 0.19 ms on one). So products
# below SMALL_GEMM_MACS (where two threads cannot win) run on one thread, larger ones
# on ``get_num_threads()``; ``set_num_threads(1)`` is the robust choice on a busy machine.

SMALL_GEMM_MACS = 1 << 20
_blas_lib = None
_threads = None


def _numpy_blas():
    """threadpoolctl's controller of NumPy's BLAS (None when it can't be found)."""
    global _blas_lib, _threads
    if _blas_lib is None:
        _blas_lib = False
        try:
            from threadpoolctl import ThreadpoolController

            libs = [lc for lc in ThreadpoolController().lib_controllers if lc.user_api == "blas"]
            libs.sort(key=lambda lc: "numpy" not in lc.filepath)  # NumPy's own BLAS first
            if libs:
                _blas_lib = libs[0]
                _threads = _blas_lib.get_num_threads()
        except Exception:  # pragma: no cover - threadpoolctl missing or an unknown BLAS
            pass
    return _blas_lib or None


def get_num_threads() -> int:
    """CPU threads for large products and batch chunks (like ``torch.get_num_threads``)."""
    lib = _numpy_blas()
    return _threads if lib else 1


def set_num_threads(n: int) -> None:
    """Set the CPU threads: NumPy's BLAS threads for large products (small ones always run on one) and the
    batch chunks of ``parallel_chunks`` (1 turns them off)."""
    global _threads
    if n < 1:
        raise ValueError(f"set_num_threads needs n >= 1, got {n}")
    lib = _numpy_blas()
    if lib:
        _threads = int(n)
        lib.set_num_threads(_threads)


def matmul(a, b):
    """``a @ b``, on one BLAS thread when the product is small (see SMALL_GEMM_MACS)."""
    if type(a) is np.ndarray and a.ndim and b.ndim:
        macs = a.size * (b.shape[-1] if b.ndim > 1 else 1)
        if macs < SMALL_GEMM_MACS:
            lib = _blas_lib if _blas_lib is not None else _numpy_blas()
            if lib and _threads > 1 and not _parallel_depth:
                lib.set_num_threads(1)
                try:
                    return a @ b
                finally:
                    lib.set_num_threads(_threads)
    return a @ b


# --------------------------------------------------------------------- batch chunks on threads
#
# OpenBLAS threads only the GEMM inside an op; the gathers, shifted sums and layout copies
# around it (a third of a convolution) stay on one core. Splitting the *batch* into one
# contiguous chunk per thread and running the whole op on each chunk (Python threads: NumPy
# releases the GIL in its copy and ufunc loops; BLAS on one thread per chunk) uses every
# core for all of it, as PyTorch's kernels do with OpenMP. Measured on CIFAR's conv2 forward
# (64x32x16x16, k5, 2 cores): 8.7 ms with a 2-thread GEMM, 7.0 ms in two chunks.

MIN_PARALLEL_WORK = 1 << 21  # below ~2M multiply-adds or elements, waking a thread costs more than it saves
_pool = None
_pool_pid = None  # a forked child inherits the pool object but not its threads: it makes its own
_parallel_depth = 0  # parallel regions running (from any user thread): BLAS stays on one thread meanwhile
_depth_lock = threading.Lock()
_in_chunk = threading.local()


def _run_chunk(fn, lo, hi):
    _in_chunk.active = True
    try:
        return fn(lo, hi)
    finally:
        _in_chunk.active = False


def parallel_chunks(fn, n, work=None, xp=np):
    """``[fn(lo, hi) for each chunk]``: ``range(n)`` cut into ``get_num_threads()`` contiguous chunks run at once.

    ``fn`` must only write its own chunk of shared outputs (and thread-local scratch). It runs as
    one call ``fn(0, n)`` for CuPy arrays (``xp``), with one thread, for ``n < 2``, when ``work``
    (multiply-adds or elements, roughly) is below MIN_PARALLEL_WORK, or when called from inside a
    chunk. BLAS runs on one thread per chunk meanwhile. The results come back in chunk order.

    Example:
        >>> out = np.empty(10); parts = parallel_chunks(lambda lo, hi: out[lo:hi].fill(lo), 10)
    """
    global _pool, _pool_pid, _parallel_depth
    threads = get_num_threads()
    small = work is not None and work < MIN_PARALLEL_WORK
    if xp is not np or threads < 2 or n < 2 or small or getattr(_in_chunk, "active", False):
        return [fn(0, n)]
    threads = min(threads, n)
    if _pool is None or _pool._max_workers < threads - 1 or _pool_pid != os.getpid():
        from concurrent.futures import ThreadPoolExecutor

        if _pool is not None and _pool_pid == os.getpid():
            _pool.shutdown(wait=False)  # too few workers for the new thread count: its idle threads exit
        _pool = ThreadPoolExecutor(max_workers=threads - 1, thread_name_prefix="deepglass-chunk")
        _pool_pid = os.getpid()
    bounds = [(n * i // threads, n * (i + 1) // threads) for i in range(threads)]
    lib = _numpy_blas()
    with _depth_lock:
        _parallel_depth += 1
        lib.set_num_threads(1)
    try:
        futures = [_pool.submit(_run_chunk, fn, lo, hi) for lo, hi in bounds[1:]]
        try:
            first = _run_chunk(fn, *bounds[0])
        finally:
            for f in futures:  # every chunk has finished before its outputs are read or BLAS is reset
                f.exception()
        return [first] + [f.result() for f in futures]
    finally:
        with _depth_lock:
            _parallel_depth -= 1
            if not _parallel_depth:
                lib.set_num_threads(_threads)
