"""``deepglass.distributed``: several processes training one model (PyTorch's ``torch.distributed``).

deepglass writes no transport: processes talk through MPI (mpi4py over MPICH or Open MPI, ``pip
install mpi4py mpich``) or, between GPUs, NCCL (CuPy's bindings). A job is started by a launcher,
``mpiexec -n 4 python train.py``; each process calls :func:`init_process_group` and then works on
its shard of the data, and collectives (:func:`all_reduce` …) combine tensors across processes.
:class:`deepglass.nn.parallel.DistributedDataParallel` builds data-parallel training on them.

Faults: every wait is bounded by the group's ``timeout`` and names the waiting rank; an uncaught
exception in any rank aborts the whole job (``MPI_Abort``) after printing which rank failed.

Example (run with ``mpiexec -n 2 python script.py``):
    >>> import deepglass as dg, deepglass.distributed as dist
    >>> dist.init_process_group("mpi")                     # doctest: +SKIP
    >>> t = dg.ones(2) * dist.get_rank()                   # doctest: +SKIP
    >>> dist.all_reduce(t); t                              # doctest: +SKIP
    tensor([1., 1.])
"""
from .collectives import *  # noqa: F401,F403
from .collectives import __all__ as _collectives_all
from .process_group import *  # noqa: F401,F403
from .process_group import __all__ as _pg_all

__all__ = list(_pg_all) + list(_collectives_all)
