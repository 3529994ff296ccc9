"""``save`` / ``load``: state dicts and nested checkpoints as one safetensors file (no pickle).

Tensors (deepglass Tensors and NumPy arrays) go into the safetensors data
under their key path (``"model/conv.weight"``; a plain state dict keeps its
own keys, so the file is an ordinary safetensors state dict). Everything else
— numbers (ints of any size), strings, bools, None, lists, tuples, dicts with
str/int/float/bool/None/tuple keys, NumPy scalars and dtypes — is stored as a
JSON tree in the header metadata (``deepglass.tree``), with markers that
restore int keys, tuples and non-finite floats exactly.
"""
from __future__ import annotations

import json
import math
import numbers

import numpy as np

from .. import backend
from .._tensor import Tensor, from_array
from .safetensors_io import read_file, serialize, to_numpy, write_bytes

FORMAT = "deepglass.checkpoint"
VERSION = 1
_MARK = "__dg_"


class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}
        self.seen: dict[int, str] = {}

    def _name(self, parts) -> str:
        base = "/".join(parts) or "tensor"
        name, n = base, 1
        while name in self.arrays:
            name, n = f"{base}#{n}", n + 1
        return name

    def key(self, k, parts):
        if k is None or isinstance(k, (str, bool, numbers.Integral, float)):
            return self.value(k, parts)
        if isinstance(k, tuple):
            return self.value(k, parts)
        raise TypeError(f"deepglass.save: can't save dict key {k!r} of type {type(k).__name__} at "
                        f"'{'/'.join(parts) or '<root>'}'; keys may be str, int, float, bool, None or tuples")

    def value(self, x, parts):
        if isinstance(x, Tensor) or isinstance(x, np.ndarray) or backend.is_cuda_array(x):
            if id(x) in self.seen:  # the same tensor twice (tied weights): stored once
                return {_MARK + "tensor__": self.seen[id(x)], "ndarray": not isinstance(x, Tensor)}
            name = self._name(parts)
            self.arrays[name] = to_numpy(x, name)
            self.seen[id(x)] = name
            return {_MARK + "tensor__": name, "ndarray": not isinstance(x, Tensor)}
        if x is None or isinstance(x, (str, bool)):
            return x
        if isinstance(x, np.generic):
            if x.dtype.kind not in "biuf":
                raise TypeError(f"deepglass.save: can't save NumPy scalar of dtype {x.dtype} at '{'/'.join(parts)}'")
            return {_MARK + "np__": x.dtype.name, "v": self.value(x.item(), parts)}
        if isinstance(x, np.dtype):
            return {_MARK + "dtype__": x.name}
        if isinstance(x, numbers.Integral):
            return int(x)
        if isinstance(x, float):
            return x if math.isfinite(x) else {_MARK + "float__": repr(x)}
        if isinstance(x, list):
            return [self.value(v, parts + [str(i)]) for i, v in enumerate(x)]
        if isinstance(x, tuple):
            return {_MARK + "tuple__": [self.value(v, parts + [str(i)]) for i, v in enumerate(x)]}
        if isinstance(x, dict):
            if all(isinstance(k, str) and not k.startswith(_MARK) for k in x):
                return {k: self.value(v, parts + [k]) for k, v in x.items()}
            return {_MARK + "dict__": [[self.key(k, parts), self.value(v, parts + [str(k)])] for k, v in x.items()]}
        hint = ""
        if hasattr(x, "state_dict") and callable(x.state_dict):
            hint = "; save its .state_dict() instead"
        raise TypeError(f"deepglass.save: can't save an object of type {type(x).__name__} at "
                        f"'{'/'.join(parts) or '<root>'}'{hint}. Supported: Tensors, NumPy arrays, numbers, str, "
                        "bool, None, lists, tuples and dicts of these")


def _hashable(k):
    return tuple(_hashable(v) for v in k) if isinstance(k, list) else k


