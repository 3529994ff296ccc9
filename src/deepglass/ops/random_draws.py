"""Random sampling: ``normal``, ``bernoulli``, ``multinomial``, ``poisson`` and the in-place fills.

Every draw comes from the seeded default generator (``deepglass.manual_seed``) or an
explicit ``generator=`` (``deepglass.Generator``), through NumPy's PCG64 on the host,
and moves to the tensor's device afterwards: a seed gives the same numbers on NumPy
and CuPy. The numbers are not PyTorch's (its generator differs by design); the
distributions, shapes, dtypes and errors are.

- ``normal(mean, std)``: N(mean, std²) element-wise; mean and std are tensors or floats
  (with ``size=`` when both are floats).
- ``bernoulli(p)``: 1 with probability p, else 0, in ``p``'s dtype.
- ``multinomial(probs, n, replacement)``: indices drawn with weights ``probs`` (rows of a 2-D input).
- ``poisson(rates)``: Poisson(rate) counts in the rates' dtype.
- Tensor methods filling ``self`` in place: ``uniform_(a, b)``, ``normal_(mean, std)``,
  ``bernoulli_(p)``, ``exponential_(λ)`` (density λe^{−λx}), ``geometric_(p)`` (P(k) = (1−p)^{k−1} p,
  k ≥ 1), ``log_normal_(mean, std)`` (exp of N(mean, std²)), ``cauchy_(median, σ)``
  (density 1 / (πσ(1 + ((x − median)/σ)²))), ``random_(from, to)`` (integers on [from, to)).

As in PyTorch, ``normal``, ``bernoulli`` and ``poisson`` of a tensor that requires grad return a
tensor that requires grad, with a zero gradient (the sample is not reparameterised).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import backend, dtypes
from .._tensor import Tensor, from_array
from ..autograd.function import Function
from ..random import numpy_generator
from ._util import xp_of
from .linalg import _torch_name

__all__ = ["normal", "bernoulli", "multinomial", "poisson"]


class _ZeroGrad(Function):
    """Returns a precomputed sample; every tensor input gets a zero gradient (PyTorch's derivative)."""

    @staticmethod
    def forward(ctx, sample, *inputs):
        ctx.shapes = [getattr(i, "shape", None) for i in inputs]
        return sample

    @staticmethod
    def backward(ctx, grad):
        xp = xp_of(grad)
        return (None, *[None if s is None else xp.zeros(s, grad.dtype) for s in ctx.shapes])


def _rng(generator):
    return numpy_generator(generator)


def _device_array(values, like_device):
    return backend.to_device(np.ascontiguousarray(values), like_device)


def _host(t: Tensor) -> np.ndarray:
    return np.asarray(t.detach().cpu().numpy())


def _check_float(t: Tensor, kernel: str):
    if t.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_torch_name(t.dtype).capitalize()}\'')


def _sample_of(values, device, inputs):
    """A Tensor holding ``values`` on ``device``; it requires grad (zero gradient) when an input does."""
    arr = _device_array(values, device)
    tensors = [i for i in inputs if isinstance(i, Tensor)]
    if any(t.requires_grad for t in tensors):
        return _ZeroGrad.apply(from_array(arr), *tensors)
    return from_array(arr)


def _to_out(result: Tensor, out):
    if out is None:
        return result
    if tuple(out.shape) != tuple(result.shape):
        out._array = backend.to_device(np.empty(result.shape, out.dtype), out.device)   # PyTorch resizes out=
    from ..autograd import grad_mode

    with grad_mode.no_grad():
        out.copy_(result)
    return out


# ---------------------------------------------------------------- normal


