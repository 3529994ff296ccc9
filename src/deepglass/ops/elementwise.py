"""Element-wise ops: arithmetic, exp/log family, trigonometry, clamping (comparisons: ``compare.py``).

Each primitive is a ``Function`` whose backward is the derivative written out
(d/dx e^x = e^x, d/dx log x = 1/x, ...). Binary ops broadcast like PyTorch;
the engine sums their gradients back to each input's shape.
"""
from __future__ import annotations

import numpy as np

from .. import backend, dtypes
from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ._util import no_complex as _no_complex
from ._util import promote, to_float, xp_of


def _c(a):
    """conj(a) for complex arrays (backward formulas use conj(f'(z)), PyTorch's convention); a itself otherwise."""
    return a.conj() if getattr(a, "dtype", None) is not None and a.dtype.kind == "c" else (
        a.conjugate() if isinstance(a, complex) else a)


# ---------------------------------------------------------------- casts/moves


class Cast(Function):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.src = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.src.kind not in "fc":
            return None
        if g.dtype.kind == "c" and ctx.src.kind == "f":  # real -> complex: the real part flows back
            g = g.real
        return g.astype(ctx.src)


def _cast(x: Tensor, dtype) -> Tensor:
    """Differentiable dtype conversion (gradients flow between float and complex dtypes).

    complex -> real keeps the real part (PyTorch warns that the imaginary part is discarded).
    """
    if x._array.dtype == dtype:
        return x
    if x._array.dtype.kind == "c" and dtype.kind != "c":
        import warnings

        warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3)
        if dtype.kind == "f":
            from .complex import real

            return _cast(real(x), dtype)
    if dtype.kind not in "fc" and x.requires_grad:
        return from_array(x._array.astype(dtype))
    return Cast.apply(x, dtype)


class Move(Function):
    @staticmethod
    def forward(ctx, x, device):
        ctx.src = backend.device_of(x)
        return backend.to_device(x, device)

    @staticmethod
    def backward(ctx, g):
        return backend.to_device(g, ctx.src)


def _move(x: Tensor, device) -> Tensor:
    return Move.apply(x, device)


class Clone(Function):
    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def clone(input: Tensor) -> Tensor:
    """A copy with its own memory; gradients flow back to ``input``."""
    return Clone.apply(input)


# ---------------------------------------------------------------- arithmetic


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (g * _c(b) if need[0] else None), (g * _c(a) if need[1] else None)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = map(_c, ctx.saved_tensors)
        need = ctx.needs_input_grad
        ga = g / b if need[0] else None
        gb = -g * a / (b * b) if need[1] else None
        return ga, gb


