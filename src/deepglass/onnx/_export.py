"""``export``: trace, convert, check and write (needs the ``onnx`` extra; imported by ``deepglass.onnx.export``)."""
from __future__ import annotations

import io
import os
import tempfile

import onnx
from onnx import helper

from .._tensor import Tensor
from . import _ops, _ops_nn  # noqa: F401  (registers the converters)
from ._graph import Builder, UnsupportedOperatorError, onnx_dtype
from ._trace import check_aligned, dynamic_ints, ints_of, run_trace, variant_input


def _flatten(out, acc):
    if isinstance(out, Tensor):
        acc.append(out)
    elif isinstance(out, (tuple, list)):
        for o in out:
            _flatten(o, acc)
    elif isinstance(out, dict):
        for k in out:
            _flatten(out[k], acc)
    elif out is not None:
        raise TypeError(f"ONNX export: the model returned a {type(out).__name__}; only tensors (or tuples, lists "
                        "and dicts of them) can be graph outputs")
    return acc


def _axes_spec(spec, name):
    """``dynamic_axes[name]`` (a list of axes or ``{axis: dim name}``) as ``{axis: dim name}``."""
    if isinstance(spec, dict):
        return {int(a): str(n) for a, n in spec.items()}
    return {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(spec)}


def _names(given, n, base):
    if given is None:
        given = []
    given = list(given)
    if len(given) > n:
        raise ValueError(f"ONNX export: {len(given)} {base} names given for {n} {base}s")
    default = [base] if n == 1 else [f"{base}_{i}" for i in range(n)]
    return given + default[len(given):]


