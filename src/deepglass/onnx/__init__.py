"""``deepglass.onnx``: export a model to ONNX, as ``torch.onnx.export`` does.

How it works: one eval-mode forward pass is traced through the apply hook
(:func:`deepglass.autograd.function.apply_hook`, nothing patched); every primitive
(``Conv``, ``MatMul``, ``Softmax`` ...) becomes ONNX operators (the mappings are
in ``_ops.py`` and ``_ops_nn.py``), parameters and buffers become initializers
under their state-dict names, and ``onnx.checker.check_model`` checks the result.
Axes declared in ``dynamic_axes`` really are dynamic: the model runs once more
with each such axis one longer, and every size that follows it (a reshape to
``(N, -1)``, an ``expand(N, ...)``) is computed in the graph from the input's
``Shape``.

``nn.Upsample`` becomes one ONNX ``Resize``; a bare ``F.interpolate`` exports as
the matrix products deepglass computes it with (exact, but not ``Resize``).

Limits (each is an error naming the op and the module, never a wrong graph):
ops without a mapping (``UnsupportedOperatorError``), tensors computed from the
input outside the traced ops (``sign``, ``isnan``, ``.item()``), control flow
that depends on values, max pooling with indices, training-mode batch norm and
dropout. Recurrent layers (LSTM/GRU/RNN) export unrolled over the traced
sequence length: the batch axis can be dynamic, the sequence axis cannot (the
model runs different ops, and export says so).

Importing this module needs nothing beyond deepglass; :func:`export` needs the
``onnx`` extra (``pip install 'deepglass[onnx]'``: ``onnx`` and ``onnxruntime``).

Example:
    >>> import deepglass.onnx
    >>> deepglass.onnx.is_in_onnx_export()
    False
    >>> deepglass.onnx.TrainingMode.EVAL
    <TrainingMode.EVAL: 0>
"""
from __future__ import annotations

import enum

__all__ = ["export", "is_in_onnx_export", "TrainingMode", "UnsupportedOperatorError", "OnnxExporterError"]

_EXTRA = ("deepglass.onnx.export needs the 'onnx' extra: pip install 'deepglass[onnx]' (the packages onnx and "
          "onnxruntime)")


class TrainingMode(enum.IntEnum):
    """The mode the model is exported in (PyTorch's ``torch.onnx.TrainingMode``)."""

    EVAL = 0
    PRESERVE = 1
    TRAINING = 2


class OnnxExporterError(RuntimeError):
    """Errors of the exporter (PyTorch's ``torch.onnx.errors.OnnxExporterError``)."""


class UnsupportedOperatorError(OnnxExporterError):
    """A traced op has no ONNX mapping; the message names the op and the module that called it."""


_state = {"exporting": False}


def is_in_onnx_export() -> bool:
    """True while :func:`export` is tracing a model (a forward may test it, as in PyTorch)."""
    return _state["exporting"]


