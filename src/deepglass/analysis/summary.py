"""``summary(model, input_size)``: parameters, MACs/FLOPs, memory and receptive field per layer.

Counting conventions (deepglass's own; see :mod:`.conventions` for the other tools'):

* **Parameters**: every parameter tensor once (a tensor shared by two layers counts
  once), buffers (batch norm's running statistics) excluded; split into trainable
  (``requires_grad``) and frozen. Parameter memory = elements × bytes per element
  (4 per float32 parameter, as the notes say).
* **MACs** (multiply-accumulates), bias excluded:
  conv ``N·C_out·H_o·W_o·(C_in/groups)·k_h·k_w`` (the notes' K²·C_in·C_out·M², generalised);
  transposed conv ``N·C_in·H_i·W_i·(C_out/groups)·k_h·k_w``; linear ``(elements of the
  output)·in_features``; matmul/bmm ``batch·n·k·m``; attention QKᵀ and AV. These equal
  torchvision's published "GFLOPS" (ResNet-50: 4,089,184,256 at 1×3×224×224).
* **FLOPs** = 2 × MACs + the element-wise operations, which are also reported on
  their own (``elementwise_flops``): bias 1 per output element, batch norm 2 per element
  in eval mode (4 in training), layer/group/instance norm 5 per element (3 without
  affine), activations 1 per element, average pooling one per window element, softmax 3
  per element, residual adds and other element-wise products 1 per output element,
  global/mean reductions 1 per input element. Max pooling, reshapes, views, dropout 0.
* **Memory**: ``activation_bytes`` = the outputs of every leaf layer and every
  non-view op of the forward pass (what a training step keeps for backward);
  ``training_bytes`` ≈ input + activations + parameters × (1 weight + 1 gradient +
  optimizer states: Adam 2, SGD with momentum 1, plain SGD 0).

The numbers come from a shape-only pass (:mod:`.meta`): no activation is allocated,
so ``summary(resnet50(), (1, 3, 224, 224))`` takes a few tens of milliseconds.

Example:
    >>> s = summary(resnet50(), (1, 3, 224, 224))
    >>> s.total_params, s.macs
    (25557032, 4089184256)
    >>> print(s)                       # the table
    >>> s.to_dict()["totals"]["flops"]
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np

from . import conventions as _conv
from . import rfstate
from .meta import trace
from .rules import prod

_OPTIMIZER_STATES = {"adam": 2, "adamw": 2, "sgd": 0, "momentum": 1, "rmsprop": 1, "none": 0}


@dataclass
class LayerRow:
    """One module call: geometry, shapes, parameters, counts and receptive field."""

    name: str
    type: str
    depth: int
    is_leaf: bool
    input_shape: tuple
    output_shape: tuple
    kernel_size: tuple = None
    stride: tuple = None
    padding: tuple = None
    dilation: tuple = None
    groups: int = None
    params: int = 0
    trainable_params: int = 0
    frozen_params: int = 0
    macs: int = 0
    elementwise_flops: int = 0
    flops: int = 0
    output_bytes: int = 0
    rf_size: object = None   # None: the unit sees the whole input (or the layer is not spatial)
    rf_jump: object = None
    rf_start: object = None
    rf_padding: object = None
    rf_whole: bool = False
    note: str = ""


class Summary:
    """What :func:`summary` returns: ``rows`` and the totals as attributes."""

    def __init__(self, model, tracer, rows, all_rows, fallback, convention, optimizer, depth):
        self.model_name = type(model).__name__
        self.input_size = tracer.input_size
        self.dtype = str(tracer.dtype)
        self.rows = rows
        self.all_rows = all_rows
        self.depth = depth
        self.mode = "meta" if fallback is None else "forward"
        self.note = "" if fallback is None else f"shape-only pass impossible, used a real forward on zeros ({fallback})"
        params = list(model.parameters())
        self.total_params = int(sum(prod(p.shape) for p in params))
        self.trainable_params = int(sum(prod(p.shape) for p in params if p.requires_grad))
        self.non_trainable_params = self.total_params - self.trainable_params
        self.param_bytes = int(sum(prod(p.shape) * p.dtype.itemsize for p in params))
        trainable_bytes = int(sum(prod(p.shape) * p.dtype.itemsize for p in params if p.requires_grad))
        leaves_and_ops = [c for c in tracer.calls]
        self.macs = int(sum(c.self_macs for c in leaves_and_ops) + tracer.root_macs)
        self.elementwise_flops = int(sum(c.self_elementwise for c in leaves_and_ops) + tracer.root_elementwise)
        self.flops = 2 * self.macs + self.elementwise_flops
        self.activation_bytes = int(sum(c.self_activation_bytes for c in leaves_and_ops) + tracer.root_activation_bytes)
        self.input_bytes = prod(tracer.input_size) * tracer.dtype.itemsize
        key = optimizer.lower()
        if key not in _OPTIMIZER_STATES:
            raise ValueError(f"optimizer={optimizer!r}: choose one of {sorted(_OPTIMIZER_STATES)}")
        self.optimizer = key
        self.training_bytes = int(self.input_bytes + self.activation_bytes + self.param_bytes
                                  + trainable_bytes * (1 + _OPTIMIZER_STATES[key]))
        out = tracer.output
        self.output_shape = tuple(out.shape) if hasattr(out, "shape") else None
        self._tracer, self._model = tracer, model
        self.convention = convention
        self.convention_result = None if convention == "deepglass" else _conv.compute(convention, tracer, model)

    # ------------------------------------------------------------ conventions
    def convention_total(self, name: str):
        """The total under another tool's rules (``"fvcore"``, ``"thop"``, ``"ptflops"``, ``"torchinfo"``)."""
        if name == "deepglass":
            return self.macs
        return _conv.compute(name, self._tracer, self._model)["total"]

    def conventions(self) -> dict:
        """Every tool's total side by side."""
        out = {"deepglass": {"total": self.macs, "unit": "MACs (bias excluded)"}}
        for name in _conv.CONVENTIONS[1:]:
            out[name] = _conv.compute(name, self._tracer, self._model)
        return out

    # ----------------------------------------------------------------- output
    def totals(self) -> dict:
        return {
            "total_params": self.total_params, "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params, "param_bytes": self.param_bytes,
            "macs": self.macs, "flops": self.flops, "elementwise_flops": self.elementwise_flops,
            "input_bytes": self.input_bytes, "activation_bytes": self.activation_bytes,
            "training_bytes": self.training_bytes, "optimizer": self.optimizer,
        }

    def to_dict(self) -> dict:
        def clean(v):
            if isinstance(v, tuple):
                return [clean(x) for x in v]
            if isinstance(v, (np.integer,)):
                return int(v)
            if isinstance(v, (np.floating,)):
                return float(v)
            return v

        rows = [{k: clean(v) for k, v in asdict(r).items()} for r in self.rows]
        d = {"model": self.model_name, "input_size": list(self.input_size), "dtype": self.dtype,
             "mode": self.mode, "note": self.note, "output_shape": clean(self.output_shape),
             "totals": self.totals(), "rows": rows}
        if self.convention_result is not None:
            d["convention"] = {"name": self.convention, **self.convention_result}
        return d

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def __repr__(self) -> str:
        return (f"Summary({self.model_name}, input={self.input_size}, params={self.total_params:,}, "
                f"MACs={self.macs:,}, FLOPs={self.flops:,})")

    def __str__(self) -> str:
        from .table import render

        return render(self)


