"""Whole modules in a file without pickle: ``deepglass.save(model, f)`` / ``deepglass.load(f, weights_only=False)``.

The file is an ordinary safetensors file: the tensors are ``model.state_dict()`` under its usual
keys, and the header metadata holds ``deepglass.module``, a JSON description of the module tree.
Each node names its class by import path and the arguments its constructor was called with
(recorded when the module was built, see ``nn/modules/_init_args.py``) and lists its children::

    {"class": "deepglass.nn.modules.linear.Linear", "args": [4, 2], "kwargs": {"bias": true},
     "children": {}}

Loading rebuilds the root from its constructor call, then walks the recorded children: a child
that was replaced after construction (``model.fc = nn.Linear(512, 10)``) is rebuilt from its own
node and put in its place, then the weights are loaded with ``strict=True``. Arguments may be
JSON values, tuples, dicts with str keys, dtypes, devices, Modules and Module classes.

Limits (each refused or documented, never silently wrong in values): plain attributes set after
construction are not saved (as in ``state_dict``); weights tied after construction
(``decoder.weight = encoder.weight``) come back equal but untied unless the constructor ties them;
a constructor argument that is a function or a Tensor can't be described, and ``save`` says so.

Rebuilding imports and calls the classes the file names, so :func:`load_module` does it only
when the caller opts in (``weights_only=False``) or every class is allow-listed with
``deepglass.serialization.add_safe_globals``; and whatever a file says, only
``deepglass.nn.Module`` subclasses are ever called.

Example:
    >>> import io, deepglass
    >>> from deepglass import nn
    >>> buf = io.BytesIO()
    >>> deepglass.save(nn.Sequential(nn.Linear(4, 2), nn.ReLU()), buf)
    >>> m = deepglass.load(io.BytesIO(buf.getvalue()), weights_only=False)
    >>> m
    Sequential(
      (0): Linear(in_features=4, out_features=2, bias=True)
      (1): ReLU()
    )
"""
from __future__ import annotations

import importlib
import json
import math
import sys

import numpy as np

from .. import backend
from .._tensor import from_array
from .safetensors_io import serialize, to_numpy, write_bytes

FORMAT = "deepglass.module"
VERSION = 1
_M = "__dg_"


def _module_cls():
    from ..nn.modules.module import Module

    return Module


