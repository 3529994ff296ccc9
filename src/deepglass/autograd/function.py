"""``Function``: one primitive op, its forward and backward side by side.

A primitive subclasses ``Function`` and writes two static methods on raw
arrays (NumPy or CuPy)::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = xp_of(x).exp(x)
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y          # dL/dx = dL/dy * e^x

``Exp.apply(tensor)`` runs ``forward`` on the tensor's array and, when grad
mode is on and an input requires grad, records the instance (the *ctx*) as the
output's ``grad_fn``. ``backward`` returns one gradient per positional input
(``None`` for inputs without one). It may return a gradient of a broadcast
shape: the engine sums it back to the input's shape in one place. Backward
never modifies ``grad`` in place, and never returns one new array for two
inputs (returning ``grad`` itself for several inputs is fine: the engine copies
it before storing it in a leaf's ``.grad``).
"""
from __future__ import annotations

from . import grad_mode


class Function:
    """Base of every primitive op; an instance is the ``ctx`` and the graph node."""

    # the inputs (Tensors or other values) and their versions, set by apply()
    _inputs: tuple = ()
    _versions: tuple = ()
    needs_input_grad: tuple = ()
    saved_tensors: tuple = ()
    _freed = False
    _since = 0              # in-place ops (deepglass._inplace): the version of the tensor this node made
    _prev = None            # ... the node that produced that tensor before (the engine routes by version)
    _counter = None         # ... and that tensor's version counter

    def save_for_backward(self, *arrays) -> None:
        self.saved_tensors = arrays

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        # the hot path of every op: keep it lean (measured in bench/, µs per op)
        ctx = _new(cls)
        arrays = []
        any_needs = False
        first = None
        for a in args:
            if isinstance(a, Tensor):
                data = a._array
                if first is None:
                    first = data
                elif type(data) is not type(first) or (type(first) is not _ndarray and
                                                       _backend.device_of(data) != _backend.device_of(first)):
                    _raise_device_mismatch(cls, first, data)
                arrays.append(data)
                if a.requires_grad:
                    any_needs = True
            else:
                arrays.append(a)
        if any_needs and grad_mode._state.enabled:
            ctx.needs_input_grad = tuple([isinstance(a, Tensor) and a.requires_grad for a in args])
            out = cls.forward(ctx, *arrays, **kwargs)
            ctx._inputs = args
            ctx._versions = tuple([a._version if isinstance(a, Tensor) else 0 for a in args])
            return from_array(out, ctx)
        return from_array(cls.forward(ctx, *arrays, **kwargs))

    @property
    def name(self) -> str:
        return f"{type(self).__name__}Backward"

    def __repr__(self):
        return f"<{self.name}>"

    @property
    def next_functions(self):
        """The nodes this one passes gradients to (``None`` where none flows)."""
        out = []
        for a in self._inputs:
            if isinstance(a, Tensor) and a.requires_grad:
                out.append(a.grad_fn if a.grad_fn is not None else "AccumulateGrad")
            else:
                out.append(None)
        return tuple(out)

    def _release(self) -> None:
        """Drop saved arrays and inputs after a backward without ``retain_graph``."""
        d = self.__dict__
        route = (d["_since"], d["_prev"], d["_counter"]) if "_since" in d else None
        d.clear()
        if route is not None:  # in-place routing outlives the node's arrays (deepglass._inplace)
            self._since, self._prev, self._counter = route
        self._freed = True


def _raise_device_mismatch(cls, a, b):
    raise RuntimeError(
        f"{cls.__name__}: expected all tensors on the same device, found {_backend.device_of(a)} and "
        f"{_backend.device_of(b)}; "
        "move the model and the data to the same device with .to(device)"
    )


import numpy as _np  # noqa: E402

from .. import backend as _backend  # noqa: E402

_ndarray = _np.ndarray
_new = object.__new__

from .._tensor import Tensor, from_array