def _check_std(std):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Samples of N(mean, std²), element-wise: ``out = mean + std · z`` with z ~ N(0, 1).

    PyTorch's overloads: ``normal(Tensor mean, Tensor std)`` (broadcast together),
    ``normal(Tensor mean, float std=1)``, ``normal(float mean, Tensor std)`` and
    ``normal(float mean, float std, size, *, dtype, device, requires_grad)``.
    ``std`` must be ≥ 0 (RuntimeError otherwise).

    Example:
        >>> import deepglass as dg
        >>> _ = dg.manual_seed(0)
        >>> dg.normal(dg.zeros(2, 3), dg.ones(3)).shape
        (2, 3)
        >>> dg.normal(2.0, 0.5, size=(4,)).dtype
        dtype('float32')
    """
    rng = _rng(generator)
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        if size is None:
            raise TypeError("normal() with a float mean and a float std needs a size, e.g. normal(0., 1., (2, 3))")
        _check_std(float(std))
        shape = tuple(size) if isinstance(size, (tuple, list)) else (int(size),)
        dt = dtypes.as_dtype(dtype) or (out.dtype if out is not None else dtypes.get_default_dtype())
        values = (float(mean) + float(std) * rng.standard_normal(shape)).astype(dt)
        res = from_array(_device_array(values, backend.Device(device if device is not None else "cpu")))
        if requires_grad:
            res.requires_grad_(True)
        return _to_out(res, out)
    if size is not None:
        raise TypeError("normal() takes size= only when mean and std are both Python numbers")
    ref = mean if mean_t else std
    for t in (mean, std):
        if isinstance(t, Tensor):
            _check_float(t, "normal_kernel_cpu")
    if mean_t and std_t:
        if mean.device != std.device:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found {mean.device} and "
                               f"{std.device}")
        from .distance import _broadcast_shape

        shape = _broadcast_shape(tuple(mean.shape), tuple(std.shape))
        dt = np.result_type(mean.dtype, std.dtype)
    else:
        shape = tuple(ref.shape)
        dt = ref.dtype
    m = _host(mean) if mean_t else float(mean)
    s = _host(std) if std_t else float(std)
    if std_t:
        if np.any(s < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    else:
        _check_std(s)
    values = (m + s * rng.standard_normal(shape)).astype(dt)
    return _to_out(_sample_of(values, ref.device, (mean, std)), out)


# ---------------------------------------------------------------- bernoulli, poisson, multinomial


def _check_p(p, name="bernoulli_"):
    if not 0 <= p <= 1:
        raise RuntimeError(f"{name} expects p to be in [0, 1], but got p={p:g}")


def _check_p_tensor(p: np.ndarray):
    if not np.all((p >= 0) & (p <= 1)):   # NaN fails too
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false: every probability of "
                           "bernoulli must lie in [0, 1]")


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (element-wise), else 0, in ``input``'s dtype.

    ``bernoulli(input, p)`` with a float ``p`` draws every element with that probability
    (``input`` then only gives the shape and dtype). Probabilities must lie in [0, 1].

    Example:
        >>> import deepglass as dg
        >>> dg.bernoulli(dg.tensor([0., 1., 1.])).tolist()
        [0.0, 1.0, 1.0]
    """
    rng = _rng(generator)
    if p is None:
        _check_float(input, "bernoulli_tensor_cpu_p_")
        probs = _host(input)
        _check_p_tensor(probs)
    else:
        _check_p(float(p))
        probs = float(p)
    values = (rng.random(tuple(input.shape)) < probs).astype(input.dtype)
    return _to_out(_sample_of(values, input.device, (input,)), out)


