"""Comparisons, logic and rounding: element-wise ops with no gradient.

``x > y``, ``x == y``, ``logical_and``, ``isnan``, ``floor`` ... return bool (or rounded)
tensors; their derivative is zero almost everywhere, so they record nothing in the graph.
While an apply hook is active (ONNX export) comparisons run as the ``Compare`` primitive
so the trace can see them.
"""
from __future__ import annotations

from .._tensor import Tensor, from_array
from ..autograd import function as _function
from ..autograd.function import Function
from ._util import no_complex, promote, xp_of


class Compare(Function):
    """A comparison or logical op as a primitive with no gradient: what an apply hook (ONNX export) sees."""

    @staticmethod
    def forward(ctx, a, b, ufunc_name):
        out = getattr(xp_of(a if hasattr(a, "dtype") and not isinstance(a, (int, float)) else b), ufunc_name)(a, b)
        ctx.mark_non_differentiable(out)
        return out

    @staticmethod
    def backward(ctx, g):  # pragma: no cover - the output is non-differentiable
        return None, None, None


_ORDERING = ("less", "less_equal", "greater", "greater_equal")


def _compare(ufunc_name):
    def op(input, other):
        if ufunc_name in _ORDERING:
            no_complex(input, ufunc_name, error=NotImplementedError)
            no_complex(other, ufunc_name, error=NotImplementedError)
        a, b = promote(input, other)
        xa = a._array if isinstance(a, Tensor) else a
        xb = b._array if isinstance(b, Tensor) else b
        ref = a if isinstance(a, Tensor) else b
        if isinstance(a, Tensor) and isinstance(b, Tensor) and a.device != b.device:
            raise RuntimeError(
                f"expected all tensors on the same device, found {a.device} and {b.device}; "
                "move the model and the data to the same device with .to(device)"
            )
        if _function._any_hook:  # a trace is running (ONNX export): let the hooks see the comparison
            return Compare.apply(a, b, ufunc_name)
        return from_array(getattr(xp_of(ref._array), ufunc_name)(xa, xb))

    op.__name__ = ufunc_name
    op.__doc__ = f"Element-wise ``{ufunc_name}`` (a bool tensor; no gradient)."
    return op


eq = _compare("equal")
ne = _compare("not_equal")
lt = _compare("less")
le = _compare("less_equal")
gt = _compare("greater")
ge = _compare("greater_equal")
logical_and = _compare("logical_and")
logical_or = _compare("logical_or")
logical_xor = _compare("logical_xor")
bitwise_and = _compare("bitwise_and")
bitwise_or = _compare("bitwise_or")
bitwise_xor = _compare("bitwise_xor")
eq.__name__, ne.__name__, lt.__name__, le.__name__, gt.__name__, ge.__name__ = "eq", "ne", "lt", "le", "gt", "ge"
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_not(input):
    return from_array(xp_of(input._array).logical_not(input._array))


def bitwise_not(input):
    xp = xp_of(input._array)
    return from_array(xp.logical_not(input._array) if input.dtype.kind == "b" else xp.invert(input._array))


def isnan(input):
    return from_array(xp_of(input._array).isnan(input._array))


def isinf(input):
    return from_array(xp_of(input._array).isinf(input._array))


def isfinite(input):
    return from_array(xp_of(input._array).isfinite(input._array))


def equal(input, other) -> bool:
    """True when both tensors have the same shape and values."""
    return input.shape == other.shape and bool(xp_of(input._array).array_equal(input._array, other._array))


def allclose(input, other, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    return bool(xp_of(input._array).allclose(input._array, other._array, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-5, atol=1e-8, equal_nan=False):
    return from_array(xp_of(input._array).isclose(input._array, other._array, rtol=rtol, atol=atol, equal_nan=equal_nan))


class PiecewiseConstant(Function):
    """An op whose derivative is zero almost everywhere: ``name`` is floor, ceil, round, trunc or sign.

    As in PyTorch, its output stays in the graph when the input requires grad, and the
    gradient that flows back is zero. (One primitive, named, so an ONNX converter can map it.)
    """

    @staticmethod
    def forward(ctx, x, name, decimals=0):
        return _piecewise(xp_of(x), x, name, decimals)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).zeros_like(g), None, None


def _piecewise(xp, x, name, decimals):
    if name == "round":
        return xp.round(x, decimals) if decimals else xp.round(x)
    return getattr(xp, name)(x)


def piecewise_constant(input, name, decimals=0):
    """``name`` (floor, ceil, round, trunc, sign) of ``input``; recorded with a zero gradient when it requires grad."""
    if input.requires_grad or _function._any_hook:   # (a trace, e.g. ONNX export, sees it too)
        return PiecewiseConstant.apply(input, name, decimals)
    return from_array(_piecewise(xp_of(input._array), input._array, name, decimals))


def floor(input):
    """Round down; differentiable with a zero gradient (as PyTorch).

    Example:
        >>> import deepglass as dg
        >>> dg.floor(dg.tensor([-1.5, 0.5, 2.0]))
        tensor([-2.,  0.,  2.])
    """
    no_complex(input, "floor", "", NotImplementedError)
    return piecewise_constant(input, "floor")


def ceil(input):
    """Round up; differentiable with a zero gradient (as PyTorch)."""
    no_complex(input, "ceil", "", NotImplementedError)
    return piecewise_constant(input, "ceil")


def round(input, decimals: int = 0):
    """Round half to even, like PyTorch (``decimals`` digits after the point); zero gradient."""
    no_complex(input, "round", "", NotImplementedError)
    return piecewise_constant(input, "round", int(decimals))


def trunc(input):
    """Round towards zero; differentiable with a zero gradient (as PyTorch)."""
    no_complex(input, "trunc", "", NotImplementedError)
    return piecewise_constant(input, "trunc")


__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "isnan", "isinf", "isfinite", "equal", "allclose", "isclose", "floor", "ceil", "round",
    "trunc",
]
