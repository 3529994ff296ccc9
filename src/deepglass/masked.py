"""``torch.masked`` reductions and normalisations for ordinary tensors with a boolean ``mask=``.

The idea: a masked reduction is the plain reduction after every masked-out element (``mask`` False)
is replaced by the reduction's *identity* -- the value that does not change the result: 0 for
``sum``/``cumsum``/``norm``, 1 for ``prod``/``cumprod``, ``-inf`` (the lowest integer for integer
inputs) for ``amax``/``argmax``/``logsumexp``/``softmax``, ``+inf`` for ``amin``/``argmin``/``softmin``.
``mean``/``var``/``std`` divide by the count of kept elements, so a fully masked-out slice gives
NaN, as PyTorch does; ``median`` ignores masked-out elements through ``nanmedian``.

Everything is a composition of differentiable deepglass ops around :func:`deepglass.where`, so a
masked-out element gets zero gradient. ``mask`` broadcasts to the input (it may not have more
dimensions); ``mask=None`` means all elements are kept. Signatures follow ``torch.masked``::

    sum(input, dim=None, *, keepdim=False, dtype=None, mask=None)

>>> import deepglass as dg
>>> x = dg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
>>> m = dg.tensor([[True, False, True], [False, False, False]])
>>> dg.masked.sum(x, 1, mask=m)
tensor([4., 0.])
>>> dg.masked.mean(x, 1, mask=m)
tensor([2., nan])
>>> dg.masked.amax(x, 1, mask=m)
tensor([3., -inf])
"""
from __future__ import annotations

import numpy as np

import deepglass as _dg

__all__ = ["sum", "prod", "cumsum", "cumprod", "amax", "amin", "argmax", "argmin", "mean", "median", "norm",
           "var", "std", "logsumexp", "logaddexp", "softmax", "log_softmax", "softmin", "normalize"]

_SMALL_INTS = (np.uint8, np.bool_, np.int8, np.int16, np.int32)


def _is_float(t) -> bool:
    return np.issubdtype(np.dtype(t.dtype), np.inexact)


def _input_mask(input, mask):
    """The mask as a boolean tensor of the input's shape (PyTorch's canonical input mask)."""
    mask = mask if isinstance(mask, _dg.Tensor) else _dg.as_tensor(mask)
    if tuple(mask.shape) != tuple(input.shape):
        if mask.ndim > input.ndim:
            raise IndexError("masked: expected a broadcastable mask (got mask dimensionality higher than of the "
                             f"input: mask {tuple(mask.shape)}, input {tuple(input.shape)})")
        mask = _dg.broadcast_to(mask, tuple(input.shape))
    return mask if mask.dtype == _dg.bool else mask.to(_dg.bool)


def _identity(input, low: bool):
    """-inf (or the integer minimum) when ``low``, else +inf (or the integer maximum)."""
    if _is_float(input):
        return float("-inf") if low else float("inf")
    info = np.iinfo(np.dtype(input.dtype))
    return int(info.min if low else info.max)


def _fill(input, mask, value):
    """``input`` with its masked-out elements replaced by ``value``; ``input`` itself when ``mask`` is None."""
    if mask is None:
        return input
    return _dg.where(_input_mask(input, mask), input, _dg.full_like(input, value))


def _dims(dim, ndim):
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(d % ndim if ndim else d for d in dims)


def _cast(t, dtype):
    return t if dtype is None or t.dtype == dtype else t.to(dtype)


