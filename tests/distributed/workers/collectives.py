"""Every collective against its NumPy definition, for every op and common dtypes (run under mpiexec)."""
import numpy as np

import deepglass as dg
import deepglass.distributed as dist
from deepglass.distributed import ReduceOp

dist.init_process_group("mpi")
R, N = dist.get_rank(), dist.get_world_size()
DTYPES = ["float32", "float64", "float16", "int8", "uint8", "int32", "int64", "bool", "complex64"]


def data(rank, dtype, shape=(3, 4)):
    """What rank ``rank`` holds: small integers, so every float sum and product is exact."""
    rng = np.random.default_rng(100 + rank)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    lo = 0 if dtype == "uint8" else -3
    x = rng.integers(lo, 4, size=shape)
    if dtype.startswith("complex"):
        x = x + 1j * rng.integers(-3, 4, size=shape)
    return x.astype(dtype)


def same(got, want, what):
    got = got._array if isinstance(got, dg.Tensor) else got
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    assert np.array_equal(got, want), f"rank {R}: {what}\n got {got}\nwant {want}"


def numpy_reduce(op, X):
    if X.dtype == np.bool_:
        return {"SUM": np.any, "MAX": np.any, "BOR": np.any, "MIN": np.all, "PRODUCT": np.all, "BAND": np.all,
                "BXOR": lambda a, axis: np.logical_xor.reduce(a, axis=axis)}[op.name](X, axis=0)
    f = {"SUM": np.sum, "AVG": np.sum, "PRODUCT": np.prod, "MIN": np.min, "MAX": np.max,
         "BAND": np.bitwise_and.reduce, "BOR": np.bitwise_or.reduce, "BXOR": np.bitwise_xor.reduce}[op.name]
    out = f(X, axis=0).astype(X.dtype)
    return (out / N).astype(X.dtype) if op is ReduceOp.AVG else out


def valid(op, dtype):
    k = np.dtype(dtype).kind
    return not ((op is ReduceOp.AVG and k not in "fc") or (op in (ReduceOp.MIN, ReduceOp.MAX) and k == "c")
                or (op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and k not in "iub"))


checked = 0
for dtype in DTYPES:
    X = np.stack([data(r, dtype) for r in range(N)])
    for op in ReduceOp:
        if not valid(op, dtype):
            try:
                dist.all_reduce(dg.tensor(data(R, dtype)), op=op)
            except ValueError:
                continue
            raise AssertionError(f"{op} on {dtype} should raise ValueError")
        want = numpy_reduce(op, X)
        t = dg.tensor(data(R, dtype))
        dist.all_reduce(t, op=op)
        same(t, want, f"all_reduce {op} {dtype}")
        t = dg.tensor(data(R, dtype))
        w = dist.all_reduce(t, op=op, async_op=True)
        w.wait()
        same(t, want, f"async all_reduce {op} {dtype}")
        t = dg.tensor(data(R, dtype))
        dist.reduce(t, dst=N - 1, op=op)
        same(t, want if R == N - 1 else data(R, dtype), f"reduce {op} {dtype}")
        big = dg.tensor(np.concatenate([data(R, dtype, (2, 3))] * 1 + [data(R + 7, dtype, (2 * (N - 1), 3))]))
        Xb = np.stack([np.concatenate([data(r, dtype, (2, 3)), data(r + 7, dtype, (2 * (N - 1), 3))])
                       for r in range(N)])
        out = dg.tensor(np.zeros((2, 3), dtype))
        dist.reduce_scatter_tensor(out, big, op=op)
        same(out, numpy_reduce(op, Xb)[2 * R:2 * R + 2], f"reduce_scatter_tensor {op} {dtype}")
        checked += 4
    # data movement
    for src in range(N):
        t = dg.tensor(data(R, dtype))
        dist.broadcast(t, src=src)
        same(t, X[src], f"broadcast src={src} {dtype}")
    lst = [dg.tensor(np.zeros((3, 4), dtype)) for _ in range(N)]
    dist.all_gather(lst, dg.tensor(data(R, dtype)))
    for r in range(N):
        same(lst[r], X[r], f"all_gather {dtype}")
    out = dg.tensor(np.zeros((3 * N, 4), dtype))
    dist.all_gather_into_tensor(out, dg.tensor(data(R, dtype)))
    same(out, np.concatenate(list(X)), f"all_gather_into_tensor {dtype}")
    out = dg.tensor(np.zeros((N, 3, 4), dtype))
    dist.all_gather_into_tensor(out, dg.tensor(data(R, dtype)))
    same(out, X, f"all_gather_into_tensor stacked {dtype}")
    gl = [dg.tensor(np.zeros((3, 4), dtype)) for _ in range(N)] if R == 1 else None
    dist.gather(dg.tensor(data(R, dtype)), gl, dst=1)
    if R == 1:
        for r in range(N):
            same(gl[r], X[r], f"gather {dtype}")
    t = dg.tensor(np.zeros((3, 4), dtype))
    sl = [dg.tensor(data(10 * r, dtype)) for r in range(N)] if R == 0 else None
    dist.scatter(t, sl, src=0)
    same(t, data(10 * R, dtype), f"scatter {dtype}")
    checked += 5

# a non-contiguous tensor is reduced in place too
t = dg.tensor(data(R, "float64", (4, 3))).t()
dist.all_reduce(t)
same(t, np.stack([data(r, "float64", (4, 3)) for r in range(N)]).sum(0).T, "non-contiguous all_reduce")

# point to point: a ring
t = dg.tensor(data(R, "float32"))
nxt, prv = (R + 1) % N, (R - 1) % N
w = dist.isend(t, nxt, tag=5)
got = dg.tensor(np.zeros((3, 4), "float32"))
src = dist.recv(got, tag=5)
w.wait()
assert src == prv, (src, prv)
same(got, data(prv, "float32"), "send/recv ring")
dist.barrier()
dist.barrier(async_op=True).wait()

# argument errors name the problem
for bad, exc in [(lambda: dist.broadcast(dg.ones(2), src=N), ValueError),
                 (lambda: dist.all_reduce(dg.ones(2), op="sum"), TypeError),
                 (lambda: dist.all_gather([dg.ones(2)] * (N + 1), dg.ones(2)), ValueError),
                 (lambda: dist.init_process_group("mpi"), ValueError)]:
    try:
        bad()
    except exc:
        pass
    else:
        raise AssertionError(f"{bad} did not raise {exc}")
print(f"rank {R}/{N}: collectives OK ({checked} reductions)", flush=True)
dist.destroy_process_group()
