"""Complex tensors: parts, modulus and phase, and the real <-> complex views.

deepglass stores ``complex64``/``complex128`` tensors as NumPy/CuPy complex arrays.
Gradients follow PyTorch's convention ("Autograd for Complex Numbers"): for a real
loss L of z = x + iy, the gradient stored for z is ∂L/∂x + i·∂L/∂y (twice the
conjugate Wirtinger derivative ∂L/∂z̄). So for a holomorphic f, the backward of
w = f(z) is ``grad_z = grad_w · conj(f'(z))``; at the real <-> complex boundaries:

- ``real(z)``: grad_z = g;        ``imag(z)``: grad_z = i·g;
- ``complex(x, y)``: grad_x = Re g, grad_y = Im g;  ``view_as_real``/``view_as_complex`` reshuffle (Re, Im);
- ``abs(z)`` = |z|: grad_z = g·z/|z|;  ``angle(z)`` = atan2(y, x): grad_z = g·i·z/|z|²;
- ``polar(r, θ)`` = r·e^{iθ}: grad_r = Re(g·e^{−iθ}), grad_θ = Re(g·conj(i·z)).

Conjugation is never lazy here: ``conj`` returns a materialised conjugate and
``is_conj`` is always False (PyTorch may set a conjugate bit instead; values agree).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from .._tensor import as_view
from ..autograd.function import Function
from ._util import ensure_tensor, xp_of


def _complex_name(dtype) -> str:
    return {"complex64": "ComplexFloat", "complex128": "ComplexDouble", "float32": "Float", "float64": "Double",
            "float16": "Half"}.get(np.dtype(dtype).name, np.dtype(dtype).name)


class Real(Function):
    @staticmethod
    def forward(ctx, z):
        return z.real

    @staticmethod
    def backward(ctx, g):
        return g.astype(dtypes.to_complex(g.dtype))


class Imag(Function):
    @staticmethod
    def forward(ctx, z):
        return z.imag

    @staticmethod
    def backward(ctx, g):
        return (g * 1j).astype(dtypes.to_complex(g.dtype), copy=False)


def real(input):
    """The real part, a view (``input`` itself for a real tensor), as ``torch.real``.

    Example:
        >>> z = deepglass.tensor([1 + 2j, 3 - 4j])
        >>> deepglass.real(z)
        tensor([1., 3.])
    """
    ensure_tensor(input)
    if input.dtype.kind != "c":
        return input
    return as_view(Real.apply(input), input)


def imag(input):
    """The imaginary part, a view; a real tensor raises (PyTorch's RuntimeError).

    Example:
        >>> deepglass.imag(deepglass.tensor([1 + 2j, 3 - 4.5j]))
        tensor([ 2.0000, -4.5000])
    """
    ensure_tensor(input)
    if input.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return as_view(Imag.apply(input), input)


class ViewAsReal(Function):
    @staticmethod
    def forward(ctx, z):
        rdt = dtypes.to_real(z.dtype)
        try:
            return z[..., None].view(rdt)
        except ValueError:  # a last axis that is not contiguous: a copy with the same values
            return xp_of(z).stack([z.real, z.imag], axis=-1)

    @staticmethod
    def backward(ctx, g):
        return _pack(g)


def _pack(x):
    """(..., 2) real -> (...) complex, as a view when the memory allows it."""
    cdt = dtypes.to_complex(x.dtype)
    try:
        return x.view(cdt)[..., 0]
    except ValueError:
        return (x[..., 0] + x[..., 1] * cdt.type(1j)).astype(cdt)


class ViewAsComplex(Function):
    @staticmethod
    def forward(ctx, x):
        return _pack(x)

    @staticmethod
    def backward(ctx, g):
        return xp_of(g).stack([g.real, g.imag], axis=-1)


def view_as_real(input):
    """A complex tensor of shape ``(*)`` seen as a real one of shape ``(*, 2)`` (real, imaginary), as PyTorch.

    Example:
        >>> deepglass.view_as_real(deepglass.tensor([1 + 2j, 3 - 4j])).tolist()
        [[1.0, 2.0], [3.0, -4.0]]
    """
    ensure_tensor(input)
    if input.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return as_view(ViewAsReal.apply(input), input)


def view_as_complex(input):
    """A real tensor of shape ``(*, 2)`` seen as a complex one of shape ``(*)``, as PyTorch.

    Example:
        >>> deepglass.view_as_complex(deepglass.tensor([[1., 2.], [3., -4.]]))
        tensor([1.+2.j, 3.-4.j])
    """
    ensure_tensor(input)
    if input.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor of "
                           f"scalar type: {_complex_name(input.dtype)}")
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    return as_view(ViewAsComplex.apply(input), input)


class Complex(Function):
    @staticmethod
    def forward(ctx, re, im):
        out = xp_of(re).empty(re.shape if re.shape == im.shape else np.broadcast_shapes(re.shape, im.shape),
                              dtype=dtypes.to_complex(re.dtype))
        out.real = re
        out.imag = im
        return out

    @staticmethod
    def backward(ctx, g):
        return g.real, g.imag


def complex(real, imag):
    """``real + i·imag`` from two float tensors of the same dtype (float32 -> complex64, float64 -> complex128).

    Example:
        >>> deepglass.complex(deepglass.tensor([1., 3.]), deepglass.tensor([2., -4.]))
        tensor([1.+2.j, 3.-4.j])
    """
    _same_float(real, imag, "complex")
    return Complex.apply(real, imag)


def _same_float(a, b, name):
    ensure_tensor(a, "real" if name == "complex" else "abs")
    ensure_tensor(b, "imag" if name == "complex" else "angle")
    for t in (a, b):
        if t.dtype not in (dtypes.float32, dtypes.float64, dtypes.float16):
            raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                               f"{_complex_name(a.dtype)} and {_complex_name(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_complex_name(a.dtype)} but got scalar type "
                           f"{_complex_name(b.dtype)} for second argument")


class Polar(Function):
    @staticmethod
    def forward(ctx, r, theta):
        xp = xp_of(r)
        unit = xp.exp(theta.astype(dtypes.to_complex(theta.dtype)) * 1j)
        ctx.save_for_backward(r, unit)
        return (r * unit).astype(dtypes.to_complex(r.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        r, unit = ctx.saved_tensors
        need = ctx.needs_input_grad
        gr = (g * unit.conj()).real if need[0] else None
        gt = (g * (1j * r * unit).conj()).real if need[1] else None
        return gr, gt


def polar(abs, angle):
    """``abs·(cos(angle) + i·sin(angle))`` from float tensors of the same dtype, as ``torch.polar``.

    Example:
        >>> z = deepglass.polar(deepglass.tensor([2.]), deepglass.tensor([0.]))
        >>> z
        tensor([2.+0.j])
    """
    _same_float(abs, angle, "polar")
    return Polar.apply(abs, angle)


class Angle(Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        xp = xp_of(z)
        if z.dtype.kind != "c":  # PyTorch: π for negatives, 0 otherwise, nan stays nan
            return xp.where(xp.isnan(z), z, xp.where(z < 0, np.pi, 0)).astype(z.dtype)
        return xp.angle(z).astype(dtypes.to_real(z.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        xp = xp_of(z)
        if z.dtype.kind != "c":  # a real input: angle is piecewise constant (0 or π)
            return xp.zeros_like(g)
        m2 = (z * z.conj()).real
        zero = m2 == 0
        return xp.where(zero, 0, g * 1j * z / xp.where(zero, 1, m2))


def angle(input):
    """The phase atan2(Im, Re) in (−π, π]; for real tensors 0 or π (nan stays nan), as ``torch.angle``.

    Example:
        >>> deepglass.angle(deepglass.tensor([1j, -1 + 0j]))
        tensor([1.5708, 3.1416])
    """
    ensure_tensor(input)
    if input.dtype.kind in "biu":
        input = input.to(dtypes.get_default_dtype())
    return Angle.apply(input)


class Conj(Function):
    @staticmethod
    def forward(ctx, z):
        return z.conj()

    @staticmethod
    def backward(ctx, g):
        return g.conj()


def conj_physical(input):
    """The complex conjugate as new memory (a copy for real tensors); gradient conj(g).

    Example:
        >>> deepglass.conj_physical(deepglass.tensor([1 + 2j]))
        tensor([1.-2.j])
    """
    if input.dtype.kind != "c":
        return input.clone()
    return Conj.apply(input)


def conj(input):
    """The complex conjugate (the tensor itself for real tensors). deepglass materialises it: ``is_conj`` is False.

    Example:
        >>> deepglass.conj(deepglass.tensor([1 + 2j]))
        tensor([1.-2.j])
    """
    if input.dtype.kind != "c":
        return input
    return Conj.apply(input)


def resolve_conj(input):
    """The tensor itself: deepglass never keeps a lazy conjugate bit."""
    return input


def is_conj(input) -> bool:
    """Always False: deepglass's ``conj`` materialises the conjugate (PyTorch may set a lazy bit)."""
    return False


def is_complex(input) -> bool:
    """True for complex64/complex128 tensors.

    Example:
        >>> deepglass.is_complex(deepglass.tensor([1j])), deepglass.is_complex(deepglass.tensor([1.]))
        (True, False)
    """
    return ensure_tensor(input).dtype.kind == "c"


def _H(input):
    """``Tensor.H``: the conjugate transpose of a matrix (a 0-D tensor: its conjugate)."""
    from .shape import _T

    if input.ndim not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {input.ndim}-D tensor."
                           + (" For batches of matrices, consider using tensor.mH" if input.ndim > 2 else ""))
    return conj(_T(input))


