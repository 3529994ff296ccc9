"""Receptive fields (the notes' 感受野): by the recurrence, and measured with autograd.

Theory (:func:`receptive_field`): the shape-only pass carries, per traced tensor and per
spatial axis, the size r, the jump j (effective stride), the centre of the first unit
``start`` and the effective padding P (see :mod:`.rfstate` for the recurrence)::

    k_eff = d(k − 1) + 1;  r ← r + (k_eff − 1)·j;  start ← start + ((k_eff − 1)/2 − p)·j;  j ← j·s

Pooling counts as a conv, dilation enters through k_eff, global pooling, linear layers
on flattened maps and attention make a unit see the whole input (``size`` None,
``whole`` True). Where branches join (ResNet's residual add) the field is the union of
the branches' fields, i.e. the maximum over paths when they are aligned; ``aligned`` says
whether their jumps and centres agreed.

Rows report the theoretical size (not capped by the image) and, separately, the region
of the input the centre unit actually sees, clipped to the image (``region``,
``visible``).

Measurement (:func:`empirical_receptive_field`): back-propagate a one-hot gradient
from the centre unit of a layer through a linearised version of the network (conv
weights 1/fan_in, no bias, ReLU → identity, max pool → average pool, batch norm →
identity, channels summed so that one channel carries the geometry) in float64 and
take the bounding box of the non-zero input gradient. The linearisation is done by
overriding the layers' ``forward`` for the duration of the measurement; the model is
left unchanged.

Example:
    >>> rows = receptive_field(vgg16(), (1, 3, 224, 224))
    >>> rows["features.30"].size, rows["features.30"].jump
    (212, 32)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._tensor import from_array
from ..autograd import grad_mode
from . import rfstate
from .meta import trace
from .rules import _conv_padding, _tup, leaf_rule


@dataclass
class RFRow:
    """One layer's receptive field; per-axis values collapse to one number when the axes agree."""

    name: str
    type: str
    depth: int
    is_leaf: bool
    output_shape: tuple
    size: object = None       # r (None: sees the whole input, or not spatial)
    jump: object = None       # j, the effective stride
    padding: object = None    # P, the effective padding
    start: object = None      # centre of the first unit, in input pixels
    whole: bool = False
    aligned: bool = True
    exact: bool = True
    region: tuple = None      # ((lo, hi) per axis) seen by the centre unit, clipped to the image
    visible: object = None    # the clipped extent of that region
    clipped: bool = False


class ReceptiveFields(list):
    """A list of :class:`RFRow` that can also be indexed by layer name."""

    def __getitem__(self, key):
        if isinstance(key, str):
            for r in self:
                if r.name == key:
                    return r
            raise KeyError(f"no layer named {key!r}; layers: {', '.join(r.name for r in self)}")
        return super().__getitem__(key)

    def __str__(self):
        lines = [f"{'layer':<40} {'output':<18} {'r':>6} {'jump':>5} {'P':>6} {'start':>6} {'visible':>8}"]
        for r in self:
            size = "whole" if r.whole else ("" if r.size is None else str(r.size))
            out = "×".join(map(str, r.output_shape or ()))
            lines.append(f"{r.name + ' (' + r.type + ')':<40} {out:<18} {size:>6} "
                         f"{'' if r.jump is None else r.jump!s:>5} {'' if r.padding is None else r.padding!s:>6} "
                         f"{'' if r.start is None else r.start!s:>6} {'' if r.visible is None else r.visible!s:>8}")
        return "\n".join(lines)


def _center_region(state, out_shape, in_spatial):
    region, vis, clipped = [], [], False
    for i, n in enumerate(in_spatial):
        c = (out_shape[2 + i] - 1) // 2
        mid = state.start[i] + c * state.j[i]
        lo, hi = mid - (state.r[i] - 1) / 2, mid + (state.r[i] - 1) / 2
        clo, chi = max(lo, 0), min(hi, n - 1)
        clipped = clipped or clo != lo or chi != hi
        region.append((rfstate.as_number(float(clo)), rfstate.as_number(float(chi))))
        vis.append(rfstate.as_number(float(chi - clo + 1)))
    return tuple(region), (vis[0] if len(set(vis)) == 1 else tuple(vis)), clipped


