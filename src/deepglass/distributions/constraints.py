"""Constraints: where a distribution's parameters and samples may live (``torch.distributions.constraints``).

Each constraint's ``check(value)`` returns a boolean tensor (one entry per event);
its ``repr`` is PyTorch's, so validation errors read the same in both frameworks.

Example:
    >>> positive.check(deepglass.tensor([1.0, -1.0]))
    tensor([True, False])
    >>> positive
    GreaterThan(lower_bound=0.0)
"""
from __future__ import annotations

__all__ = [
    "Constraint", "boolean", "dependent", "dependent_property", "greater_than", "greater_than_eq", "independent",
    "integer_interval", "interval", "less_than", "lower_cholesky", "nonnegative", "nonnegative_integer", "positive",
    "positive_definite", "real", "real_vector", "simplex", "unit_interval", "is_dependent",
]


def _f(bound):
    """A bound as PyTorch's f-string shows it: a 0-d tensor as its number."""
    return bound.item() if getattr(bound, "ndim", None) == 0 else bound


def _reduce_event(ok, event_dim):
    for _ in range(event_dim):
        ok = ok.all(-1)
    return ok


class Constraint:
    """Base class: ``check(value)`` is True where ``value`` satisfies the constraint."""

    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__[1:] + "()"


class _Dependent(Constraint):
    """A constraint that depends on other parameters; never checked (as PyTorch)."""

    def __init__(self, *, is_discrete=False, event_dim=0):
        self.is_discrete, self.event_dim = is_discrete, event_dim

    def __call__(self, *, is_discrete=False, event_dim=0):
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, value):
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint) -> bool:
    return isinstance(constraint, _Dependent)


class dependent_property(property):
    """A property whose value is a constraint built from the parameters (e.g. Uniform's support)."""

    def __init__(self, fn=None, *, is_discrete=False, event_dim=0):
        super().__init__(fn)
        self.is_discrete, self.event_dim = is_discrete, event_dim


class _Real(Constraint):
    def check(self, value):
        return value == value  # False only for NaN


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return self.lower_bound < value

    def __repr__(self):
        return f"GreaterThan(lower_bound={_f(self.lower_bound)})"


class _GreaterThanEq(_GreaterThan):
    def check(self, value):
        return self.lower_bound <= value

    def __repr__(self):
        return f"GreaterThanEq(lower_bound={_f(self.lower_bound)})"


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return value < self.upper_bound

    def __repr__(self):
        return f"LessThan(upper_bound={_f(self.upper_bound)})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self):
        return f"Interval(lower_bound={_f(self.lower_bound)}, upper_bound={_f(self.upper_bound)})"


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        return (value % 1 == 0) & (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self):
        return f"IntegerInterval(lower_bound={_f(self.lower_bound)}, upper_bound={_f(self.upper_bound)})"


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound)

    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={_f(self.lower_bound)})"


class _Independent(Constraint):
    """``base`` applied element-wise, with the rightmost ``reinterpreted_batch_ndims`` dims one event."""

    def __init__(self, base, reinterpreted_batch_ndims):
        self.base_constraint, self.reinterpreted_batch_ndims = base, reinterpreted_batch_ndims
        self.event_dim = base.event_dim + reinterpreted_batch_ndims

    def check(self, value):
        return _reduce_event(self.base_constraint.check(value), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _Simplex(Constraint):
    event_dim = 1

    def check(self, value):
        return (value >= 0).all(-1) & ((value.sum(-1) - 1).abs() < 1e-6)


class _LowerCholesky(Constraint):
    event_dim = 2

    def check(self, value):
        lower = (value.tril() == value).all(-1).all(-1)
        positive_diag = (value.diagonal(0, -2, -1) > 0).all(-1)
        return lower & positive_diag


class _PositiveDefinite(Constraint):
    event_dim = 2

    def check(self, value):
        import numpy as np

        from .._tensor import from_array
        from ..backend import array_module_of

        a = value._array
        xp = array_module_of(a)
        symmetric = xp.all(xp.abs(a - a.swapaxes(-1, -2)) <= 1e-6 * (1 + xp.abs(a)), axis=(-2, -1))
        sym = 0.5 * (a + a.swapaxes(-1, -2))
        ok = xp.all(xp.linalg.eigvalsh(sym) > 0, axis=-1) if a.size else xp.ones(a.shape[:-2], dtype=bool)
        return from_array(xp.asarray(symmetric & ok, dtype=np.bool_))


dependent = _Dependent()
real = _Real()
real_vector = _Independent(real, 1)
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
nonnegative_integer = _IntegerGreaterThan(0)
simplex = _Simplex()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
integer_interval = _IntegerInterval
independent = _Independent
