"""The few primitives the distributions need that deepglass's op families lack (yet).

(log Γ and ψ come from :mod:`deepglass.ops.special`.)

Each is one ``Function`` with its backward beside it, on raw NumPy/CuPy arrays:

- ``cholesky``: A = L Lᵀ; Ā = L⁻ᵀ Φ L⁻¹ with Φ = ½(T + tril(T, −1)ᵀ), T = tril(Lᵀ L̄).
- ``solve``: X = A⁻¹ B; B̄ = A⁻ᵀ X̄, Ā = −B̄ Xᵀ (lower triangle only for a triangular solve).
- ``standard_gamma``: a Gamma(α, 1) draw with the implicit reparameterisation gradient
  dx/dα = −(∂F/∂α)(x; α) / f(x; α), F the regularised lower incomplete gamma function and
  f the density (Figurnov et al., 2018); ∂F/∂α by a central difference in float64.

SciPy (``cupyx.scipy`` on the GPU) evaluates the incomplete gamma function.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..ops._util import xp_of


def _special(xp):
    if xp.__name__ == "numpy":
        import scipy.special as sp
    else:  # pragma: no cover - GPU
        import cupyx.scipy.special as sp
    return sp


def _mT(a):
    return a.swapaxes(-1, -2)


class Cholesky(Function):
    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        try:
            L = xp.linalg.cholesky(a)
        except Exception as e:  # numpy raises LinAlgError
            raise ValueError(
                "cholesky: the matrix is not positive definite (a leading minor is not positive); "
                "pass a symmetric positive-definite covariance_matrix or use scale_tril"
            ) from e
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx, g):
        (L,) = ctx.saved_tensors
        xp = xp_of(L)
        T = xp.tril(_mT(L) @ g)
        phi = 0.5 * (T + _mT(xp.tril(T, -1)))
        y = xp.linalg.solve(_mT(L), phi)  # L⁻ᵀ Φ
        return _mT(xp.linalg.solve(_mT(L), _mT(y)))  # (L⁻ᵀ (L⁻ᵀ Φ)ᵀ)ᵀ = L⁻ᵀ Φ L⁻¹


class Solve(Function):
    @staticmethod
    def forward(ctx, a, b, lower=False):
        xp = xp_of(a)
        ctx.lower = lower
        if lower:  # only the lower triangle is read (as PyTorch's solve_triangular)
            a = xp.tril(a)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
        x = xp.linalg.solve(a, b)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = xp_of(a).linalg.solve(_mT(a), g)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -(gb @ _mT(x))
            if ctx.lower:
                ga = xp_of(a).tril(ga)
        return ga, gb


def cholesky(a):
    """The lower Cholesky factor L of a symmetric positive-definite A = L Lᵀ (batched).

    Example:
        >>> cholesky(deepglass.tensor([[4.0, 2.0], [2.0, 5.0]]))
        tensor([[2., 0.],
                [1., 2.]])
    """
    return Cholesky.apply(a)


def solve(a, b, lower: bool = False):
    """X = A⁻¹ B for square A (batched, batch dims broadcast); ``lower=True`` reads only A's lower triangle.

    Example:
        >>> solve(deepglass.tensor([[2.0, 0.0], [0.0, 4.0]]), deepglass.tensor([[2.0], [2.0]]))
        tensor([[1.0000],
                [0.5000]])
    """
    return Solve.apply(a, b, lower=lower)


class StandardGamma(Function):
    @staticmethod
    def forward(ctx, alpha, draw):
        x = draw(alpha)
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors
        return g * gamma_sample_grad(alpha, x), None


def gamma_sample_grad(alpha, x):
    """dx/dα of a Gamma(α, 1) sample x held at fixed CDF value (implicit reparameterisation), on arrays."""
    xp = xp_of(alpha)
    sp = _special(xp)
    a = alpha.astype("float64")
    v = x.astype("float64")
    h = 1e-5 * xp.maximum(a, 1.0)
    dF = (sp.gammainc(a + h, v) - sp.gammainc(a - h, v)) / (2 * h)
    log_pdf = (a - 1) * xp.log(v) - v - sp.gammaln(a)
    return (-dF / xp.exp(log_pdf)).astype(alpha.dtype)


def standard_gamma(alpha, draw):
    """A Gamma(α, 1) sample of ``alpha``'s shape whose gradient w.r.t. α flows (implicitly reparameterised).

    ``draw(alpha_array) -> sample_array`` makes the random numbers.
    """
    return StandardGamma.apply(alpha, draw)
