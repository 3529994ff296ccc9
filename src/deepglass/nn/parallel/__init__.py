"""``deepglass.nn.parallel``: PyTorch's parallel wrappers.

:class:`DataParallel` runs its module on one device (deepglass does not split a
batch across GPUs in one process). ``DistributedDataParallel`` comes with the
distributed issue (18) and will be added to this package; until then asking for
it says so.

Example:
    >>> import deepglass as dg
    >>> dg.nn.parallel.DistributedDataParallel
    Traceback (most recent call last):
    ...
    AttributeError: deepglass.nn.parallel.DistributedDataParallel is not implemented yet (issue 18: data-parallel training across processes); DataParallel runs a model on one device
"""
from .data_parallel import DataParallel

__all__ = ["DataParallel"]


def __getattr__(name):
    if name == "DistributedDataParallel":
        raise AttributeError(
            "deepglass.nn.parallel.DistributedDataParallel is not implemented yet (issue 18: data-parallel "
            "training across processes); DataParallel runs a model on one device"
        )
    raise AttributeError(f"module 'deepglass.nn.parallel' has no attribute {name!r}")
