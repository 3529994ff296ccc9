"""Collectives on tensors, with PyTorch's names and semantics.

Each one is defined by what NumPy would compute on the stacked inputs of all ranks
``X = [x_0, …, x_{n−1}]`` (rank r holds x_r):

- ``all_reduce``: every rank gets ``op(X, axis=0)`` (SUM: Σ_r x_r, AVG: Σ_r x_r / n, PRODUCT, MIN, MAX, BAND …)
- ``broadcast``: every rank gets ``x_src``;  ``reduce``: rank dst gets ``op(X, axis=0)``
- ``all_gather``: every rank gets ``X``;  ``gather``: rank dst gets ``X``
- ``scatter``: rank r gets ``scatter_list[r]`` of rank src
- ``reduce_scatter_tensor``: rank r gets block r of ``op(X, axis=0)`` (the input split into n blocks)

With ``async_op=True`` a call returns a :class:`~deepglass.distributed.Work` at once (the transfer
overlaps whatever runs next) and the result is in the tensors after ``work.wait()``; otherwise it
returns ``None`` when the result is there. Results are written into the given tensors in place.
"""
from __future__ import annotations

import enum

import numpy as np

from .. import backend as _devices
from .._tensor import Tensor, bump_version
from . import process_group as _pg

__all__ = ["ReduceOp", "all_reduce", "reduce", "broadcast", "all_gather", "all_gather_into_tensor",
           "reduce_scatter_tensor", "gather", "scatter", "send", "recv", "isend", "irecv", "barrier"]


class ReduceOp(enum.Enum):
    """How ``all_reduce``/``reduce``/``reduce_scatter_tensor`` combine the ranks' tensors.

    SUM, AVG (floating point only), PRODUCT, MIN, MAX (not complex), BAND, BOR, BXOR (integers and
    bool). On bool tensors SUM and MAX are a logical or, PRODUCT and MIN a logical and.
    """

    SUM = "SUM"
    AVG = "AVG"
    PRODUCT = "PRODUCT"
    MIN = "MIN"
    MAX = "MAX"
    BAND = "BAND"
    BOR = "BOR"
    BXOR = "BXOR"

    def __repr__(self) -> str:
        return f"<ReduceOp.{self.name}>"


def _check_op(op, dtype) -> str:
    if not isinstance(op, ReduceOp):
        raise TypeError(f"op must be a deepglass.distributed.ReduceOp (e.g. ReduceOp.SUM), got {op!r}")
    kind = np.dtype(dtype).kind
    if op is ReduceOp.AVG and kind not in "fc":
        raise ValueError(f"ReduceOp.AVG needs a floating-point tensor, got {dtype}; use SUM and divide, or .float()")
    if op in (ReduceOp.MIN, ReduceOp.MAX) and kind == "c":
        raise ValueError(f"ReduceOp.{op.name} is not defined for complex tensors ({dtype})")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "iub":
        raise ValueError(f"ReduceOp.{op.name} needs an integer or bool tensor, got {dtype}")
    return op.name


def _tensor(t, what: str) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{what} must be a deepglass Tensor, got {type(t).__name__}")
    return t


def _buffer(t: Tensor, be, copy: bool = False):
    """A contiguous array the transport can use for ``t``, and a function that writes it back into ``t``."""
    arr = t._array
    on_gpu = _devices.is_cuda_array(arr)
    if on_gpu and be.name == "mpi":  # MPI moves host memory: stage through the host
        host = _devices.to_numpy(arr).copy()

        def write_back():
            t._array[...] = _devices.to_device(host, t.device)
            bump_version(t)

        return host, write_back
    xp = _devices.array_module_of(arr)
    if copy or not arr.flags.c_contiguous:
        buf = xp.ascontiguousarray(arr).copy()

        def write_back():
            t._array[...] = buf
            bump_version(t)

        return buf, write_back
    return arr, lambda: bump_version(t)


def _empty_like(arr, shape):
    return _devices.array_module_of(arr).empty(shape, dtype=arr.dtype)


def _run(name, request, finish, async_op, statuses=None):
    work = _pg.Work(name, [request], finish, statuses, collective=name not in ("send", "recv"))
    if async_op:
        return work
    work.wait()
    return None