class Pow(Function):
    """a ** b; d/da = b·a^(b−1), d/db = a^b·log a."""

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = map(_c, ctx.saved_tensors)
        need = ctx.needs_input_grad
        xp = xp_of(g)
        ga = gb = None
        if need[0]:
            if isinstance(b, (int, float)):
                ga = g * (2 * a) if b == 2 else (xp.zeros_like(g) if b == 0 else g * (b * a ** (b - 1)))
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    ga = xp.where(b == 0, 0, g * b * a ** (b - 1)).astype(g.dtype, copy=False)
        if need[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = xp.log(a)
            gb = g * out * xp.where((a == 0) & (xp.real(b) >= 0), 0, log_a)
        return ga, gb


class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


def _binary(fn, a, b):
    # fast paths (no promotion needed) before the general rules in promote()
    if type(a) is Tensor:
        tb = type(b)
        if tb is Tensor:
            if a._array.dtype == b._array.dtype:
                return fn.apply(a, b)
        elif tb is float:
            if a._array.dtype.kind in "fc":
                return fn.apply(a, b)
        elif tb is int and a._array.dtype.kind in "fiu":
            return fn.apply(a, b)
    a, b = promote(a, b)
    return fn.apply(a, b)


def add(input, other, alpha=1):
    """``input + alpha * other`` with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Add, input, other)


def sub(input, other, alpha=1):
    """``input - alpha * other`` with broadcasting."""
    if alpha != 1:
        other = mul(other, alpha)
    return _binary(Sub, input, other)


subtract = sub


def mul(input, other):
    return _binary(Mul, input, other)


multiply = mul


def div(input, other, rounding_mode=None):
    """True division (integers give the default float dtype), or ``rounding_mode`` "trunc"/"floor"."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        return _trunc_divide(input, other)
    if rounding_mode is not None:
        raise ValueError(f"rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
    return _binary(Div, _float_operand(input), _float_operand(other))


divide = true_divide = div


class TruncDivide(Function):
    """trunc(a / b): piecewise constant, so both gradients are zero (PyTorch keeps it in the graph)."""

    @staticmethod
    def forward(ctx, a, b, dtype):
        xp = backend.array_module_of(a if not isinstance(a, (int, float)) else b)
        a, b = xp.asarray(a), xp.asarray(b)
        if dtype.kind == "f":
            return xp.trunc(xp.true_divide(a, b, dtype=dtype))
        q = xp.floor_divide(a, b)
        # floor and trunc differ by one where the quotient is negative and inexact
        fix = (xp.remainder(a, b) != 0) & ((a < 0) != (b < 0))
        return (q + fix).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        z = xp_of(g).zeros_like(g)
        return z, z, None


def _trunc_divide(input, other):
    a, b = promote(input, other)
    dtype = (a if isinstance(a, Tensor) else b)._array.dtype
    if dtype.kind in "iu":
        has_zero = bool((b._array == 0).any()) if isinstance(b, Tensor) else b == 0
        if has_zero:   # PyTorch's message for an integer division by zero
            raise RuntimeError("ZeroDivisionError")
    if dtype.kind == "b":
        raise NotImplementedError('"div_trunc" is not implemented for bool tensors; cast them to an integer dtype first')
    return TruncDivide.apply(a, b, dtype)


def _float_operand(x):
    if isinstance(x, Tensor):
        return to_float(x)
    return x


def pow(input, exponent):
    """``input ** exponent`` (either may be a scalar)."""
    if isinstance(input, Tensor) and isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
        if input.dtype.kind in "iub" and isinstance(exponent, float):
            input = to_float(input)
        return Pow.apply(input, exponent)
    a, b = promote(input, exponent)
    if not isinstance(a, Tensor):  # scalar ** tensor
        a = from_array(xp_of(b._array).asarray(a, dtype=b.dtype))
    return Pow.apply(a, b)


def neg(input):
    return Neg.apply(input)


negative = neg


class FloorDivide(Function):
    @staticmethod
    def forward(ctx, a, b):
        return xp_of(a).floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        # piecewise constant: zero gradients, as PyTorch's div(rounding_mode="floor")
        z = xp_of(g).zeros_like(g)
        return z, z


def floor_divide(input, other):
    """Floor of the quotient (Python's ``//``); not differentiable (zero gradient)."""
    return _binary(FloorDivide, input, other)


class Remainder(Function):
    """Python's ``%`` (sign of the divisor): a − b·floor(a/b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return xp_of(a).remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        gb = -g * xp_of(g).floor_divide(a, b) if need[1] else None
        return (g if need[0] else None), gb


def remainder(input, other):
    return _binary(Remainder, input, other)


fmod_python = remainder

# ---------------------------------------------------------------- unary maths


def _unary(name, fwd, bwd, save, doc=""):
    """Build a unary Function from a forward and a derivative.

    ``save`` is ``"x"`` (the input) or ``"y"`` (the output): the one array the
    derivative needs, as in PyTorch's ``derivatives.yaml`` (exp keeps its output,
    sin its input); the other is not kept alive by the graph.
    ``bwd(g, s, xp)`` gets the incoming gradient and that saved array.
    """
    if save == "x":
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return fwd(xp_of(x), x)
    elif save == "y":
        def forward(ctx, x):
            y = fwd(xp_of(x), x)
            ctx.save_for_backward(y)
            return y
    else:  # pragma: no cover - a typo in this file
        raise ValueError(f"save must be 'x' or 'y', got {save!r}")

    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        # these derivatives are real-coefficient functions of s, so conj(f'(s)) = f'(conj s)
        return bwd(g, _c(s), xp_of(g))

    cls = type(name, (Function,), {"forward": staticmethod(forward), "backward": staticmethod(backward), "__doc__": doc})
    return cls


# (name, forward, derivative from the saved array, which array is saved)
Exp = _unary("Exp", lambda xp, x: xp.exp(x), lambda g, y, xp: g * y, "y", doc="e^x; derivative e^x")
Log = _unary("Log", lambda xp, x: xp.log(x), lambda g, x, xp: g / x, "x", doc="ln x; derivative 1/x")
Log1p = _unary("Log1p", lambda xp, x: xp.log1p(x), lambda g, x, xp: g / (1 + x), "x", doc="ln(1+x)")
Expm1 = _unary("Expm1", lambda xp, x: xp.expm1(x), lambda g, y, xp: g * (y + 1), "y", doc="e^x − 1")
Sqrt = _unary("Sqrt", lambda xp, x: xp.sqrt(x), lambda g, y, xp: g / (2 * y), "y", doc="√x; derivative 1/(2√x)")
Rsqrt = _unary("Rsqrt", lambda xp, x: 1 / xp.sqrt(x), lambda g, y, xp: -0.5 * g * y * y * y, "y", doc="1/√x")
Sin = _unary("Sin", lambda xp, x: xp.sin(x), lambda g, x, xp: g * xp.cos(x), "x", doc="sin x")
Cos = _unary("Cos", lambda xp, x: xp.cos(x), lambda g, x, xp: -g * xp.sin(x), "x", doc="cos x")
Tanh = _unary("Tanh", lambda xp, x: xp.tanh(x), lambda g, y, xp: g * (1 - y * y), "y",
              doc="tanh; derivative 1 − tanh²")
Abs = _unary("Abs", lambda xp, x: xp.abs(x), lambda g, x, xp: g * xp.sign(x), "x",
             doc="|x|; derivative sign(x) (0 at 0)")
Reciprocal = _unary("Reciprocal", lambda xp, x: 1 / x, lambda g, y, xp: -g * y * y, "y", doc="1/x")


def _sigmoid_forward(xp, x):
    if x.dtype.kind == "c":
        return 1 / (1 + xp.exp(-x))
    # 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) for x < 0: never overflows
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


Sigmoid = _unary("Sigmoid", _sigmoid_forward, lambda g, y, xp: g * y * (1 - y), "y",
                 doc="σ(x) = 1/(1+e^−x); derivative σ(x)(1−σ(x))")


def _float_unary(cls):
    def op(input):
        return cls.apply(to_float(input))

    op.__name__ = cls.__name__.lower()
    op.__doc__ = f"Element-wise {cls.__doc__}. Integer inputs become the default float dtype."
    op.__qualname__ = op.__name__
    return op


exp = _float_unary(Exp)
log = _float_unary(Log)
log1p = _float_unary(Log1p)
expm1 = _float_unary(Expm1)
sqrt = _float_unary(Sqrt)
rsqrt = _float_unary(Rsqrt)
sin = _float_unary(Sin)
cos = _float_unary(Cos)
tanh = _float_unary(Tanh)
sigmoid = _float_unary(Sigmoid)
reciprocal = _float_unary(Reciprocal)


class ComplexAbs(Function):
    """|z| of a complex z (a real result); gradient g·z/|z| (0 at 0), PyTorch's ``grad * z.sgn()``."""

    @staticmethod
    def forward(ctx, z):
        out = xp_of(z).abs(z)
        ctx.save_for_backward(z, out)
        return out

    @staticmethod
    def backward(ctx, g):
        z, out = ctx.saved_tensors
        xp = xp_of(z)
        safe = xp.where(out == 0, 1, out)
        return xp.where(out == 0, 0, z / safe) * g


def abs(input):
    """|x| (keeps integer dtypes; complex gives the real modulus); gradient sign(x), 0 at 0 as in PyTorch."""
    if input.dtype.kind == "c":
        return ComplexAbs.apply(input)
    if input.dtype.kind != "f":
        return from_array(xp_of(input._array).abs(input._array))
    return Abs.apply(input)


absolute = abs


def sign(input):
    """−1, 0 or 1; differentiable with a zero gradient (as PyTorch)."""
    from .compare import piecewise_constant

    _no_complex(input, "sign", "use sgn", NotImplementedError)
    return piecewise_constant(input, "sign")


def square(input):
    return mul(input, input)


# ---------------------------------------------------------------- clamp / max


class Clamp(Function):
    """Clamp into [lo, hi]; the gradient passes where lo ≤ x ≤ hi (PyTorch's convention)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = xp_of(x)
        ctx.save_for_backward(x, lo, hi)
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        # PyTorch's rule (ties included): x where lo <= x <= hi, lo where x < lo < hi, hi where
        # x > hi or hi < lo; when x < lo == hi none of the three gets it
        x, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        xp = xp_of(g)
        zero = g.dtype.type(0)
        gx = glo = ghi = None
        if need[0]:
            keep = xp.ones(x.shape, dtype=bool)
            if lo is not None:
                keep = keep & (x >= lo)
            if hi is not None:
                keep = keep & (x <= hi)
            gx = xp.where(keep, g, zero)
        if lo is not None and len(need) > 1 and need[1]:
            below = x < lo
            glo = xp.where(below & (lo < hi) if hi is not None else below, g, zero)
        if hi is not None and len(need) > 2 and need[2]:
            above = x > hi
            ghi = xp.where(above | (hi < lo) if lo is not None else above, g, zero)
        return gx, glo, ghi


def clamp(input, min=None, max=None):
    """Limit values to [min, max]; ``min``/``max`` may be scalars or tensors."""
    if min is None and max is None:
        raise ValueError("clamp needs at least one of min or max")
    _no_complex(input, "clamp", error=NotImplementedError)
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = min if not isinstance(min, Tensor) else promote(input, min)[1]
        hi = max if not isinstance(max, Tensor) else promote(input, max)[1]
        if isinstance(lo, Tensor):
            input = promote(input, lo)[0]
        if isinstance(hi, Tensor):
            input = promote(input, hi)[0]
        return Clamp.apply(input, lo, hi)
    if input.dtype.kind in "iub" and (isinstance(min, float) or isinstance(max, float)):
        input = to_float(input)
    return Clamp.apply(input, min, max)


clip = clamp


class Extremum(Function):
    """max(a, b) or min(a, b); where a == b the gradient is split in half (as PyTorch does)."""

    @staticmethod
    def forward(ctx, a, b, is_max):
        ctx.save_for_backward(a, b)
        ctx.is_max = is_max
        xp = xp_of(a)
        return xp.maximum(a, b) if is_max else xp.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        w = ((a > b) if ctx.is_max else (a < b)) + 0.5 * (a == b)
        w = w.astype(g.dtype, copy=False)
        return g * w, g * (1 - w), None


def maximum(input, other):
    """Element-wise larger of two tensors (broadcasting); ties share the gradient."""
    _no_complex(input, "maximum")
    _no_complex(other, "maximum")
    a, b = promote(input, other)
    return Extremum.apply(a, b, True)


def minimum(input, other):
    """Element-wise smaller of two tensors (broadcasting); ties share the gradient."""
    _no_complex(input, "minimum")
    _no_complex(other, "minimum")
    a, b = promote(input, other)
    return Extremum.apply(a, b, False)


class Where(Function):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return xp_of(a).where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        zero = g.dtype.type(0)
        ga = xp_of(g).where(cond, g, zero) if need[1] else None
        gb = xp_of(g).where(cond, zero, g) if need[2] else None
        return None, ga, gb


def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (broadcasting).

    With only ``condition``, returns the indices of its non-zero elements (as PyTorch).
    """
    if input is None and other is None:
        from .shape import nonzero

        return nonzero(condition, as_tuple=True)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):  # two Python scalars, as PyTorch:
        kinds = {type(input), type(other)}  # float32 (default dtype) if one is a float, else int64, else bool
        dt = (dtypes.get_default_dtype() if kinds & {float, complex} else np.dtype(np.bool_) if kinds == {bool}
              else np.dtype(np.int64))
        input = from_array(xp_of(condition._array).asarray(input, dtype=dt))
    a, b = promote(input, other)
    ref = a if isinstance(a, Tensor) else b
    xp = xp_of(ref._array)
    if not isinstance(a, Tensor):
        a = from_array(xp.asarray(a, dtype=ref.dtype))
    if not isinstance(b, Tensor):
        b = from_array(xp.asarray(b, dtype=ref.dtype))
    cond = condition._array if isinstance(condition, Tensor) else xp.asarray(condition)
    if cond.dtype != bool:
        cond = cond.astype(bool)
    return Where.apply(cond, a, b)


__all__ = [
    "clone", "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow", "neg",
    "negative", "floor_divide", "remainder", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos",
    "tanh", "sigmoid", "reciprocal", "abs", "absolute", "sign", "square", "clamp", "clip", "maximum",
    "minimum", "where",
]