def _mH(input):
    """``Tensor.mH``: the conjugate transpose of the last two dimensions."""
    from .shape import _mT

    return conj(_mT(input))


def _real_property(self):
    return real(self)


def _imag_property(self):
    return imag(self)


def _mark_complex_aware() -> None:
    """The primitives whose backward is checked for complex tensors (tests/ops/test_complex.py, test_fft.py).

    The engine raises for any other primitive that a complex tensor's gradient would pass through, rather than
    return a gradient that silently ignores the conjugation of PyTorch's convention.
    """
    from .. import _memory_format
    from . import arrange, elementwise, fft, layout, linalg, matrix, reduce, shape, special

    E, S = elementwise, shape
    for cls in (Real, Imag, ViewAsReal, ViewAsComplex, Complex, Polar, Angle, Conj,
                E.Cast, E.Move, E.Clone, E.Add, E.Sub, E.Mul, E.Div, E.Pow, E.Neg, E.Exp, E.Log, E.Log1p, E.Expm1,
                E.Sqrt, E.Rsqrt, E.Sin, E.Cos, E.Tanh, E.Sigmoid, E.Reciprocal, E.ComplexAbs, E.Where,
                fft.FFTC2C, fft.FFTR2C, fft.FFTC2R, arrange.Roll, layout.Pad, linalg.MatMul, linalg.Linear, linalg.Einsum, matrix.Diagonal,
                matrix.Tri, reduce.CumSum, reduce.Mean, reduce.Prod, reduce.Sum, reduce.TakeAlongDim, S.Concat,
                S.Expand, S.Flip, S.GetItem, S.MaskedFill, S.Permute, S.Reshape, S.Tile, _memory_format.Relayout):
        cls.complex_grad = True
    for name in ("Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Log2", "Log10", "Exp2"):
        special._FUNCS[name].complex_grad = True   # elementary functions: NumPy evaluates them on complex too


__all__ = ["real", "imag", "view_as_real", "view_as_complex", "complex", "polar", "angle", "is_complex", "is_conj"]