def _geometry(row: LayerRow, info) -> None:
    if info is None:
        return
    g = info.geometry
    for k in ("kernel_size", "stride", "padding", "dilation", "groups"):
        if k in g:
            setattr(row, k, g[k])


def _rf_fields(row: LayerRow, state) -> None:
    if state is None:
        return
    if state is rfstate.WHOLE:
        row.rf_whole = True
        return
    row.rf_size = rfstate.squeeze(state.r)
    row.rf_jump = rfstate.squeeze(state.j)
    row.rf_start = rfstate.squeeze(state.start)
    row.rf_padding = rfstate.squeeze(state.padding)


def _rows(tracer):
    calls = tracer.calls
    tot_macs = {id(c): c.self_macs for c in calls}
    tot_ew = {id(c): c.self_elementwise for c in calls}
    for c in reversed(calls):
        if c.parent is not None:
            tot_macs[id(c.parent)] += tot_macs[id(c)]
            tot_ew[id(c.parent)] += tot_ew[id(c)]
    rows = []
    for c in calls:
        m = c.module
        row = LayerRow(name=c.name or type(m).__name__, type=type(m).__name__, depth=c.depth, is_leaf=c.is_leaf,
                       input_shape=c.in_shapes[0] if c.in_shapes else None, output_shape=c.out_shape)
        if c.first_call:
            ps = list(m.parameters())
            row.params = int(sum(prod(p.shape) for p in ps))
            row.trainable_params = int(sum(prod(p.shape) for p in ps if p.requires_grad))
            row.frozen_params = row.params - row.trainable_params
        else:
            row.note = "shared module (parameters counted at its first call)"
        row.macs, row.elementwise_flops = int(tot_macs[id(c)]), int(tot_ew[id(c)])
        row.flops = 2 * row.macs + row.elementwise_flops
        if c.out_shape is not None and c.out_dtype is not None:
            row.output_bytes = prod(c.out_shape) * np.dtype(c.out_dtype).itemsize
        _geometry(row, c.info)
        _rf_fields(row, c.rf)
        if isinstance(c.rf, rfstate.RF) and not c.rf.aligned:
            row.note = (row.note + "; " if row.note else "") + "branches not aligned (receptive field is their union)"
        if c.is_leaf and c.info is None:
            row.note = (row.note + "; " if row.note else "") + "no layer rule: counted from its ops"
        rows.append(row)
    return rows


