"""The MPI transport (mpi4py): non-blocking MPI calls on host arrays, each returning a request.

deepglass writes no transport of its own. Every collective here is MPI's non-blocking form
(``MPI_Iallreduce``, ``MPI_Ibcast`` ...), so that a caller can overlap it with computation and
poll it against a deadline (:class:`~deepglass.distributed.Work`) instead of blocking forever
on a dead peer.
"""
from __future__ import annotations

import numpy as np


def load():
    """Import mpi4py's MPI (initialising MPI); an ImportError names the fix."""
    try:
        from mpi4py import MPI
    except ImportError as e:  # pragma: no cover - exercised only without mpi4py
        raise ImportError(
            "the 'mpi' backend needs mpi4py and an MPI library: pip install mpi4py mpich "
            "(or pip install 'deepglass[dist]')"
        ) from e
    return MPI


class MPIBackend:
    """One communicator (MPI_COMM_WORLD by default); every method returns an ``MPI.Request``."""

    name = "mpi"

    def __init__(self, comm=None):
        self.MPI = load()
        self.comm = comm if comm is not None else self.MPI.COMM_WORLD
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()

    # ---------------------------------------------------------------- reductions
    def mpi_op(self, op: str, dtype: np.dtype):
        """The MPI operation for a ReduceOp name on ``dtype`` (bool uses the logical ops)."""
        MPI = self.MPI
        if dtype == np.bool_:
            table = {"SUM": MPI.LOR, "MAX": MPI.LOR, "BOR": MPI.LOR, "MIN": MPI.LAND, "PRODUCT": MPI.LAND,
                     "BAND": MPI.LAND, "BXOR": MPI.LXOR}
        else:
            table = {"SUM": MPI.SUM, "AVG": MPI.SUM, "PRODUCT": MPI.PROD, "MIN": MPI.MIN, "MAX": MPI.MAX,
                     "BAND": MPI.BAND, "BOR": MPI.BOR, "BXOR": MPI.BXOR}
        return table[op]

    def allreduce(self, buf, op):
        return self.comm.Iallreduce(self.MPI.IN_PLACE, buf, op=self.mpi_op(op, buf.dtype))

    def reduce(self, buf, out, root, op):
        send = self.MPI.IN_PLACE if self.rank == root else buf
        return self.comm.Ireduce(send, out if self.rank == root else None, op=self.mpi_op(op, buf.dtype), root=root)

    def reduce_scatter(self, send, recv, op):
        return self.comm.Ireduce_scatter_block(send, recv, op=self.mpi_op(op, send.dtype))

    # ---------------------------------------------------------------- data movement
    def bcast(self, buf, root):
        return self.comm.Ibcast(buf, root=root)

    def allgather(self, send, recv):
        return self.comm.Iallgather(send, recv)

    def gather(self, send, recv, root):
        return self.comm.Igather(send, recv if self.rank == root else None, root=root)

    def scatter(self, send, recv, root):
        return self.comm.Iscatter(send if self.rank == root else None, recv, root=root)

    def send(self, buf, dst, tag):
        return self.comm.Isend(buf, dest=dst, tag=tag)

    def recv(self, buf, src, tag):
        MPI = self.MPI
        return self.comm.Irecv(buf, source=MPI.ANY_SOURCE if src is None else src,
                               tag=MPI.ANY_TAG if tag is None else tag)

    def barrier(self):
        return self.comm.Ibarrier()

    # ---------------------------------------------------------------- progress board
    def progress_board(self):
        """Each rank's collective count in memory shared by the ranks of this machine (None if unavailable).

        Returns ``(slots, world_ranks, window)``: ``slots[i][0]`` is the count of the machine's i-th rank,
        world rank ``world_ranks[i]``; written by its owner, read by the others without any MPI call
        (so even a hung rank's count can be read) — a timeout error can then name the ranks behind.
        """
        MPI = self.MPI
        try:
            node = self.comm.Split_type(MPI.COMM_TYPE_SHARED)
            win = MPI.Win.Allocate_shared(8, 8, comm=node)
            slots = [np.frombuffer(win.Shared_query(r)[0], dtype=np.int64) for r in range(node.Get_size())]
            world = MPI.Group.Translate_ranks(node.Get_group(), list(range(node.Get_size())), self.comm.Get_group())
        except Exception:  # pragma: no cover - an MPI without shared windows
            return None
        slots[node.Get_rank()][0] = 0
        return slots, list(world), win, node.Get_rank()

    # ---------------------------------------------------------------- requests and faults
    def new_status(self):
        return self.MPI.Status()

    @staticmethod
    def test(request, status=None) -> bool:
        return request.Test(status) if status is not None else request.Test()

    def abort(self, code: int = 1) -> None:
        """MPI_Abort: the launcher ends every rank of the job."""
        self.comm.Abort(code)
