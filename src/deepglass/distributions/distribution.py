"""``Distribution``: the base of every probability distribution (PyTorch's ``torch.distributions``).

A distribution has a ``batch_shape`` (independent distributions side by side,
from broadcasting its parameters) and an ``event_shape`` (the shape of one draw:
``()`` for a scalar distribution, ``(k,)`` for a Dirichlet or multivariate normal).
``sample(sample_shape)`` has shape ``sample_shape + batch_shape + event_shape``.

- ``sample`` draws without a gradient; ``rsample`` draws x = g(ε; θ) with the noise ε
  parameter-free (the reparameterisation trick), so ∂x/∂θ flows to the parameters.
- ``log_prob(value)`` is log p(value; θ), differentiable w.r.t. θ.
- Random numbers come from deepglass's generator (``deepglass.manual_seed`` makes them repeat).

With validation on (the default, as PyTorch; ``Distribution.set_default_validate_args``),
the constructor checks every parameter against its constraint and ``log_prob`` checks the
value against the support, raising PyTorch's ``ValueError`` messages.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import backend, dtypes
from .._tensor import Tensor, from_array
from ..autograd import no_grad
from ..random import numpy_generator
from . import constraints

__all__ = ["Distribution", "broadcast_all"]


def broadcast_all(*values):
    """Numbers become tensors (the first tensor's dtype/device, else the default dtype); all broadcast together.

    Example:
        >>> a, b = broadcast_all(deepglass.zeros(2), 1.0)
        >>> b
        tensor([1., 1.])
    """
    if not all(isinstance(v, Tensor | numbers.Number) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects implementing "
                         "__torch_function__.")
    like = next((v for v in values if isinstance(v, Tensor)), None)
    if like is None:
        dtype, device = dtypes.get_default_dtype(), backend.CPU
    else:
        dtype, device = like.dtype, like.device
    out = [v if isinstance(v, Tensor) else from_array(backend.to_device(np.asarray(v, dtype=dtype), device))
           for v in values]
    shape = np.broadcast_shapes(*[v.shape for v in out])
    return tuple(v if v.shape == shape else v.expand(shape) for v in out)


def _fmt(value):
    return value.item() if value.ndim == 0 else value


class Distribution:
    """Base class: subclasses set ``arg_constraints``, ``support`` and implement the methods they have."""

    has_rsample = False
    has_enumerate_support = False
    _validate_args = True

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for every distribution built afterwards."""
        if value not in (True, False):
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint) or param not in self.__dict__:
                    continue  # skip constraints that cannot be checked, and parameters not given
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape {tuple(value.shape)}) "
                        f"of distribution {self!r} to satisfy the constraint {constraint!r}, "
                        f"but found invalid values:\n{_fmt(value)}"
                    )

    # ------------------------------------------------------------------ shapes
    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    @property
    def event_shape(self) -> tuple:
        return self._event_shape

    @property
    def arg_constraints(self) -> dict:
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    def _extended_shape(self, sample_shape=()) -> tuple:
        return tuple(sample_shape) + self._batch_shape + self._event_shape

    # --------------------------------------------------------------- moments
    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    # -------------------------------------------------------------- sampling
    def sample(self, sample_shape=()):
        """A draw of shape ``sample_shape + batch_shape + event_shape``, without a gradient."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        """A reparameterised draw: gradients flow back to the parameters."""
        raise NotImplementedError

    def sample_n(self, n: int):
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return self.entropy().exp()

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    # ---------------------------------------------------------------- helpers
    def _like(self) -> Tensor:
        """A parameter tensor: its dtype and device are the samples'."""
        raise NotImplementedError

    def _noise(self, shape, kind="normal"):
        """Parameter-free noise from deepglass's generator, on the parameters' dtype and device."""
        like = self._like()
        rng = numpy_generator()
        if kind == "normal":
            arr = rng.standard_normal(shape)
        else:
            arr = rng.random(shape)
        return from_array(backend.to_device(np.asarray(arr, dtype=like.dtype), like.device))

    def _validate_sample(self, value) -> None:
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        start = value.ndim - len(self._event_shape)
        if tuple(value.shape[start:]) != self._event_shape:
            raise ValueError(
                f"The right-most size of value must match event_shape: {tuple(value.shape)} vs {self._event_shape}."
            )
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(value.shape), reversed(expected), strict=False):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    f"Value is not broadcastable with batch_shape+event_shape: {tuple(value.shape)} vs {expected}."
                )
        support = self.support
        if not bool(support.check(value).all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) "
                f"to be within the support ({support!r}) of the distribution {self!r}, "
                f"but found invalid values:\n{_fmt(value)}"
            )

    def __repr__(self) -> str:
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(
            f"{p}: {_fmt(self.__dict__[p]) if self.__dict__[p].numel() == 1 else tuple(self.__dict__[p].shape)}"
            for p in names
        )
        return f"{type(self).__name__}({args})"
