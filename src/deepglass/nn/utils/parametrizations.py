"""Ready-made parametrizations (PyTorch's ``torch.nn.utils.parametrizations``).

- :func:`weight_norm` — ``w = g · v / ‖v‖`` (state-dict keys ``parametrizations.weight.original0`` = g,
  ``original1`` = v, as PyTorch)
- :func:`spectral_norm` — ``w / σ(w)`` with σ estimated by power iteration (buffers ``_u``, ``_v``
  updated on every access in training mode only)
"""
from __future__ import annotations

from ..._tensor import Tensor, bump_version
from ...autograd import grad_mode
from ...ops.distance import normalize
from ..modules.module import Module
from . import parametrize


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dimension but ``dim`` (keepdim); ``dim=-1``: over all (a 0-d tensor)."""
    if dim == -1:
        return v.pow(2).sum().sqrt()
    axes = tuple(d for d in range(v.ndim) if d != dim)
    return v.pow(2).sum(dim=axes, keepdim=True).sqrt()


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Reparametrize ``module.<name>`` as ``g · v / ‖v‖`` (norm over every dimension but ``dim``).

    Args:
        module: the module to change in place.
        name: the parameter's name.
        dim: the dimension kept by the norm (``None`` or ``-1``: one norm over the whole tensor).

    Returns:
        ``module``; ``module.parametrizations.<name>.original0`` is g, ``original1`` is v.

    Example:
        >>> m = weight_norm(nn.Linear(20, 40), name="weight")
        >>> m.parametrizations.weight.original0.shape
        (40, 1)
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            from ... import creation

            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight.detach())
            h, w = weight_mat.shape
            u = creation.randn(h, dtype=weight.dtype, device=weight.device)
            v = creation.randn(w, dtype=weight.dtype, device=weight.device)
            self.register_buffer("_u", normalize(u, dim=0, eps=self.eps))
            self.register_buffer("_v", normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        # updates the buffers in place (their identity stays, as PyTorch's out=)
        with grad_mode.no_grad():
            weight_mat = weight_mat.detach()
            for _ in range(n_power_iterations):
                u = normalize(weight_mat @ self._v, dim=0, eps=self.eps)
                self._u._array[...] = u._array
                bump_version(self._u)
                v = normalize(weight_mat.T @ self._u, dim=0, eps=self.eps)
                self._v._array[...] = v._array
                bump_version(self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = (u * (weight_mat @ v)).sum()
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its largest singular value σ, estimated by power iteration.

    The weight is viewed as a matrix with ``dim`` first; the singular-vector estimates live in the
    buffers ``parametrizations.<name>.0._u`` / ``._v`` (state-dict keys as PyTorch). Each access in
    training mode runs ``n_power_iterations`` steps and updates them; eval mode reuses them.

    Args:
        module: the module to change in place.
        name: the weight's name.
        n_power_iterations: power-iteration steps per access in training mode (positive).
        eps: the norm floor of the normalisations.
        dim: the output dimension (default 0; 1 for ``ConvTranspose*``).

    Returns:
        ``module``.

    Raises:
        ValueError: no tensor of that name, or a non-positive ``n_power_iterations``.
        IndexError: ``dim`` out of range.

    Example:
        >>> m = spectral_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original.shape
        (40, 20)
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__ in ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d") else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


__all__ = ["spectral_norm", "weight_norm"]
