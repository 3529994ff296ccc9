"""``Bernoulli(probs | logits)``: a coin that shows 1 with probability p.

    log p(x) = x log p + (1 − x) log(1 − p) = −BCEWithLogits(logits, x)
    mean = p,  variance = p (1 − p),  H = BCEWithLogits(logits, p)
    p = σ(logits),  logits = log p − log(1 − p)
"""
from __future__ import annotations

import numbers

from ..ops.loss import binary_cross_entropy_with_logits
from . import constraints
from .distribution import Distribution, broadcast_all
from .utils import lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Bernoulli"]


class Bernoulli(Distribution):
    """The Bernoulli distribution, given by ``probs`` or by ``logits`` (exactly one).

    Samples are 0.0 / 1.0 in the parameters' floating dtype (as PyTorch); no ``rsample``.

    Example:
        >>> d = Bernoulli(probs=deepglass.tensor([0.25]))
        >>> d.log_prob(deepglass.tensor([1.0])), d.variance
        (tensor([-1.3863]), tensor([0.1875]))
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if probs is not None else logits
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            self._param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            self._param = self.logits
        shape = () if isinstance(given, numbers.Number) else tuple(self._param.shape)
        super().__init__(shape, validate_args=validate_args)

    def _like(self):
        return self._param

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self):
        return tuple(self._param.shape)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return mode.masked_fill(self.probs == 0.5, float("nan"))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        u = self._noise(self._extended_shape(sample_shape), kind="uniform")
        return (u < self.probs.detach()).to(self._param.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand: bool = True):
        from ..creation import arange

        values = arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((2,) + self._batch_shape) if expand else values
