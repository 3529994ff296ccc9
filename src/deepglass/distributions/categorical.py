"""``Categorical(probs | logits)``: one of K classes, class k with probability p_k.

    probs are normalised to sum to 1 over the last dim; logits to log-probabilities
    (logits − logsumexp(logits)).
    log p(k) = logits_k,  H = −Σ_k p_k logits_k
    sample: inverse CDF, k = #{j : Σ_{i≤j} p_i < u},  u ~ U[0, 1)
"""
from __future__ import annotations

import numpy as np

from .. import backend
from .._tensor import from_array
from ..ops.shape import gather
from . import constraints
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """A categorical distribution over ``{0, …, K−1}``; ``probs`` or ``logits`` of shape ``(*batch, K)``.

    Samples are int64 class indices of shape ``sample_shape + batch_shape``; mean and
    variance are NaN (as PyTorch).

    Example:
        >>> d = Categorical(probs=deepglass.tensor([0.2, 0.8]))
        >>> d.log_prob(deepglass.tensor(1)), d.entropy()
        (tensor(-0.2231), tensor(0.5004))
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.ndim < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self._param = self.probs
        else:
            if logits.ndim < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            self._param = self.logits
        self._num_events = self._param.shape[-1]
        super().__init__(tuple(self._param.shape[:-1]), validate_args=validate_args)

    def _like(self):
        return self._param

    @property
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return tuple(self._param.shape)

    @property
    def mean(self):
        return self._nan()

    @property
    def variance(self):
        return self._nan()

    def _nan(self):
        arr = np.full(self._extended_shape(), np.nan, dtype=self.probs.dtype)
        return from_array(backend.to_device(arr, self._param.device))

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        probs = self.probs.detach()
        u = self._noise(shape + (1,), kind="uniform")._array
        cdf = probs._array.cumsum(-1)
        xp = backend.array_module_of(cdf)
        cdf = cdf / cdf[..., -1:]
        idx = (cdf < u).sum(-1)
        return from_array(xp.minimum(idx, self._num_events - 1).astype(np.int64))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        shape = np.broadcast_shapes(tuple(value.shape), tuple(self.logits.shape[:-1]) + (1,))
        value = value.expand(shape)
        log_pmf = self.logits.expand(shape[:-1] + (self._num_events,))
        return gather(log_pmf, -1, value).squeeze(-1)

    def entropy(self):
        min_real = float(np.finfo(self.logits.dtype).min)
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True):
        from ..creation import arange

        values = arange(self._num_events, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        return values.expand((self._num_events,) + self._batch_shape) if expand else values
