"""The few primitives the distributions need that deepglass's op families lack (yet).

(log Γ and ψ come from :mod:`deepglass.ops.special`.)

Each is one ``Function`` with its backward beside it, on raw NumPy/CuPy arrays:

- ``cholesky`` and ``solve``: thin wrappers of ``ops.linalg_solve`` (one implementation and
  one backward for the whole package).
- ``standard_gamma``: a Gamma(α, 1) draw with the implicit reparameterisation gradient
  dx/dα = −(∂F/∂α)(x; α) / f(x; α), F the regularised lower incomplete gamma function and
  f the density (Figurnov et al., 2018); ∂F/∂α by a central difference in float64.

SciPy (``cupyx.scipy`` on the GPU) evaluates the incomplete gamma function.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..ops import linalg_solve
from ..ops._util import xp_of


def _special(xp):
    if xp.__name__ == "numpy":
        import scipy.special as sp
    else:  # pragma: no cover - GPU
        import cupyx.scipy.special as sp
    return sp


def cholesky(a):
    """The lower Cholesky factor L of a symmetric positive-definite A = L Lᵀ (batched): ``linalg.cholesky``,
    with the distributions' error (a parameter, not a matrix op, was wrong).

    Example:
        >>> cholesky(deepglass.tensor([[4.0, 2.0], [2.0, 5.0]]))
        tensor([[2., 0.],
                [1., 2.]])
    """
    try:
        return linalg_solve.cholesky(a)
    except RuntimeError as e:
        raise ValueError(
            "cholesky: the matrix is not positive definite (a leading minor is not positive); "
            "pass a symmetric positive-definite covariance_matrix or use scale_tril"
        ) from e


def solve(a, b, lower: bool = False):
    """X = A⁻¹ B for square A (batched, batch dims broadcast); ``lower=True`` reads only A's lower triangle.

    Example:
        >>> solve(deepglass.tensor([[2.0, 0.0], [0.0, 4.0]]), deepglass.tensor([[2.0], [2.0]]))
        tensor([[1.0000],
                [0.5000]])
    """
    if lower:
        return linalg_solve.solve_triangular(a, b, upper=False)
    return linalg_solve.solve(a, b)


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
