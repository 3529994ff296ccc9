"""The graph builder of the ONNX exporter: names, initializers, nodes and shapes computed in the graph.

Converters (``_ops*.py``) see one traced :class:`~._trace.Event` at a time and
talk to a :class:`Builder`:

* ``g.x(j)``: the ONNX value name of the event's tensor argument ``j`` (an earlier
  op's output, a graph input, an initializer for a parameter or buffer, or a
  constant built outside the traced ops),
* ``g.node(op_type, inputs, **attrs)``: add a node, return its output name,
* ``g.const(values, dtype)``: a constant initializer,
* ``g.shape(dims)``: a 1-D int64 shape; a :class:`~._trace.DynInt` among ``dims``
  (a size that follows a dynamic axis) is computed from the input's ``Shape``,
* ``g.out(name)``: bind the event's output to ``name``.
"""
from __future__ import annotations

import numpy as np
from onnx import helper, numpy_helper

from .. import backend
from .._tensor import Tensor
from . import UnsupportedOperatorError  # noqa: F401  (defined in the package, raised by _export)
from ._trace import DynInt, _ints


def host(a) -> np.ndarray:
    """A NumPy array of a Tensor or an array (CuPy arrays are copied to the host)."""
    a = a._array if isinstance(a, Tensor) else a
    return backend.to_numpy(a) if backend.is_cuda_array(a) else np.asarray(a)


def onnx_dtype(dtype) -> int:
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