def poisson(input, generator=None):
    """Poisson(rate) counts, element-wise, in ``input``'s dtype (rates must be ≥ 0).

    Example:
        >>> import deepglass as dg
        >>> dg.poisson(dg.zeros(3)).tolist()
        [0.0, 0.0, 0.0]
    """
    _check_float(input, "poisson_cpu")
    rates = _host(input)
    if not np.all(rates >= 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    values = _rng(generator).poisson(rates).astype(input.dtype)
    return _sample_of(values, input.device, (input,))


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None, out=None):
    """Indices (int64) drawn from the categories 0..K−1 with weights ``input`` (1-D, or one row each of 2-D).

    Weights need not sum to 1 but must be finite and ≥ 0 with a positive sum. Without
    ``replacement``, each index appears at most once in a row (``num_samples`` ≤ K).

    Example:
        >>> import deepglass as dg
        >>> dg.multinomial(dg.tensor([0., 3., 0.]), 2, replacement=True).tolist()
        [1, 1]
    """
    if input.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_torch_name(input.dtype).capitalize()}")
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = input.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    probs = _host(input).astype(np.float64).reshape(-1, k)
    if not np.all(np.isfinite(probs) & (probs >= 0)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    sums = probs.sum(axis=1)
    if np.any(sums <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    rows = []
    for row, total in zip(probs, sums):
        w = row / total
        if replacement:
            rows.append(rng.choice(k, size=num_samples, replace=True, p=w))
        else:
            # exponential races: the num_samples smallest E_i / w_i are a weighted draw without replacement;
            # categories of weight 0 come last (PyTorch also returns them once the others are used up)
            with np.errstate(divide="ignore"):
                keys = rng.standard_exponential(k) / w
            rows.append(np.argsort(keys, kind="stable")[:num_samples])
    values = np.stack(rows).astype(np.int64)
    if input.ndim == 1:
        values = values[0]
    return _to_out(from_array(_device_array(values, input.device)), out)


# ---------------------------------------------------------------- in-place fills (Tensor methods)


def _continuous(self: Tensor, what: str):
    if self.dtype.kind != "f":
        raise RuntimeError(f"{what} distribution is a continuous probability distribution. dtype must be a "
                           f"floating point but you specified {_torch_name(self.dtype)}")


def _fill(self: Tensor, values) -> Tensor:
    return self._random_(_device_array(np.asarray(values).astype(self.dtype), self.device))


def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``self`` with U(a, b) samples (``Tensor.uniform_(from, to)``)."""
    _check_float(self, "check_uniform_bounds")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
    return _fill(self, _rng(generator).uniform(a, b, tuple(self.shape)))


def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``self`` with N(mean, std²) samples."""
    _check_float(self, "normal_kernel_cpu")
    _check_std(std)
    return _fill(self, mean + std * _rng(generator).standard_normal(tuple(self.shape)))


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    """Fill ``self`` with 1 (probability ``p``, a float or a tensor broadcasting to ``self``) or 0."""
    if isinstance(p, Tensor):
        probs = _host(p)
        _check_p_tensor(probs)
        probs = np.broadcast_to(probs, tuple(self.shape))
    else:
        _check_p(float(p))
        probs = float(p)
    return _fill(self, _rng(generator).random(tuple(self.shape)) < probs)


def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``self`` with Exponential(λ) samples: density λ e^{−λx}, x ≥ 0."""
    _continuous(self, "Exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    return _fill(self, _rng(generator).standard_exponential(tuple(self.shape)) / lambd)


def geometric_(self, p: float, *, generator=None) -> Tensor:
    """Fill ``self`` with Geometric(p) samples: the number of trials to the first success, P(k) = (1−p)^{k−1} p."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    return _fill(self, _rng(generator).geometric(p, tuple(self.shape)))


def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill ``self`` with exp(N(mean, std²)) samples."""
    _check_float(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    return _fill(self, _rng(generator).lognormal(mean, std, tuple(self.shape)))


def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill ``self`` with Cauchy(median, σ) samples: median + σ tan(π(u − ½))."""
    _continuous(self, "Cauchy")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    return _fill(self, median + sigma * _rng(generator).standard_cauchy(tuple(self.shape)))


def _dtype_bounds(dt: np.dtype):
    """[lo, hi] of the integers ``random_()`` may produce in ``dt`` (floats: the exactly representable range)."""
    if dt == np.bool_:
        return 0, 1
    if dt.kind == "f":
        m = 2 ** (np.finfo(dt).nmant + 1)
        return -m, m
    info = np.iinfo(dt)
    return int(info.min), int(info.max)


def random_(self, *args, generator=None, **kwargs) -> Tensor:
    """Fill ``self`` with integers uniform on [from, to − 1], as PyTorch's ``random_``.

    ``random_()`` draws from [0, 2^mantissa] for floats and [0, max] for integers;
    ``random_(to)`` from [0, to − 1]; ``random_(from, to)``; ``random_(from=f)`` from [f, max].
    Bounds outside an integer dtype are a RuntimeError, as in PyTorch.
    """
    unknown = set(kwargs) - {"from", "to"}
    if unknown:
        raise TypeError(f"random_() got an unexpected keyword argument {unknown.pop()!r}")
    if len(args) > 2 or (args and kwargs):
        raise TypeError("random_() takes random_(), random_(to), random_(from, to) or random_(from=, to=)")
    dt = np.dtype(self.dtype)
    lo, hi = _dtype_bounds(dt)
    name = {np.dtype(np.uint8): "unsigned char", np.dtype(np.int8): "signed char"}.get(dt, _torch_name(dt))
    if kwargs:
        from_, to = kwargs.get("from", 0), kwargs.get("to")
    elif len(args) == 2:
        from_, to = args
    elif len(args) == 1:
        from_, to = 0, args[0]
    else:
        from_, to = None, None
    if from_ is None:                                     # random_(): [0, 2^mantissa] or [0, max]
        low, high = 0, hi
    elif to is None:                                      # random_(from=f): [f, max]
        from_ = int(from_)
        if not lo <= from_ <= hi:
            raise RuntimeError(f"from is out of bounds for {name}")
        low, high = from_, hi
    else:
        from_, to = int(from_), int(to)
        if from_ >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        if dt.kind in "iub":
            if not lo <= from_ <= hi:
                raise RuntimeError(f"from is out of bounds for {name}")
            if not lo <= to - 1 <= hi:
                raise RuntimeError(f"to - 1 is out of bounds for {name}")
        elif not (lo <= from_ and to - 1 <= hi):
            e = int(math.log2(hi))
            warnings.warn(f"to - 1 is out of bounds [-(2^{e}), 2^{e}]. Due to precision limitations {name} can "
                          "support discrete uniform distribution only within this range.", UserWarning, stacklevel=2)
        low, high = from_, to - 1
    values = _rng(generator).integers(low, high, size=tuple(self.shape), dtype=np.int64, endpoint=True)
    return _fill(self, values)


# Tensor methods (bound by ops/tensor_methods.py)
TENSOR_METHODS = {
    "bernoulli": bernoulli, "multinomial": multinomial, "uniform_": uniform_, "normal_": normal_,
    "bernoulli_": bernoulli_, "exponential_": exponential_, "geometric_": geometric_, "log_normal_": log_normal_,
    "cauchy_": cauchy_, "random_": random_,
}
