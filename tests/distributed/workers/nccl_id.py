"""Every rank receives rank 0's NCCL unique id through MPI as a raw buffer (no pickled object)."""
import pickle

from deepglass.distributed._nccl import _exchange_id


class FakeNccl:  # stands in for cupy.cuda.nccl on a machine without a GPU
    @staticmethod
    def get_unique_id():
        return tuple((7 * i) % 256 - 128 for i in range(128))  # signed byte values, as CuPy returns them


def _no_pickle(*args, **kwargs):
    raise AssertionError("the NCCL id must not travel as a pickle")


pickle.dumps = pickle.loads = _no_pickle  # mpi4py's lowercase bcast would call these
uid = _exchange_id(FakeNccl, None, None, None, 10)
assert uid == FakeNccl.get_unique_id(), uid
print("nccl id OK")
