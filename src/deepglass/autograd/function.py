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
output's ``grad_fn``.

The contract (checked by the engine, as PyTorch checks it):

- ``backward`` returns one gradient per positional argument of ``apply``
  (``None`` for non-tensor arguments and inputs without one); a wrong count is a
  ``RuntimeError`` "function XBackward returned an incorrect number of gradients
  (expected 2, got 1)". Extra trailing ``None`` s are dropped, as in PyTorch.
  Unlike PyTorch, the options after the last Tensor argument (an axis, a flag)
  may be left out: ``return g`` for ``apply(x, axis)``; every Tensor argument,
  with or without ``requires_grad``, needs its entry.
- Each gradient has the input's shape, or a shape the input broadcasts to: the
  engine sums it back to the input's shape in one place; anything else is a
  ``RuntimeError`` naming the op, the input index and both shapes.
- Backward never modifies ``grad`` in place, and never returns one new array for
  two inputs (returning ``grad`` itself for several inputs is fine: the engine
  copies it before storing it in a leaf's ``.grad``).

Several outputs. ``forward`` may return a tuple of arrays; ``apply`` then
returns a tuple of Tensors (all of them nodes of the same ``ctx``), and
``backward`` receives one gradient per output. Outputs that carry no gradient
(the indices of max-pooling, sort, topk) are marked with
``ctx.mark_non_differentiable(array, ...)``: their Tensors do not require grad.
By default a gradient that did not flow (an output not used, or a
non-differentiable one) arrives as zeros of the output's shape;
``ctx.set_materialize_grads(False)`` makes it ``None`` instead (skip the work)::

    class MaxWithIndex(Function):          # values and indices of the maximum along the last axis
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax(axis=-1)[..., None]
            values = xp_of(x).take_along_axis(x, idx, axis=-1)[..., 0]
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            ctx.shape = x.shape
            return values, idx

        @staticmethod
        def backward(ctx, grad_values, grad_idx):   # grad_idx: zeros, never used
            (idx,) = ctx.saved_tensors
            gx = xp_of(grad_values).zeros(ctx.shape, grad_values.dtype)
            xp_of(gx).put_along_axis(gx, idx, grad_values[..., None], axis=-1)
            return gx

    values, idx = MaxWithIndex.apply(x)   # values.grad_fn is the ctx; idx.requires_grad is False

Hooks. ``with apply_hook(hook):`` routes every ``Function.apply`` of this thread
through ``hook(cls, args, kwargs, call)`` (see :class:`FunctionHook`): the hook
sees the primitive, its positional arguments (Tensors) and its keyword options,
and returns the outputs, by calling ``call()`` (the op itself, or the next hook
out) or by building them itself. This is how the shape-only pass of
``deepglass.analysis.summary`` runs and how a tracer records a graph.
"""
from __future__ import annotations

import threading
import weakref
from contextlib import contextmanager

from . import grad_mode


class Function:
    """Base of every primitive op; an instance is the ``ctx`` and the graph node."""

    # the inputs (Tensors or other values) and their versions, set by apply()
    _inputs: tuple = ()
    _versions: tuple = ()
    needs_input_grad: tuple = ()
    saved_tensors: tuple = ()
    _freed = False
    _non_diff = None        # ids of output arrays marked non-differentiable
    _materialize = True     # missing output gradients arrive as zeros (False: None)
    complex_grad = False    # backward follows PyTorch's complex convention (checked: deepglass.ops.complex)
    _out_refs = None        # multi-output nodes: a weak reference per output Tensor (None where none)
    _out_meta = None        # multi-output nodes: (shape, dtype) per output, to materialise zeros
    _since = 0              # in-place ops (deepglass._inplace): the version of the tensor this node made
    _prev = None            # ... the node that produced that tensor before (the engine routes by version)
    _counter = None         # ... and that tensor's version counter

    def save_for_backward(self, *arrays) -> None:
        self.saved_tensors = arrays

    def mark_non_differentiable(self, *arrays) -> None:
        """Mark output arrays (returned by ``forward``) as carrying no gradient (indices, masks)."""
        self._non_diff = (self._non_diff or frozenset()) | {id(a) for a in arrays}

    def set_materialize_grads(self, value: bool) -> None:
        """``True`` (default): gradients of unused outputs arrive as zeros; ``False``: as ``None``."""
        self._materialize = bool(value)

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        if _any_hook and _hooks.stack:  # one global read when no thread has a hook
            return _hooked_apply(cls, args, kwargs)
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
            # each input's version (Tensor._version, read from its counter inline: this is the hot path)
            ctx._versions = tuple([(0 if a._vc is None else a._vc[0]) if isinstance(a, Tensor) else 0 for a in args])
            if type(out) is tuple:
                return _wrap_outputs(ctx, out)
            if ctx._non_diff is not None and id(out) in ctx._non_diff:
                return from_array(out)
            return from_array(out, ctx)
        out = cls.forward(ctx, *arrays, **kwargs)
        if type(out) is tuple:
            return tuple([from_array(o) if _is_array(o) else o for o in out])
        return from_array(out)

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


def _is_array(o) -> bool:
    return hasattr(o, "shape") and hasattr(o, "dtype")


def _wrap_outputs(ctx, outs):
    """Tensors over the outputs of a multi-output node (the recorded case)."""
    non_diff = ctx._non_diff or ()
    tensors, refs, meta = [], [], []
    for o in outs:
        if not _is_array(o):  # a non-array output passes through unchanged
            tensors.append(o)
            refs.append(None)
            meta.append(None)
            continue
        t = from_array(o) if id(o) in non_diff else from_array(o, ctx)
        tensors.append(t)
        refs.append(weakref.ref(t) if t.requires_grad else None)
        meta.append((o.shape, o.dtype))
    ctx._out_refs = tuple(refs)
    ctx._out_meta = tuple(meta)
    return tuple(tensors)


# ------------------------------------------------------------------- hooks
class _HookState(threading.local):
    def __init__(self):
        self.stack = []  # this thread's active hooks, innermost last


_hooks = _HookState()
_any_hook = 0  # active hooks over all threads: the no-hook hot path reads only this
_count_lock = threading.Lock()


class FunctionHook:
    """Sees every ``Function.apply`` of the thread while active (``with apply_hook(hook):``).

    Subclass and override :meth:`__call__`, or pass any callable
    ``hook(cls, args, kwargs, call)`` to :func:`apply_hook`:

    - ``cls``: the ``Function`` subclass (the primitive: ``Add``, ``Conv2d`` ...),
    - ``args``: the positional arguments as given to ``apply`` (Tensors, numbers, tuples),
    - ``kwargs``: the keyword options,
    - ``call()``: runs the call (through the hooks outside this one) and returns its outputs.

    The hook returns the outputs (a Tensor, or a tuple for a multi-output
    primitive): ``call()``'s, or its own. While a hook runs it is taken off the
    stack, as PyTorch does with dispatch modes: ops it runs (``call()`` included,
    or ``cls.apply(*other_args)``) go to the hooks outside it, never back into
    itself; a hook entered inside its body stacks on top as usual. Hooks are per
    thread: another thread's ops are not seen.

    Example:
        >>> import deepglass
        >>> from deepglass.autograd.function import apply_hook
        >>> seen = []
        >>> def record(cls, args, kwargs, call):
        ...     seen.append(cls.__name__)
        ...     return call()
        >>> with apply_hook(record):
        ...     y = deepglass.ones(2) * 3 + 1
        >>> seen
        ['Mul', 'Add']
    """

    def __call__(self, cls, args, kwargs, call):  # pragma: no cover - the default does nothing
        return call()


@contextmanager
def apply_hook(hook):
    """Route this thread's ``Function.apply`` calls through ``hook`` inside the ``with`` block.

    Args:
        hook: a :class:`FunctionHook` or a callable ``hook(cls, args, kwargs, call)``.

    Example:
        >>> import deepglass
        >>> from deepglass.autograd.function import apply_hook
        >>> def ones_instead(cls, args, kwargs, call):   # replace every Exp's result
        ...     out = call()
        ...     return deepglass.ones_like(out) if cls.__name__ == "Exp" else out
        >>> with apply_hook(ones_instead):
        ...     deepglass.exp(deepglass.zeros(2) + 5)
        tensor([1., 1.])
    """
    global _any_hook
    stack = _hooks.stack
    stack.append(hook)
    with _count_lock:
        _any_hook += 1
    try:
        yield hook
    finally:
        with _count_lock:
            _any_hook -= 1
        if stack and stack[-1] is hook:
            stack.pop()
        else:  # exited out of order (a generator closed late): remove this one
            for i in range(len(stack) - 1, -1, -1):
                if stack[i] is hook:
                    del stack[i]
                    break


def _hooked_apply(cls, args, kwargs):
    stack = _hooks.stack
    hook = stack.pop()  # off the stack while it runs: its own ops go to the hooks outside it
    try:
        return hook(cls, args, kwargs, lambda: cls.apply(*args, **kwargs))
    finally:
        stack.append(hook)


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

from .._tensor import Tensor, from_array  # noqa: E402
