"""Tracing one forward pass for the ONNX exporter.

The trace sees every primitive through the supported apply hook
(:func:`deepglass.autograd.function.apply_hook`): each ``Function.apply`` becomes
an :class:`Event` (the primitive's class, its arguments and keyword options, its
outputs, and the path of the module that called it, tracked with forward pre/post
hooks on every module). Nothing is patched.

Three details make the trace faithful:

* The inputs are traced as tensors that require grad, with grad mode on, so the
  fast paths that skip ``Function.apply`` for tensors without a graph (basic
  indexing, for one) go through the hook like every other op.
* Every op runs on its reference kernel (``use_reference_kernels()``): one
  ``Function`` class per primitive to map.
* Besides the main trace, the model runs once more per dynamic axis, with that
  axis one longer (and the input values rolled). An integer argument that changes
  between the runs (a reshape to ``(N, -1)``, an ``expand(N, ...)``) depends on
  the axis: :func:`dynamic_ints` marks it as a :class:`DynInt` that the graph
  computes from the input's ``Shape``. A tensor built outside the traced ops whose
  values change with the input (not a constant) is an error, not a silent constant.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import apply_hook


@dataclass
class Event:
    """One primitive call of the trace."""

    cls: type
    args: tuple
    kwargs: dict
    outputs: tuple  # the output Tensors (one element for a single-output op)
    module: str  # the path of the innermost module that was running ('' for the model itself)
    module_type: str
    versions: tuple = ()  # the version of each Tensor argument when it was used
    arg_nodes: tuple = ()  # the grad_fn of each Tensor argument when it was used (in-place ops rebind it later)
    out_versions: tuple = ()
    out_nodes: tuple = ()  # the grad_fn of each output when it was made
    call: int = 0  # the module call it belongs to (a key of Trace.calls)


@dataclass
class Call:
    """One module call: its first input and its output as they were then (layers exported as one node)."""

    module: object
    input: object
    in_version: int | None
    in_node: object
    output: object = None
    out_version: int | None = None
    out_node: object = None


@dataclass
class Trace:
    events: list = field(default_factory=list)
    output: object = None
    inputs: tuple = ()
    calls: dict = field(default_factory=dict)


class _Recorder:
    """The apply hook and the module hooks of one trace."""

    def __init__(self, model):
        self.names = {id(m): n for n, m in model.named_modules()}
        self.stack = [("", type(model).__name__, 0)]
        self.events = []
        self.calls = {}

    def pre(self, module, args):
        cid = len(self.calls) + 1
        x = args[0] if args else None
        is_t = isinstance(x, Tensor)
        self.calls[cid] = Call(module, x, x._version if is_t else None, x.grad_fn if is_t else None)
        self.stack.append((self.names.get(id(module), type(module).__name__), type(module).__name__, cid))

    def post(self, module, args, out):
        if len(self.stack) > 1:
            call = self.calls[self.stack.pop()[2]]
            call.output = out
            if isinstance(out, Tensor):
                call.out_version, call.out_node = out._version, out.grad_fn

    def __call__(self, cls, args, kwargs, call):
        versions = tuple(a._version if isinstance(a, Tensor) else None for a in args)
        nodes = tuple(a.grad_fn if isinstance(a, Tensor) else None for a in args)
        out = call()
        outs = out if isinstance(out, tuple) else (out,)
        out_versions = tuple(o._version if isinstance(o, Tensor) else None for o in outs)
        out_nodes = tuple(o.grad_fn if isinstance(o, Tensor) else None for o in outs)
        path, mtype, cid = self.stack[-1]
        self.events.append(Event(cls, args, dict(kwargs), outs, path, mtype, versions, nodes, out_versions,
                                 out_nodes, cid))
        return out


def run_trace(model, inputs: tuple) -> Trace:
    """Run ``model(*inputs)`` once, recording every primitive (reference kernels, grad mode on)."""
    from ..kernels import use_reference_kernels

    rec = _Recorder(model)
    handles = []
    for m in model.modules():
        handles.append(m.register_forward_pre_hook(rec.pre))
        handles.append(m.register_forward_hook(rec.post))
    traced = tuple(_traceable(x) for x in inputs)
    try:
        with use_reference_kernels(), grad_mode.enable_grad(), apply_hook(rec):
            out = model(*traced)
    finally:
        for h in handles:
            h.remove()
    return Trace(rec.events, out, traced, rec.calls)


def _traceable(x):
    if isinstance(x, Tensor) and x.dtype.kind == "f":
        return x.detach().clone().requires_grad_(True)
    return x


def variant_input(x: Tensor, axis: int | None) -> Tensor:
    """The input of a variant run: one longer along ``axis`` (None: same shape), values rolled by one."""
    from .. import backend
    from .._tensor import from_array

    a = backend.to_numpy(x._array) if backend.is_cuda_array(x._array) else x._array
    if axis is not None:
        first = np.take(a, [0], axis=axis)
        a = np.concatenate([a, first], axis=axis)
    a = np.roll(a.reshape(-1), 1).reshape(a.shape)
    return from_array(backend.to_device(np.ascontiguousarray(a), backend.device_of(x._array)))


# ----------------------------------------------------------------- dynamic integers
class DynInt(int):
    """An integer argument of the trace that depends on dynamic axes: ``coef · Π symbols + offset``.

    ``symbols`` are indices into the exporter's list of dynamic axes (input index, axis).
    It behaves as the traced value everywhere; the graph builder computes it from ``Shape``.
    """

    def __new__(cls, value, coef, symbols, offset=0):
        self = int.__new__(cls, value)
        self.coef, self.symbols, self.offset = coef, tuple(symbols), offset
        return self

    def __repr__(self):
        return f"DynInt({int(self)}: {self.coef}*{'*'.join(f's{s}' for s in self.symbols)}+{self.offset})"


def _ints(obj, out):
    """The Python ints in ``obj`` (nested tuples, lists, slices), in order; bools are not ints here."""
    if isinstance(obj, bool):
        return
    if isinstance(obj, int):
        out.append(obj)  # a DynInt stays one
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            _ints(o, out)
    elif isinstance(obj, slice):
        for o in (obj.start, obj.stop, obj.step):
            _ints(o, out)
    elif isinstance(obj, dict):
        for k in sorted(obj):
            _ints(obj[k], out)


def _replace(obj, it):
    if isinstance(obj, bool):
        return obj
    if isinstance(obj, int):
        return next(it)
    if isinstance(obj, (tuple, list)):
        return type(obj)(_replace(o, it) for o in obj)
    if isinstance(obj, slice):
        return slice(_replace(obj.start, it), _replace(obj.stop, it), _replace(obj.step, it))
    if isinstance(obj, dict):
        return {k: _replace(obj[k], it) for k in obj}
    return obj


def ints_of(ev: Event) -> list:
    out = []
    _ints(ev.args, out)
    _ints(ev.kwargs, out)
    return out


def dynamic_ints(ev: Event, variants: list, sizes: list) -> tuple:
    """``ev``'s (args, kwargs) with every integer that changes across the variant runs as a :class:`DynInt`.

    Args:
        ev: the event of the main trace.
        variants: per dynamic axis, the same event of its variant run (that axis one longer).
        sizes: per dynamic axis, its size in the main trace.
    """
    main = ints_of(ev)
    others = [ints_of(v) for v in variants]
    for o in others:
        if len(o) != len(main):
            raise _diverged(ev)
    new = []
    for j, v in enumerate(main):
        changed = [k for k, o in enumerate(others) if o[j] != v]
        if not changed:
            new.append(v)
            continue
        prod = int(np.prod([sizes[k] for k in changed]))
        if v % prod == 0 and all(others[k][j] * sizes[k] == v * (sizes[k] + 1) for k in changed):
            new.append(DynInt(v, v // prod, changed))  # v = c · Π n_k
        elif len(changed) == 1:
            k = changed[0]
            a = others[k][j] - v
            new.append(DynInt(v, a, changed, v - a * sizes[k]))  # v = a · n + b
        else:
            raise RuntimeError(f"ONNX export: the integer argument {v} of {ev.cls.__name__} (in module "
                               f"{ev.module or '<model>'!r}) depends on several dynamic axes in a way the exporter "
                               "cannot express; declare fewer axes dynamic in dynamic_axes")
    it = iter(new)
    args = _replace(ev.args, it)
    kwargs = _replace(ev.kwargs, it)
    return args, kwargs


def _diverged(ev):
    return RuntimeError(f"ONNX export: the model runs different ops on another input of the same shape or when a "
                        f"dynamic axis changes size (from {ev.cls.__name__} in module {ev.module or '<model>'!r} on): "
                        "control flow that depends on values or sizes cannot be traced; make it static, or export "
                        "without dynamic_axes")


def check_aligned(main: Trace, variant: Trace) -> None:
    if len(main.events) != len(variant.events):
        ev = next((a for a, b in zip(main.events, variant.events) if a.cls is not b.cls), main.events[-1])
        raise _diverged(ev)
    for a, b in zip(main.events, variant.events):
        if a.cls is not b.cls:
            raise _diverged(a)
