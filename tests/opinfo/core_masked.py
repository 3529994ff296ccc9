"""Registry entries for deepglass.masked (torch.masked on strided tensors with a boolean mask)."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _x(rng, *shape):
    # distinct values, so max/min/median gradients have no ties
    return rng.permutation(int(np.prod(shape))).reshape(shape).astype(float) / 7 - 0.95   # no |x| ties either (norm ord=±inf)


def _m(rng, *shape):
    m = rng.random(shape) > 0.4
    m[..., 0] = True            # no fully masked-out slice: those give NaN/inf, tested in tests/test_masked.py
    return m


def _reductions(rng):
    return [Sample(_x(rng, 3, 4), mask=_m(rng, 3, 4)), Sample(_x(rng, 3, 4), 1, mask=_m(rng, 3, 4)),
            Sample(_x(rng, 2, 3, 4), (0, 2), keepdim=True, mask=_m(rng, 2, 3, 4)),
            Sample(_x(rng, 3, 4), -1, mask=_m(rng, 4)),          # the mask broadcasts to the input
            Sample(_x(rng, 3, 4), 0, keepdim=True)]               # mask=None keeps everything


def _one_dim(rng):
    return [Sample(_x(rng, 3, 4), 1, mask=_m(rng, 3, 4)), Sample(_x(rng, 2, 3, 4), -1, mask=_m(rng, 2, 3, 4)),
            Sample(_x(rng, 3, 4), 1, mask=_m(rng, 4)), Sample(_x(rng, 3, 4), 0)]


def _arg(rng):
    return [Sample(_x(rng, 3, 4), 1, mask=_m(rng, 3, 4)), Sample(_x(rng, 3, 4), 1, keepdim=True, mask=_m(rng, 3, 4))]


def _norm(rng):
    return [Sample(_x(rng, 3, 4), 2.0, 1, mask=_m(rng, 3, 4)), Sample(_x(rng, 3, 4), 1.0, None, mask=_m(rng, 3, 4)),
            Sample(_x(rng, 2, 3, 4), 3.0, (0, 2), keepdim=True, mask=_m(rng, 2, 3, 4)),
            Sample(_x(rng, 3, 4), float("inf"), 1, mask=_m(rng, 3, 4)),
            Sample(_x(rng, 3, 4), float("-inf"), 1, mask=_m(rng, 3, 4))]


def _var(rng):
    m = lambda *s: _m(rng, *s) | (np.arange(s[-1]) == 1)   # noqa: E731  (at least two kept: correction 1 stays finite)
    return [Sample(_x(rng, 3, 4), 1, mask=m(3, 4)), Sample(_x(rng, 3, 4), None, mask=m(3, 4)),
            Sample(_x(rng, 2, 3, 4), (0, 2), keepdim=True, correction=0, mask=m(2, 3, 4)),
            Sample(_x(rng, 3, 4), 1, False, mask=m(4)), Sample(_x(rng, 3, 4), 0)]


def _normalize(rng):
    return [Sample(_x(rng, 3, 4), 2.0, 1, mask=_m(rng, 3, 4)), Sample(_x(rng, 3, 4), 1.0, 0, mask=_m(rng, 3, 4)),
            Sample(_x(rng, 2, 3), 2.0, -1)]


def _logaddexp(rng):
    return [Sample(_x(rng, 3, 4), _x(rng, 3, 4), input_mask=_m(rng, 3, 4) | True, other_mask=_m(rng, 3, 4)),
            Sample(_x(rng, 3, 4), _x(rng, 3, 4), other_mask=_m(rng, 4))]


def _with_tensor_masks(fn, as_tensor):
    """The registry turns positional arrays into tensors; the masks are keyword-only, so convert them here."""
    def call(*args, **kwargs):
        return fn(*args, **{k: as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()})
    return call


def _entry(name, samples, **kw):
    return OpInfo(f"masked.{name}", _with_tensor_masks(getattr(dg.masked, name), dg.as_tensor),
                  _with_tensor_masks(getattr(torch.masked, name), torch.from_numpy), samples, **kw)


ENTRIES = [
    _entry("sum", _reductions),
    _entry("prod", _reductions),
    _entry("amax", _reductions),
    _entry("amin", _reductions),
    _entry("mean", _reductions),
    _entry("logsumexp", _reductions),
    _entry("argmax", _arg, grad=False),
    _entry("argmin", _arg, grad=False),
    _entry("norm", _norm),
    _entry("var", _var),
    _entry("std", _var),
    _entry("median", _one_dim),
    _entry("cumsum", _one_dim),
    _entry("cumprod", _one_dim),
    _entry("softmax", _one_dim),
    _entry("log_softmax", _one_dim, note="masked-out outputs are -inf in both; their gradient is zero"),
    _entry("softmin", _one_dim),
    _entry("normalize", _normalize),
    _entry("logaddexp", _logaddexp),
]