class _Decoder:
    def __init__(self, arrays, device):
        self.arrays, self.device, self.made = arrays, device, {}

    def __call__(self, x):
        if isinstance(x, list):
            return [self(v) for v in x]
        if not isinstance(x, dict):
            return x
        if _MARK + "tensor__" in x:
            name, as_array = x[_MARK + "tensor__"], x.get("ndarray", False)
            if name not in self.arrays:
                raise ValueError(f"checkpoint refers to tensor {name!r}, which the file does not hold (corrupt file)")
            if (name, as_array) not in self.made:
                arr = self.arrays[name]
                self.made[(name, as_array)] = arr if as_array else from_array(backend.to_device(arr, self.device))
            return self.made[(name, as_array)]
        if _MARK + "tuple__" in x:
            return tuple(self(v) for v in x[_MARK + "tuple__"])
        if _MARK + "dict__" in x:
            return {_hashable(self(k)): self(v) for k, v in x[_MARK + "dict__"]}
        if _MARK + "float__" in x:
            return float(x[_MARK + "float__"])
        if _MARK + "np__" in x:
            return np.dtype(x[_MARK + "np__"]).type(self(x["v"]))
        if _MARK + "dtype__" in x:
            return np.dtype(x[_MARK + "dtype__"])
        return {k: self(v) for k, v in x.items()}


def save(obj, f) -> None:
    """Save a state dict or a nested checkpoint to ``f`` as safetensors + JSON metadata, atomically.

    Args:
        obj: ``{name: Tensor}``, or a nested dict such as
            ``{"model": model.state_dict(), "optimizer": opt.state_dict(),
            "epoch": 3, "rng": deepglass.get_rng_state()}``.
        f: a path (written atomically: a crash leaves the previous file) or an
            open binary file.

    Raises:
        TypeError: an unsupported object, naming its key path (e.g. ``optimizer/state/0/foo``).

    Example:
        >>> import deepglass as dg
        >>> dg.save({"model": {"w": dg.ones(2)}, "epoch": 3}, "ckpt.safetensors")  # doctest: +SKIP
        >>> dg.load("ckpt.safetensors")["epoch"]  # doctest: +SKIP
        3
    """
    from ..nn.modules.module import Module

    if isinstance(obj, Module):  # a whole module: weights + a JSON description of its tree (io/modules.py)
        from .modules import save_module

        return save_module(obj, f)
    enc = _Encoder()
    tree = enc.value(obj, [])
    meta = {"deepglass.format": FORMAT, "deepglass.version": str(VERSION),
            "deepglass.tree": json.dumps(tree, allow_nan=False, separators=(",", ":"))}
    write_bytes(serialize(enc.arrays, meta), f)


def load(f, map_location=None, weights_only: bool = True):
    """Load what :func:`save` wrote (or any safetensors file, e.g. from ``safetensors.torch.save_file``).

    Args:
        f: a path or an open binary file.
        map_location: the device for the tensors (default CPU).
        weights_only: for a whole module saved with ``save(module, f)``: ``True`` (the default, as in
            PyTorch >= 2.6) rebuilds it only if every class in it is allow-listed
            (``deepglass.serialization.add_safe_globals``), ``False`` rebuilds it. Tensors and state
            dicts load either way; deepglass never unpickles.

    Returns:
        The saved object, rebuilt with the same nesting, int keys and tuples;
        a plain safetensors file gives ``{name: Tensor}``.

    Raises:
        FileNotFoundError: no such file.
        ValueError: a corrupt or truncated file (names it), or one from a newer deepglass.

    Example:
        >>> sd = deepglass.load("model.safetensors")  # doctest: +SKIP
    """
    arrays, meta = read_file(f)
    device = backend.as_device(map_location)
    if "deepglass.module" in meta:  # a whole module: rebuilt only on opt-in (io/modules.py)
        from .modules import load_module

        return load_module(arrays, meta, f, map_location, weights_only)
    if "deepglass.tree" not in meta:
        return {k: from_array(backend.to_device(a, device)) for k, a in arrays.items()}
    version = meta.get("deepglass.version", "?")
    if meta.get("deepglass.format") != FORMAT or not version.isdigit():
        raise ValueError(f"{f}: unknown deepglass format {meta.get('deepglass.format')!r} version {version!r}")
    if int(version) > VERSION:
        raise ValueError(f"{f} was written by a newer deepglass (format version {version}, this one reads up to "
                         f"{VERSION}); upgrade deepglass")
    try:
        tree = json.loads(meta["deepglass.tree"])
    except ValueError as e:
        raise ValueError(f"{f} is corrupt or truncated: its checkpoint metadata is not valid JSON ({e})") from None
    try:
        return _Decoder(arrays, device)(tree)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as e:
        where = f": {e}" if isinstance(e, ValueError) else f" ({type(e).__name__}: {e})"
        raise ValueError(f"{f} is damaged: its checkpoint tree can't be rebuilt{where}") from None
