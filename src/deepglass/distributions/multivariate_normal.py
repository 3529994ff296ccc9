"""``MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)``: the Gaussian N(μ, Σ) in k dims.

Everything goes through the lower Cholesky factor L of Σ = L Lᵀ:

    log p(x) = −½ (k log 2π + ‖L⁻¹(x − μ)‖²) − Σ_i log L_ii
    H = ½ k (1 + log 2π) + Σ_i log L_ii
    rsample: x = μ + L ε,  ε ~ N(0, I_k)

From a precision matrix P, Σ = P⁻¹ and L = chol(P⁻¹).
"""
from __future__ import annotations

import math

import numpy as np

from ..creation import eye
from ..ops.linalg import matmul
from . import constraints
from ._primitives import cholesky, solve
from .distribution import Distribution
from .utils import lazy_property

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(L, x):
    """‖L⁻¹ x‖² over the last dim, L broadcast against x's batch dims."""
    y = solve(L, x.unsqueeze(-1), lower=True).squeeze(-1)
    return y.square().sum(-1)


def _half_log_det(L):
    return L.diagonal(0, -2, -1).log().sum(-1)


class MultivariateNormal(Distribution):
    """The multivariate normal with mean ``loc`` (``(*batch, k)``) and exactly one of
    ``covariance_matrix``, ``precision_matrix`` or ``scale_tril`` (``(*batch, k, k)``).

    Example:
        >>> d = MultivariateNormal(deepglass.zeros(2), covariance_matrix=deepglass.eye(2))
        >>> d.log_prob(deepglass.zeros(2)), d.entropy()
        (tensor(-1.8379), tensor(2.8379))
        >>> d.rsample((4,)).shape
        (4, 2)
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [(n, m) for n, m in (("covariance_matrix", covariance_matrix), ("precision_matrix", precision_matrix),
                                     ("scale_tril", scale_tril)) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        name, matrix = given[0]
        if matrix.ndim < 2:
            kind = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(f"{kind} must be at least two-dimensional, with optional leading batch dimensions")
        batch_shape = tuple(np.broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1])))
        setattr(self, name, matrix.expand(batch_shape + tuple(matrix.shape[-2:])))
        self.loc = loc.expand(batch_shape + (loc.shape[-1],))
        super().__init__(batch_shape, tuple(self.loc.shape[-1:]), validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            k = matrix.shape[-1]
            self._unbroadcasted_scale_tril = cholesky(solve(matrix, eye(k, dtype=matrix.dtype, device=matrix.device)))

    def _like(self):
        return self.loc

    @lazy_property
    def scale_tril(self):
        L = self._unbroadcasted_scale_tril
        return L.expand(self._batch_shape + tuple(L.shape[-2:]))

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return matmul(L, L.mT).expand(self._batch_shape + tuple(L.shape[-2:]))

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        k = L.shape[-1]
        L_inv = solve(L, eye(k, dtype=L.dtype, device=L.device), lower=True)
        return matmul(L_inv.mT, L_inv).expand(self._batch_shape + (k, k))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return self._unbroadcasted_scale_tril.square().sum(-1).expand(self._batch_shape + self._event_shape)

    def rsample(self, sample_shape=()):
        eps = self._noise(self._extended_shape(sample_shape))
        return self.loc + matmul(self._unbroadcasted_scale_tril, eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        L = self._unbroadcasted_scale_tril
        M = _batch_mahalanobis(L, value - self.loc)
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + M) - _half_log_det(L)

    def entropy(self):
        L = self._unbroadcasted_scale_tril
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + _half_log_det(L)
        return H.expand(self._batch_shape) if self._batch_shape else H