def _path(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# ------------------------------------------------------------------ save
def _arg(x, where: str):
    """One constructor argument as JSON (markers for tuples, dtypes, devices, modules, classes)."""
    Module = _module_cls()
    if x is None or isinstance(x, (bool, str, int)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else {_M + "float": repr(x)}
    if isinstance(x, list):
        return [_arg(v, f"{where}[{i}]") for i, v in enumerate(x)]
    if isinstance(x, tuple):
        return {_M + "tuple": [_arg(v, f"{where}[{i}]") for i, v in enumerate(x)]}
    if isinstance(x, dict) and all(isinstance(k, str) and not k.startswith(_M) for k in x):
        return {k: _arg(v, f"{where}[{k!r}]") for k, v in x.items()}
    if isinstance(x, Module):
        return {_M + "module": describe(x)}
    if isinstance(x, type) and issubclass(x, Module):
        return {_M + "class": _path(x)}
    if isinstance(x, np.dtype):  # deepglass's dtypes are NumPy's
        return {_M + "dtype": x.name}
    if isinstance(x, backend.Device):
        return {_M + "device": str(x)}
    raise TypeError(f"deepglass.save: can't save this module whole: constructor argument {where} is a "
                    f"{type(x).__name__} ({x!r:.60}), which can't be described without pickle. "
                    "Save its state_dict() instead (deepglass.save(model.state_dict(), f)) and rebuild the model "
                    "in code before load_state_dict")


def describe(module) -> dict:
    """The JSON-able description of ``module``'s tree (class, constructor arguments, children)."""
    cls = type(module)
    rec = module.__dict__.get("_init_args")
    if rec is None:
        if cls.__init__ is not _module_cls().__init__:  # (no __init__ of its own: built with no arguments)
            raise TypeError(f"deepglass.save: {cls.__name__} has no recorded constructor arguments")
        rec = ((), {})
    args, kwargs = rec
    name = cls.__name__
    return {"class": _path(cls),
            "args": [_arg(a, f"{name}(arg {i})") for i, a in enumerate(args)],
            "kwargs": {k: _arg(v, f"{name}({k}=...)") for k, v in kwargs.items()},
            "children": {k: (None if m is None else describe(m)) for k, m in module._modules.items()}}


def save_module(module, f) -> None:
    """Write ``module``'s weights (safetensors) and its tree description (JSON metadata) to ``f``."""
    tree = describe(module)
    arrays = {k: to_numpy(v, k) for k, v in module.state_dict().items()}
    meta = {"deepglass.format": FORMAT, "deepglass.version": str(VERSION),
            "deepglass.module": json.dumps(tree, allow_nan=False, separators=(",", ":"))}
    write_bytes(serialize(arrays, meta), f)


# ------------------------------------------------------------------ load
def classes_in(tree: dict) -> list:
    """Every class path a description names (sorted, unique)."""
    found = set()

    def walk(x):
        if isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, dict):
            if "class" in x and "children" in x:
                found.add(x["class"])
            if _M + "class" in x:
                found.add(x[_M + "class"])
            for v in x.values():
                walk(v)

    walk(tree)
    return sorted(found)


def _resolve(path: str, allowed: set | None):
    """The Module subclass at ``path``; refuses anything else, and (if ``allowed``) anything not in it."""
    if allowed is not None and path not in allowed:
        raise RuntimeError(f"deepglass.load: class {path} is not allow-listed")
    Module = _module_cls()
    modname, _, qual = path.rpartition(".")
    obj = None
    while modname:  # the longest importable prefix, then attributes (nested classes)
        try:
            obj = sys.modules.get(modname) or importlib.import_module(modname)
            break
        except ImportError:
            modname, _, head = modname.rpartition(".")
            qual = f"{head}.{qual}"
    if obj is None:
        raise RuntimeError(f"deepglass.load: can't import {path}; the module that defines it must be importable "
                           "(a class defined in a script is found only while that script runs as __main__)")
    for part in qual.split("."):
        obj = getattr(obj, part, None)
    if not (isinstance(obj, type) and issubclass(obj, Module)):
        raise RuntimeError(f"deepglass.load: {path} is not a deepglass.nn.Module subclass; "
                           "only Module subclasses are ever rebuilt")
    return obj


class _Builder:
    def __init__(self, allowed):
        self.allowed = allowed

    def value(self, x):
        if isinstance(x, list):
            return [self.value(v) for v in x]
        if not isinstance(x, dict):
            return x
        if _M + "tuple" in x:
            return tuple(self.value(v) for v in x[_M + "tuple"])
        if _M + "float" in x:
            return float(x[_M + "float"])
        if _M + "module" in x:
            return self.build(x[_M + "module"])
        if _M + "class" in x:
            return _resolve(x[_M + "class"], self.allowed)
        if _M + "dtype" in x:
            return np.dtype(x[_M + "dtype"])
        if _M + "device" in x:
            return backend.as_device(x[_M + "device"])
        return {k: self.value(v) for k, v in x.items()}

    def build(self, node):
        cls = _resolve(node["class"], self.allowed)
        module = cls(*self.value(node["args"]), **self.value(node["kwargs"]))
        self.fix_children(module, node)
        return module

    def fix_children(self, module, node):
        want = node["children"]
        for name in [n for n in module._modules if n not in want]:
            delattr(module, name)  # removed after construction
        for name, child in want.items():
            have = module._modules.get(name)
            if child is None:
                if name in module._modules:
                    module._modules[name] = None
                continue
            same = have is not None and _path(type(have)) == child["class"] and \
                have.__dict__.get("_init_args") is not None and \
                _arg_tuple(have) == (child["args"], child["kwargs"])
            if same:
                self.fix_children(have, child)
            else:
                setattr(module, name, self.build(child))  # replaced after construction: keeps its place


def _arg_tuple(m):
    args, kwargs = m.__dict__["_init_args"]
    try:
        return ([_arg(a, "") for a in args], {k: _arg(v, "") for k, v in kwargs.items()})
    except TypeError:
        return None


def load_module(arrays: dict, meta: dict, f, device, weights_only: bool):
    """Rebuild the module a :func:`save_module` file describes (see the module docstring for when)."""
    version = meta.get("deepglass.version", "?")
    if not version.isdigit() or int(version) > VERSION:
        raise ValueError(f"{f}: whole-module file of format version {version!r}; this deepglass reads up to "
                         f"{VERSION} (upgrade deepglass)")
    try:
        tree = json.loads(meta["deepglass.module"])
    except ValueError as e:
        raise ValueError(f"{f} is corrupt or truncated: its module description is not valid JSON ({e})") from None
    allowed = None
    if weights_only:
        from ..serialization import allowed_paths

        allowed = allowed_paths()
        missing = [c for c in classes_in(tree) if c not in allowed]
        if missing:
            where = f if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__") else "this file"
            raise RuntimeError(
                f"deepglass.load: {where} holds a whole module ({tree['class']}), not a state dict. Rebuilding "
                f"it imports and calls its classes; with weights_only=True (the default, as in PyTorch >= 2.6) "
                f"each must be allow-listed, and these are not: {', '.join(missing)}. If you trust the file, "
                "pass weights_only=False, or allow the classes with "
                "deepglass.serialization.add_safe_globals([...]) or "
                "`with deepglass.serialization.safe_globals([...]):`. Only deepglass.nn.Module subclasses are "
                "ever rebuilt; deepglass never unpickles.")
    module = _Builder(allowed).build(tree)
    module.load_state_dict({k: from_array(a) for k, a in arrays.items()}, strict=True)
    dev = backend.as_device(device)
    return module if str(dev) == "cpu" else module.to(dev)
