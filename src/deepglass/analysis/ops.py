"""Rules for the ops (``Function`` subclasses) that run inside composite forwards.

A ResNet block's ``out += identity``, an SE block's ``x * gate``, a ViT's
``x + pos_embedding`` and the matmuls of attention are not layers: the tracer sees
them as ``Function.apply`` calls. For each op name this module gives

* ``shape(args, kwargs)``: the output shape and dtype, so the meta pass can skip
  the arithmetic (ops without one run for real on zero-stride arrays — views such
  as reshape/permute/expand/slicing cost nothing there);
* ``count(args, kwargs, out_shape)``: (MACs, element-wise operations);
* ``rf``: how the op moves a receptive field (``"join"`` = element-wise union of
  the inputs, ``"whole"``, ``"layout"`` = keep when the spatial axes survive).
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .rules import prod


def _tensors(args):
    return [a for a in args if isinstance(a, Tensor)]


def _bshape(args):
    shapes = [tuple(a.shape) for a in _tensors(args)]
    return tuple(np.broadcast_shapes(*shapes)) if shapes else ()


def _elementwise_shape(args, kwargs):
    ts = _tensors(args)
    dt = np.result_type(*[t.dtype for t in ts]) if ts else np.dtype("float32")
    return _bshape(args), dt


def _same_shape(args, kwargs):
    t = _tensors(args)[0]
    return tuple(t.shape), t.dtype


def _cast_shape(args, kwargs):
    t = args[0]
    return tuple(t.shape), np.dtype(args[1])


def _reduce_shape(args, kwargs):
    x, axes, keepdim = args[0], args[1], args[2]
    shape = tuple(x.shape)
    if axes is None:
        axes = tuple(range(len(shape)))
    axes = (axes,) if isinstance(axes, int) else tuple(a % len(shape) for a in axes)
    out = tuple(1 if i in axes else n for i, n in enumerate(shape)) if keepdim else \
        tuple(n for i, n in enumerate(shape) if i not in axes)
    dt = x.dtype
    if len(args) > 3 and args[3] is not None and not isinstance(args[3], bool):
        dt = np.dtype(args[3])
    return out, dt


def _matmul_shape(args, kwargs):
    a, b = args[0], args[1]
    sa, sb = tuple(a.shape), tuple(b.shape)
    if len(sa) == 1 and len(sb) == 1:
        return (), a.dtype
    a2 = (1,) + sa if len(sa) == 1 else sa
    b2 = sb + (1,) if len(sb) == 1 else sb
    batch = tuple(np.broadcast_shapes(a2[:-2], b2[:-2]))
    out = batch + (a2[-2], b2[-1])
    if len(sa) == 1:
        out = out[:-2] + out[-1:]
    if len(sb) == 1:
        out = out[:-1]
    return out, np.result_type(a.dtype, b.dtype)


def _linear_shape(args, kwargs):
    x, w = args[0], args[1]
    return tuple(x.shape[:-1]) + (w.shape[0],), x.dtype


def _sdpa_shape(args, kwargs):
    q, v = args[0], args[2]
    return tuple(q.shape[:-1]) + (v.shape[-1],), q.dtype


def _concat_shape(args, kwargs):
    ts = _tensors(args)
    axis = kwargs["axis"]
    out = list(ts[0].shape)
    out[axis] = sum(t.shape[axis] for t in ts)
    return tuple(out), ts[0].dtype


# ------------------------------------------------------------------ counts
def _count_pointwise(per):
    def count(args, kwargs, out):
        return 0, per * prod(out)

    return count


def _count_zero(args, kwargs, out):
    return 0, 0


def _count_reduce(args, kwargs, out):
    return 0, prod(args[0].shape)


def _count_matmul(args, kwargs, out):
    a = args[0]
    k = a.shape[-1]
    return prod(out) * k, 0


def _count_linear(args, kwargs, out):
    x = args[0]
    bias = prod(out) if len(args) > 2 and args[2] is not None else 0
    return prod(out) * x.shape[-1], bias


def _count_sdpa(args, kwargs, out):
    q, k, v = args[0], args[1], args[2]
    lq, lk, e, ev = q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1]
    b = prod(q.shape[:-2])
    scores = b * lq * lk
    return scores * e + scores * ev, 4 * scores  # QKᵀ and AV; scale (1) + softmax (3) per score


def _count_conv(args, kwargs, out):
    w = args[1]
    bias = prod(out) if len(args) > 2 and isinstance(args[2], Tensor) else 0
    return prod(out) * prod(w.shape[1:]), bias


def _count_einsum(args, kwargs, out):
    """The full iteration space (every subscript's size multiplied): one multiply-add per point and extra
    operand (naive order, as the notes count a matmul); a single operand only sums: one addition per point."""
    plan, operands = args[0], _tensors(args)
    space = prod([plan.sizes[c] for c in dict.fromkeys("".join(plan.inputs))])
    if len(operands) == 1:
        return 0, space
    return space * (len(operands) - 1), 0


def _count_cdist(args, kwargs, out):
    """|x1 − x2|^p per pair and feature: a subtraction, a power and an addition (3 operations)."""
    return 0, 3 * prod(out) * args[0].shape[-1]


BINARY = ("Add", "Sub", "Mul", "Div", "Pow", "Extremum", "FloorDivide", "Remainder", "Where")
UNARY = ("Exp", "Log", "Log1p", "Expm1", "Sqrt", "Rsqrt", "Sin", "Cos", "Tanh", "Abs", "Reciprocal", "Sigmoid",
         "ReLU", "Neg", "Clamp", "GELU", "Gelu", "SiLU", "Silu", "LeakyReLU", "ELU", "Hardswish", "Hardsigmoid",
         "ReLU6", "Softplus", "Mish", "Square",
         "Threshold", "LogSigmoid", "Softsign", "_Shrink", "Clip")
SHAPE_OPS = ("Reshape", "Permute", "Expand", "GetItem", "Flip", "Contiguous", "Clone", "Cast", "Move", "Pad", "Tile",
             "Diagonal", "DiagEmbed")

# name -> (shape fn or None, count fn, rf kind)
OP_RULES: dict = {}
for _n in BINARY:
    OP_RULES[_n] = (_elementwise_shape, _count_pointwise(1), "join")
for _n in UNARY:
    OP_RULES[_n] = (_same_shape, _count_pointwise(1), "join")
for _n in ("Softmax", "LogSoftmax"):
    OP_RULES[_n] = (_same_shape, _count_pointwise(3), "softmax")
for _n in SHAPE_OPS:
    OP_RULES[_n] = (None, _count_zero, "layout")
OP_RULES["Clone"] = (_same_shape, _count_zero, "join")
OP_RULES["Contiguous"] = (_same_shape, _count_zero, "join")
OP_RULES["Cast"] = (_cast_shape, _count_zero, "join")
OP_RULES["Sum"] = (_reduce_shape, _count_reduce, "reduce")
OP_RULES["Mean"] = (_reduce_shape, _count_reduce, "reduce")
OP_RULES["AMax"] = (_reduce_shape, _count_zero, "reduce")
OP_RULES["MatMul"] = (_matmul_shape, _count_matmul, "whole")
OP_RULES["Linear"] = (_linear_shape, _count_linear, "whole")
OP_RULES["ScaledDotProductAttention"] = OP_RULES["AttentionChunked"] = (_sdpa_shape, _count_sdpa, "whole")
OP_RULES["Concat"] = (_concat_shape, _count_zero, "concat")
CONV_OPS = ("ConvNd", "Conv1dKernel", "Conv2dKernel", "Conv3dKernel")  # the reference tier and its fast kernels
for _n in CONV_OPS:
    OP_RULES[_n] = (None, _count_conv, "whole")
OP_RULES["Einsum"] = (None, _count_einsum, "whole")
OP_RULES["CDist"] = (None, _count_cdist, "whole")

# ops whose output is a view or a copy of an input (not counted as activation memory)
VIEW_OPS = frozenset(SHAPE_OPS)