def receptive_field(model, input_size, dtype="float32", leaves_only: bool = False) -> ReceptiveFields:
    """The theoretical receptive field of every layer (module call) of ``model``.

    Args:
        model: a module taking one image-like input ``(N, C, *spatial)``.
        input_size: the input shape, e.g. ``(1, 3, 224, 224)``.
        leaves_only: keep only the leaf layers (not the blocks that contain them).

    Returns:
        :class:`ReceptiveFields`, rows with ``name``, ``size``, ``jump``, ``padding``,
        ``start`` (None where the unit sees the whole input: ``whole`` is True), the
        clipped ``region``/``visible`` of the centre unit, ``aligned`` and ``exact``.
    """
    tracer, _ = trace(model, tuple(input_size), np.dtype(dtype))
    in_spatial = tuple(input_size[2:])
    out = ReceptiveFields()
    for c in tracer.calls:
        if c.depth == 0 and len(tracer.calls) > 1:
            continue
        if leaves_only and not c.is_leaf:
            continue
        row = RFRow(c.name or type(c.module).__name__, type(c.module).__name__, c.depth, c.is_leaf, c.out_shape)
        st = c.rf
        if st is rfstate.WHOLE:
            row.whole = True
        elif isinstance(st, rfstate.RF):
            row.size, row.jump = rfstate.squeeze(st.r), rfstate.squeeze(st.j)
            row.padding, row.start = rfstate.squeeze(st.padding), rfstate.squeeze(st.start)
            row.aligned, row.exact = st.aligned, st.exact
            if c.out_shape is not None and len(c.out_shape) == len(in_spatial) + 2:
                row.region, row.visible, row.clipped = _center_region(st, c.out_shape, in_spatial)
        out.append(row)
    return out


# ------------------------------------------------------------------ measurement
class _Stop(Exception):
    pass


def _linear_forward(module):
    """A forward for the linearised network (one channel, positive weights), or None to keep the layer's."""
    from ..nn import functional as F

    name = type(module).__name__
    rule = leaf_rule(module)
    if rule is None or module._modules:
        return None
    base = next((c.__name__ for c in type(module).__mro__ if c.__name__ in _KINDS), name)
    kind = _KINDS.get(base)
    if kind is None:
        return None
    if kind == "identity":
        return lambda x, *a, **k: x
    if kind in ("conv", "convt"):
        nd = 2 if base.endswith("2d") else 1
        k = _tup(module.kernel_size, nd)
        s, d = _tup(module.stride, nd), _tup(module.dilation, nd)
        w = from_array(np.full((1, 1) + k, 1.0 / float(np.prod(k))))
        if kind == "conv":
            p = _conv_padding(module, k, d, nd)
            conv = F.conv2d if nd == 2 else F.conv1d
            return lambda x, *a, **kw: conv(x.sum(1, keepdim=True), w, None, s, p, d)
        p, op = _tup(module.padding, nd), _tup(getattr(module, "output_padding", 0), nd)
        return lambda x, *a, **kw: F.conv_transpose2d(x.sum(1, keepdim=True), w, None, s, p, op, 1, d)
    if kind == "pool":
        k = _tup(module.kernel_size, 2)
        s = k if module.stride is None else _tup(module.stride, 2)
        p, d = _tup(module.padding, 2), _tup(getattr(module, "dilation", 1), 2)
        ceil = bool(getattr(module, "ceil_mode", False))
        if d == (1, 1):
            return lambda x, *a, **kw: F.avg_pool2d(x, k, s, p, ceil, True)
        w = from_array(np.full((1, 1) + k, 1.0 / float(np.prod(k))))
        return lambda x, *a, **kw: F.conv2d(x.sum(1, keepdim=True), w, None, s, p, d)
    if kind == "adaptive":
        return lambda x, *a, **kw: F.adaptive_avg_pool2d(x, module.output_size)
    if kind == "linear":
        return lambda x, *a, **kw: x.mean(-1, keepdim=True)
    return None


