"""InstanceNorm1d/2d/3d, RMSNorm, LocalResponseNorm and BatchNorm3d against PyTorch 2.13: outputs, gradients,
running statistics, repr, state_dict keys, unbatched inputs, errors and warnings; the functionals' edge cases."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from _layer_parity import check_parity, copy_weights

import deepglass as dg
import deepglass.nn as nn
import deepglass.nn.functional as F
from deepglass import parallel

RNG = np.random.default_rng(0)


def _x(*shape):
    return (RNG.standard_normal(shape) * 2 + 0.5).astype(np.float32)


def _pair(name, *args, **kwargs):
    return getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, dg.Tensor) else t.detach().numpy()


# ----------------------------------------------------------------------------------------------- InstanceNorm

IN_SHAPES = {"InstanceNorm1d": ((3, 4, 6), (4, 6)), "InstanceNorm2d": ((2, 4, 3, 5), (4, 3, 5)),
             "InstanceNorm3d": ((2, 4, 2, 3, 2), (4, 2, 3, 2))}


@pytest.mark.parametrize("name", sorted(IN_SHAPES))
@pytest.mark.parametrize("affine,track", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("batched", [True, False])
def test_instance_norm_parity(name, affine, track, batched):
    dm, tm = _pair(name, 4, affine=affine, track_running_stats=track, momentum=0.3)
    shape = IN_SHAPES[name][0 if batched else 1]
    check_parity(dm, tm, _x(*shape))
    if affine:  # non-trivial γ, β
        with torch.no_grad():
            tm.weight.uniform_(0.5, 1.5)
            tm.bias.uniform_(-1, 1)
        check_parity(dm, tm, _x(*shape))


@pytest.mark.parametrize("name", sorted(IN_SHAPES))
@pytest.mark.parametrize("momentum", [0.1, None])
def test_instance_norm_running_stats_over_steps(name, momentum):
    dm, tm = _pair(name, 4, affine=True, track_running_stats=True, momentum=momentum)
    copy_weights(dm, tm)
    for _step in range(4):
        for shape in IN_SHAPES[name]:  # batched and unbatched steps both update
            x = _x(*shape)
            dm(dg.tensor(x))
            tm(torch.tensor(x))
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(_np(dm.state_dict()[k]), v.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    assert int(dm.num_batches_tracked) == int(tm.num_batches_tracked) == 0  # PyTorch never counts for instance norm
    dm.eval()
    tm.eval()
    x = _x(*IN_SHAPES[name][0])
    np.testing.assert_allclose(_np(dm(dg.tensor(x))), _np(tm(torch.tensor(x))), rtol=1e-4, atol=1e-5)


def test_instance_norm_repr_and_state_dict():
    for args in [dict(), dict(affine=True), dict(track_running_stats=True), dict(affine=True, bias=False, eps=1e-3,
                                                                              momentum=None, track_running_stats=True)]:
        for name in IN_SHAPES:
            dm, tm = _pair(name, 5, **args)
            assert repr(dm) == repr(tm)
            assert list(dm.state_dict()) == list(tm.state_dict())
    assert list(nn.InstanceNorm2d(3, affine=True, track_running_stats=True).state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert list(nn.InstanceNorm2d(3).state_dict()) == []


def test_instance_norm_dimension_errors():
    for name, bad in (("InstanceNorm1d", (2, 3, 4, 4)), ("InstanceNorm1d", (3,)), ("InstanceNorm2d", (3, 4)),
                      ("InstanceNorm2d", (1, 3, 2, 2, 2)), ("InstanceNorm3d", (3, 4, 4))):
        dm, tm = _pair(name, 3)
        with pytest.raises(ValueError) as te:
            tm(torch.zeros(bad))
        with pytest.raises(ValueError) as de:
            dm(dg.zeros(*bad))
        assert str(de.value) == str(te.value)


@pytest.mark.parametrize("shape", [(2, 4, 5), (4, 5)])
def test_instance_norm_num_features_mismatch(shape):
    dm, tm = _pair("InstanceNorm1d", 3, affine=True)
    with pytest.raises(ValueError) as te:
        tm(torch.zeros(shape))
    with pytest.raises(ValueError) as de:
        dm(dg.zeros(*shape))
    assert str(de.value) == str(te.value)
    dm, tm = _pair("InstanceNorm1d", 3)  # affine=False: only a warning, and the input's channels are used
    x = _x(*shape)
    with warnings.catch_warnings(record=True) as tw:
        warnings.simplefilter("always")
        yt = tm(torch.tensor(x))
    with warnings.catch_warnings(record=True) as dw:
        warnings.simplefilter("always")
        yd = dm(dg.tensor(x))
    assert [str(w.message) for w in dw] == [str(w.message) for w in tw] and len(dw) == 1
    assert dw[0].category is UserWarning
    np.testing.assert_allclose(_np(yd), _np(yt), rtol=1e-4, atol=1e-5)


def _same_error(fd, ft):
    with pytest.raises(Exception) as te:
        ft()
    with pytest.raises(Exception) as de:
        fd()
    assert type(de.value) is type(te.value) and str(de.value) == str(te.value), (de.value, te.value)


def test_instance_norm_functional_errors():
    x = _x(2, 3, 4)
    T, D = torch.tensor, dg.tensor
    _same_error(lambda: F.instance_norm(D(_x(2, 3, 1))), lambda: torch.nn.functional.instance_norm(T(_x(2, 3, 1))))
    _same_error(lambda: F.instance_norm(D(_x(2, 3))), lambda: torch.nn.functional.instance_norm(T(_x(2, 3))))
    z4, o4 = np.zeros(4, np.float32), np.ones(4, np.float32)
    _same_error(lambda: F.instance_norm(D(x), D(z4), D(o4)), lambda: torch.nn.functional.instance_norm(T(x), T(z4), T(o4)))
    _same_error(lambda: F.instance_norm(D(x), weight=D(o4)), lambda: torch.nn.functional.instance_norm(T(x), weight=T(o4)))
    _same_error(lambda: F.instance_norm(D(x), D(z4[:3])), lambda: torch.nn.functional.instance_norm(T(x), T(z4[:3])))
    _same_error(lambda: F.instance_norm(D(x), use_input_stats=False),
                lambda: torch.nn.functional.instance_norm(T(x), use_input_stats=False))
    # eval with running stats accepts a single position (no spatial check)
    rm, rv, x2 = RNG.standard_normal(3).astype(np.float32), RNG.uniform(0.5, 2, 3).astype(np.float32), _x(2, 3)
    np.testing.assert_allclose(_np(F.instance_norm(D(x2), D(rm), D(rv), use_input_stats=False)),
                               _np(torch.nn.functional.instance_norm(T(x2), T(rm), T(rv), use_input_stats=False)),
                               rtol=1e-5, atol=1e-6)


def test_instance_norm_running_update_in_float64_buffers():
    x = _x(3, 2, 7).astype(np.float64)
    rm_d, rv_d = dg.zeros(2, dtype="float32"), dg.ones(2, dtype="float32")
    rm_t, rv_t = torch.zeros(2), torch.ones(2)
    yd = F.instance_norm(dg.tensor(x), rm_d, rv_d, momentum=0.4)
    yt = torch.nn.functional.instance_norm(torch.tensor(x), rm_t, rv_t, momentum=0.4)
    assert str(yd.dtype) == "float64" and yt.dtype == torch.float64
    np.testing.assert_allclose(_np(rm_d), rm_t.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_np(rv_d), rv_t.numpy(), rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------------------------------------- RMSNorm

@pytest.mark.parametrize("ns,shape", [(6, (3, 6)), ((4, 5), (2, 3, 4, 5)), ([5], (5,)), ((3, 4), (3, 4))])
@pytest.mark.parametrize("eps,affine", [(None, True), (1e-3, True), (None, False)])
def test_rms_norm_parity(ns, shape, eps, affine):
    dm, tm = _pair("RMSNorm", ns, eps=eps, elementwise_affine=affine)
    if affine:
        with torch.no_grad():
            tm.weight.uniform_(0.5, 1.5)
    check_parity(dm, tm, _x(*shape))
    assert repr(dm) == repr(tm)
    assert list(dm.state_dict()) == list(tm.state_dict())
    assert dm.normalized_shape == tm.normalized_shape


def test_rms_norm_default_eps_is_the_dtype_epsilon():
    # tiny inputs make ε dominate: the output shows which ε was used
    for dt in ("float32", "float64"):
        x = (RNG.standard_normal((3, 4)) * 1e-5).astype(dt)
        yt = torch.nn.functional.rms_norm(torch.tensor(x), (4,))
        yd = F.rms_norm(dg.tensor(x), (4,))
        assert str(yd.dtype) == dt
        ref = x / np.sqrt((x * x).mean(-1, keepdims=True) + np.finfo(dt).eps)
        np.testing.assert_allclose(_np(yd), ref, rtol=1e-5)
        np.testing.assert_allclose(_np(yd), yt.numpy(), rtol=1e-5)
    x = (RNG.standard_normal((3, 4)) * 1e-3).astype(np.float16)  # float16: float32's ε, computed in float32
    yt = torch.nn.functional.rms_norm(torch.tensor(x), (4,))
    yd = F.rms_norm(dg.tensor(x), (4,))
    assert str(yd.dtype) == "float16"
    np.testing.assert_allclose(_np(yd).astype(np.float32), yt.float().numpy(), rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("xdt,wdt", [("float32", "float64"), ("float64", "float32")])
def test_rms_norm_keeps_the_input_dtype(xdt, wdt):
    x, w = _x(2, 4).astype(xdt), RNG.uniform(0.5, 2, 4).astype(wdt)
    xd, wd = dg.tensor(x, requires_grad=True), dg.tensor(w, requires_grad=True)
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    yd = F.rms_norm(xd, (4,), wd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = torch.nn.functional.rms_norm(xt, (4,), wt)
    assert str(yd.dtype) == xdt and str(yt.dtype) == f"torch.{xdt}"
    np.testing.assert_allclose(_np(yd), _np(yt), rtol=1e-5, atol=1e-6)
    (yd * yd).sum().backward()
    (yt * yt).sum().backward()
    assert str(wd.grad.dtype) == wdt and str(xd.grad.dtype) == xdt
    np.testing.assert_allclose(_np(wd.grad), wt.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_np(xd.grad), xt.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_rms_norm_errors():
    T, D = torch.tensor, dg.tensor
    x = _x(2, 4)
    TF = torch.nn.functional
    _same_error(lambda: F.rms_norm(D(x), (3,)), lambda: TF.rms_norm(T(x), (3,)))
    _same_error(lambda: F.rms_norm(D(x), (3, 5)), lambda: TF.rms_norm(T(x), (3, 5)))
    _same_error(lambda: F.rms_norm(D(x), (4,), D(np.ones(3, np.float32))), lambda: TF.rms_norm(T(x), (4,), T(np.ones(3, np.float32))))
    _same_error(lambda: F.rms_norm(D(x), 4), lambda: TF.rms_norm(T(x), 4))
    _same_error(lambda: F.rms_norm(D(x), ()), lambda: TF.rms_norm(T(x), ()))
    _same_error(lambda: F.rms_norm(D(x), (2, 2, 4)), lambda: TF.rms_norm(T(x), (2, 2, 4)))
    xi = np.ones((2, 4), np.int64)
    _same_error(lambda: F.rms_norm(D(xi), (4,)), lambda: TF.rms_norm(T(xi), (4,)))


# ------------------------------------------------------------------------------------------ LocalResponseNorm

@pytest.mark.parametrize("size,shape", [(2, (2, 5, 4)), (3, (2, 6, 3, 3)), (5, (1, 4, 2, 3, 2)), (1, (2, 3, 4)),
                                        (7, (2, 3, 2, 2))])
def test_local_response_norm_parity(size, shape):
    dm, tm = _pair("LocalResponseNorm", size, alpha=0.5, beta=0.6, k=1.5)
    check_parity(dm, tm, _x(*shape))
    dm, tm = _pair("LocalResponseNorm", size)
    check_parity(dm, tm, _x(*shape) * 30)
    assert repr(dm) == repr(tm) == f"LocalResponseNorm({size}, alpha=0.0001, beta=0.75, k=1.0)"
    assert list(dm.state_dict()) == []


def test_local_response_norm_edges():
    TF = torch.nn.functional
    _same_error(lambda: F.local_response_norm(dg.tensor(_x(2, 3)), 2), lambda: TF.local_response_norm(torch.tensor(_x(2, 3)), 2))
    _same_error(lambda: F.local_response_norm(dg.tensor(_x(2, 3, 4)), 0),
                lambda: TF.local_response_norm(torch.tensor(_x(2, 3, 4)), 0))
    assert tuple(F.local_response_norm(dg.zeros(0, 3, 4), 2).shape) == (0, 3, 4)


# ------------------------------------------------------------------------------------------------ BatchNorm3d

@pytest.mark.parametrize("kwargs", [dict(), dict(affine=False), dict(track_running_stats=False), dict(momentum=None),
                                    dict(bias=False)])
def test_batch_norm3d_parity_and_running_stats(kwargs):
    dm, tm = _pair("BatchNorm3d", 3, **kwargs)
    assert repr(dm) == repr(tm)
    assert list(dm.state_dict()) == list(tm.state_dict())
    check_parity(dm, tm, _x(2, 3, 2, 3, 2))
    copy_weights(dm, tm)
    dm.train()
    tm.train()
    for _ in range(3):
        x = _x(2, 3, 3, 2, 2)
        dm(dg.tensor(x))
        tm(torch.tensor(x))
    for k, v in tm.state_dict().items():
        np.testing.assert_allclose(_np(dm.state_dict()[k]), v.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    check_parity(dm, tm, _x(2, 3, 2, 3, 2), modes=("eval",))


def test_batch_norm3d_wants_5d():
    dm, tm = _pair("BatchNorm3d", 3)
    _same_error(lambda: dm(dg.zeros(2, 3, 4, 4)), lambda: tm(torch.zeros(2, 3, 4, 4)))


# ----------------------------------------------------------------------------------- threads (parallel_chunks)

@pytest.fixture
def chunked(monkeypatch):
    if parallel._numpy_blas() is None:
        pytest.skip("threadpoolctl cannot see NumPy's BLAS: kernels never split")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", 0)
    before = dg.get_num_threads()
    dg.set_num_threads(3)
    yield
    dg.set_num_threads(before)


@pytest.mark.parametrize("name,args,shape", [("RMSNorm", ((4, 5),), (7, 3, 4, 5)), ("InstanceNorm2d", (3,), (7, 3, 4, 5)),
                                             ("LayerNorm", ((5,),), (7, 4, 5))])
def test_per_sample_norms_on_threads(chunked, name, args, shape):
    kwargs = {"affine": True} if name == "InstanceNorm2d" else {}
    dm, tm = _pair(name, *args, **kwargs)
    with torch.no_grad():
        for p in tm.parameters():
            p.uniform_(0.5, 1.5)
    check_parity(dm, tm, _x(*shape))