def _check_rank(r, be, what):
    if not isinstance(r, (int, np.integer)) or not 0 <= int(r) < be.size:
        raise ValueError(f"{what}={r!r} is not a rank of this group (0 … {be.size - 1})")
    return int(r)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over all ranks; every rank receives the result in ``tensor``.

    Example:
        >>> import deepglass as dg, deepglass.distributed as dist
        >>> t = dg.tensor([1.0, 2.0]) * (dist.get_rank() + 1)     # doctest: +SKIP
        >>> dist.all_reduce(t, op=dist.ReduceOp.SUM); t             # doctest: +SKIP
        tensor([3., 6.])
    """
    _pg._check_group(group)
    be = _pg._backend("all_reduce")
    opname = _check_op(op, _tensor(tensor, "tensor")._array.dtype)
    buf, write_back = _buffer(tensor, be)

    def finish():
        if op is ReduceOp.AVG:
            buf[...] = buf / be.size
        write_back()

    return _run("all_reduce", be.allreduce(buf, opname), finish, async_op)


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over all ranks into ``tensor`` of rank ``dst`` (the others' are unchanged)."""
    _pg._check_group(group)
    be = _pg._backend("reduce")
    dst = _check_rank(dst, be, "dst")
    opname = _check_op(op, _tensor(tensor, "tensor")._array.dtype)
    buf, write_back = _buffer(tensor, be)

    def finish():
        if be.rank == dst:
            if op is ReduceOp.AVG:
                buf[...] = buf / be.size
            write_back()

    return _run("reduce", be.reduce(buf, buf, dst, opname), finish, async_op)


def broadcast(tensor, src, group=None, async_op=False):
    """Copy ``tensor`` of rank ``src`` into ``tensor`` of every rank."""
    _pg._check_group(group)
    be = _pg._backend("broadcast")
    src = _check_rank(src, be, "src")
    buf, write_back = _buffer(_tensor(tensor, "tensor"), be)
    return _run("broadcast", be.bcast(buf, src), write_back if be.rank != src else None, async_op)


def _check_list(lst, n, like, what):
    if lst is None or len(lst) != n:
        raise ValueError(f"{what} must hold world_size={n} tensors, got {0 if lst is None else len(lst)}")
    for i, t in enumerate(lst):
        _tensor(t, f"{what}[{i}]")
        if tuple(t.shape) != tuple(like.shape) or t._array.dtype != like._array.dtype:
            raise ValueError(f"{what}[{i}] has shape {tuple(t.shape)} and dtype {t.dtype}; every entry must match "
                             f"the tensor's shape {tuple(like.shape)} and dtype {like.dtype}")


def _scatter_into(stacked, tensors):
    for i, t in enumerate(tensors):
        t._array[...] = _devices.to_device(stacked[i], t.device)
        bump_version(t)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Every rank receives every rank's ``tensor``: ``tensor_list[r]`` ← ``tensor`` of rank r."""
    _pg._check_group(group)
    be = _pg._backend("all_gather")
    _check_list(tensor_list, be.size, _tensor(tensor, "tensor"), "tensor_list")
    send, _ = _buffer(tensor, be)
    recv = _empty_like(send, (be.size,) + tuple(send.shape))
    return _run("all_gather", be.allgather(send, recv), lambda: _scatter_into(recv, tensor_list), async_op)


