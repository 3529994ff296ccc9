"""Pooling against PyTorch 2.13 where the op registry cannot go: NaN/±inf windows, windows of padding only,
integer dtypes, errors, empty shapes, and the same on batch chunks split over threads."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass as dg
import deepglass.nn as nn  # noqa: F401  (used inside eval)
import deepglass.nn.functional as F
from deepglass import parallel

R = np.random.default_rng(0)
NAN, INF = np.nan, np.inf


@pytest.fixture(params=["serial", "chunked"])
def chunking(request, monkeypatch):
    """Run each test as it comes, then with every parallel_chunks call split over three threads."""
    if request.param == "serial":
        yield
        return
    if parallel._numpy_blas() is None:
        pytest.skip("threadpoolctl cannot see NumPy's BLAS: kernels never split")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", 0)
    before = dg.get_num_threads()
    dg.set_num_threads(3)
    yield
    dg.set_num_threads(before)


def _run(name, x, *args, grad=True, **kwargs):
    """(torch, deepglass) outputs as tuples of arrays, and the input gradients for one random upstream gradient."""
    grad = grad and x.dtype.kind == "f"
    xt, xd = torch.tensor(x, requires_grad=grad), dg.tensor(x, requires_grad=grad)
    yt, yd = getattr(TF, name)(xt, *args, **kwargs), getattr(F, name)(xd, *args, **kwargs)
    yt, yd = (yt if isinstance(yt, tuple) else (yt,)), (yd if isinstance(yd, tuple) else (yd,))
    gt = gd = None
    if grad:
        g = R.standard_normal(tuple(yt[0].shape)).astype(x.dtype)
        yt[0].backward(torch.tensor(g))
        yd[0].backward(dg.tensor(g))
        gt, gd = xt.grad.numpy(), xd.grad.numpy()
    return [t.detach().numpy() for t in yt], [d.detach().numpy() for d in yd], gt, gd


def _same(name, x, *args, grad=True, **kwargs):
    ot, od, gt, gd = _run(name, x, *args, grad=grad, **kwargs)
    for t, d in zip(ot, od):
        assert t.dtype == d.dtype and t.shape == d.shape
        np.testing.assert_allclose(d, t, rtol=1e-6, atol=1e-6, equal_nan=True)  # values, and indices exactly
    if gt is not None:
        np.testing.assert_allclose(gd, gt, rtol=1e-6, atol=1e-6, equal_nan=True)
    return ot


def _with_specials(shape, nan=0.3, pinf=0.1, ninf=0.1, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    x[rng.random(shape) < nan] = NAN
    x[rng.random(shape) < pinf] = INF
    x[rng.random(shape) < ninf] = -INF
    return x


# ------------------------------------------------------------------ NaN and ±inf
def test_max_pool_nan_propagates_and_the_last_nan_is_indexed(chunking):
    x = np.array([NAN, 1, NAN, 2, INF, 3, -INF, NAN, 5], np.float32).reshape(1, 1, 9)
    t = _same("max_pool1d", x, 3, 2, 1, 1, True, True)
    assert t[1].ravel().tolist() == [0, 2, 4, 7, 7]  # PyTorch takes the last NaN of each window (7, not 8's 5)
    for seed, (k, s, p, d, ceil) in enumerate([(3, 2, 1, 1, True), ((2, 3), 1, 1, 2, False), (3, (1, 2), 1, 2, True),
                                               (2, 2, 0, 1, False)]):
        _same("max_pool2d", _with_specials((3, 2, 6, 7), seed=seed), k, s, p, d, ceil, True)
    _same("max_pool2d", _with_specials((2, 6, 7)), 3, 2, 1, 1, True, True)           # unbatched


def test_max_pool_windows_of_minus_inf_index_their_first_position_inside(chunking):
    # nothing beats the starting -inf: the index stays at the window's first in-bounds position, not in the padding
    x = np.full((2, 2, 5, 6), -INF, np.float32)
    x[0, 0, 2, 3] = 1.0
    for kw in (dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), dict(kernel_size=2, padding=1, dilation=2)):
        _same("max_pool2d", x, return_indices=True, **kw)
    _same("max_pool1d", x[:, 0, 0], 3, 2, 1, return_indices=True)
    m = np.iinfo(np.int32).min
    xi = np.full((1, 2, 4, 5), m, np.int32)
    xi[0, 1, 1, 1] = 7
    _same("max_pool2d", xi, 3, 2, 1, ceil_mode=True, return_indices=True)


@pytest.mark.parametrize("name", ["adaptive_max_pool2d", "adaptive_avg_pool2d"])
def test_adaptive_pools_with_nan_and_inf(name):
    kw = dict(return_indices=True) if "max" in name else {}
    for seed, (shape, out) in enumerate([((2, 3, 7, 9), (3, 4)), ((2, 5, 4), (2, 3)), ((1, 1, 1, 9), (1, 2)),
                                         ((1, 2, 6, 6), 1), ((1, 2, 5, 3), (7, 2))]):
        x = _with_specials(shape, seed=seed)
        # a product of averaging matrices would spread one inf/NaN over the whole plane (0·inf = NaN): only
        # the windows holding it may change; the gradient is the plain window average either way
        _same(name, x, out, grad="avg" in name, **kw)
    x = np.array([NAN, 1, NAN, 2, INF, 3, -INF, NAN, 5], np.float32).reshape(1, 1, 9)
    if "max" in name:
        t = _same("adaptive_max_pool1d", x, 2, return_indices=True, grad=False)
        assert t[1].ravel().tolist() == [2, 7]  # the last NaN of each window
        x = np.array([-INF, -INF, -INF, 2], np.float32).reshape(1, 1, 1, 4)
        assert _same(name, x, (1, 2), return_indices=True)[1].ravel().tolist() == [0, 3]
    else:
        _same("adaptive_avg_pool1d", x, 3)


def test_adaptive_avg_pool_gradient_with_a_non_finite_upstream_gradient():
    x = R.standard_normal((1, 2, 5, 7)).astype(np.float32)
    g = R.standard_normal((1, 2, 2, 3)).astype(np.float32)
    g[0, 0, 1, 2] = INF
    g[0, 1, 0, 0] = NAN
    xt, xd = torch.tensor(x, requires_grad=True), dg.tensor(x, requires_grad=True)
    TF.adaptive_avg_pool2d(xt, (2, 3)).backward(torch.tensor(g))
    F.adaptive_avg_pool2d(xd, (2, 3)).backward(dg.tensor(g))
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-6, equal_nan=True)


# ------------------------------------------------------------------ windows of padding only
def test_padding_only_windows_follow_torch(chunking):
    # dilation wider than the input: every window on the width covers padding only. PyTorch gives -inf, the
    # index (first row >= 0)·W + (first column >= 0) and adds the gradient at that flat index of the plane
    x = R.standard_normal((5, 3, 4, 1)).astype(np.float32)
    kw = dict(kernel_size=(1, 2), stride=(2, 1), padding=(0, 1), dilation=(1, 2), return_indices=True)
    for ceil in (False, True):
        t = _same("max_pool2d", x, ceil_mode=ceil, **kw)
        assert np.all(t[0] == -INF) and t[1].ravel()[:2].tolist() == [1, 3]
    for dt in (np.int64, np.int8):
        t = _same("max_pool2d", R.integers(-9, 9, (2, 3, 4, 1)).astype(dt), **kw)
        assert np.all(t[0] == np.iinfo(dt).min)


def test_padding_only_windows_past_the_plane_drop_their_gradient(chunking):
    # here PyTorch's index lies past the plane and its CPU kernel writes the gradient into the next plane (or
    # past the end of the buffer): values and indices are compared, and our gradient is dropped instead
    cases = [("max_pool1d", (3, 4, 2), (2, 1, 1, 3), {}),
             ("max_pool2d", (2, 3, 1, 3), ((2, 1), 1, (1, 0), (2, 1)), {}),
             ("max_pool2d", (1, 2, 1, 1), (2, None, 1, 2), dict(ceil_mode=True))]
    for name, shape, args, kw in cases:
        x = R.standard_normal(shape).astype(np.float32)
        t = _same(name, x, *args, return_indices=True, grad=False, **kw)
        plane = shape[-1] * (shape[-2] if name == "max_pool2d" else 1)
        assert np.all(t[0] == -INF) and np.all(t[1] >= plane)
        xd = dg.tensor(x, requires_grad=True)
        getattr(F, name)(xd, *args, **kw).sum().backward()
        assert np.all(xd.grad.numpy() == 0)


# ------------------------------------------------------------------ dtypes
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8])
def test_max_pool_integer_inputs(dtype, chunking):
    info = np.iinfo(dtype)
    x = R.integers(info.min, info.max, (2, 3, 7, 6), dtype=dtype, endpoint=True)
    x[R.random(x.shape) < 0.2] = info.min
    for kw in (dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), dict(kernel_size=2, padding=1, dilation=2)):
        _same("max_pool2d", x, return_indices=True, **kw)
    _same("max_pool2d", x, 2)
    _same("max_pool1d", x[:, :, 0], 3, 2, 1, return_indices=True)


def test_avg_pool_int64_truncates_toward_zero():
    x = np.array([3, 6, -3, -6, 7, 7, -7, -8], np.int64).reshape(1, 1, 8)
    assert _same("avg_pool1d", x, 2)[0].ravel().tolist() == [4, -4, 7, -7]
    assert _same("avg_pool1d", x, 3, 1, 1, False, False)[0].ravel().tolist() == [4, 2, -1, 0, 2, 2, -2, -7]
    x4 = R.integers(-100, 100, (2, 3, 7, 6))
    for div in (None, 3, -4):
        for cip in (True, False):
            _same("avg_pool2d", x4, 3, 2, 1, True, cip, div)


@pytest.mark.parametrize("name,args,dtype", [
    ("max_pool2d", (2,), np.bool_), ("max_pool2d", (2,), np.uint16), ("avg_pool2d", (2,), np.int32),
    ("avg_pool2d", (2,), np.uint8), ("avg_pool2d", (2,), np.bool_), ("adaptive_avg_pool2d", (2,), np.int64),
    ("adaptive_max_pool2d", (2,), np.int64), ("adaptive_max_pool2d", (2,), np.int32)])
def test_dtypes_pytorch_does_not_pool_raise_its_error(name, args, dtype):
    x = np.ones((1, 1, 4, 4), dtype)
    with pytest.raises(NotImplementedError) as et:
        getattr(TF, name)(torch.tensor(x), *args)
    with pytest.raises(NotImplementedError, match=str(et.value).splitlines()[0]):
        getattr(F, name)(dg.tensor(x), *args)


# ------------------------------------------------------------------ errors and shapes
X4, X3 = (1, 2, 5, 5), (1, 2, 5)
ERRORS = [
    ("max_pool2d", X4, (0,), {}), ("max_pool2d", X4, (-1,), {}), ("max_pool2d", X4, (2, 0), {}),
    ("max_pool2d", X4, (2, -1), {}), ("max_pool2d", X4, (2, 2, -1), {}), ("max_pool2d", X4, (3, 1, 2), {}),
    ("max_pool2d", X4, (3, 1, 2, 2), {}),           # PyTorch bounds the padding by half the undilated kernel too
    ("max_pool2d", X4, (2, 2, 0, 0), {}), ("max_pool2d", X4, (6,), {}), ("max_pool2d", X4, (3,), dict(dilation=3)),
    ("max_pool2d", (5, 5), (2,), {}), ("max_pool2d", (1, 1, 1, 5, 5), (2,), {}), ("max_pool2d", X4, ((2, 2, 2),), {}),
    ("max_pool2d", (1, 0, 5, 5), (2,), {}), ("max_pool2d", X4, (2, (2, 2, 2)), {}), ("max_pool2d", X4, (2.0,), {}),
    ("max_pool2d", X4, (2, 2, 0, (1, 1, 1)), {}),
    ("avg_pool2d", X4, (0,), {}), ("avg_pool2d", X4, (2, 0), {}), ("avg_pool2d", X4, (2, 2, -1), {}),
    ("avg_pool2d", X4, (3, 1, 2), {}), ("avg_pool2d", X4, (6,), {}), ("avg_pool2d", X4, (2,), dict(divisor_override=0)),
    ("avg_pool2d", X4, (2,), dict(divisor_override=1.5)), ("avg_pool2d", X4, ((2, 2, 2),), {}),
    ("avg_pool2d", (1, 0, 4, 4), (2,), {}), ("avg_pool2d", X4, (2, 2, (0, 0, 0)), {}),
    ("adaptive_avg_pool2d", X4, (-1,), {}), ("adaptive_avg_pool2d", X4, ((1, 2, 3),), {}),
    ("adaptive_avg_pool2d", (5, 5), (2,), {}), ("adaptive_avg_pool2d", (1, 2, 0, 5), (2,), {}),
    ("adaptive_max_pool2d", (5, 5), (2,), {}), ("adaptive_max_pool2d", (1, 2, 0, 5), (2,), {}),
    ("max_pool1d", X3, (0,), {}), ("max_pool1d", X3, (2, 0), {}), ("max_pool1d", X3, (2, 2, -1), {}),
    ("max_pool1d", X3, (3, 1, 2), {}), ("max_pool1d", X3, (2, 2, 0, 0), {}), ("max_pool1d", X3, (6,), {}),
    ("max_pool1d", (5,), (2,), {}), ("max_pool1d", X4, (2,), {}), ("max_pool1d", X3, ((2, 2),), {}),
    ("max_pool1d", (1, 2, 0), (2,), {}), ("max_pool1d", X3, (2.0,), {}),
    ("avg_pool1d", X3, ((2, 2),), {}), ("avg_pool1d", X3, (2, (2, 2)), {}), ("avg_pool1d", X3, (-1,), {}),
    ("avg_pool1d", X3, (2, 2, -1), {}), ("avg_pool1d", X3, (0,), {}), ("avg_pool1d", X3, (3, 1, 2), {}),
    ("avg_pool1d", X3, (6,), {}), ("avg_pool1d", (5,), (2,), {}), ("avg_pool1d", X4, (2,), {}),
    ("avg_pool1d", (1, 2, 0), (2,), {}),
    ("adaptive_avg_pool1d", X3, ((2, 2),), {}), ("adaptive_avg_pool1d", X3, (None,), {}),
    ("adaptive_avg_pool1d", X4, (2,), {}), ("adaptive_avg_pool1d", (5,), (2,), {}),
    ("adaptive_avg_pool1d", X3, (-1,), {}), ("adaptive_avg_pool1d", (1, 2, 0), (2,), {}),
    ("adaptive_max_pool1d", X4, (2,), {}), ("adaptive_max_pool1d", X3, ((2, 2),), {}),
    ("adaptive_max_pool1d", X3, (None,), {}), ("adaptive_max_pool1d", (1, 2, 0), (2,), {}),
]


@pytest.mark.parametrize("name,shape,args,kwargs", ERRORS, ids=[f"{e[0]}{e[2]}{e[3] or ''}" for e in ERRORS])
def test_bad_arguments_raise_pytorchs_error(name, shape, args, kwargs):
    x = R.standard_normal(shape).astype(np.float32)
    with pytest.raises(Exception) as et:
        getattr(TF, name)(torch.tensor(x), *args, **kwargs)
    first_line = str(et.value).splitlines()[0]
    with pytest.raises(et.type) as ed:
        getattr(F, name)(dg.tensor(x), *args, **kwargs)
    assert first_line in str(ed.value)  # PyTorch's words (we prefix the op's name)


@pytest.mark.parametrize("name,shape,args,kwargs", [
    ("max_pool2d", (0, 2, 5, 5), (2,), dict(return_indices=True)), ("avg_pool2d", (0, 2, 4, 4), (2,), {}),
    ("max_pool1d", (0, 2, 4), (2,), {}), ("adaptive_avg_pool2d", (0, 2, 5, 5), (2,), {}),
    ("adaptive_max_pool2d", (0, 2, 4, 5), (2,), {}),
    ("adaptive_avg_pool2d", X4, (0,), {}), ("adaptive_avg_pool2d", X4, ((0, 2),), {}),
    ("adaptive_max_pool2d", X4, (0,), dict(return_indices=True)), ("adaptive_avg_pool1d", X3, (0,), {}),
    ("adaptive_max_pool1d", X3, (0,), dict(return_indices=True)),
    ("max_pool2d", X4, (2, []), {}), ("avg_pool2d", X4, (2, []), {}),
    ("avg_pool2d", X4, (2,), dict(divisor_override=-2)), ("avg_pool2d", (2, 5, 5), (2,), dict(divisor_override=3)),
])
def test_empty_batches_zero_output_sizes_and_accepted_arguments(name, shape, args, kwargs):
    _same(name, R.standard_normal(shape).astype(np.float32), *args, grad=False, **kwargs)  # forward as PyTorch
    x = dg.tensor(R.standard_normal(shape).astype(np.float32), requires_grad=True)
    y = getattr(F, name)(x, *args, **kwargs)
    (y[0] if isinstance(y, tuple) else y).sum().backward()
    assert x.grad.shape == x.shape


# ------------------------------------------------------------------ modules
MODULES = ["MaxPool1d(3)", "MaxPool1d(3, 2, 1, 2, True, True)", "MaxPool1d(kernel_size=2, stride=1)",
           "AvgPool1d(3)", "AvgPool1d(3, 2, 1, True, False)", "AvgPool1d((3,), (2,), (1,))",
           "AdaptiveAvgPool1d(3)", "AdaptiveMaxPool1d(3, True)", "MaxPool2d(3, 2, 1, 2, True, True)",
           "AvgPool2d(3, 2, 1, True, False, 2)", "AdaptiveAvgPool2d((2, None))", "AdaptiveMaxPool2d(2, True)"]


@pytest.mark.parametrize("spec", MODULES)
def test_modules_repr_and_attributes_match_torch(spec):
    th, d = eval("torch.nn." + spec), eval("nn." + spec)
    assert repr(d) == repr(th)
    for name, value in vars(th).items():
        if not name.startswith("_") and name != "training":
            assert getattr(d, name) == value, name


@pytest.mark.parametrize("spec,shape", [("MaxPool1d(3, 2, 1, 2, True, True)", (2, 3, 9)),
                                        ("AdaptiveMaxPool1d(4, True)", (3, 9)),
                                        ("MaxPool2d(3, 2, 1, 2, True, True)", (2, 2, 7, 6)),
                                        ("AdaptiveMaxPool2d((2, 3), True)", (2, 5, 7))])
def test_modules_return_indices(spec, shape):
    x = R.standard_normal(shape).astype(np.float32)
    (yt, it), (yd, id_) = eval("torch.nn." + spec)(torch.tensor(x)), eval("nn." + spec)(dg.tensor(x))
    np.testing.assert_array_equal(yd.numpy(), yt.numpy())
    np.testing.assert_array_equal(id_.numpy(), it.numpy())