_KINDS = {"Conv2d": "conv", "Conv1d": "conv", "ConvTranspose2d": "convt", "MaxPool2d": "pool", "AvgPool2d": "pool",
          "AdaptiveAvgPool2d": "adaptive", "AdaptiveMaxPool2d": "adaptive", "Linear": "linear"}
for _n in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm", "LayerNorm", "GroupNorm", "InstanceNorm1d",
           "InstanceNorm2d", "Dropout", "Dropout2d", "Dropout1d", "Identity", "ReLU", "ReLU6", "LeakyReLU", "PReLU",
           "ELU", "SELU", "CELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Hardswish", "Hardsigmoid", "Hardtanh", "Mish",
           "Softplus", "Softmax"):
    _KINDS[_n] = "identity"


def _last_spatial_layer(model, input_size):
    rows = receptive_field(model, input_size, leaves_only=True)
    best = None
    for r in rows:
        if r.size is not None:
            best = r.name
    if best is None:
        raise ValueError("the model has no layer with a finite receptive field")
    return best


def empirical_receptive_field(model, input_size, layer: str | None = None):
    """Measure the receptive field of ``layer``'s centre unit with autograd.

    Args:
        model: the network (left unchanged).
        input_size: ``(1, C, H, W)`` (or ``(1, C, L)``); pick it large enough that the
            centre unit's field is not clipped if you compare with the theory.
        layer: a module name as in ``named_modules()``; default: the deepest leaf layer
            whose field is finite.

    Returns:
        ``(size, region)``: the bounding-box extent per axis (one number when the axes agree)
        and ``((lo, hi), ...)`` per axis, or ``(None, None)`` when no gradient reaches the input.
    """
    if layer is None:
        layer = _last_spatial_layer(model, input_size)
    path, _, nth = layer.partition("#")
    target = model.get_submodule(path)
    nth = int(nth) if nth else 1  # "name#k": the k-th call of a module used several times
    saved = []
    captured = {}
    calls = [0]

    def hook(m, args, out):
        calls[0] += 1
        if calls[0] == nth:
            captured["out"] = out
            raise _Stop

    try:
        for m in model.modules():
            f = _linear_forward(m)
            if f is not None:
                object.__setattr__(m, "forward", f)
                saved.append(m)
        handle = target.register_forward_hook(hook)
        x = from_array(np.ones((1,) + tuple(input_size[1:]), dtype=np.float64)).requires_grad_()
        try:
            with grad_mode.enable_grad():
                model(x)
        except _Stop:
            pass
        finally:
            handle.remove()
        if "out" not in captured:
            raise RuntimeError(f"layer {layer!r} was not called by the model's forward")
        y = captured["out"]
        g = np.zeros(y.shape, dtype=np.float64)
        idx = (0, 0) + tuple((n - 1) // 2 for n in y.shape[2:])
        g[idx] = 1.0
        y.backward(from_array(g))
    finally:
        for m in saved:
            m.__dict__.pop("forward", None)
    grad = np.abs(np.asarray(x.grad._array)).sum(axis=(0, 1)) if x.grad is not None else None
    if grad is None or not np.any(grad):
        return None, None
    region, size = [], []
    for ax in range(grad.ndim):
        other = tuple(a for a in range(grad.ndim) if a != ax)
        nz = np.flatnonzero(grad.sum(axis=other) if other else grad)
        region.append((int(nz[0]), int(nz[-1])))
        size.append(int(nz[-1] - nz[0] + 1))
    return (size[0] if len(set(size)) == 1 else tuple(size)), tuple(region)
