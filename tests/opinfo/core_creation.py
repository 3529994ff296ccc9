"""Registry entries for tensor creation (``deepglass/creation.py``) and the legacy constructors (``FloatTensor``...).

Deterministic constructors compare values, shape, dtype and ``requires_grad``
with PyTorch. ``empty``/``empty_like`` and the legacy ``FloatTensor(2, 3)``
(uninitialised memory in PyTorch) compare shape and dtype only. The random
constructors cannot match PyTorch's values (its generator differs by design):
their entries compare shape and dtype with PyTorch and check, in deepglass,
the range of the values, that reseeding (``manual_seed``, or a ``Generator``
seeded alike) repeats them, and that another seed does not.

Sample arguments here are Python numbers, lists and sizes (passed unchanged);
a NumPy array given positionally becomes a tensor (``zeros_like(x)``), one
given as ``source=`` stays an array (``from_numpy``).
"""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, dg.Tensor) else t.detach().numpy()


def _dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def _same_meta(d, t):
    assert tuple(d.shape) == tuple(t.shape), f"shape {tuple(d.shape)} != torch {tuple(t.shape)}"
    assert _dtype_name(d) == _dtype_name(t), f"dtype {d.dtype} != torch {t.dtype}"
    assert d.requires_grad == t.requires_grad, f"requires_grad {d.requires_grad} != torch {t.requires_grad}"


def _same(d, t):
    """Shape, dtype, requires_grad and values (exactly: creation does no arithmetic beyond arange's steps)."""
    _same_meta(d, t)
    np.testing.assert_allclose(_np(d).astype(np.float64), _np(t).astype(np.float64), rtol=1e-6, atol=1e-7)


def _mutated(fn):
    """Call ``fn(copy of source, ...)``, then change the copy: the result shows the change iff it shares memory."""
    def call(*args, source, **kwargs):
        arr = np.array(source, copy=True)
        out = fn(arr, *args, **kwargs)
        arr += arr.dtype.type(1)
        return out

    return call


def _size_samples(rng):
    return [Sample(2, 3), Sample((2, 3)), Sample([4]), Sample(size=(1, 2, 3)), Sample(0, 3), Sample(()),
            Sample(2, dtype="float64"), Sample(3, 1, dtype="int32"), Sample(2, 2, requires_grad=True)]


def _torch_kw(fn):
    """The PyTorch side of an entry whose samples name dtypes as strings (``dtype="int32"``)."""
    def call(*args, dtype=None, **kwargs):
        return fn(*args, dtype=None if dtype is None else getattr(torch, dtype), **kwargs)

    return call


# ----------------------------------------------------------------- random constructors
SEED = 1234


def _draws(framework, fn):
    """Five draws: after manual_seed(SEED) twice, from two Generators seeded SEED (``*_like`` take none: the
    global stream again), after manual_seed(SEED + 1)."""
    def call(*args, **kwargs):
        framework.manual_seed(SEED)
        a = fn(*args, **kwargs)
        framework.manual_seed(SEED)
        b = fn(*args, **kwargs)
        if "_like" in fn.__name__:
            c, c2 = a, b
        else:
            c = fn(*args, generator=framework.Generator().manual_seed(SEED), **kwargs)
            c2 = fn(*args, generator=framework.Generator().manual_seed(SEED), **kwargs)
        framework.manual_seed(SEED + 1)
        d = fn(*args, **kwargs)
        return a, b, c, c2, d

    return call


def _random_compare(check):
    """Shape and dtype as PyTorch; in deepglass, ``check(values)`` holds, reseeding repeats, another seed differs."""
    def compare(dg_out, th_out):
        a, b, c, c2, d = dg_out
        for x in dg_out:
            _same_meta(x, th_out[0])
        va = _np(a)
        np.testing.assert_array_equal(va, _np(b), err_msg="manual_seed(s) twice gave different values")
        np.testing.assert_array_equal(_np(c), _np(c2), err_msg="two Generators seeded alike gave different values")
        if va.size > 1:
            assert not np.array_equal(va, _np(d)), "another seed gave the same values"
        check(va)
        check(_np(c))

    return compare