class Builder:
    def __init__(self, opset: int, fold: bool):
        self.opset = opset
        self.fold = fold
        self.nodes, self.initializers, self.inputs = [], [], []
        self._count = 0
        self.by_node = {}  # id(grad_fn node) -> value name (single-output nodes)
        self.by_tensor = {}  # id(tensor) -> (tensor, version, name)
        self.by_array = {}  # id(array of an op's output) -> (array, name): ops that take a raw array (where's mask)
        self.leaf = {}  # id(tensor or array) -> (object, name of an initializer / graph input)
        self.lazy = {}  # id(parameter or buffer array) -> (object, state-dict name): initializers made on first use
        self.live = set()  # names that depend on a graph input (not foldable)
        self.sym = []  # per dynamic axis: (input value name, axis)
        self._sym_names = {}
        self.ev = None  # the event being converted
        self.ev_variants = []  # the same event of each variant run
        self.sizes = []  # per dynamic axis: its size in the main trace

    # ---------------------------------------------------------------- names
    def fresh(self, base: str) -> str:
        self._count += 1
        return f"{base}_{self._count}"

    def add_initializer(self, array, name=None) -> str:
        name = name or self.fresh("const")
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(host(array)), name))
        return name

    def const(self, values, dtype) -> str:
        return self.add_initializer(np.asarray(values, dtype=dtype))

    def ints(self, values) -> str:
        return self.const(list(values), np.int64)

    # ----------------------------------------------------------------- nodes
    def node(self, op_type: str, inputs, n_out: int = 1, **attrs):
        outs = [self.fresh(op_type) for _ in range(n_out)]
        inputs = ["" if i is None else i for i in inputs]
        self.nodes.append(helper.make_node(op_type, inputs, outs, **attrs))
        if any(i in self.live for i in inputs):
            self.live.update(outs)
        return outs[0] if n_out == 1 else outs

    # ---------------------------------------------------------------- values
    def name_of(self, t, j=None, version=None, node="unset"):
        """The value name of tensor ``t`` (an argument of the current event when ``j`` is given)."""
        if isinstance(t, Tensor):
            if node == "unset":
                node = t.grad_fn
            if node is not None and id(node) in self.by_node:
                return self.by_node[id(node)]
            e = self.by_tensor.get(id(t))
            if e is not None and e[0] is t and (version is None or e[1] == version):
                return e[2]
            e = self.leaf.get(id(t)) or self.leaf.get(id(t._array))
            if e is not None:
                return e[1]
            e = self.lazy.get(id(t)) or self.lazy.get(id(t._array))
            if e is not None:
                return self._materialise(e)
            return self._constant(t._array, j)
        if hasattr(t, "shape") and hasattr(t, "dtype"):  # a raw array argument (a buffer passed as its array)
            e = self.leaf.get(id(t))
            if e is not None:
                return e[1]
            e = self.by_array.get(id(t))
            if e is not None and e[0] is t:
                return e[1]
            e = self.lazy.get(id(t))
            if e is not None:
                return self._materialise(e)
            return self._constant(t, j)
        raise TypeError(f"ONNX export: expected a tensor argument, got {type(t).__name__}")

    def _materialise(self, entry):
        obj, name = entry
        arr = obj._array if isinstance(obj, Tensor) else obj
        self.add_initializer(arr, name)
        for key in (id(obj), id(arr)):
            self.leaf[key] = (obj, name)
            self.lazy.pop(key, None)
        return name

    def is_live(self, j: int) -> bool:
        """Whether argument ``j`` of the current event depends on a graph input (without materialising it)."""
        ev = self.ev
        t = ev.args[j]
        if isinstance(t, Tensor):
            node = ev.arg_nodes[j]
            if node is not None and id(node) in self.by_node:
                return self.by_node[id(node)] in self.live
            e = self.by_tensor.get(id(t))
            if e is not None and e[0] is t and e[1] == ev.versions[j]:
                return e[2] in self.live
            e = self.leaf.get(id(t)) or self.leaf.get(id(t._array))
        elif hasattr(t, "shape") and hasattr(t, "dtype"):
            e = self.leaf.get(id(t))
            if e is None and id(t) in self.by_array and self.by_array[id(t)][0] is t:
                return self.by_array[id(t)][1] in self.live
        else:
            return False
        if e is not None:
            return e[1] in self.live
        if (self.lazy.get(id(t)) or (isinstance(t, Tensor) and self.lazy.get(id(t._array)))) is not None:
            return False
        arr = host(t)
        for v in self.ev_variants:  # a constant that follows the input (shape or values) is not foldable
            o = host(v.args[j])
            if o.shape != arr.shape or not np.array_equal(o, arr, equal_nan=True):
                return True
        return False

    def x(self, j: int) -> str:
        """The value name of the current event's positional argument ``j`` (a tensor or an array)."""
        ev = self.ev
        node = ev.arg_nodes[j] if ev.arg_nodes else "unset"
        return self.name_of(ev.args[j], j, ev.versions[j], node)

    def _constant(self, arr, j):
        """A tensor built outside the traced ops: an initializer, or ConstantOfShape when its shape follows an axis."""
        arr = host(arr)
        others = [host(v.args[j]) for v in self.ev_variants] if j is not None else []
        where = f"{self.ev.cls.__name__} in module {self.ev.module or '<model>'!r}" if self.ev else "the model"
        for o in others:
            if o.shape == arr.shape and not np.array_equal(o, arr, equal_nan=True):
                raise RuntimeError(f"ONNX export: a tensor used by {where} is computed from the input outside the "
                                   "traced ops (its values change with the input), so it cannot be a constant; "
                                   "compute it with deepglass ops that have an ONNX mapping")
        if any(o.shape != arr.shape for o in others):
            # its shape follows a dynamic axis (zeros(N, H) for an initial state, a broadcast index):
            # a constant fill becomes ConstantOfShape, a broadcast along those axes Expand of one slice
            dims = self.dyn_dims(arr.shape, others[1:])  # others[0]: the same-shape value variant
            flat = arr.reshape(-1)
            if flat.size and (flat == flat[0]).all():
                value = numpy_helper.from_array(flat[:1].copy(), "value")
                name = self.node("ConstantOfShape", [self.shape(dims)], value=value)
            else:
                axes = [d for d, n in enumerate(dims) if isinstance(n, DynInt)]
                one = arr[tuple(slice(0, 1) if d in axes else slice(None) for d in range(arr.ndim))]
                if not (arr == one).all():
                    raise RuntimeError(f"ONNX export: a tensor used by {where} has a shape that follows a dynamic "
                                       "axis but differs along it; build it from the input with traced ops")
                name = self.node("Expand", [self.add_initializer(one), self.shape(dims)])
            self.live.add(name)
            return name
        return self.add_initializer(arr)

    def dyn_dims(self, shape, others):
        """``shape`` with a :class:`DynInt` where a dimension variant run (one per dynamic axis) changed it."""
        dims = []
        for d, n in enumerate(shape):
            changed = [k for k, o in enumerate(others) if o.shape[d] != n]
            if not changed:
                dims.append(n)
                continue
            k = changed[0]
            a = others[k].shape[d] - n
            dims.append(DynInt(n, a, [k], n - a * self.sizes[k]))
        return dims

    def bind(self, t: Tensor, name: str, version: int, node=None) -> None:
        self.by_tensor[id(t)] = (t, version, name)
        self.by_array[id(t._array)] = (t._array, name)
        if node is not None and not node._out_refs:
            self.by_node[id(node)] = name

    def out(self, *names) -> None:
        """Bind the current event's outputs to ``names`` (one per output Tensor; None skips one)."""
        for t, name, v, node in zip(self.ev.outputs, names, self.ev.out_versions, self.ev.out_nodes):
            if name is not None and isinstance(t, Tensor):
                self.bind(t, name, v, node)

    # ---------------------------------------------------------------- shapes
    def sym_dim(self, k: int) -> str:
        """A 1-D int64 tensor holding the size of dynamic axis ``k``."""
        if k not in self._sym_names:
            inp, axis = self.sym[k]
            shape = self.node("Shape", [inp])
            self._sym_names[k] = self.node("Gather", [shape, self.ints([axis])], axis=0)
        return self._sym_names[k]

    def dim(self, v) -> str:
        if not isinstance(v, DynInt):
            return self.ints([int(v)])
        out = None
        for k in v.symbols:
            s = self.sym_dim(k)
            out = s if out is None else self.node("Mul", [out, s])
        if v.coef != 1:
            out = self.node("Mul", [out, self.ints([v.coef])])
        if v.offset:
            out = self.node("Add", [out, self.ints([v.offset])])
        return out

    def shape(self, dims) -> str:
        """A 1-D int64 tensor with ``dims`` (ints and :class:`DynInt`); a constant when none is dynamic."""
        dims = list(dims)
        if not any(isinstance(d, DynInt) for d in dims):
            return self.ints(dims)
        parts, run = [], []
        for d in dims:
            if isinstance(d, DynInt):
                if run:
                    parts.append(self.ints(run))
                    run = []
                parts.append(self.dim(d))
            else:
                run.append(int(d))
        if run:
            parts.append(self.ints(run))
        return parts[0] if len(parts) == 1 else self.node("Concat", parts, axis=0)

    def is_dynamic(self, *objs) -> bool:
        """Whether any integer in ``objs`` (nested arguments) follows a dynamic axis."""
        out = []
        for o in objs:
            _ints(o, out)
        return any(isinstance(v, DynInt) for v in out)

    # -------------------------------------------------------- opset helpers
    def reduce(self, op: str, x: str, axes, keepdims: bool) -> str:
        """``op`` (ReduceSum, ReduceMean ...) over ``axes`` (None: all), axes as an input where the opset wants it."""
        as_input = op == "ReduceSum" and self.opset >= 13 or self.opset >= 18
        if axes is None:
            return self.node(op, [x], keepdims=int(keepdims))
        axes = [int(a) for a in axes]
        if as_input:
            return self.node(op, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.node(op, [x], axes=axes, keepdims=int(keepdims))

    def unsqueeze(self, x: str, axes) -> str:
        return self.node("Unsqueeze", [x, self.ints(axes)])

    def squeeze(self, x: str, axes) -> str:
        return self.node("Squeeze", [x, self.ints(axes)])
