"""``deepglass.nn.parallel``: PyTorch's parallel wrappers.

:class:`DataParallel` runs its module on one device (deepglass does not split a
batch across GPUs in one process). :class:`DistributedDataParallel` trains one
replica per process and averages gradients across processes (``deepglass.distributed``).

Example:
    >>> import deepglass as dg
    >>> dg.nn.parallel.DistributedDataParallel.__name__
    'DistributedDataParallel'
"""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