def _blocks(big: Tensor, small: Tensor, n: int, what: str):
    """``big`` viewed as n blocks of ``small``'s shape: (n·d0, …) concatenated or (n, …) stacked."""
    s, b = tuple(small.shape), tuple(big.shape)
    stacked = (n,) + s
    concatenated = ((n * s[0],) + s[1:]) if s else None
    if b not in (stacked, concatenated) or big._array.dtype != small._array.dtype:
        raise ValueError(f"{what}: the large tensor must have shape {concatenated or stacked} (or {stacked}) and "
                         f"the small one's dtype; got {b} {big.dtype} for a {s} {small.dtype} tensor and "
                         f"world_size={n}")


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """``output_tensor`` ← the ranks' ``input_tensor`` s concatenated along dim 0 (or stacked)."""
    _pg._check_group(group)
    be = _pg._backend("all_gather_into_tensor")
    _blocks(_tensor(output_tensor, "output_tensor"), _tensor(input_tensor, "input_tensor"), be.size,
            "all_gather_into_tensor")
    send, _ = _buffer(input_tensor, be)
    recv, write_back = _buffer(output_tensor, be)
    return _run("all_gather_into_tensor", be.allgather(send, recv.reshape((be.size,) + tuple(send.shape))),
                write_back, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """``output`` of rank r ← block r of the reduction of the ranks' ``input`` (n blocks along dim 0)."""
    _pg._check_group(group)
    be = _pg._backend("reduce_scatter_tensor")
    _blocks(_tensor(input, "input"), _tensor(output, "output"), be.size, "reduce_scatter_tensor")
    opname = _check_op(op, input._array.dtype)
    send, _ = _buffer(input, be, copy=True)
    recv, write_back = _buffer(output, be)

    def finish():
        if op is ReduceOp.AVG:
            recv[...] = recv / be.size
        write_back()

    return _run("reduce_scatter_tensor", be.reduce_scatter(send, recv, opname), finish, async_op)


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False):
    """Rank ``dst`` receives every rank's ``tensor`` in ``gather_list`` (None on the other ranks)."""
    _pg._check_group(group)
    be = _pg._backend("gather")
    dst = _check_rank(dst, be, "dst")
    _tensor(tensor, "tensor")
    if be.rank == dst:
        _check_list(gather_list, be.size, tensor, "gather_list")
    elif gather_list:
        raise ValueError(f"gather_list must be None (or empty) on ranks other than dst={dst}")
    send, _ = _buffer(tensor, be)
    recv = _empty_like(send, (be.size,) + tuple(send.shape)) if be.rank == dst else None
    finish = (lambda: _scatter_into(recv, gather_list)) if be.rank == dst else None
    return _run("gather", be.gather(send, recv, dst), finish, async_op)


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False):
    """Rank r receives ``scatter_list[r]`` of rank ``src`` in ``tensor``."""
    _pg._check_group(group)
    be = _pg._backend("scatter")
    src = _check_rank(src, be, "src")
    _tensor(tensor, "tensor")
    send = None
    if be.rank == src:
        _check_list(scatter_list, be.size, tensor, "scatter_list")
        xp = _devices.array_module_of(_buffer(tensor, be)[0])
        send = xp.stack([_buffer(t, be)[0] for t in scatter_list])
    elif scatter_list:
        raise ValueError(f"scatter_list must be None (or empty) on ranks other than src={src}")
    recv, write_back = _buffer(tensor, be)
    return _run("scatter", be.scatter(send, recv, src), write_back, async_op)


def isend(tensor, dst, group=None, tag=0):
    """Start sending ``tensor`` to rank ``dst``; returns a :class:`Work`."""
    _pg._check_group(group)
    be = _pg._backend("isend")
    dst = _check_rank(dst, be, "dst")
    if dst == be.rank:
        raise ValueError(f"rank {dst} cannot send to itself; copy the tensor instead")
    buf, _ = _buffer(_tensor(tensor, "tensor"), be, copy=True)
    return _run("send", be.send(buf, dst, tag), None, True)


def irecv(tensor, src=None, group=None, tag=0):
    """Start receiving into ``tensor`` from rank ``src`` (None: any rank); returns a :class:`Work`."""
    _pg._check_group(group)
    be = _pg._backend("irecv")
    if src is not None:
        src = _check_rank(src, be, "src")
    buf, write_back = _buffer(_tensor(tensor, "tensor"), be)
    status = be.new_status()
    work = _run("recv", be.recv(buf, src, tag), write_back, True, statuses=[status])
    work.source = (lambda: status.Get_source()) if status is not None else (lambda: src)
    return work


def send(tensor, dst, group=None, tag=0) -> None:
    """Send ``tensor`` to rank ``dst`` (returns when it has left this process's buffer)."""
    isend(tensor, dst, group, tag).wait()


def recv(tensor, src=None, group=None, tag=0) -> int:
    """Receive into ``tensor`` from rank ``src`` (None: any); returns the sender's rank."""
    work = irecv(tensor, src, group, tag)
    work.wait()
    return work.source()


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank has reached the barrier."""
    _pg._check_group(group)
    be = _pg._backend("barrier")
    return _run("barrier", be.barrier(), None, async_op)
