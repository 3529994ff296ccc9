"""``Normal(loc, scale)``: the Gaussian N(μ, σ²).

    p(x) = exp(−(x − μ)² / (2σ²)) / (σ √(2π))
    log p(x) = −(x − μ)² / (2σ²) − log σ − ½ log 2π
    H = ½ + ½ log 2π + log σ
    rsample: x = μ + σ ε,  ε ~ N(0, 1)
"""
from __future__ import annotations

import math
import numbers

from ..ops.special import erf, erfinv
from . import constraints
from .distribution import Distribution, broadcast_all

__all__ = ["Normal"]


class Normal(Distribution):
    """The normal distribution with mean ``loc`` and standard deviation ``scale``.

    Args:
        loc: mean μ (tensor or number).
        scale: standard deviation σ > 0.
        validate_args: check the parameters (default: on).

    Example:
        >>> d = Normal(deepglass.tensor(0.0), deepglass.tensor(1.0))
        >>> d.log_prob(deepglass.tensor(0.0))
        tensor(-0.9189)
        >>> d.sample((3,)).shape
        (3,)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        both_numbers = isinstance(loc, numbers.Number) and isinstance(scale, numbers.Number)
        super().__init__(() if both_numbers else self.loc.shape, validate_args=validate_args)

    def _like(self):
        return self.loc

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale.square()

    def rsample(self, sample_shape=()):
        eps = self._noise(self._extended_shape(sample_shape))
        return self.loc + eps * self.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value):
        """Φ((x − μ)/σ) = ½ (1 + erf((x − μ) / (σ√2)))."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + erf((value - self.loc) / (self.scale * math.sqrt(2))))

    def icdf(self, value):
        """μ + σ √2 erf⁻¹(2p − 1)."""
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self):
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
