"""Batch chunks on threads (parallel.parallel_chunks) and the kernels that use them, forced on for small shapes."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

import deepglass as dg
import deepglass.nn.functional as F
from deepglass import parallel
from deepglass.kernels import conv as conv_kernels


@pytest.fixture
def chunked(monkeypatch):
    """Every parallel_chunks call splits, whatever its size, over three threads (more than this machine may have),
    and the row kernel works one image at a time inside a chunk."""
    if parallel._numpy_blas() is None:
        pytest.skip("threadpoolctl cannot see NumPy's BLAS: kernels never split")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", 0)
    monkeypatch.setattr(conv_kernels, "BLOCK_BYTES", 1)
    before = dg.get_num_threads()
    dg.set_num_threads(3)
    yield
    dg.set_num_threads(before)


def test_chunks_cover_the_range_in_order(chunked):
    parts = parallel.parallel_chunks(lambda lo, hi: (lo, hi, threading.get_ident()), 10)
    assert [p[:2] for p in parts] == [(0, 3), (3, 6), (6, 10)]
    main = threading.get_ident()
    assert parts[0][2] == main and parts[1][2] != main and parts[2][2] != main  # the caller runs the first chunk
    assert dg.get_num_threads() == 3
    assert parallel._numpy_blas().get_num_threads() == 1  # one threading model: BLAS stays on one thread


def test_serial_when_small_nested_or_not_numpy(chunked, monkeypatch):
    assert parallel.parallel_chunks(lambda lo, hi: (lo, hi), 1) == [(0, 1)]
    assert parallel.parallel_chunks(lambda lo, hi: (lo, hi), 10, xp=object()) == [(0, 10)]
    monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", 100)
    assert parallel.parallel_chunks(lambda lo, hi: (lo, hi), 10, work=99) == [(0, 10)]
    inner = parallel.parallel_chunks(lambda lo, hi: parallel.parallel_chunks(lambda a, b: (a, b), hi - lo), 10, work=100)
    assert inner == [[(0, 3)], [(0, 3)], [(0, 4)]]  # a chunk never splits again


def test_an_exception_in_a_chunk_reaches_the_caller(chunked):
    def fn(lo, hi):
        if lo > 0:
            raise ValueError(f"chunk {lo}")
        return lo

    with pytest.raises(ValueError, match="chunk 3"):
        parallel.parallel_chunks(fn, 10)
    assert parallel._numpy_blas().get_num_threads() == 1


def test_blas_thread_count_never_switches(chunked):
    """The BLAS thread count is process-global: a parallel region must not change it under other threads."""
    lib = parallel._numpy_blas()
    seen = parallel.parallel_chunks(lambda lo, hi: lib.get_num_threads(), 10)
    assert seen == [1, 1, 1] and lib.get_num_threads() == 1


@pytest.mark.parametrize("shape_a,shape_b,dtype", [
    ((7, 5), (5, 3), np.float64),
    ((2, 7, 5), (5, 4), np.float32),
    ((9, 6), (6, 2), np.complex128),
])
@pytest.mark.parametrize("path", ["pool", "blas"])
def test_matmul_in_row_blocks_equals_numpy(chunked, monkeypatch, shape_a, shape_b, dtype, path):
    """Both ways a large product runs: row blocks on the pool (a chunk region ran lately), SciPy's BLAS threads."""
    monkeypatch.setattr(parallel, "_last_chunk_region", 1e18 if path == "pool" else -1e18)
    monkeypatch.setattr(parallel, "MIN_POOL_PRODUCT", 0)
    taken = []
    monkeypatch.setattr(parallel, "_chunks", lambda *a, _real=parallel._chunks, **k: taken.append(1) or _real(*a, **k))
    a = rng.standard_normal(shape_a).astype(dtype)
    b = rng.standard_normal(shape_b).astype(dtype)
    np.testing.assert_allclose(parallel.matmul(a, b), a @ b, rtol=1e-6)
    np.testing.assert_allclose(parallel.matmul(a[..., ::2, :], b), a[..., ::2, :] @ b, rtol=1e-6)  # strided rows
    np.testing.assert_allclose(parallel.matmul(a, b[:, ::-1]), a @ b[:, ::-1], rtol=1e-6)  # a negative stride
    x = a.astype(np.float64) if dtype is np.float32 else a
    assert parallel.matmul(x, b).dtype == (x @ b).dtype  # mixed dtypes: NumPy's promotion (no split)
    out = parallel.matmul(a, b)
    assert out.flags.c_contiguous and (out.base is None or path == "pool" or a.ndim > 2)  # owns its memory
    assert bool(taken) == (path == "pool")