def build_model(model, inputs: tuple, *, input_names=None, output_names=None, dynamic_axes=None, opset_version=17,
                do_constant_folding=True, export_params=True, keep_initializers_as_inputs=False):
    """The ``onnx.ModelProto`` of ``model(*inputs)`` (the model already in the wanted train/eval mode)."""
    if opset_version < 13:
        raise ValueError(f"ONNX export: opset_version {opset_version} is not supported; use 13 or later (17 default)")
    tensors = [x for x in inputs if isinstance(x, Tensor)]
    if len(tensors) != len(inputs):
        raise TypeError("ONNX export: every positional input must be a Tensor")
    in_names = _names(input_names, len(inputs), "input")
    dynamic_axes = dict(dynamic_axes or {})
    # symbols: one per dynamic dim name of the inputs -> [(input index, axis)]
    symbols, sym_names = [], []
    for i, name in enumerate(in_names):
        for axis, dim in _axes_spec(dynamic_axes.get(name, {}), name).items():
            if not -inputs[i].ndim <= axis < inputs[i].ndim:
                raise ValueError(f"ONNX export: dynamic axis {axis} of input {name!r} is out of range for its "
                                 f"shape {tuple(inputs[i].shape)}")
            axis %= inputs[i].ndim
            if dim in sym_names:
                symbols[sym_names.index(dim)].append((i, axis))
            else:
                sym_names.append(dim)
                symbols.append([(i, axis)])
    main = run_trace(model, inputs)
    value_variant = run_trace(model, tuple(variant_input(x, None) for x in inputs))
    check_aligned(main, value_variant)
    dim_variants, sizes = [], []
    for places in symbols:
        axes_of = {i: a for i, a in places}
        sizes.append(int(inputs[places[0][0]].shape[places[0][1]]))
        v = run_trace(model, tuple(variant_input(x, axes_of.get(i)) for i, x in enumerate(inputs)))
        check_aligned(main, v)
        dim_variants.append(v)
    variants = [value_variant] + dim_variants

    g = Builder(opset_version, do_constant_folding and export_params)
    g.sizes = sizes
    graph_inputs = []
    for x, name in zip(main.inputs, in_names):
        g.leaf[id(x)] = g.leaf[id(x._array)] = (x, name)  # by array too: embedding indexes the input's array
        g.live.add(name)
        spec = {a % x.ndim: d for a, d in _axes_spec(dynamic_axes.get(name, {}), name).items()}
        graph_inputs.append(helper.make_tensor_value_info(
            name, onnx_dtype(x._array.dtype), [spec.get(a, int(n)) for a, n in enumerate(x.shape)]))
    g.sym = [(in_names[p[0][0]], p[0][1]) for p in symbols]
    for name, t in list(model.named_parameters()) + list(model.named_buffers()):
        if t is None:
            continue
        if export_params:
            g.lazy[id(t)] = (t, name)
            g.lazy[id(t._array)] = (t, name)
        else:
            g.leaf[id(t)] = g.leaf[id(t._array)] = (t, name)
            g.live.add(name)
            graph_inputs.append(helper.make_tensor_value_info(name, onnx_dtype(t._array.dtype), list(t.shape)))

    whole = set()  # module calls exported as one node (Upsample as Resize)
    for i, ev in enumerate(main.events):
        g.ev, g.ev_variants = ev, [v.events[i] for v in variants]
        call = main.calls.get(ev.call)
        if ev.call in whole:
            continue
        if call is not None and _ops_nn.resize(g, call):
            whole.add(ev.call)
            continue
        if ints_of(ev) != ints_of(value_variant.events[i]):
            raise RuntimeError(f"ONNX export: an integer argument of {ev.cls.__name__} (in module "
                               f"{ev.module or '<model>'!r}) depends on the input's values (an .item() or .tolist() "
                               "in forward?); the graph would bake in this input's value: compute it with tensor ops")
        args, kwargs = dynamic_ints(ev, [v.events[i] for v in dim_variants], sizes)
        if g.fold and _foldable(g, ev, args, kwargs):
            g.out(*[g.add_initializer(o._array) for o in ev.outputs])
            continue
        fn = _ops.CONVERTERS.get(ev.cls)
        where = f"in module {ev.module!r} ({ev.module_type})" if ev.module else f"in the model ({ev.module_type})"
        if fn is None:
            raise UnsupportedOperatorError(
                f"ONNX export: the deepglass op {ev.cls.__module__}.{ev.cls.__name__} (called {where}) has no ONNX "
                "mapping; rewrite that part with supported ops or add a converter in deepglass/onnx/_ops*.py")
        try:
            fn(g, ev, args, kwargs)
        except NotImplementedError as e:
            raise UnsupportedOperatorError(
                f"ONNX export: {ev.cls.__name__} (called {where}) cannot be exported: {e}") from None

    outs = _flatten(main.output, [])
    out_names = _names(output_names, len(outs), "output")
    graph_outputs = []
    for k, (t, name) in enumerate(zip(outs, out_names)):
        g.nodes.append(helper.make_node("Identity", [g.name_of(t)], [name]))
        spec = {a % t.ndim: d for a, d in _axes_spec(dynamic_axes.get(name, {}), name).items()} if t.ndim else {}
        dims = []
        for a, n in enumerate(t.shape):
            changed = [j for j, v in enumerate(dim_variants) if _flatten(v.output, [])[k].shape[a] != n]
            if a in spec:
                dims.append(spec[a])
            elif changed:
                dims.append(sym_names[changed[0]] if len(changed) == 1 and n == sizes[changed[0]] else f"{name}_dim{a}")
            else:
                dims.append(int(n))
        graph_outputs.append(helper.make_tensor_value_info(name, onnx_dtype(t._array.dtype), dims))
    unknown = [k for k in dynamic_axes if k not in in_names and k not in out_names]
    if unknown:
        raise ValueError(f"ONNX export: dynamic_axes names {unknown} that are neither input nor output names "
                         f"(inputs {in_names}, outputs {out_names})")
    used = {i for n in g.nodes for i in n.input}
    inits = [t for t in g.initializers if t.name in used]  # e.g. a weight whose only use was folded
    if keep_initializers_as_inputs:
        graph_inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in inits]
    graph = helper.make_graph(g.nodes, type(model).__name__, graph_inputs, graph_outputs, inits)
    opsets = [helper.make_opsetid("", opset_version)]
    proto = helper.make_model(graph, opset_imports=opsets, producer_name="deepglass",
                              ir_version=helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(proto)
    return proto


def _foldable(g, ev, args, kwargs) -> bool:
    """An op on constants alone (no graph input, no dynamic size): its traced output becomes an initializer."""
    if g.is_dynamic(args, kwargs):
        return False
    if not ev.outputs or not all(isinstance(o, Tensor) for o in ev.outputs):
        return False
    for j, a in enumerate(ev.args):
        if (isinstance(a, Tensor) or (hasattr(a, "shape") and hasattr(a, "dtype"))) and g.is_live(j):
            return False
    return True


def write(proto, f) -> None:
    """Write ``proto`` to a path (atomically: a temporary file renamed into place) or a binary file object."""
    data = proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".onnx-", dir=folder)
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # an ordinary file's mode, not mkstemp's private 0600
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
    elif isinstance(f, io.TextIOBase):
        raise TypeError("ONNX export: f must be a path or a binary file object (open it with 'wb')")
    else:
        f.write(data)


__all__ = ["build_model", "write"]