def _unit_interval(v):
    assert v.size == 0 or (v.min() >= 0 and v.max() < 1), "rand: values outside [0, 1)"
    if v.size >= 1000:
        assert abs(v.mean() - 0.5) < 0.05, f"rand: mean {v.mean()} is not about 1/2"


def _standard_normal(v):
    if v.size >= 1000:
        assert abs(v.mean()) < 0.1 and abs(v.std() - 1) < 0.1, f"randn: mean {v.mean()}, std {v.std()}"


def _in(low, high):
    def check(v):
        assert v.size == 0 or (v.min() >= low and v.max() < high), f"randint: values outside [{low}, {high})"
        if v.size >= 1000:
            assert set(np.unique(v)) == set(range(low, high)), "randint: not every value drawn"

    return check


def _permutation(v):
    assert sorted(v.tolist()) == list(range(v.size)), "randperm: not a permutation"


def _random_entry(name, check, samples, dg_fn=None, torch_fn=None):
    dg_fn = dg_fn or getattr(dg, name)
    torch_fn = torch_fn or _torch_kw(getattr(torch, name))
    torch_fn.__name__ = name
    return OpInfo(name, _draws(dg, dg_fn), _draws(torch, torch_fn), samples, grad=False,
                  compare=_random_compare(check), note="PyTorch's generator differs by design: range and seeding")


def _like_samples(rng):
    return [Sample(rng.standard_normal((2, 3))), Sample(rng.standard_normal((40, 30))),
            Sample(rng.standard_normal((3,)), dtype="float64")]


RANDOM = [
    _random_entry("rand", _unit_interval, lambda rng: [Sample(2, 3), Sample((40, 30)), Sample(size=(5,)),
                                                       Sample(0), Sample(2, dtype="float64")]),
    _random_entry("randn", _standard_normal, lambda rng: [Sample(2, 3), Sample(50, 40), Sample(4, dtype="float64"),
                                                          Sample(3, requires_grad=True)]),
    _random_entry("randint", _in(3, 8), lambda rng: [Sample(3, 8, (2, 3)), Sample(3, 8, (40, 30)),
                                                     Sample(3, 8, size=(4,), dtype="int32")]),
    _random_entry("randint[high, size]", _in(0, 5), lambda rng: [Sample(5, (4, 3)), Sample(5, (2000,))],
                  dg_fn=dg.randint, torch_fn=_torch_kw(torch.randint)),
    _random_entry("randperm", _permutation, lambda rng: [Sample(10), Sample(1), Sample(0), Sample(6, dtype="int32")]),
    _random_entry("rand_like", _unit_interval, _like_samples, dg_fn=dg.rand_like),
    _random_entry("randn_like", _standard_normal, _like_samples, dg_fn=dg.randn_like),
    _random_entry("randint_like", _in(2, 6), lambda rng: [Sample(rng.standard_normal((3, 4)), 2, 6),
                                                          Sample(np.zeros((40, 30), np.int32), 2, 6)]),
]


# ----------------------------------------------------------------- deterministic constructors
def _tensor_samples(rng):
    return [Sample([[1, 2], [3, 4]]), Sample([1.5, -2.0]), Sample(3.25), Sample(7), Sample([True, False]),
            Sample([]), Sample([[1, 2]], dtype="float64"), Sample([0.5, 1.5], dtype="int32"),
            Sample([1.0, 2.0], requires_grad=True), Sample((1, 2.5))]


def _legacy(name):
    """``FloatTensor([...])`` (values) and ``FloatTensor[size]`` (shape and dtype: PyTorch leaves memory as it was)."""
    values = OpInfo(name, getattr(dg, name), getattr(torch, name), lambda rng: [
        Sample([1, 2, 3]), Sample([[0.0, 1.0], [1.0, 0.0]]), Sample([])], grad=False, compare=_same)
    sizes = OpInfo(f"{name}[size]", getattr(dg, name), getattr(torch, name),
                   lambda rng: [Sample(2, 3), Sample(4), Sample(0)], grad=False, compare=_same_meta,
                   note="uninitialised in PyTorch: shape and dtype only")
    return [values, sizes]


