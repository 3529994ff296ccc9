"""``Beta(concentration1, concentration0)``: a random probability, Beta(a, b) on [0, 1].

It is the first coordinate of a Dirichlet([a, b]), which gives log_prob, entropy and rsample:

    log p(x) = (a − 1) log x + (b − 1) log(1 − x) − log B(a, b)
    mean = a / (a + b),  variance = a b / ((a + b)² (a + b + 1))
"""
from __future__ import annotations

import numbers

from ..ops.shape import stack
from . import constraints
from .dirichlet import Dirichlet
from .distribution import Distribution, broadcast_all

__all__ = ["Beta"]


class Beta(Distribution):
    """The Beta distribution with ``concentration1`` a > 0 and ``concentration0`` b > 0.

    ``rsample`` is reparameterised through the Dirichlet's Gamma draws (implicit reparameterisation).

    Example:
        >>> d = Beta(deepglass.tensor(2.0), deepglass.tensor(2.0))
        >>> d.log_prob(deepglass.tensor(0.5)), d.mean, d.variance
        (tensor(0.4055), tensor(0.5000), tensor(0.0500))
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        if isinstance(concentration1, numbers.Number) and isinstance(concentration0, numbers.Number):
            c1, c0 = broadcast_all(float(concentration1), float(concentration0))
        else:
            c1, c0 = broadcast_all(concentration1, concentration0)
        self._dirichlet = Dirichlet(stack([c1, c0], -1), validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def _like(self):
        return self._dirichlet.concentration

    @property
    def concentration1(self):
        c = self._dirichlet.concentration[..., 0]
        return c if c.ndim else c.reshape(())

    @property
    def concentration0(self):
        c = self._dirichlet.concentration[..., 1]
        return c if c.ndim else c.reshape(())

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.square() * (total + 1))

    def rsample(self, sample_shape=()):
        return self._dirichlet.rsample(sample_shape)[..., 0]

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        heads_tails = stack([value, 1.0 - value], -1)
        return self._dirichlet.log_prob(heads_tails)

    def entropy(self):
        return self._dirichlet.entropy()
