"""Random sampling (ops/random_draws.py): distributions, seeding, in-place semantics and errors as PyTorch's.

The values cannot equal PyTorch's (another generator), so the distributions are
checked statistically at fixed seeds: a Kolmogorov–Smirnov test against SciPy's
distribution (p > 1e-3) or moments within a few standard errors. Shapes, dtypes
and exception classes are compared with PyTorch on the same calls.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

import deepglass as dg

N = 20000


def _np(t):
    return np.asarray(t.detach().cpu().numpy())


def _ks(sample, cdf, *args):
    p = stats.kstest(sample.ravel().astype(np.float64), cdf, args=args).pvalue
    assert p > 1e-3, f"KS test rejects {cdf}{args}: p = {p:.2g}"


@pytest.fixture(autouse=True)
def _seed():
    dg.manual_seed(0)


# ---------------------------------------------------------------- distributions


def test_normal_overloads_follow_n_mean_std():
    _ks(_np(dg.normal(2.0, 3.0, size=(N,))), "norm", 2.0, 3.0)
    _ks(_np(dg.normal(dg.full((N,), -1.0), 0.5)), "norm", -1.0, 0.5)
    _ks(_np(dg.normal(4.0, dg.full((N,), 2.0))), "norm", 4.0, 2.0)
    mean, std = dg.tensor([[-5.0], [5.0]]), dg.tensor([0.1, 1.0, 10.0])
    out = _np(dg.normal(mean.expand(2, 3).repeat(N // 20, 1), std))     # std broadcasts over the rows
    assert out.shape == (N // 10, 3)
    z = (out - np.tile([[-5.0], [5.0]], (N // 20, 1))) / np.array([0.1, 1.0, 10.0])
    _ks(z, "norm")


def test_normal_std_zero_is_the_mean_and_dtype_follows_torch():
    assert _np(dg.normal(dg.tensor([1.5, -2.0], dtype=dg.float64), 0.0)).tolist() == [1.5, -2.0]
    for args, kw in [((dg.zeros(2, 3), dg.ones(3)), {}), ((0.0, 1.0, (2, 3)), {"dtype": dg.float64}),
                     ((dg.zeros(3, dtype=dg.float64), dg.ones(3)), {}), ((2, 3, (2,)), {})]:
        targs = [torch.from_numpy(_np(a)) if isinstance(a, dg.Tensor) else a for a in args]
        tkw = {k: getattr(torch, str(np.dtype(v))) for k, v in kw.items()}
        d, t = dg.normal(*args, **kw), torch.normal(*targs, **tkw)
        assert tuple(d.shape) == tuple(t.shape) and str(d.dtype) == str(t.dtype).replace("torch.", "")


def test_normal_out_writes_into_out():
    out = dg.empty(4)
    res = dg.normal(dg.zeros(4), 1.0, out=out)
    assert res is out and np.all(_np(out) != 0)


def test_bernoulli_rates_and_dtype():
    p = np.repeat([0.1, 0.5, 0.9], N // 3)
    x = _np(dg.bernoulli(dg.tensor(p, dtype=dg.float32)))
    assert set(np.unique(x)) == {0.0, 1.0} and x.dtype == np.float32
    for q in (0.1, 0.5, 0.9):
        m = x[p == q].mean()
        assert abs(m - q) < 4 * np.sqrt(q * (1 - q) / (N // 3)), (q, m)
    y = _np(dg.bernoulli(dg.zeros(N, dtype=dg.float64), 0.25))
    assert y.dtype == np.float64 and abs(y.mean() - 0.25) < 0.015
    assert _np(dg.zeros(N).bernoulli(0.75)).mean() == pytest.approx(0.75, abs=0.015)
    assert _np(dg.tensor([0.0, 1.0]).bernoulli()).tolist() == [0.0, 1.0]


def test_poisson_matches_scipy():
    x = _np(dg.poisson(dg.full((N,), 3.5, dtype=dg.float64)))
    assert x.dtype == np.float64
    counts = np.bincount(x.astype(int), minlength=20)[:12]
    expected = stats.poisson.pmf(np.arange(12), 3.5) * N
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert stats.chi2.sf(chi2, 11) > 1e-3


def test_multinomial_with_replacement_frequencies():
    w = np.array([1.0, 2.0, 0.0, 7.0])
    idx = _np(dg.multinomial(dg.tensor(w), N, replacement=True))
    assert idx.dtype == np.int64 and idx.shape == (N,)
    freq = np.bincount(idx, minlength=4) / N
    np.testing.assert_allclose(freq, w / w.sum(), atol=0.015)
    assert freq[2] == 0


def test_multinomial_without_replacement_is_a_weighted_draw():
    w = dg.tensor([[5.0, 1.0, 1.0, 0.0]] * 4000)
    idx = _np(dg.multinomial(w, 3))
    assert idx.shape == (4000, 3)
    assert all(len(set(r)) == 3 for r in idx.tolist())
    first = np.bincount(idx[:, 0], minlength=4) / 4000
    np.testing.assert_allclose(first, [5 / 7, 1 / 7, 1 / 7, 0], atol=0.03)
    assert np.all(idx[:, :3] != 3)                       # three positive weights: category 3 never drawn
    forced = _np(dg.multinomial(dg.tensor([1.0, 0.0]), 2))
    assert forced.tolist() == [0, 1]


@pytest.mark.parametrize("method, args, dist, dist_args", [
    ("uniform_", (-2.0, 3.0), "uniform", (-2.0, 5.0)),
    ("normal_", (1.0, 2.0), "norm", (1.0, 2.0)),
    ("exponential_", (2.0,), "expon", (0.0, 0.5)),
    ("log_normal_", (0.5, 0.75), "lognorm", (0.75, 0.0, np.exp(0.5))),
    ("cauchy_", (1.0, 2.0), "cauchy", (1.0, 2.0)),
])
def test_in_place_continuous_fills(method, args, dist, dist_args):
    x = getattr(dg.empty(N, dtype=dg.float64), method)(*args)
    _ks(_np(x), dist, *dist_args)


def test_geometric_and_random_ranges():
    g = _np(dg.empty(N).geometric_(0.3))
    assert g.min() >= 1 and np.all(g == np.round(g))
    assert abs(g.mean() - 1 / 0.3) < 4 * np.sqrt(0.7 / 0.09 / N)
    gi = dg.zeros(5, dtype=dg.int64).geometric_(0.5)
    assert gi.dtype == np.int64
    r = _np(dg.empty(N).random_(3, 7))
    assert set(np.unique(r)) == {3.0, 4.0, 5.0, 6.0}
    assert set(np.unique(_np(dg.empty(N).random_(4)))) == {0.0, 1.0, 2.0, 3.0}
    u8 = _np(dg.zeros(N, dtype=dg.uint8).random_())
    assert u8.min() == 0 and u8.max() == 255
    i8 = _np(dg.zeros(N, dtype=dg.int8).random_(-128, 128))
    assert i8.min() == -128 and i8.max() == 127
    f = _np(dg.zeros(N).random_())
    assert f.min() >= 0 and f.max() <= 2 ** 24 and f.max() > 2 ** 23
    b = _np(dg.zeros(100, dtype=dg.bool).random_())
    assert set(b.tolist()) == {False, True}
    assert set(np.unique(_np(dg.zeros(N, dtype=dg.int16).random_(**{"from": 32760})))) == set(range(32760, 32768))


# ---------------------------------------------------------------- seeding, generators, in-place semantics


def _all_draws(gen=None):
    kw = {} if gen is None else {"generator": gen}
    x = dg.empty(6)
    return [dg.normal(dg.zeros(3), 1.0, **kw), dg.normal(0.0, 1.0, (3,), **kw), dg.bernoulli(dg.full((4,), 0.5), **kw),
            dg.multinomial(dg.ones(5), 3, **kw), dg.poisson(dg.full((3,), 4.0), **kw),
            x.clone().uniform_(**kw), x.clone().normal_(**kw), x.clone().bernoulli_(0.5, **kw),
            x.clone().exponential_(**kw), x.clone().geometric_(0.5, **kw), x.clone().log_normal_(**kw),
            x.clone().cauchy_(**kw), x.clone().random_(0, 100, **kw), dg.randint_like(x, 10, **kw),
            dg.rand_like(x, **kw), dg.randn_like(x, **kw)]


def test_reproducible_under_manual_seed_and_generators():
    dg.manual_seed(7)
    a = [_np(t) for t in _all_draws()]
    dg.manual_seed(7)
    b = [_np(t) for t in _all_draws()]
    c = [_np(t) for t in _all_draws(dg.Generator().manual_seed(7))]
    d = [_np(t) for t in _all_draws(dg.Generator().manual_seed(8))]
    for x, y, z in zip(a, b, c):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)          # a Generator seeded 7 gives the default stream seeded 7
    assert not all(np.array_equal(x, y) for x, y in zip(c, d))
    g = dg.Generator().manual_seed(3)
    state = dg.get_rng_state()
    dg.normal(0.0, 1.0, (4,), generator=g)                   # an explicit generator leaves the default alone
    assert dg.get_rng_state() == state


def test_in_place_fills_keep_storage_and_bump_version():
    for name, args in [("uniform_", ()), ("normal_", ()), ("bernoulli_", (0.5,)), ("exponential_", ()),
                       ("geometric_", (0.5,)), ("log_normal_", ()), ("cauchy_", ()), ("random_", (0, 10))]:
        base = dg.zeros(3, 4)
        view = base[1]
        v0, arr = base._version, base._array
        out = getattr(view, name)(*args)
        assert out is view and base._array is arr and base._version > v0, name
        assert np.all(_np(base)[[0, 2]] == 0), name                     # only the view's row changed
        p = dg.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable"):
            getattr(p, name)(*args)


def test_sampling_from_a_tensor_that_requires_grad_gives_a_zero_gradient():
    m = dg.zeros(3, requires_grad=True)
    s = dg.ones(3, requires_grad=True)
    out = dg.normal(m, s) + dg.bernoulli(m.sigmoid()) + dg.poisson(s)
    assert out.requires_grad
    out.sum().backward()
    assert _np(m.grad).tolist() == [0.0] * 3 and _np(s.grad).tolist() == [0.0] * 3


# ---------------------------------------------------------------- errors as PyTorch's


def _same_error(dg_call, torch_call):
    with pytest.raises(Exception) as te:
        torch_call(torch)
    with pytest.raises(type(te.value)):
        dg_call(dg)


@pytest.mark.parametrize("call", [
    lambda m: m.normal(m.zeros(2), m.ones(3)),
    lambda m: m.normal(m.zeros(3), -1.0),
    lambda m: m.normal(m.zeros(3), m.tensor([-1.0, 1.0, 1.0])),
    lambda m: m.normal(0.0, -1.0, (2,)),
    lambda m: m.normal(m.zeros(3, dtype=m.int64), 1.0),
    lambda m: m.bernoulli(m.tensor([0.0, 1.5])),
    lambda m: m.bernoulli(m.zeros(3), 1.5),
    lambda m: m.bernoulli(m.zeros(3, dtype=m.int64)),
    lambda m: m.zeros(3).bernoulli_(m.tensor([0.2, 0.4, 1.5])),
    lambda m: m.multinomial(m.tensor([1.0, -1.0]), 1),
    lambda m: m.multinomial(m.tensor([1.0, float("inf")]), 1),
    lambda m: m.multinomial(m.tensor([1.0, float("nan")]), 1),
    lambda m: m.multinomial(m.tensor([[1.0, 1.0], [0.0, 0.0]]), 1),
    lambda m: m.multinomial(m.tensor([1.0, 1.0]), 3),
    lambda m: m.multinomial(m.ones(2, 2, 2), 1),
    lambda m: m.multinomial(m.ones(2), 0),
    lambda m: m.multinomial(m.ones(2, dtype=m.int64), 1),
    lambda m: m.poisson(m.tensor([-1.0])),
    lambda m: m.poisson(m.tensor([1], dtype=m.int64)),
    lambda m: m.zeros(3).exponential_(0),
    lambda m: m.zeros(3, dtype=m.int64).exponential_(),
    lambda m: m.zeros(3).geometric_(1),
    lambda m: m.zeros(3).log_normal_(1, 0),
    lambda m: m.zeros(3).cauchy_(0, -1),
    lambda m: m.zeros(3, dtype=m.int64).cauchy_(),
    lambda m: m.zeros(3).uniform_(1, 0),
    lambda m: m.zeros(3).normal_(0, -1),
    lambda m: m.zeros(3).random_(5, 3),
    lambda m: m.zeros(3).random_(0),
    lambda m: m.zeros(3, dtype=m.uint8).random_(0, 300),
    lambda m: m.zeros(3, dtype=m.uint8).random_(-1, 3),
    lambda m: m.rand(3, dtype=m.int64),
    lambda m: m.randn_like(m.zeros(3, dtype=m.int64)),
])
def test_errors_as_torch(call):
    _same_error(call, call)


def test_multinomial_shapes_as_torch():
    for probs, n, rep in [((5,), 3, False), ((4, 5), 5, False), ((2, 3), 7, True)]:
        d = dg.multinomial(dg.ones(*probs), n, rep)
        t = torch.multinomial(torch.ones(*probs), n, rep)
        assert tuple(d.shape) == tuple(t.shape) and d.dtype == np.int64