def export(model, args=(), f=None, *, kwargs=None, verbose=None, input_names=None, output_names=None,
           opset_version=None, dynamo=True, external_data=True, dynamic_shapes=None, report=False, optimize=True,
           verify=False, profile=False, dump_exported_program=False, artifacts_dir=".", export_params=True,
           keep_initializers_as_inputs=False, dynamic_axes=None, training=TrainingMode.EVAL,
           operator_export_type=None, do_constant_folding=True, custom_opsets=None,
           export_modules_as_functions=False, autograd_inlining=True):
    """Export ``model`` to an ONNX file, by tracing ``model(*args)`` (PyTorch's ``torch.onnx.export``).

    PyTorch's signature. deepglass has one exporter, a trace through the apply hook, whatever ``dynamo``
    says; ``external_data``, ``report``, ``optimize``, ``verify``, ``profile``, ``dump_exported_program``,
    ``artifacts_dir``, ``operator_export_type``, ``custom_opsets`` and ``autograd_inlining`` are accepted and
    have no effect. Deviation: with ``f=None`` the ``onnx.ModelProto`` is returned (PyTorch returns an
    ``ONNXProgram``).

    Args:
        model: a ``deepglass.nn.Module``.
        args: the example input: a Tensor or a tuple of Tensors (its shapes become the graph's).
        f: a path (written atomically), a binary file object, or None (return the model instead).
        kwargs: keyword inputs of ``forward``: not supported (pass them positionally).
        input_names, output_names: names of the graph's inputs and outputs (default ``input``/``output``,
            numbered ``input_0``... when there are several).
        dynamic_axes: ``{name: [axis, ...]}`` or ``{name: {axis: dim name}}``: axes of inputs (and outputs) that
            keep their size free in the graph (the batch, a sequence length).
        opset_version: the ONNX opset (13 or later; None: 17).
        dynamic_shapes: ``torch.export``'s form of dynamic sizes: not supported, use ``dynamic_axes``.
        do_constant_folding: compute ops on constants alone (a transposed weight) at export time.
        training: ``TrainingMode.EVAL`` (default: dropout off, batch norm on running statistics),
            ``PRESERVE`` or ``TRAINING``.
        export_params: False makes the parameters and buffers graph inputs instead of initializers.
        keep_initializers_as_inputs: also list every initializer among the graph inputs (overridable defaults).
        export_modules_as_functions: only False (modules are inlined).
        verbose: print the graph.

    Returns:
        None, or the ``onnx.ModelProto`` when ``f`` is None.

    Raises:
        ImportError: without the ``onnx`` extra.
        UnsupportedOperatorError: an op of the model has no ONNX mapping (the message names the op and the
            module path, e.g. ``'features.3'``).

    Example:
        >>> import io, deepglass
        >>> from deepglass import nn
        >>> buf = io.BytesIO()
        >>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
        >>> deepglass.onnx.export(net, deepglass.randn(2, 4), buf, dynamic_axes={"input": [0], "output": [0]})
        >>> import onnx
        >>> [n.op_type for n in onnx.load_from_string(buf.getvalue()).graph.node]
        ['Gemm', 'Relu', 'Identity']
    """
    try:
        from . import _export
    except ImportError as e:
        raise ImportError(f"{_EXTRA} ({e})") from None
    from .._tensor import Tensor

    if kwargs:
        raise TypeError("ONNX export: keyword inputs (kwargs=) are not supported; pass the tensors positionally")
    if dynamic_shapes is not None:
        raise ValueError("ONNX export: dynamic_shapes (torch.export's form) is not supported; declare the free "
                         "axes with dynamic_axes={'input': {0: 'batch'}}")
    if export_modules_as_functions:
        raise ValueError("ONNX export: export_modules_as_functions is not supported; modules are inlined (False)")
    inputs = (args,) if isinstance(args, Tensor) else tuple(args)
    if inputs and isinstance(inputs[-1], dict):
        if inputs[-1]:
            raise TypeError("ONNX export: keyword inputs (a dict at the end of args) are not supported")
        inputs = inputs[:-1]
    modes = {m: m.training for m in model.modules()}
    if training == TrainingMode.EVAL:
        model.eval()
    elif training == TrainingMode.TRAINING:
        model.train()
    _state["exporting"] = True
    try:
        proto = _export.build_model(model, inputs, input_names=input_names, output_names=output_names,
                                    dynamic_axes=dynamic_axes,
                                    opset_version=17 if opset_version is None else int(opset_version),
                                    do_constant_folding=do_constant_folding, export_params=export_params,
                                    keep_initializers_as_inputs=keep_initializers_as_inputs)
    finally:
        _state["exporting"] = False
        for m, mode in modes.items():
            m.training = mode
    if verbose:
        import onnx

        print(onnx.helper.printable_graph(proto.graph))
    if f is None:
        return proto
    _export.write(proto, f)
    return None
