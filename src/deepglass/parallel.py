"""Intra-op parallelism on the CPU: BLAS threads, and the batch cut into chunks run on threads.

Two halves, as ATen's ``parallel_for`` / ``parallel_reduce``:

- :func:`parallel_for` runs ``fn(lo, hi)`` on contiguous chunks of ``range(n)``;
  each chunk writes only its own slice of preallocated outputs.
- :func:`parallel_reduce` does the same where each chunk returns partial sums
  (a weight gradient over its part of the batch); they are added up once, here.

One unit of work decides whether threads pay: ``work`` in multiply-adds (or
elements for memory-bound ops); below ``MIN_PARALLEL_WORK`` everything runs on
the calling thread. BLAS runs on one thread inside a chunk. On CuPy arrays the
whole range is one call (the GPU parallelises inside the kernel).

Example:
    >>> import numpy as np
    >>> out = np.zeros(8)
    >>> def fill(lo, hi):
    ...     out[lo:hi] = np.arange(lo, hi)
    >>> parallel_for(8, fill)
    >>> out.tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    >>> parallel_reduce(8, lambda lo, hi: (np.ones(2) * (hi - lo),))[0].tolist()
    [8.0, 8.0]
"""
from __future__ import annotations

import os
import threading

import numpy as np

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


def parallel_for(n: int, fn, work=None, xp=np) -> None:
    """Run ``fn(lo, hi)`` over contiguous chunks of ``range(n)`` on the CPU threads (see the module)."""
    parallel_chunks(fn, n, work, xp)


def parallel_reduce(n: int, fn, work=None, xp=np):
    """Run ``fn(lo, hi) -> tuple of partial arrays`` over chunks and return their element-wise sums.

    ``None`` entries stay ``None`` (a gradient that was not needed).
    """
    parts = parallel_chunks(fn, n, work, xp)
    total = list(parts[0])
    for part in parts[1:]:
        for i, p in enumerate(part):
            if p is not None:
                total[i] = total[i] + p
    return tuple(total)
