"""The NCCL transport between GPUs (CuPy's ``cupy.cuda.nccl`` bindings), one GPU per process.

UNTESTED: written against CuPy's documented NCCL API on a machine without a GPU. Ranks and the
NCCL unique id come from MPI when the job was started by ``mpiexec`` (the usual way), otherwise
from ``RANK``/``WORLD_SIZE`` and a shared file (``init_method="file:///path"``).
Each call is enqueued on a dedicated stream; its "request" is a CUDA event recorded after it,
so :class:`~deepglass.distributed.Work` polls it with the same deadline as an MPI request.
"""
from __future__ import annotations

import os
import time

import numpy as np

_DTYPES = {np.dtype(k): v for k, v in [("int8", 0), ("uint8", 1), ("int32", 2), ("uint32", 3), ("int64", 4),
                                        ("uint64", 5), ("float16", 6), ("float32", 7), ("float64", 8)]}
_OPS = {"SUM": 0, "PRODUCT": 1, "MAX": 2, "MIN": 3, "AVG": 0}
_UNIQUE_ID_BYTES = 128  # NCCL_UNIQUE_ID_BYTES: CuPy gives the id as a tuple of 128 byte values


class _Event:
    def __init__(self, stream):
        self.event = stream.record()

    def Test(self):  # noqa: N802 - the request protocol of MPI
        return self.event.done


def _exchange_id(nccl, rank, world_size, init_method, timeout_s):
    """Rank 0 makes the NCCL unique id; the others receive it (through MPI or a shared file)."""
    if init_method is None or init_method.startswith("env://"):
        from ._mpi import load

        comm = load().COMM_WORLD
        # the id travels as a raw int64 buffer (Bcast), never as a pickled object (mpi4py's bcast)
        buf = np.zeros(_UNIQUE_ID_BYTES, dtype=np.int64)
        if comm.Get_rank() == 0:
            uid = tuple(nccl.get_unique_id())
            buf[:len(uid)] = uid
        comm.Bcast(buf, root=0)
        return tuple(int(b) for b in buf)
    if not init_method.startswith("file://"):
        raise ValueError(f"the nccl backend supports init_method 'env://' (with mpiexec) or 'file://PATH', "
                         f"got {init_method!r}")
    path = init_method[len("file://"):]
    if rank == 0:
        uid = nccl.get_unique_id()
        with open(path + ".tmp", "w") as f:
            f.write(" ".join(str(int(b)) for b in uid))
        os.replace(path + ".tmp", path)  # complete or absent
        return uid
    deadline = time.monotonic() + timeout_s
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise RuntimeError(f"rank {rank}: no NCCL id appeared in {path} within {timeout_s:.0f} s; "
                               "is rank 0 running with the same init_method?")
        time.sleep(0.05)
    with open(path) as f:
        return tuple(int(b) for b in f.read().split())


class NCCLBackend:
    name = "nccl"

    def __init__(self, rank, world_size, init_method, timeout_s):
        import cupy
        from cupy.cuda import nccl

        self.cupy, self.nccl = cupy, nccl
        self.rank, self.size = rank, world_size
        cupy.cuda.Device(rank % cupy.cuda.runtime.getDeviceCount()).use()
        uid = _exchange_id(nccl, rank, world_size, init_method, timeout_s)
        self.comm = nccl.NcclCommunicator(world_size, uid, rank)
        self.stream = cupy.cuda.Stream(non_blocking=True)

    def _dt(self, a):
        if a.dtype not in _DTYPES:
            raise TypeError(f"the nccl backend has no type for {a.dtype}; cast the tensor (e.g. .float())")
        return _DTYPES[a.dtype]

    def _done(self):
        return _Event(self.stream)

    def mpi_op(self, op, dtype):
        if op not in _OPS:
            raise ValueError(f"the nccl backend does not support ReduceOp.{op}")
        return _OPS[op]

    def allreduce(self, buf, op):
        self.comm.allReduce(buf.data.ptr, buf.data.ptr, buf.size, self._dt(buf), self.mpi_op(op, buf.dtype),
                            self.stream.ptr)
        return self._done()

    def reduce(self, buf, out, root, op):
        self.comm.reduce(buf.data.ptr, out.data.ptr if out is not None else buf.data.ptr, buf.size, self._dt(buf),
                         self.mpi_op(op, buf.dtype), root, self.stream.ptr)
        return self._done()

    def reduce_scatter(self, send, recv, op):
        self.comm.reduceScatter(send.data.ptr, recv.data.ptr, recv.size, self._dt(send), self.mpi_op(op, send.dtype),
                                self.stream.ptr)
        return self._done()

    def bcast(self, buf, root):
        self.comm.bcast(buf.data.ptr, buf.size, self._dt(buf), root, self.stream.ptr)
        return self._done()

    def allgather(self, send, recv):
        self.comm.allGather(send.data.ptr, recv.data.ptr, send.size, self._dt(send), self.stream.ptr)
        return self._done()

    def gather(self, send, recv, root):
        self.nccl.groupStart()
        self.comm.send(send.data.ptr, send.size, self._dt(send), root, self.stream.ptr)
        if self.rank == root:
            for r in range(self.size):
                self.comm.recv(recv[r].data.ptr, send.size, self._dt(send), r, self.stream.ptr)
        self.nccl.groupEnd()
        return self._done()

    def scatter(self, send, recv, root):
        self.nccl.groupStart()
        if self.rank == root:
            for r in range(self.size):
                self.comm.send(send[r].data.ptr, recv.size, self._dt(recv), r, self.stream.ptr)
        self.comm.recv(recv.data.ptr, recv.size, self._dt(recv), root, self.stream.ptr)
        self.nccl.groupEnd()
        return self._done()

    def send(self, buf, dst, tag):
        self.comm.send(buf.data.ptr, buf.size, self._dt(buf), dst, self.stream.ptr)
        return self._done()

    def recv(self, buf, src, tag):
        if src is None:
            raise ValueError("the nccl backend needs the source rank of recv (src=None is MPI-only)")
        self.comm.recv(buf.data.ptr, buf.size, self._dt(buf), src, self.stream.ptr)
        return self._done()

    def barrier(self):
        one = self.cupy.ones(1, self.cupy.float32)
        return self.allreduce(one, "SUM")

    def new_status(self):
        return None

    @staticmethod
    def test(request, status=None) -> bool:
        return request.Test()

    def abort(self, code: int = 1) -> None:
        self.comm.abort()
        os._exit(code)
