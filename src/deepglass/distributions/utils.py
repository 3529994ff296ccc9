"""Helpers shared by the distributions (PyTorch's ``torch.distributions.utils``)."""
from __future__ import annotations

import numpy as np

from ..ops.activation import log_softmax, softmax

__all__ = ["lazy_property", "logits_to_probs", "probs_to_logits", "clamp_probs"]


class lazy_property:
    """Computed on first access, then stored in the instance (``probs`` from ``logits`` and back).

    Example:
        >>> class A:
        ...     @lazy_property
        ...     def x(self):
        ...         return 3
        >>> a = A(); a.x, "x" in a.__dict__
        (3, True)
    """

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = self.fn(instance)
        instance.__dict__[self.fn.__name__] = value
        return value


def clamp_probs(probs):
    """Probabilities clamped to [eps, 1 − eps] (eps = the dtype's machine epsilon), so logs stay finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary: bool = False):
    """σ(logits) for a binary variable, softmax(logits) over the last dim otherwise."""
    return logits.sigmoid() if is_binary else softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary: bool = False):
    """log p − log(1 − p) for a binary variable, log p otherwise (after clamping p)."""
    p = clamp_probs(probs)
    return (p.log() - (-p).log1p()) if is_binary else p.log()


def _log_softmax(logits):
    return log_softmax(logits, dim=-1)
