"""``deepglass.nn.parallel``: PyTorch's parallel wrappers.

:class:`DataParallel` runs its module on one device (deepglass does not split a
batch across GPUs in one process). ``DistributedDataParallel`` comes with the
distributed issue (18) and will be added to this package.
"""
from .data_parallel import DataParallel

__all__ = ["DataParallel"]
