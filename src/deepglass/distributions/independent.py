"""``Independent(base, n)``: the rightmost ``n`` batch dims of ``base`` become event dims.

    log p(x) = Σ over the reinterpreted dims of log p_base(x)
    H = Σ over the reinterpreted dims of H_base

The usual use: a diagonal Gaussian over a vector, ``Independent(Normal(μ, σ), 1)``.
"""
from __future__ import annotations

from . import constraints
from .distribution import Distribution

__all__ = ["Independent"]


def _sum_rightmost(x, n: int):
    return x.sum(tuple(range(-n, 0))) if n > 0 else x


class Independent(Distribution):
    """Reinterpret ``reinterpreted_batch_ndims`` batch dims of ``base_distribution`` as event dims.

    Example:
        >>> from deepglass.distributions import Normal
        >>> d = Independent(Normal(deepglass.zeros(3), deepglass.ones(3)), 1)
        >>> d.batch_shape, d.event_shape
        ((), (3,))
        >>> d.log_prob(deepglass.zeros(3))
        tensor(-2.7568)
    """

    arg_constraints: dict = {}

    def __init__(self, base_distribution, reinterpreted_batch_ndims: int, validate_args=None):
        n = int(reinterpreted_batch_ndims)
        shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        event_dim = n + len(base_distribution.event_shape)
        if n > len(base_distribution.batch_shape):
            raise ValueError(
                "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), "
                f"actual {n} vs {len(base_distribution.batch_shape)}"
            )
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = n
        super().__init__(shape[: len(shape) - event_dim], shape[len(shape) - event_dim:], validate_args=validate_args)

    def _like(self):
        return self.base_dist._like()

    @property
    def has_rsample(self):
        return self.base_dist.has_rsample

    @property
    def has_enumerate_support(self):
        return False if self.reinterpreted_batch_ndims > 0 else self.base_dist.has_enumerate_support

    @property
    def support(self):
        s = self.base_dist.support
        return constraints.independent(s, self.reinterpreted_batch_ndims) if self.reinterpreted_batch_ndims else s

    @property
    def mean(self):
        return self.base_dist.mean

    @property
    def mode(self):
        return self.base_dist.mode

    @property
    def variance(self):
        return self.base_dist.variance

    def sample(self, sample_shape=()):
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape=()):
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value):
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self):
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"
