"""ONNX mappings of the element-wise, activation, reduction and linear-algebra primitives.

Each converter ``fn(g, ev, args, kwargs)`` reads one traced event (``args``: its
positional arguments, with integers that follow a dynamic axis as ``DynInt``),
adds ONNX nodes through the builder ``g`` and binds the event's outputs with
``g.out(name)``. The layer primitives (conv, pooling, norms, shapes, attention,
sampling) are in :mod:`._ops_nn`. ``CONVERTERS`` maps each ``Function`` class to
its converter.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..ops import activation as A
from ..ops import activation_more as AM
from ..ops import compare as C
from ..ops import elementwise as E
from ..ops import linalg as L
from ..ops import reduce as R

CONVERTERS: dict = {}


def converts(*classes):
    def deco(fn):
        for c in classes:
            CONVERTERS[c] = fn
        return fn
    return deco


def out_dtype(ev):
    return ev.outputs[0]._array.dtype


def operand(g, ev, j):
    """Argument ``j`` as a value name: a tensor's, or a Python number as a constant of the output's dtype."""
    a = ev.args[j]
    if isinstance(a, Tensor) or (hasattr(a, "shape") and hasattr(a, "dtype")):
        return g.x(j)
    return g.const(a, out_dtype(ev))


# ------------------------------------------------------------------ element-wise
_BINARY = {E.Add: "Add", E.Sub: "Sub", E.Mul: "Mul", E.Div: "Div", E.Pow: "Pow"}


@converts(*_BINARY)
def _binary(g, ev, args, kwargs):
    g.out(g.node(_BINARY[ev.cls], [operand(g, ev, 0), operand(g, ev, 1)]))


_UNARY = {E.Neg: "Neg", E.Exp: "Exp", E.Log: "Log", E.Sqrt: "Sqrt", E.Tanh: "Tanh", E.Sigmoid: "Sigmoid",
          E.Abs: "Abs", E.Reciprocal: "Reciprocal", E.Sin: "Sin", E.Cos: "Cos", A.ReLU: "Relu",
          AM.Softsign: "Softsign", E.Clone: "Identity", E.Move: "Identity"}


@converts(*_UNARY)
def _unary(g, ev, args, kwargs):
    g.out(g.node(_UNARY[ev.cls], [g.x(0)]))


@converts(E.Log1p, E.Expm1, E.Rsqrt)
def _unary_composed(g, ev, args, kwargs):
    one = g.const(1, out_dtype(ev))
    x = g.x(0)
    if ev.cls is E.Log1p:
        g.out(g.node("Log", [g.node("Add", [x, one])]))
    elif ev.cls is E.Expm1:
        g.out(g.node("Sub", [g.node("Exp", [x]), one]))
    else:
        g.out(g.node("Reciprocal", [g.node("Sqrt", [x])]))


@converts(E.Cast)
def _cast(g, ev, args, kwargs):
    from ._graph import onnx_dtype

    g.out(g.node("Cast", [g.x(0)], to=onnx_dtype(out_dtype(ev))))


@converts(E.Clamp, A.Clip)
def _clamp(g, ev, args, kwargs):
    lo, hi = ev.args[1], ev.args[2]
    out = g.x(0)
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        if lo is not None:
            out = g.node("Max", [out, operand(g, ev, 1)])
        if hi is not None:
            out = g.node("Min", [out, operand(g, ev, 2)])
        g.out(out)
        return
    dt = out_dtype(ev)
    g.out(g.node("Clip", [out, None if lo is None else g.const(lo, dt), None if hi is None else g.const(hi, dt)]))


@converts(E.Extremum)
def _extremum(g, ev, args, kwargs):
    g.out(g.node("Max" if ev.args[2] else "Min", [operand(g, ev, 0), operand(g, ev, 1)]))


_COMPARE = {"equal": "Equal", "less": "Less", "less_equal": "LessOrEqual", "greater": "Greater",
            "greater_equal": "GreaterOrEqual", "logical_and": "And", "logical_or": "Or", "logical_xor": "Xor"}


_ROUNDING = {"floor": "Floor", "ceil": "Ceil", "round": "Round", "sign": "Sign"}


@converts(C.PiecewiseConstant)
def _piecewise_constant(g, ev, args, kwargs):
    x, name = g.x(0), ev.args[1]
    decimals = ev.args[2] if len(ev.args) > 2 else 0
    if name == "trunc":          # sign(x)·floor(|x|)
        g.out(g.node("Mul", [g.node("Sign", [x]), g.node("Floor", [g.node("Abs", [x])])]))
    elif name == "round" and decimals:   # as NumPy: round(x·10^d)/10^d
        scale = g.const(10.0 ** decimals, out_dtype(ev))
        g.out(g.node("Div", [g.node("Round", [g.node("Mul", [x, scale])]), scale]))
    else:
        g.out(g.node(_ROUNDING[name], [x]))


@converts(C.Compare)
def _compare(g, ev, args, kwargs):
    a, b, name = ev.args
    ref = a if isinstance(a, Tensor) else b
    ops = [g.x(j) if isinstance(v, Tensor) else g.const(v, ref._array.dtype) for j, v in enumerate((a, b))]
    if name == "not_equal":
        g.out(g.node("Not", [g.node("Equal", ops)]))
    elif name in _COMPARE:
        g.out(g.node(_COMPARE[name], ops))
    elif name.startswith("bitwise_") and ref.dtype == bool:
        g.out(g.node({"bitwise_and": "And", "bitwise_or": "Or", "bitwise_xor": "Xor"}[name], ops))
    else:
        raise NotImplementedError(f"{name} on {ref.dtype} tensors")


@converts(E.Where)
def _where(g, ev, args, kwargs):
    g.out(g.node("Where", [g.x(0), operand(g, ev, 1), operand(g, ev, 2)]))


# ------------------------------------------------------------------ activations
@converts(A.Softmax, A.LogSoftmax)
def _softmax(g, ev, args, kwargs):
    g.out(g.node("Softmax" if ev.cls is A.Softmax else "LogSoftmax", [g.x(0)], axis=int(args[1])))


@converts(A.LeakyReLU)
def _leaky(g, ev, args, kwargs):
    if not isinstance(args[1], (int, float)):
        raise NotImplementedError("rrelu in training mode has random slopes")
    g.out(g.node("LeakyRelu", [g.x(0)], alpha=float(args[1])))


@converts(A.PReLU)
def _prelu(g, ev, args, kwargs):
    w = g.node("Reshape", [g.x(1), g.ints(args[2])])
    g.out(g.node("PRelu", [g.x(0), w]))


@converts(A.ELU)
def _elu(g, ev, args, kwargs):
    alpha = float(args[1])
    scale = float(args[2]) if len(args) > 2 else 1.0
    input_scale = float(args[3]) if len(args) > 3 else 1.0
    x = g.x(0)
    dt = out_dtype(ev)
    if input_scale == 1.0 and math.isclose(alpha, 1.6732632423543772) and math.isclose(scale, 1.0507009873554805):
        g.out(g.node("Selu", [x], alpha=alpha, gamma=scale))
        return
    if input_scale != 1.0:  # celu: x for x > 0, α(exp(x·s) − 1) below
        neg = g.node("Mul", [g.node("Sub", [g.node("Exp", [g.node("Mul", [x, g.const(input_scale, dt)])]),
                                            g.const(1.0, dt)]), g.const(alpha, dt)])
        y = g.node("Where", [g.node("Greater", [x, g.const(0.0, dt)]), x, neg])
        g.out(y if scale == 1.0 else g.node("Mul", [y, g.const(scale, dt)]))
        return
    y = g.node("Elu", [x], alpha=alpha)
    g.out(y if scale == 1.0 else g.node("Mul", [y, g.const(scale, dt)]))


@converts(A.GELU)
def _gelu(g, ev, args, kwargs):
    x, dt = g.x(0), out_dtype(ev)
    approximate = args[1]
    if g.opset >= 20:
        g.out(g.node("Gelu", [x], approximate=str(approximate)))
        return
    half = g.node("Mul", [x, g.const(0.5, dt)])
    if approximate == "tanh":  # 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        x3 = g.node("Mul", [g.node("Mul", [x, x]), x])
        inner = g.node("Add", [x, g.node("Mul", [x3, g.const(0.044715, dt)])])
        t = g.node("Tanh", [g.node("Mul", [inner, g.const(math.sqrt(2 / math.pi), dt)])])
    else:  # 0.5·x·(1 + erf(x/√2))
        t = g.node("Erf", [g.node("Mul", [x, g.const(1 / math.sqrt(2), dt)])])
    g.out(g.node("Mul", [half, g.node("Add", [t, g.const(1.0, dt)])]))


@converts(A.SiLU)
def _silu(g, ev, args, kwargs):
    x = g.x(0)
    g.out(g.node("Mul", [x, g.node("Sigmoid", [x])]))


@converts(A.Hardswish)
def _hardswish(g, ev, args, kwargs):
    g.out(g.node("HardSwish", [g.x(0)]))


@converts(AM.Hardsigmoid)
def _hardsigmoid(g, ev, args, kwargs):
    g.out(g.node("HardSigmoid", [g.x(0)], alpha=1.0 / 6, beta=0.5))


@converts(A.Softplus)
def _softplus(g, ev, args, kwargs):
    x, dt = g.x(0), out_dtype(ev)
    beta, threshold = float(args[1]), float(args[2])
    bx = x if beta == 1 else g.node("Mul", [x, g.const(beta, dt)])
    sp = g.node("Softplus", [bx])
    if beta != 1:
        sp = g.node("Div", [sp, g.const(beta, dt)])
    big = g.node("Greater", [bx, g.const(threshold, dt)])
    g.out(g.node("Where", [big, x, sp]))


@converts(AM.LogSigmoid)
def _logsigmoid(g, ev, args, kwargs):
    g.out(g.node("Log", [g.node("Sigmoid", [g.x(0)])]))


@converts(AM.Mish)
def _mish(g, ev, args, kwargs):
    x = g.x(0)
    g.out(g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])]))


# ------------------------------------------------------------------ reductions
def _axes(axes, ndim):
    if axes is None:
        return None
    axes = (axes,) if isinstance(axes, int) else tuple(axes)
    return [int(a) % ndim for a in axes] if axes else None


@converts(R.Sum, R.Mean, R.Prod, R.LogSumExp)
def _reduce(g, ev, args, kwargs):
    op = {R.Sum: "ReduceSum", R.Mean: "ReduceMean", R.Prod: "ReduceProd", R.LogSumExp: "ReduceLogSumExp"}[ev.cls]
    x = ev.args[0]
    y = g.reduce(op, g.x(0), _axes(args[1], x.ndim), bool(args[2]))
    if out_dtype(ev) != x._array.dtype:
        from ._graph import onnx_dtype
        y = g.node("Cast", [y], to=onnx_dtype(out_dtype(ev)))
    g.out(y)


@converts(R.AMax)
def _amax(g, ev, args, kwargs):
    x = ev.args[0]
    g.out(g.reduce("ReduceMax" if args[3] else "ReduceMin", g.x(0), _axes(args[1], x.ndim), bool(args[2])))


@converts(R.Var)
def _var(g, ev, args, kwargs):
    x, dt = ev.args[0], out_dtype(ev)
    axes = _axes(args[1], x.ndim)
    n = int(np.prod([x.shape[a] for a in (axes if axes is not None else range(x.ndim))]))
    mean = g.reduce("ReduceMean", g.x(0), axes, True)
    d = g.node("Sub", [g.x(0), mean])
    ss = g.reduce("ReduceSum", g.node("Mul", [d, d]), axes, bool(args[3]))
    g.out(g.node("Div", [ss, g.const(max(n - float(args[2]), 0), dt)]))


@converts(R.VectorNorm)
def _vector_norm(g, ev, args, kwargs):
    x, order = ev.args[0], float(args[1])
    axes, keep = _axes(args[2], x.ndim), bool(args[3])
    if order == 2:
        g.out(g.reduce("ReduceL2", g.x(0), axes, keep))
    elif order == 1:
        g.out(g.reduce("ReduceL1", g.x(0), axes, keep))
    elif order == math.inf:
        g.out(g.reduce("ReduceMax", g.node("Abs", [g.x(0)]), axes, keep))
    else:
        raise NotImplementedError(f"vector_norm of order {order}")


@converts(R.CumSum)
def _cumsum(g, ev, args, kwargs):
    g.out(g.node("CumSum", [g.x(0), g.ints([int(args[1])])]))


# ------------------------------------------------------------------ linear algebra
@converts(L.MatMul)
def _matmul(g, ev, args, kwargs):
    g.out(g.node("MatMul", [g.x(0), g.x(1)]))


def transposed(g, ev, j):
    """Argument ``j`` (a 2-D weight) transposed: a folded initializer when it is constant, else a node."""
    w = ev.args[j]
    if g.fold and not g.is_live(j):
        return g.add_initializer(np.ascontiguousarray(w._array.T))
    return g.node("Transpose", [g.x(j)], perm=[1, 0])


@converts(L.Linear)
def _linear(g, ev, args, kwargs):
    x, b = ev.args[0], ev.args[2]
    if x.ndim == 2:
        inputs = [g.x(0), g.x(1)] + ([g.x(2)] if b is not None else [])
        g.out(g.node("Gemm", inputs, transB=1))
        return
    y = g.node("MatMul", [g.x(0), transposed(g, ev, 1)])
    g.out(g.node("Add", [y, g.x(2)]) if b is not None else y)


@converts(L.Einsum)
def _einsum(g, ev, args, kwargs):
    plan = ev.args[0]
    eq = getattr(plan, "equation", None) or (plan if isinstance(plan, str) else None)
    if eq is None:
        raise NotImplementedError("einsum with a precomputed plan")
    g.out(g.node("Einsum", [g.x(j) for j in range(1, len(ev.args))], equation=eq))
