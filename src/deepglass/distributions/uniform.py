"""``Uniform(low, high)``: constant density on [low, high).

    log p(x) = −log(high − low) for low ≤ x < high, −∞ elsewhere
    mean = (low + high) / 2,  variance = (high − low)² / 12,  H = log(high − low)
    rsample: x = low + u (high − low),  u ~ U[0, 1)
"""
from __future__ import annotations

import numbers

from . import constraints
from .distribution import Distribution, broadcast_all

__all__ = ["Uniform"]


class Uniform(Distribution):
    """The continuous uniform distribution on ``[low, high)``.

    Example:
        >>> d = Uniform(deepglass.tensor(0.0), deepglass.tensor(4.0), validate_args=False)
        >>> d.log_prob(deepglass.tensor([1.0, 5.0]))
        tensor([-1.3863,    -inf])
        >>> d.mean, d.variance
        (tensor(2.), tensor(1.3333))
    """

    has_rsample = True

    @property
    def arg_constraints(self):
        return {"low": constraints.less_than(self.high), "high": constraints.greater_than(self.low)}

    @property
    def support(self):
        return constraints.interval(self.low, self.high)

    def __init__(self, low, high, validate_args=None):
        self.low, self.high = broadcast_all(low, high)
        both_numbers = isinstance(low, numbers.Number) and isinstance(high, numbers.Number)
        super().__init__(() if both_numbers else self.low.shape, validate_args=validate_args)

    def _like(self):
        return self.low

    @property
    def mean(self):
        return (self.high + self.low) / 2

    @property
    def mode(self):
        return self.high * float("nan")

    @property
    def stddev(self):
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self):
        return (self.high - self.low).square() / 12

    def rsample(self, sample_shape=()):
        u = self._noise(self._extended_shape(sample_shape), kind="uniform")
        return self.low + u * (self.high - self.low)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        inside = (self.low <= value) & (self.high > value)
        return inside.to(self.low.dtype).log() - (self.high - self.low).log()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value):
        return value * (self.high - self.low) + self.low

    def entropy(self):
        return (self.high - self.low).log()
