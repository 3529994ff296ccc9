"""Registry entries for random sampling (``deepglass/ops/random_draws.py``): normal, bernoulli, multinomial, poisson.

PyTorch's generator differs by design, so, as for ``rand``/``randn`` (core_creation.py),
the entries compare shape, dtype and ``requires_grad`` with PyTorch and check, in
deepglass, the support of the values and that reseeding (``manual_seed``, or a
``Generator`` seeded alike) repeats them. The distributions themselves are tested
statistically in tests/ops/test_random_draws.py.
"""
from __future__ import annotations

import numpy as np
import torch  # noqa: E402,I001

import deepglass as dg

from . import OpInfo, Sample
from .core_creation import _draws, _random_compare


def _finite(v):
    assert np.all(np.isfinite(v)), "normal: non-finite sample"


def _binary(v):
    assert set(np.unique(v)) <= {0, 1}, "bernoulli: values other than 0 and 1"


def _counts(v):
    assert np.all(v >= 0) and np.all(v == np.round(v)), "poisson: not non-negative integers"


def _indices(k, unique):
    def check(v):
        assert v.dtype == np.int64 and np.all((v >= 0) & (v < k)), "multinomial: index out of range"
        if unique:
            rows = v.reshape(-1, v.shape[-1])
            assert all(len(set(r.tolist())) == len(r) for r in rows), "multinomial: repeated without replacement"

    return check


def _named(fn):
    def call(*args, **kwargs):
        if "dtype" in kwargs:
            kwargs["dtype"] = getattr(torch, kwargs["dtype"])
        return fn(*args, **kwargs)

    return call


def _entry(name, check, samples, dg_fn, torch_fn):
    torch_fn = _named(torch_fn)
    torch_fn.__name__ = name
    return OpInfo(name, _draws(dg, dg_fn), _draws(torch, torch_fn), samples, grad=False, gradcheck=False,
                  compare=_random_compare(check), note="PyTorch's generator differs by design: support and seeding")


ENTRIES = [
    _entry("normal", _finite, lambda rng: [
        Sample(rng.standard_normal((3, 4)), np.abs(rng.standard_normal((4,)))),    # tensor mean, tensor std
        Sample(rng.standard_normal((5,)), 2.0),                                     # tensor mean, float std
        Sample(1.5, np.abs(rng.standard_normal((2, 3)))),                           # float mean, tensor std
        Sample(0.0, 1.0, (40, 30)), Sample(2.0, 0.5, size=(3,), dtype="float64"),   # float, float, size
    ], dg.normal, torch.normal),
    _entry("bernoulli", _binary, lambda rng: [
        Sample(rng.uniform(size=(3, 4))), Sample(rng.uniform(size=(40, 30))), Sample(np.zeros((5,)), 0.3),
    ], dg.bernoulli, torch.bernoulli),
    _entry("multinomial", _indices(5, True), lambda rng: [
        Sample(rng.uniform(size=(5,)), 3), Sample(rng.uniform(size=(4, 5)), 5), Sample(rng.uniform(size=(5,)), 4,
                                                                                     replacement=False),
    ], dg.multinomial, torch.multinomial),
    _entry("multinomial[replacement]", _indices(3, False), lambda rng: [
        Sample(rng.uniform(size=(3,)), 10, True), Sample(rng.uniform(size=(2, 3)), 500, replacement=True),
    ], dg.multinomial, torch.multinomial),
    _entry("poisson", _counts, lambda rng: [
        Sample(rng.uniform(0, 5, size=(3, 4))), Sample(rng.uniform(0, 5, size=(40, 30))),
    ], dg.poisson, torch.poisson),
]
