"""``default_collate``: a list of samples → one batch of deepglass Tensors (PyTorch's rules).

* Tensors and NumPy arrays are stacked along a new dimension 0 (dtype kept:
  float32 stays float32, uint8 stays uint8).
* Python ints → int64, Python floats → float64, bools → bool (1-D tensors).
* NumPy scalars → a 1-D tensor of their dtype.
* Strings and bytes stay a list.
* Dicts, tuples, lists and namedtuples are collated field by field; a tuple
  sample ``(x, y)`` gives a list ``[X, Y]``, as in PyTorch.
"""
from __future__ import annotations

import collections.abc
import numbers

import numpy as np

from .. import backend
from .._tensor import Tensor, from_array

_HINT = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}{}")


def _stack_arrays(arrays, what):
    first = arrays[0]
    for i, a in enumerate(arrays[1:], 1):
        if a.shape != first.shape:
            raise RuntimeError(f"stack expects each {what} to be equal size, but got {list(first.shape)} at entry 0 "
                               f"and {list(a.shape)} at entry {i}; resize/crop samples to one size or pass a "
                               "collate_fn that pads them")
    if any(backend.is_cuda_array(a) for a in arrays):
        devs = {backend.device_of(a) for a in arrays}
        if len(devs) > 1:
            raise RuntimeError(f"default_collate: samples are on different devices {sorted(map(str, devs))}")
        xp = backend.array_module_of(next(a for a in arrays if backend.is_cuda_array(a)))
        with backend.device_context(devs.pop()):
            return from_array(xp.stack(arrays))
    return from_array(np.stack(arrays))


def default_collate(batch):
    """Merge a list of samples into a batch (see the module docstring for the rules).

    Example:
        >>> import numpy as np
        >>> xb, yb = default_collate([(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 0)])
        >>> xb.shape, xb.dtype, yb.dtype
        ((2, 2), dtype('float32'), dtype('int64'))
    """
    if not isinstance(batch, (list, tuple)) or len(batch) == 0:
        raise TypeError("default_collate expects a non-empty list of samples")
    elem = batch[0]
    if isinstance(elem, Tensor):
        if any(not isinstance(b, Tensor) for b in batch):
            raise TypeError("default_collate: a batch mixes Tensors with other types")
        return _stack_arrays([b._array for b in batch], "tensor")
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "USO":
            raise TypeError(_HINT.format(f"numpy array of dtype {elem.dtype}", ""))
        return _stack_arrays([np.asarray(b) for b in batch], "array")
    if isinstance(elem, np.generic):
        if elem.dtype.kind in "USO":
            return list(batch)
        return from_array(np.asarray(batch, dtype=elem.dtype))
    if isinstance(elem, bool):
        return from_array(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, numbers.Integral):
        return from_array(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return from_array(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(out) if type(elem) is not dict else out
        except TypeError:
            return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [list(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return [default_collate(s) for s in transposed]
        try:
            return type(elem)([default_collate(s) for s in transposed])
        except TypeError:
            return [default_collate(s) for s in transposed]
    hint = ""
    if type(elem).__module__.startswith("PIL"):
        hint = "; a PIL image: add transform=deepglass.data.transforms.ToTensor() to the dataset"
    raise TypeError(_HINT.format(type(elem).__name__, hint))


def default_convert(data):
    """Without auto-batching (``batch_size=None``): NumPy arrays → Tensors, containers recursively.

    Example:
        >>> import numpy as np
        >>> default_convert({"x": np.arange(3)})["x"].shape
        (3,)
    """
    if isinstance(data, np.ndarray) and data.dtype.kind not in "USO":
        return from_array(data)
    if isinstance(data, np.generic) and data.dtype.kind not in "USO":
        return from_array(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data
