"""Intra-op parallelism on the CPU: one thread pool for the whole step, BLAS on one thread inside it.

Two halves, as ATen's ``parallel_for`` / ``parallel_reduce``:

- :func:`parallel_for` runs ``fn(lo, hi)`` on contiguous chunks of ``range(n)``;
  each chunk writes only its own slice of preallocated outputs.
- :func:`parallel_reduce` does the same where each chunk returns partial sums
  (a weight gradient over its part of the batch); they are added up once, here.

One unit of work decides whether threads pay: ``work`` in multiply-adds (or
elements for memory-bound ops); below ``MIN_PARALLEL_WORK`` everything runs on
the calling thread. Large products (:func:`matmul`) are cut into row blocks on
the same pool while batch chunks are in use, and go to SciPy's threaded BLAS in
a step made of products only (see "Large products" below). On CuPy arrays the
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
import time

import numpy as np

# --------------------------------------------------------------------- one threading model
#
# Two thread pools used to take turns here: OpenBLAS's, for large products, and deepglass's batch chunks,
# for everything else, with NumPy's BLAS switched to one thread around every chunked op and back. That
# switch was process-global (any other thread could see it), and OpenBLAS's idle threads spin for a long
# while after each product (OPENBLAS_THREAD_TIMEOUT, read only when the library loads), keeping a core busy
# while the chunks ran: a CIFAR step took 65 ms with the defaults and 39 ms with OPENBLAS_THREAD_TIMEOUT=4
# (issue 16). Now there is one model. The first time deepglass computes on the CPU it sets NumPy's BLAS to
# one thread, once (its worker threads are never woken again, so they sleep), and every parallel region
# runs on deepglass's own pool of ``get_num_threads()`` threads, by default as many as BLAS had
# (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, else the cores). The one exception, large products in a step made
# of products only, is explained under "large products" below.
# PyTorch (its own OpenMP and MKL) and SciPy (its own OpenBLAS) keep their threads; a NumPy product called
# outside deepglass runs on one BLAS thread afterwards (``threadpoolctl`` gives it more if wanted).

MIN_PARALLEL_WORK = 1 << 21  # below ~2M multiply-adds or elements, waking a thread costs more than it saves
_blas_lib = None  # threadpoolctl's controller of NumPy's BLAS; False when there is none
_threads = None  # the pool's thread count
_pool = None
_pool_pid = None  # a forked child inherits the pool object but not its threads: it makes its own
_pool_lock = threading.Lock()
_in_chunk = threading.local()


def _numpy_blas():
    """threadpoolctl's controller of NumPy's BLAS (None when it can't be found); the first call sets it to one
    thread and takes its former thread count as the pool's."""
    global _blas_lib, _threads
    if _blas_lib is None:
        _blas_lib = False
        try:
            from threadpoolctl import ThreadpoolController

            libs = [lc for lc in ThreadpoolController().lib_controllers if lc.user_api == "blas"]
            libs.sort(key=lambda lc: "numpy" not in lc.filepath)  # NumPy's own BLAS first
            if libs:
                _blas_lib = libs[0]
                if _threads is None:
                    _threads = max(1, _blas_lib.get_num_threads())
                _blas_lib.set_num_threads(1)
        except Exception:  # pragma: no cover - threadpoolctl missing or an unknown BLAS
            pass
    return _blas_lib or None


def get_num_threads() -> int:
    """CPU threads for batch chunks and large products (like ``torch.get_num_threads``)."""
    if _blas_lib is None:
        _numpy_blas()
    # without a BLAS controller BLAS cannot be kept to one thread inside a chunk: no chunks then
    return _threads if _blas_lib else 1


def set_num_threads(n: int) -> None:
    """Set the CPU threads of deepglass's pool (1 turns the batch chunks and split products off).

    NumPy's BLAS stays on one thread inside deepglass whatever ``n`` is.
    """
    global _threads
    if n < 1:
        raise ValueError(f"set_num_threads needs n >= 1, got {n}")
    _numpy_blas()
    _threads = int(n)


# --------------------------------------------------------------------- large products
#
# Waking a sleeping thread costs ~15 us on this kind of machine (a futex round trip between two threads
# measured 30 us in C, 50 us in Python), and the pool's threads sleep between regions. For a step made of
# products only (an MLP: five large products, little else) that is what separates one thread from two:
# BLAS libraries avoid it by letting their idle threads spin for a while after each call. Those spinning
# threads are also what made batch chunks slow when both ran in one step (CIFAR 65 ms instead of 39 ms,
# issue 16). So a large product outside a chunk goes to SciPy's BLAS (its own OpenBLAS, threads and thread
# count, not NumPy's, so nothing is switched) only while no batch-chunk region has run for
# ``BLAS_QUIET_SECONDS``, longer than OpenBLAS keeps its idle threads spinning; otherwise it is cut into
# row blocks on the pool. A step settles on one model: products-only steps on BLAS threads, steps with
# convolutions, pooling or normalisation on the pool.

BLAS_QUIET_SECONDS = 0.5
# Row blocks on the pool pay one wake-up (~60 us in Python here) against half the product: below ~8M
# multiply-adds (~150 us on one thread) that is no gain, so smaller products stay on the calling thread.
MIN_POOL_PRODUCT = 1 << 23
_last_chunk_region = -1e9  # time.perf_counter() of the last batch-chunk region that ran on threads
_scipy_gemm = None  # {dtype: SciPy's ?gemm}, {} when SciPy's BLAS is missing


def _threaded_gemm(dtype):
    """SciPy's ``?gemm`` for ``dtype`` (None without SciPy or for other dtypes)."""
    global _scipy_gemm
    if _scipy_gemm is None:
        try:
            from scipy.linalg import blas

            _scipy_gemm = {np.dtype(np.float32): blas.sgemm, np.dtype(np.float64): blas.dgemm,
                           np.dtype(np.complex64): blas.cgemm, np.dtype(np.complex128): blas.zgemm}
        except ImportError:  # pragma: no cover - SciPy comes with scikit-learn
            _scipy_gemm = {}
    return _scipy_gemm.get(dtype)


def _fortran_operand(m):
    """``(array, trans)`` with ``array`` Fortran-ordered and ``op(array) == m.T`` (no copy for C or F order)."""
    if m.flags.c_contiguous:
        return m.T, 0
    if m.flags.f_contiguous:
        return m, 1
    return np.ascontiguousarray(m).T, 0


def _gemm_on_blas_threads(gemm, a, b):
    """``a @ b`` for 2-D ``a``, ``b`` through a Fortran ``gemm``: ``C.T = B.T A.T`` on C-ordered memory.

    The result is a new C-ordered array that owns its memory (``base is None``: the autograd engine keeps
    such a gradient without copying it).
    """
    bt, trans_b = _fortran_operand(b)
    at, trans_a = _fortran_operand(a)
    out = np.empty((a.shape[0], b.shape[1]), dtype=a.dtype)
    gemm(1.0, bt, at, c=out.T, overwrite_c=1, trans_a=trans_b, trans_b=trans_a)  # beta = 0: out is only written
    return out


def matmul(a, b):
    """``a @ b``; a large product of NumPy floats, ``(..., M, K) @ (K, N)``, runs on several threads.

    On SciPy's BLAS threads when no batch-chunk region ran lately, else cut into row blocks on the pool
    if it has ``MIN_POOL_PRODUCT`` multiply-adds or more (see "large products" above).

    Example:
        >>> a, b = np.ones((512, 4096), np.float32), np.ones((4096, 8), np.float32)
        >>> bool((matmul(a, b) == a @ b).all())
        True
    """
    if (type(a) is np.ndarray and type(b) is np.ndarray and a.ndim >= 2 and b.ndim == 2 and a.dtype == b.dtype
            and a.dtype.kind in "fc" and a.size * b.shape[1] >= MIN_PARALLEL_WORK and a.shape[-1] == b.shape[0]
            and not getattr(_in_chunk, "active", False)):
        m = a.size // a.shape[-1]
        if m >= 2 and get_num_threads() > 1:
            a2 = a.reshape(m, a.shape[-1])
            gemm = _threaded_gemm(a.dtype)
            if gemm is not None and time.perf_counter() - _last_chunk_region > BLAS_QUIET_SECONDS:
                out = _gemm_on_blas_threads(gemm, a2, b)
            elif a.size * b.shape[1] >= MIN_POOL_PRODUCT:
                out = np.empty((m, b.shape[1]), dtype=a.dtype)
                _chunks(lambda lo, hi: np.matmul(a2[lo:hi], b, out=out[lo:hi]), m, None, np, mark=False)
            else:
                return a @ b
            return out if a.ndim == 2 else out.reshape(a.shape[:-1] + (b.shape[1],))
    return a @ b


# --------------------------------------------------------------------- batch chunks on threads
#
# OpenBLAS threads only the GEMM inside an op; the gathers, shifted sums and layout copies
# around it (a third of a convolution) stay on one core. Splitting the *batch* into one
# contiguous chunk per thread and running the whole op on each chunk (Python threads: NumPy
# releases the GIL in its copy and ufunc loops; BLAS on one thread per chunk) uses every
# core for all of it, as PyTorch's kernels do with OpenMP. Measured on CIFAR's conv2 forward
# (64x32x16x16, k5, 2 cores): 8.7 ms with a 2-thread GEMM, 7.0 ms in two chunks.


def _run_chunk(fn, lo, hi):
    _in_chunk.active = True
    try:
        return fn(lo, hi)
    finally:
        _in_chunk.active = False


def _get_pool(threads):
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool._max_workers < threads - 1 or _pool_pid != os.getpid():
            from concurrent.futures import ThreadPoolExecutor

            if _pool is not None and _pool_pid == os.getpid():
                _pool.shutdown(wait=False)  # too few workers for the new thread count: its idle threads exit
            _pool = ThreadPoolExecutor(max_workers=threads - 1, thread_name_prefix="deepglass-chunk")
            _pool_pid = os.getpid()
        return _pool


def parallel_chunks(fn, n, work=None, xp=np):
    """``[fn(lo, hi) for each chunk]``: ``range(n)`` cut into ``get_num_threads()`` contiguous chunks run at once.

    ``fn`` must only write its own chunk of shared outputs (and thread-local scratch). It runs as
    one call ``fn(0, n)`` for CuPy arrays (``xp``), with one thread, for ``n < 2``, when ``work``
    (multiply-adds or elements, roughly) is below MIN_PARALLEL_WORK, or when called from inside a
    chunk. NumPy's BLAS runs on one thread throughout. The results come back in chunk order.

    Example:
        >>> out = np.empty(10); parts = parallel_chunks(lambda lo, hi: out[lo:hi].fill(lo), 10)
    """
    return _chunks(fn, n, work, xp, mark=True)


def _chunks(fn, n, work, xp, mark):
    """:func:`parallel_chunks`; ``mark``: the region keeps large products off BLAS threads for a while."""
    global _last_chunk_region
    threads = get_num_threads()
    small = work is not None and work < MIN_PARALLEL_WORK
    if xp is not np or threads < 2 or n < 2 or small or getattr(_in_chunk, "active", False):
        return [fn(0, n)]
    threads = min(threads, n)
    if mark:  # large products keep off BLAS threads for a while (see "large products")
        _last_chunk_region = time.perf_counter()
    pool = _get_pool(threads)
    bounds = [(n * i // threads, n * (i + 1) // threads) for i in range(threads)]
    futures = [pool.submit(_run_chunk, fn, lo, hi) for lo, hi in bounds[1:]]
    try:
        first = _run_chunk(fn, *bounds[0])
    finally:
        for f in futures:  # every chunk has finished before its outputs are read
            f.exception()
    return [first] + [f.result() for f in futures]


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
