"""``deepglass.nn``: the notes' 构建网络 — modules, layers, losses, initialisation.

Layers live in :mod:`deepglass.nn.modules` (one file per family), their
stateless kernels in :mod:`deepglass.nn.functional`.
"""
from . import functional, init  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Parameter

__all__ = ["Parameter", "functional", "init", "utils", "parallel", "DataParallel"] + list(_modules_all)


def __getattr__(name):
    if name in ("utils", "parallel"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    if name == "DataParallel":
        from .parallel import DataParallel

        return DataParallel
    raise AttributeError(f"module 'deepglass.nn' has no attribute {name!r}")