def test_a_chunk_region_moves_large_products_onto_the_pool(chunked, monkeypatch):
    """Products-only steps use SciPy's BLAS threads; a batch-chunk region (convolution, pooling, norms) sends the
    large products to the pool for BLAS_QUIET_SECONDS, and the products' own row blocks do not extend that."""
    monkeypatch.setattr(parallel, "_last_chunk_region", -1e18)
    a, b = np.ones((8, 4)), np.ones((4, 3))
    used = []
    real_gemm = parallel._gemm_on_blas_threads
    monkeypatch.setattr(parallel, "_gemm_on_blas_threads", lambda *x: used.append("blas") or real_gemm(*x))
    parallel.matmul(a, b)
    parallel.parallel_chunks(lambda lo, hi: None, 4)
    mark = parallel._last_chunk_region
    parallel.matmul(a, b)
    assert used == ["blas"] and parallel._last_chunk_region == mark
    monkeypatch.setattr(parallel, "BLAS_QUIET_SECONDS", 0.0)
    parallel.matmul(a, b)
    assert used == ["blas", "blas"]


def test_products_on_blas_threads_switch_no_thread_count():
    """SciPy's BLAS keeps the thread count it has; NumPy's stays at one."""
    from threadpoolctl import threadpool_info

    a = rng.standard_normal((300, 300)).astype(np.float32)
    gemm = parallel._threaded_gemm(a.dtype)  # loads SciPy's BLAS
    before = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    np.testing.assert_allclose(parallel._gemm_on_blas_threads(gemm, a, a.T), a @ a.T, rtol=1e-5, atol=1e-4)
    after = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    assert after == before


def _compare_with_torch(fn_dg, fn_torch, *arrays, grad_rtol=1e-4):
    xs = [dg.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = fn_dg(*xs), fn_torch(*ts)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = np.random.default_rng(1).standard_normal(yt.shape).astype(np.float32)
    y.backward(dg.tensor(g))
    yt.backward(torch.tensor(g))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=grad_rtol, atol=1e-4)


rng = np.random.default_rng(0)


