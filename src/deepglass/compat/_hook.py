"""The import hook behind :mod:`deepglass.compat`: a meta-path finder and thin proxy modules.

``torch.X.Y`` maps to ``deepglass.X.Y`` and ``torchvision.X`` to ``deepglass.compat.torchvision.X``
(:data:`ALIASES` lists the few exceptions). Each import gives a small proxy module named as the
script asked (``torch.nn``) that forwards attribute access to the deepglass module; a missing
attribute or module raises ``deepglass does not implement torch.X yet``.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types

ROOTS = {"torch": "deepglass", "torchvision": "deepglass.compat.torchvision"}
ALIASES: dict = {}  # torch name -> deepglass module path where they differ (None: absent on purpose, see MESSAGES)
MESSAGES: dict = {}  # torch name -> why it is absent, where the generic "not implemented yet" would mislead


def missing(name: str) -> str:
    return MESSAGES.get(name, f"deepglass does not implement {name} yet")


def target_of(name: str) -> str | None:
    """The deepglass module path behind the torch/torchvision module ``name`` (None: absent on purpose)."""
    if name in ALIASES:
        return ALIASES[name]
    root, _, rest = name.partition(".")
    return ROOTS[root] + ("." + rest if rest else "")


class Proxy(types.ModuleType):
    """``torch.X`` as the script sees it: forwards to ``deepglass.X``; missing names say so."""

    def __init__(self, name: str, target: types.ModuleType):
        super().__init__(name, getattr(target, "__doc__", None))
        object.__setattr__(self, "_dg_target", target)
        self.__path__ = []  # a package: submodules come through the finder

    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):
            if attr == "__version__":
                return getattr(self._dg_target, attr, "2.13.0")
            raise AttributeError(attr)
        target = self._dg_target
        try:
            value = getattr(target, attr)
        except AttributeError:
            value = None
        else:
            if not (isinstance(value, types.ModuleType) and value.__name__.startswith("deepglass")):
                return value
        sub = f"{self.__name__}.{attr}"
        try:  # a sub-module (torch.nn, torch.serialization ...), as its proxy
            return importlib.import_module(sub)
        except ModuleNotFoundError as e:
            if e.name != sub:  # something the deepglass module itself imports is missing: say that
                raise
            if value is not None:
                return value
            raise AttributeError(missing(sub)) from None

    def __setattr__(self, attr: str, value):
        # `torch.backends.cudnn.benchmark = True` must reach deepglass; sub-module proxies stay here
        if attr.startswith("__") or isinstance(value, Proxy):
            object.__setattr__(self, attr, value)
        else:
            setattr(self._dg_target, attr, value)

    def __delattr__(self, attr: str):
        if attr in self.__dict__:
            object.__delattr__(self, attr)
        else:
            delattr(self._dg_target, attr)

    def __dir__(self):
        return sorted(set(dir(self._dg_target)) | set(self.__dict__))

    def __repr__(self):
        return f"<module {self.__name__!r} (deepglass: {self._dg_target.__name__})>"


class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds every ``torch``/``torchvision`` module and loads it as a :class:`Proxy`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] not in ROOTS:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        dg_name = target_of(spec.name)
        if dg_name is None:
            raise ModuleNotFoundError(missing(spec.name), name=spec.name)
        try:
            target = importlib.import_module(dg_name)
        except ModuleNotFoundError as e:
            if e.name and dg_name.startswith(e.name):  # the deepglass module itself is absent
                raise ModuleNotFoundError(missing(spec.name), name=spec.name) from None
            raise
        return Proxy(spec.name, target)

    def exec_module(self, module):
        pass


def _tensor_getattr(self, name: str):
    """Under the hook, a missing Tensor method says deepglass lacks it (only called when lookup failed)."""
    if name.startswith("_"):
        raise AttributeError(f"'Tensor' object has no attribute {name!r}")
    raise AttributeError(f"'Tensor' object has no attribute {name!r}: deepglass does not implement "
                         f"torch.Tensor.{name} yet")


_finder: Finder | None = None
_saved: dict = {}


def _ours(name: str) -> bool:
    return name.partition(".")[0] in ROOTS


def install() -> None:
    """Make ``import torch`` / ``import torchvision`` give deepglass (idempotent)."""
    global _finder
    if _finder is not None:
        return
    for name in [n for n in sys.modules if _ours(n)]:
        _saved[name] = sys.modules.pop(name)  # real torch modules already imported
    _finder = Finder()
    sys.meta_path.insert(0, _finder)
    from .._tensor import Tensor

    if "__getattr__" not in Tensor.__dict__:
        Tensor.__getattr__ = _tensor_getattr


def uninstall() -> None:
    """Remove the hook and the proxies; real torch modules imported before :func:`install` come back."""
    global _finder
    if _finder is None:
        return
    sys.meta_path.remove(_finder)
    _finder = None
    from .._tensor import Tensor

    if Tensor.__dict__.get("__getattr__") is _tensor_getattr:
        del Tensor.__getattr__
    for name in [n for n in sys.modules if _ours(n)]:
        del sys.modules[name]
    sys.modules.update(_saved)
    _saved.clear()


def is_installed() -> bool:
    return _finder is not None