def summary(model, input_size, dtype="float32", depth=None, convention: str = "deepglass",
            optimizer: str = "adam") -> Summary:
    """Parameters, MACs/FLOPs, memory and receptive field of every layer of ``model``.

    Args:
        model: a ``deepglass.nn.Module`` (its train/eval mode is respected: batch norm
            counts differ).
        input_size: the input's shape including the batch, e.g. ``(1, 3, 224, 224)``.
        dtype: the input's dtype (and so the activations' bytes per element).
        depth: keep rows down to this nesting depth in ``rows`` and the table
            (a container at the cut-off depth sums its sub-tree); None keeps all.
        convention: ``"deepglass"`` (the default, see the module docstring) or
            ``"fvcore"``, ``"thop"``, ``"ptflops"``, ``"torchinfo"`` to also compute that
            tool's total (``summary.convention_result``; every tool with ``conventions()``).
        optimizer: the optimizer of the training-memory estimate (``"adam"``, ``"sgd"``,
            ``"momentum"``...).

    Returns:
        A :class:`Summary`; ``str(summary)`` is a table, ``summary.to_dict()`` the same as data.

    Raises:
        ValueError: the input does not fit a layer (the message names the layer and
            the shapes), or an unknown convention.
    """
    if convention not in _conv.CONVENTIONS:
        raise ValueError(f"unknown convention {convention!r}; choose one of {', '.join(_conv.CONVENTIONS)}")
    if isinstance(input_size, int) or not all(isinstance(s, (int, np.integer)) for s in input_size):
        raise ValueError(f"input_size must be a tuple of ints including the batch, e.g. (1, 3, 224, 224); "
                         f"got {input_size!r}")
    tracer, fallback = trace(model, tuple(input_size), np.dtype(dtype))
    all_rows = _rows(tracer)
    rows = [r for r in all_rows if r.depth >= 1 and (depth is None or r.depth <= depth)]
    if not rows:
        rows = [r for r in all_rows if r.depth == 0]
    return Summary(model, tracer, rows, all_rows, fallback, convention, optimizer, depth)