def sum(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Sum of the kept elements over ``dim`` (masked-out elements count as 0).

    PyTorch: ``torch.masked.sum(input, dim=None, *, keepdim=False, dtype=None, mask=None)``.

    >>> import deepglass as dg
    >>> dg.masked.sum(dg.tensor([1.0, 2.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(4.)
    """
    if dtype is None:
        dtype = _dg.int64 if np.dtype(input.dtype).type in _SMALL_INTS else input.dtype
    return _dg.sum(_fill(input, mask, 0), _dims(dim, input.ndim), bool(keepdim), dtype=dtype)


def prod(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Product of the kept elements over ``dim`` (masked-out elements count as 1).

    PyTorch: ``torch.masked.prod(input, dim=None, *, keepdim=False, dtype=None, mask=None)``.

    >>> import deepglass as dg
    >>> dg.masked.prod(dg.tensor([2.0, 5.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(6.)
    """
    if dtype is None:
        dtype = _dg.int64 if np.dtype(input.dtype).type in _SMALL_INTS else input.dtype
    out = _cast(_fill(input, mask, 1), dtype)
    dims = _dims(dim, input.ndim)
    if not dims and dim is not None:           # dim=() reduces everything, as torch.prod over all dims
        dims = tuple(range(input.ndim))
    for d in sorted(dims, reverse=True):
        out = _dg.prod(out, d, True)
    if not keepdim and dims:
        out = out.reshape(tuple(s for i, s in enumerate(input.shape) if i not in dims))
    return out


def cumsum(input, dim, *, dtype=None, mask=None):
    """Cumulative sum along ``dim``, masked-out elements counting as 0.

    >>> import deepglass as dg
    >>> dg.masked.cumsum(dg.tensor([1.0, 2.0, 3.0]), 0, mask=dg.tensor([True, False, True]))
    tensor([1., 1., 4.])
    """
    dtype = input.dtype if dtype is None else dtype
    return _cast(_dg.cumsum(_fill(input, mask, 0), _dims(dim, input.ndim)[0], dtype=dtype), dtype)


def cumprod(input, dim, *, dtype=None, mask=None):
    """Cumulative product along ``dim``, masked-out elements counting as 1.

    >>> import deepglass as dg
    >>> dg.masked.cumprod(dg.tensor([2.0, 5.0, 3.0]), 0, mask=dg.tensor([True, False, True]))
    tensor([2., 2., 6.])
    """
    dtype = input.dtype if dtype is None else dtype
    return _cast(_dg.cumprod(_fill(input, mask, 1), _dims(dim, input.ndim)[0], dtype=dtype), dtype)


def amax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Maximum of the kept elements over ``dim``; a fully masked-out slice gives -inf (integer minimum).

    >>> import deepglass as dg
    >>> dg.masked.amax(dg.tensor([1.0, 9.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(3.)
    """
    out = _dg.amax(_fill(input, mask, _identity(input, True)), _dims(dim, input.ndim), bool(keepdim))
    return _cast(out, input.dtype if dtype is None else dtype)


def amin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Minimum of the kept elements over ``dim``; a fully masked-out slice gives +inf (integer maximum).

    >>> import deepglass as dg
    >>> dg.masked.amin(dg.tensor([1.0, -9.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(1.)
    """
    out = _dg.amin(_fill(input, mask, _identity(input, False)), _dims(dim, input.ndim), bool(keepdim))
    return _cast(out, input.dtype if dtype is None else dtype)


def argmax(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Index of the largest kept element along ``dim``.

    As ``torch.masked.argmax`` the result has the input's dtype (or ``dtype``), not int64.

    >>> import deepglass as dg
    >>> dg.masked.argmax(dg.tensor([1.0, 9.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(2.)
    """
    out = _dg.argmax(_fill(input, mask, _identity(input, True)), dim, bool(keepdim))
    return _cast(out, input.dtype if dtype is None else dtype)


def argmin(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Index of the smallest kept element along ``dim`` (result in the input's dtype, as PyTorch).

    >>> import deepglass as dg
    >>> dg.masked.argmin(dg.tensor([1.0, -9.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(0.)
    """
    out = _dg.argmin(_fill(input, mask, _identity(input, False)), dim, bool(keepdim))
    return _cast(out, input.dtype if dtype is None else dtype)


def _count(input, dim, keepdim, mask):
    """How many elements are kept per output element (int64), as ``torch.masked`` counts them."""
    kept = _dg.ones(tuple(input.shape), dtype=_dg.bool) if mask is None else _input_mask(input, mask)
    return _dg.sum(kept, _dims(dim, input.ndim), bool(keepdim), dtype=_dg.int64)


def mean(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Mean of the kept elements, ``sum / count``; a fully masked-out slice gives NaN.

    >>> import deepglass as dg
    >>> dg.masked.mean(dg.tensor([1.0, 9.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(2.)
    """
    out_dtype = input.dtype if dtype is None else dtype
    if not np.issubdtype(np.dtype(out_dtype), np.inexact):
        source = "Input" if dtype is None else "Optional"
        raise ValueError(f"mean(): Could not infer output dtype. {source} dtype must be either a floating point "
                         f"or complex dtype. Got: {out_dtype}")
    total = sum(input, dim, keepdim=keepdim, dtype=out_dtype, mask=mask)
    return total / _count(input, dim, keepdim, mask)


def median(input, dim=-1, *, keepdim=False, dtype=None, mask=None):
    """Median of the kept elements along one ``dim`` (masked-out elements become NaN for ``nanmedian``).

    A fully masked-out slice gives NaN; for an integer input that is a ValueError, as in PyTorch.

    >>> import deepglass as dg
    >>> dg.masked.median(dg.tensor([1.0, 9.0, 3.0, 2.0]), mask=dg.tensor([True, False, True, True]))
    tensor(2.)
    """
    dtype = input.dtype if dtype is None else dtype
    is_float = _is_float(input)
    if not is_float:
        input = input.to(_dg.float32)
    d = _dims(dim, input.ndim)[0] if input.ndim else dim
    out = _dg.nanmedian(_fill(input, mask, float("nan")), d, bool(keepdim)).values
    if is_float:
        return out
    if bool(_dg.isnan(out).any()):
        raise ValueError("masked median expects no fully masked out rows if dtype is not floating point")
    return out.to(dtype)


def logsumexp(input, dim=None, *, keepdim=False, dtype=None, mask=None):
    """``log(sum(exp(x)))`` over the kept elements; a fully masked-out slice gives -inf.

    >>> import deepglass as dg
    >>> dg.masked.logsumexp(dg.tensor([0.0, 9.0, 0.0]), mask=dg.tensor([True, False, True]))
    tensor(0.6931)
    """
    out = _dg.logsumexp(_fill(input, mask, _identity(input, True)), _dims(dim, input.ndim), keepdim=bool(keepdim))
    return _cast(out, input.dtype if dtype is None else dtype)


def logaddexp(input, other, *, dtype=None, input_mask=None, other_mask=None):
    """``log(exp(input) + exp(other))`` with masked-out elements of either taken as -inf.

    >>> import deepglass as dg
    >>> m = dg.tensor([True, False, True])
    >>> dg.masked.logaddexp(dg.tensor([-100.0, -200, -300]), dg.tensor([-1.0, -2, -3]), input_mask=m, other_mask=m)
    tensor([-1., -inf, -3.])
    """
    a = _fill(input, input_mask, _identity(input, True))
    b = _fill(other, other_mask, _identity(other, True))
    return _cast(_dg.logaddexp(a, b), input.dtype if dtype is None else dtype)


def norm(input, ord=2.0, dim=None, *, keepdim=False, dtype=None, mask=None):
    """Vector ``ord``-norm of the kept elements (masked-out elements count as 0; +inf for ``ord=-inf``).

    >>> import deepglass as dg
    >>> dg.masked.norm(dg.tensor([3.0, 9.0, 4.0]), 2.0, mask=dg.tensor([True, False, True]))
    tensor(5.)
    """
    dtype = input.dtype if dtype is None else dtype
    fill = float("inf") if ord == float("-inf") else 0
    return _dg.linalg.vector_norm(_fill(input, mask, fill), ord, _dims(dim, input.ndim), bool(keepdim), dtype=dtype)


def _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, take_sqrt):
    if unbiased is not None and correction is not None:
        raise AssertionError("Only one of unbiased and correction may be given")   # the class torch.masked raises
    corr = 1.0 if unbiased is None else (1.0 if unbiased else 0.0)
    if correction is not None:
        corr = float(correction)
    if dtype is None:
        dtype = input.dtype if _is_float(input) else _dg.float32
    compute = dtype if np.issubdtype(np.dtype(dtype), np.inexact) else _dg.float32
    count = _count(input, dim, True, mask)
    mean_ = sum(input, dim, keepdim=True, dtype=dtype, mask=mask) / count
    x = input - mean_
    total = sum(x * x.conj() if np.issubdtype(np.dtype(x.dtype), np.complexfloating) else x * x,
                dim, keepdim=keepdim, dtype=compute, mask=mask)
    if not keepdim:
        count = count.reshape(tuple(total.shape))
    if corr != 0:
        real = np.finfo(np.dtype(compute)).dtype
        count = _dg.clamp(count.to(real) - corr, min=0)
    out = _cast(total / count, dtype)
    return _dg.sqrt(out) if take_sqrt else out


def var(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """Variance of the kept elements, ``sum((x - mean)^2) / max(count - correction, 0)``; fully masked -> NaN.

    >>> import deepglass as dg
    >>> dg.masked.var(dg.tensor([1.0, 9.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(2.)
    """
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, take_sqrt=False)


def std(input, dim=None, unbiased=None, *, correction=None, keepdim=False, dtype=None, mask=None):
    """Standard deviation of the kept elements, ``sqrt(masked.var(...))``.

    >>> import deepglass as dg
    >>> dg.masked.std(dg.tensor([1.0, 9.0, 3.0]), mask=dg.tensor([True, False, True]))
    tensor(1.4142)
    """
    return _std_var(input, dim, unbiased, correction, keepdim, dtype, mask, take_sqrt=True)


def softmax(input, dim, *, dtype=None, mask=None):
    """Softmax along ``dim`` over the kept elements (masked-out -> 0; a fully masked-out slice -> NaN).

    >>> import deepglass as dg
    >>> dg.masked.softmax(dg.tensor([0.0, 9.0, 0.0]), 0, mask=dg.tensor([True, False, True]))
    tensor([0.5000, 0.0000, 0.5000])
    """
    dtype = input.dtype if dtype is None else dtype
    return _dg.nn.functional.softmax(_fill(input, mask, _identity(input, True)), _dims(dim, input.ndim)[0]
                                     if input.ndim else dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None, mask=None):
    """Log-softmax along ``dim`` over the kept elements (masked-out -> -inf).

    >>> import deepglass as dg
    >>> dg.masked.log_softmax(dg.tensor([0.0, 9.0, 0.0]), 0, mask=dg.tensor([True, False, True]))
    tensor([-0.6931,    -inf, -0.6931])
    """
    dtype = input.dtype if dtype is None else dtype
    return _dg.nn.functional.log_softmax(_fill(input, mask, _identity(input, True)), _dims(dim, input.ndim)[0]
                                         if input.ndim else dim, dtype=dtype)


def softmin(input, dim, *, dtype=None, mask=None):
    """Softmin (softmax of ``-input``) along ``dim`` over the kept elements (masked-out -> 0).

    >>> import deepglass as dg
    >>> dg.masked.softmin(dg.tensor([0.0, -9.0, 0.0]), 0, mask=dg.tensor([True, False, True]))
    tensor([0.5000, 0.0000, 0.5000])
    """
    dtype = input.dtype if dtype is None else dtype
    return _dg.nn.functional.softmin(_fill(input, mask, _identity(input, False)), _dims(dim, input.ndim)[0]
                                     if input.ndim else dim, dtype=dtype)


def normalize(input, ord, dim, *, eps=1e-12, dtype=None, mask=None):
    """``input / max(norm(input, ord, dim), eps)`` over the kept elements; masked-out elements become 0.

    >>> import deepglass as dg
    >>> dg.masked.normalize(dg.tensor([3.0, 9.0, 4.0]), 2.0, 0, mask=dg.tensor([True, False, True]))
    tensor([0.6000, 0.0000, 0.8000])
    """
    dtype = input.dtype if dtype is None else dtype
    nrm = norm(input, ord, dim, keepdim=True, dtype=dtype, mask=mask)
    return _fill(input, mask, 0) / _dg.clamp(nrm, min=eps)