@pytest.mark.parametrize("C,O,k,stride,padding,groups", [
    (16, 16, 5, 1, 2, 1),   # row kernel
    (16, 16, 3, (1, 2), 1, 1),  # row kernel, strided along the width
    (3, 8, 5, 1, 2, 1),     # NCHW kernel (few input channels)
    (16, 32, 3, 2, 1, 1),   # general kernel, strided
    (16, 16, 3, 1, 1, 4),   # general kernel, grouped
    (16, 64, 1, 1, 0, 1),   # general kernel, wide 1x1
])
def test_conv2d_in_chunks_matches_torch(chunked, C, O, k, stride, padding, groups):
    x = rng.standard_normal((5, C, 9, 8)).astype(np.float32)
    w = (rng.standard_normal((O, C // groups, k, k)) * 0.2).astype(np.float32)
    b = rng.standard_normal(O).astype(np.float32)
    _compare_with_torch(lambda x, w, b: F.conv2d(x, w, b, stride, padding, 1, groups),
                        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride, padding, 1, groups), x, w, b)


@pytest.mark.parametrize("k,stride,padding", [(2, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_max_pool2d_in_chunks_matches_torch(chunked, k, stride, padding):
    x = rng.standard_normal((5, 4, 9, 10)).astype(np.float32)
    x[3, 1, 2, 2] = np.nan  # one chunk takes the NaN-aware path
    _compare_with_torch(lambda x: F.max_pool2d(x, k, stride, padding),
                        lambda x: torch.nn.functional.max_pool2d(x, k, stride, padding), x)


@pytest.mark.parametrize("mask_kind", ["none", "causal", "bool_broadcast", "float_batched"])
def test_attention_in_chunks_matches_torch(chunked, mask_kind):
    q, k, v = (rng.standard_normal((5, 2, 6, 4)).astype(np.float32) for _ in range(3))
    arrays, kw = [q, k, v], {}
    if mask_kind == "causal":
        kw["is_causal"] = True
    elif mask_kind == "bool_broadcast":
        allowed = rng.random((6, 6)) > 0.3
        allowed[2] = False  # a query that may attend to nothing returns zeros
        kw["attn_mask"] = allowed
    elif mask_kind == "float_batched":
        arrays.append(rng.standard_normal((5, 1, 6, 6)).astype(np.float32))  # learned additive mask: gets a gradient

    def run(lib, *xs):
        extra = dict(kw)
        if "attn_mask" in extra:
            extra["attn_mask"] = (dg.tensor if lib is F else torch.tensor)(extra["attn_mask"])
        if len(xs) == 4:
            extra["attn_mask"] = xs[3]
        return lib.scaled_dot_product_attention(*xs[:3], **extra)

    _compare_with_torch(lambda *xs: run(F, *xs), lambda *xs: run(torch.nn.functional, *xs), *arrays)


def test_layer_norm_in_chunks_matches_torch(chunked):
    x = rng.standard_normal((5, 3, 8)).astype(np.float32)
    w, b = rng.standard_normal(8).astype(np.float32), rng.standard_normal(8).astype(np.float32)
    _compare_with_torch(lambda x, w, b: F.layer_norm(x, (8,), w, b),
                        lambda x, w, b: torch.nn.functional.layer_norm(x, (8,), w, b), x, w, b)


def test_group_norm_in_chunks_matches_torch(chunked):
    x = rng.standard_normal((5, 6, 4, 3)).astype(np.float32)
    w, b = rng.standard_normal(6).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    _compare_with_torch(lambda x, w, b: F.group_norm(x, 3, w, b),
                        lambda x, w, b: torch.nn.functional.group_norm(x, 3, w, b), x, w, b)


def _chunks_in_child(queue):
    queue.put(parallel.parallel_chunks(lambda lo, hi: (lo, hi), 4))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_child_gets_its_own_pool(chunked):
    import multiprocessing

    barrier = threading.Barrier(3, timeout=30)
    parallel.parallel_chunks(lambda lo, hi: barrier.wait(), 4)  # the parent's pool has two live (then idle) threads
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_chunks_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("parallel_chunks hung in a forked child (it used the parent's pool, whose threads did not fork)")
    assert queue.get(timeout=5) == [(0, 1), (1, 2), (2, 4)]


def test_a_fresh_process_gets_one_pool_without_environment_tuning():
    """Importing deepglass changes nothing; its first computation sets NumPy's BLAS to one thread, once, and the pool
    takes the thread count BLAS had (here OPENBLAS_NUM_THREADS=2, as a user may have set it)."""
    import os
    import subprocess
    import sys

    code = """
import numpy as np
from threadpoolctl import threadpool_info
blas = lambda: [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"][0]
before = blas()
import deepglass as dg
after_import = blas()
dg.nn.functional.conv2d(dg.ones(2, 16, 8, 8), dg.ones(4, 16, 3, 3), padding=1)
print(before, after_import, blas(), dg.get_num_threads())
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    if parallel._numpy_blas() is None:
        pytest.skip("threadpoolctl cannot see NumPy's BLAS")
    assert out.stdout.split() == ["2", "2", "1", "2"]


@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_in_channel_ranges_matches_torch_and_one_thread(chunked, affine):
    """Training batch norm on channel ranges: equal to torch, and bit-equal to the same call on one thread."""
    x = (rng.standard_normal((6, 7, 5, 3)) * 3 + 1).astype(np.float32)
    wb = [rng.standard_normal(7).astype(np.float32) for _ in range(2)] if affine else []

    def fn(x, *wb):
        return F.batch_norm(x, None, None, *wb, training=True)

    _compare_with_torch(fn, lambda x, *wb: torch.nn.functional.batch_norm(x, None, None, *wb, training=True), x, *wb)
    runs = []
    for threads in (3, 1):
        dg.set_num_threads(threads)
        xs = [dg.tensor(a, requires_grad=True) for a in [x, *wb]]
        y = fn(*xs)
        y.backward(dg.tensor(np.cos(np.arange(y.numel())).reshape(y.shape).astype(np.float32)))
        runs.append([y.detach().numpy()] + [t.grad.numpy() for t in xs])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
