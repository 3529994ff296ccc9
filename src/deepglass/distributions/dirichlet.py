"""``Dirichlet(concentration)``: a random point of the probability simplex.

    log p(x) = Σ_i (α_i − 1) log x_i + log Γ(α₀) − Σ_i log Γ(α_i),  α₀ = Σ_i α_i
    mean = α / α₀,  variance = α (α₀ − α) / (α₀² (α₀ + 1))
    H = Σ log Γ(α_i) − log Γ(α₀) − (k − α₀) ψ(α₀) − Σ (α_i − 1) ψ(α_i)
    rsample: x = g / Σ g with g_i ~ Gamma(α_i, 1) (each implicitly reparameterised)
"""
from __future__ import annotations

import numpy as np

from ..ops.special import digamma, lgamma
from . import constraints
from ._primitives import standard_gamma
from .distribution import Distribution
from .gamma import _draw_standard_gamma, _xlogy

__all__ = ["Dirichlet"]


class Dirichlet(Distribution):
    """The Dirichlet distribution with ``concentration`` α of shape ``(*batch, k)``, α > 0.

    Example:
        >>> d = Dirichlet(deepglass.tensor([1.0, 2.0, 3.0]))
        >>> d.mean
        tensor([0.1667, 0.3333, 0.5000])
        >>> d.log_prob(deepglass.tensor([0.2, 0.3, 0.5]))
        tensor(1.5041)
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(tuple(concentration.shape[:-1]), tuple(concentration.shape[-1:]),
                         validate_args=validate_args)

    def _like(self):
        return self.concentration

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        g = standard_gamma(self.concentration.expand(shape), _draw_standard_gamma)
        x = g / g.sum(-1, keepdim=True)
        finfo = np.finfo(x.dtype)
        return x.clamp(min=float(finfo.tiny), max=1 - float(finfo.eps))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return _xlogy(a - 1.0, value).sum(-1) + lgamma(a.sum(-1)) - lgamma(a).sum(-1)

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def variance(self):
        a0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (a0 - self.concentration) / (a0.square() * (a0 + 1))

    def entropy(self):
        a = self.concentration
        k = a.shape[-1]
        a0 = a.sum(-1)
        return lgamma(a).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0) - ((a - 1.0) * digamma(a)).sum(-1)