def _like(name, extra=()):
    return OpInfo(name, getattr(dg, name), _torch_kw(getattr(torch, name)), lambda rng: [
        Sample(rng.standard_normal((2, 3)), *extra), Sample(np.arange(6, dtype=np.int64).reshape(3, 2), *extra),
        Sample(rng.standard_normal((4,)), *extra, dtype="float64"), Sample(rng.standard_normal((1, 2)), *extra,
                                                                             requires_grad=True)],
        grad=False, compare=_same_meta if name == "empty_like" else _same)


DETERMINISTIC = [
    OpInfo("tensor", dg.tensor, _torch_kw(torch.tensor), _tensor_samples, grad=False, compare=_same),
    OpInfo("as_tensor", dg.as_tensor, _torch_kw(torch.as_tensor), lambda rng: [
        Sample([[1, 2], [3, 4]]), Sample([1.5, 2.5], dtype="float64"), Sample(2.0)], grad=False, compare=_same),
    OpInfo("as_tensor[shares memory]", _mutated(dg.as_tensor), _mutated(_torch_kw(torch.as_tensor)), lambda rng: [
        Sample(source=rng.standard_normal((2, 3))), Sample(source=np.arange(4, dtype=np.int32)),
        Sample(source=rng.standard_normal(3).astype(np.float32), dtype="float64")],  # a cast: a copy
        grad=False, compare=_same),
    OpInfo("from_numpy", _mutated(dg.from_numpy), _mutated(torch.from_numpy), lambda rng: [
        Sample(source=rng.standard_normal((2, 3))), Sample(source=rng.standard_normal(4).astype(np.float32)),
        Sample(source=np.arange(5, dtype=np.int32)), Sample(source=np.array([True, False])),
        Sample(source=np.zeros((0, 2), np.int16))], grad=False, compare=_same, note="dtype kept; memory shared"),
    OpInfo("zeros", dg.zeros, _torch_kw(torch.zeros), _size_samples, grad=False, compare=_same),
    OpInfo("ones", dg.ones, _torch_kw(torch.ones), _size_samples, grad=False, compare=_same),
    OpInfo("empty", dg.empty, _torch_kw(torch.empty), _size_samples, grad=False, compare=_same_meta,
           note="uninitialised: shape and dtype only"),
    OpInfo("full", dg.full, _torch_kw(torch.full), lambda rng: [
        Sample((2, 3), 1.5), Sample((2,), 7), Sample([3], True), Sample((2, 2), 2, dtype="float64"),
        Sample((0,), 1.0), Sample((), -3.0), Sample((1, 2), 0.5, requires_grad=True)], grad=False, compare=_same),
    OpInfo("eye", dg.eye, _torch_kw(torch.eye), lambda rng: [
        Sample(3), Sample(2, 4), Sample(4, 2), Sample(3, dtype="int64"), Sample(0), Sample(2, requires_grad=True)],
        grad=False, compare=_same),
    OpInfo("arange", dg.arange, _torch_kw(torch.arange), lambda rng: [
        Sample(5), Sample(2, 9, 3), Sample(0, 1, 0.1), Sample(5, 1, -1), Sample(1.5, 4), Sample(0, 3, dtype="float64"),
        Sample(3, 3), Sample(0.0, 2.0, 0.25, dtype="float64"), Sample(4, requires_grad=True, dtype="float32")],
        grad=False, compare=_same),
    OpInfo("linspace", dg.linspace, _torch_kw(torch.linspace), lambda rng: [
        Sample(0, 1, 5), Sample(-2.0, 2.0, 1), Sample(3, -3, 7), Sample(0, 1, 0), Sample(0, 1, 4, dtype="float64"),
        Sample(0, 1, 3, requires_grad=True)], grad=False, compare=_same),
    _like("zeros_like"), _like("ones_like"), _like("empty_like"), _like("full_like", (2.5,)),
    OpInfo("full_like[int fill]", dg.full_like, _torch_kw(torch.full_like), lambda rng: [
        Sample(rng.standard_normal((2, 2)), 3), Sample(np.zeros(3, np.int64), 4)], grad=False, compare=_same),
]

ENTRIES = DETERMINISTIC + RANDOM + [e for name in ("FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
                                                  "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor")
                                    for e in _legacy(name)]
