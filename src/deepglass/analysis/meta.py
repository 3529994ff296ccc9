"""The shape-only ("meta") pass behind :func:`deepglass.analysis.summary`.

How it works, and why it is fast:

* Every leaf layer with a rule in :mod:`.rules` (conv, linear, pools, norms,
  activations, ...) gets its ``forward`` replaced, for the duration of the trace, by
  its rule: the output shape is computed from the input shape and the layer's
  attributes, and the "output" is a zero-stride NumPy array of that shape
  (``as_strided`` over one element: no memory, whatever the shape).
* Composite modules (a ResNet block, an SE gate, a ViT encoder) run their own
  ``forward`` on these arrays. Every ``Function.apply`` goes through an apply hook
  (:func:`deepglass.autograd.function.apply_hook`, per thread, nothing patched)
  for the duration of the trace: ops with a shape rule in :mod:`.ops` (adds, multiplies, matmuls,
  softmax, reductions, concatenation, attention) return zero-stride arrays
  without computing anything; the remaining ops (views such as reshape, permute,
  expand, slicing) run for real, which on zero-stride arrays costs nothing.
* Forward hooks on every module record the call tree, input and output shapes;
  each traced tensor carries its receptive-field state.

If the meta pass fails for a reason other than a shape error (a forward that
needs real values), the tracer falls back to a real forward pass on zeros with
the same hooks (``mode == "forward"``) and the summary says so.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from .._tensor import Tensor, from_array
from ..autograd import grad_mode
from ..autograd.function import apply_hook
from . import rfstate
from .ops import OP_RULES, VIEW_OPS
from .rules import ShapeError, leaf_rule, prod


@dataclass
class Call:
    """One call of one module during the trace."""

    name: str
    module: object
    depth: int
    parent: Call | None
    is_leaf: bool
    in_shapes: list = field(default_factory=list)
    out_shape: tuple = None
    out_dtype: object = None
    info: object = None  # LeafInfo of a ruled leaf
    self_macs: int = 0
    self_elementwise: int = 0
    self_activation_bytes: int = 0
    ops: list = field(default_factory=list)  # (op name, in shapes, out shape, macs, elementwise)
    rf: object = None
    first_call: bool = True
    children: list = field(default_factory=list)


def meta_array(shape, dtype):
    """A read/write array of ``shape`` that owns one element (all strides 0)."""
    base = np.zeros(1, dtype=dtype)
    return np.lib.stride_tricks.as_strided(base, tuple(int(s) for s in shape), (0,) * len(shape))


def is_meta(a) -> bool:
    return isinstance(a, np.ndarray) and a.ndim > 0 and a.size > 1 and not any(a.strides)


class TraceError(RuntimeError):
    pass


class Tracer:
    def __init__(self, model, input_size, dtype, meta: bool = True):
        self.model = model
        self.input_size = tuple(int(s) for s in input_size)
        self.dtype = np.dtype(dtype)
        self.meta = meta
        self.nd = max(len(self.input_size) - 2, 0)
        self.calls: list[Call] = []
        self.stack: list[Call] = []
        self.root_ops: list = []
        self.root_macs = 0
        self.root_elementwise = 0
        self.root_activation_bytes = 0
        self._rf: dict = {}
        self._names = {}
        for n, m in model.named_modules():
            self._names.setdefault(id(m), n)
        self._seen: dict = {}
        self.output = None

    # ------------------------------------------------------- receptive field
    def rf_of(self, t):
        entry = self._rf.get(id(t))
        if entry is None or entry[0]() is not t:
            return None
        return entry[1]

    def set_rf(self, t, state) -> None:
        if isinstance(t, Tensor):
            self._rf[id(t)] = (weakref.ref(t), state)

    # ----------------------------------------------------------------- hooks
    def _suppressed(self) -> bool:
        """Inside a ruled leaf (running for real): its inner ops are not counted again."""
        return any(c.info is not None for c in self.stack)

    def _pre(self, module, args):
        name = self._names.get(id(module), type(module).__name__)
        k = self._seen.get(id(module), 0)
        self._seen[id(module)] = k + 1
        parent = self.stack[-1] if self.stack else None
        call = Call(name=name if k == 0 else f"{name}#{k + 1}", module=module, depth=len(self.stack),
                    parent=parent, is_leaf=not module._modules, first_call=(k == 0))
        call.in_shapes = [tuple(a.shape) for a in args if isinstance(a, Tensor)]
        if parent is not None:
            parent.children.append(call)
        self.calls.append(call)
        self.stack.append(call)
        if call.is_leaf:
            rule = leaf_rule(module)
            if rule is not None:
                x = next((a for a in args if isinstance(a, Tensor)), None)
                if x is None:
                    raise ShapeError(f"layer {name!r} ({type(module).__name__}) was called without a tensor input")
                try:
                    call.info = rule(module, tuple(x.shape), module.training)
                except ShapeError as e:
                    raise ShapeError(f"layer {name!r} ({type(module).__name__}): {e}") from None
                if call.info.out_dtype is None:
                    call.info.out_dtype = x.dtype

    def _post(self, module, args, out):
        call = self.stack.pop()
        t = out if isinstance(out, Tensor) else next((o for o in out if isinstance(o, Tensor)), None) \
            if isinstance(out, (tuple, list)) else None
        if t is not None:
            call.out_shape, call.out_dtype = tuple(t.shape), t.dtype
        if call.info is not None:
            if t is not None and call.out_shape != tuple(call.info.out_shape):
                raise TraceError(f"layer {call.name!r} ({type(module).__name__}): the shape rule gives "
                                 f"{tuple(call.info.out_shape)} but the layer returned {call.out_shape}")
            x = next((a for a in args if isinstance(a, Tensor)), None)
            state = rfstate.apply_leaf(call.info.rf, self.rf_of(x), len(call.info.out_shape))
            self.set_rf(t, state)
            call.self_macs += call.info.macs
            call.self_elementwise += call.info.elementwise
        elif call.is_leaf and t is not None and self.rf_of(t) is None:
            # an unknown leaf: be conservative
            ins = [self.rf_of(a) for a in args if isinstance(a, Tensor)]
            self.set_rf(t, rfstate.WHOLE if any(s is not None for s in ins) else None)
        if call.is_leaf and call.out_shape is not None:
            call.self_activation_bytes += prod(call.out_shape) * np.dtype(call.out_dtype).itemsize
        call.rf = self.rf_of(t) if t is not None else None

    def _ruled_forward(self, module):
        tracer = self

        def forward(*args, **kwargs):
            info = tracer.stack[-1].info
            return from_array(meta_array(info.out_shape, info.out_dtype))

        return forward

    # ---------------------------------------------------------- the apply hook
    def __call__(self, cls, args, kwargs, call):
        """The apply hook: every primitive of the traced forward comes through here."""
        if self._suppressed():
            return call()
        name = cls.__name__
        rule = OP_RULES.get(name)
        out = None
        if rule is not None and rule[0] is not None and self.meta:
            try:
                shape, dt = rule[0](args, kwargs)
                out = from_array(meta_array(shape, dt))
            except Exception:  # noqa: BLE001 - fall back on the real op for odd arguments
                out = None
        if out is None:
            out = call()
        t = out if isinstance(out, Tensor) else None
        ins = [a for a in args if isinstance(a, Tensor)]
        macs = ew = 0
        if t is not None and rule is not None:
            macs, ew = rule[1](args, kwargs, tuple(t.shape))
        owner = self.stack[-1] if self.stack else None
        act = prod(t.shape) * t.dtype.itemsize if t is not None and name not in VIEW_OPS and ins else 0
        rec = (name, [tuple(a.shape) for a in ins], tuple(t.shape) if t is not None else None, macs, ew)
        if owner is None:
            self.root_ops.append(rec)
            self.root_macs += macs
            self.root_elementwise += ew
            self.root_activation_bytes += act
        else:
            owner.ops.append(rec)
            owner.self_macs += macs
            owner.self_elementwise += ew
            owner.self_activation_bytes += act
        if t is not None:
            self.set_rf(t, self._op_rf(rule[2] if rule else "unknown", args, kwargs, ins, t))
        return out

    def _op_rf(self, kind, args, kwargs, ins, out):
        states = [self.rf_of(a) for a in ins]
        live = [s for s in states if s is not None]
        if not live:
            return None
        if any(s is rfstate.WHOLE for s in live):
            return rfstate.WHOLE
        nd = live[0].nd
        spatial_ok = out.ndim == nd + 2
        if kind == "join":
            for a, s in zip(ins, states):
                if s is not None and (a.ndim != nd + 2 or tuple(a.shape[2:]) != tuple(out.shape[2:])):
                    return rfstate.WHOLE
            return rfstate.join(live) if spatial_ok else rfstate.WHOLE
        if kind == "layout":
            a = next(a for a, s in zip(ins, states) if s is not None)
            if spatial_ok and a.ndim == out.ndim and tuple(a.shape[2:]) == tuple(out.shape[2:]):
                return live[0]
            return rfstate.WHOLE
        if kind == "concat":
            axis = kwargs.get("axis", 0)
            if not spatial_ok or axis >= 2:
                return rfstate.WHOLE
            return rfstate.join(live)
        if kind == "reduce":
            axes = args[1]
            x = args[0]
            axes = tuple(range(x.ndim)) if axes is None else ((axes,) if isinstance(axes, int) else tuple(axes))
            if any((a % x.ndim) >= 2 for a in axes) or not (out.ndim == nd + 2 or (out.ndim == nd + 1 and x.ndim == nd + 2)):
                return rfstate.WHOLE
            return live[0] if out.ndim == nd + 2 else rfstate.WHOLE
        if kind == "softmax":
            axis = args[1] if len(args) > 1 else -1
            if spatial_ok and axis is not None and (axis % out.ndim) < 2:
                return live[0]
            return rfstate.WHOLE
        return rfstate.WHOLE

    # -------------------------------------------------------------------- run
    def run(self):
        model = self.model
        handles, patched = [], []
        orig_assign = Tensor._assign

        def assign(t, value):
            if is_meta(t._array):
                return t
            return orig_assign(t, value)

        try:
            for m in model.modules():
                handles.append(m.register_forward_pre_hook(self._pre))
                handles.append(m.register_forward_hook(self._post))
                if self.meta and not m._modules and leaf_rule(m) is not None:
                    object.__setattr__(m, "forward", self._ruled_forward(m))
                    patched.append(m)
            if self.meta:
                Tensor._assign = assign
                x = from_array(meta_array(self.input_size, self.dtype))
            else:
                x = from_array(np.zeros(self.input_size, dtype=self.dtype))
            self.set_rf(x, rfstate.RF.identity(self.nd) if self.nd else None)
            self.input = x
            with grad_mode.no_grad(), apply_hook(self):
                self.output = model(x)
        finally:
            Tensor._assign = orig_assign
            for h in handles:
                h.remove()
            for m in patched:
                m.__dict__.pop("forward", None)
        return self

    def where(self) -> str:
        """The innermost module being run (for error messages)."""
        if not self.stack:
            return "the model's own forward"
        c = self.stack[-1]
        return f"layer {c.name!r} ({type(c.module).__name__}) with input shapes {c.in_shapes}"


def trace(model, input_size, dtype="float32"):
    """Trace ``model`` on an input of ``input_size``; returns the tracer and a note on the mode.

    Shape errors (:class:`ShapeError`) propagate at once. Any other failure of the
    meta pass falls back on a real forward pass on zeros.
    """
    t = Tracer(model, input_size, dtype, meta=True)
    try:
        return t.run(), None
    except ShapeError:
        raise
    except Exception as e:  # noqa: BLE001
        reason = f"meta pass failed in {t.where()}: {type(e).__name__}: {e}"
    t2 = Tracer(model, input_size, dtype, meta=False)
    try:
        t2.run()
    except ShapeError:
        raise
    except Exception as e:  # noqa: BLE001
        raise RuntimeError(f"summary: the forward pass failed in {t2.where()}: {type(e).__name__}: {e}") from e
    return t2, reason
