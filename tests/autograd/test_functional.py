"""deepglass.autograd.functional (jacobian, vjp) against torch.autograd.functional: values,
output structure (Tensor vs tuple), strict mode, errors; double-backward functions raise."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import deepglass as dg
import deepglass.autograd.functional as F


@pytest.fixture(autouse=True)
def _torch_seed():
    torch.manual_seed(0)


def _np(x):
    return x.detach().numpy()


def _assert_same_structure(got, ref):
    if isinstance(ref, torch.Tensor):
        assert isinstance(got, dg.Tensor), type(got)
        assert tuple(got.shape) == tuple(ref.shape)
        np.testing.assert_allclose(_np(got), _np(ref), rtol=1e-10, atol=1e-12)
        assert not got.requires_grad
        return
    assert type(got) is tuple and type(ref) is tuple and len(got) == len(ref)
    for g, r in zip(got, ref):
        _assert_same_structure(g, r)


def _funcs(lib):
    return {
        "tensor_to_tensor": (lambda a: (a ** 2).sin() * a.sum(), 1),
        "tensor_to_scalar": (lambda a: (a ** 3).sum(), 1),
        "tensor_to_tuple": (lambda a: (a.exp(), (a * 2).sum(), a.reshape(-1)[:2] * 3), 1),
        "tuple_to_tensor": (lambda a, b: a * b.sum() + a ** 2, 2),
        "tuple_to_tuple": (lambda a, b: (a * b, (a.sum() * b).tanh()), 2),
        "independent_input": (lambda a, b: a * 3, 2),
        "constant_output": (lambda a: (lib.ones(2, dtype=lib.float64), a * 2), 1),
    }


@pytest.mark.parametrize("name", list(_funcs(torch)))
@pytest.mark.parametrize("shape", [(3,), (2, 3), ()])
def test_jacobian_matches_torch(name, shape):
    ft, n = _funcs(torch)[name]
    fd, _ = _funcs(dg)[name]
    arrs = [np.random.randn(*shape) for _ in range(n)]
    it = tuple(torch.tensor(a) for a in arrs) if n > 1 else torch.tensor(arrs[0])
    id_ = tuple(dg.tensor(a) for a in arrs) if n > 1 else dg.tensor(arrs[0])
    ref = TF.jacobian(ft, it)
    got = F.jacobian(fd, id_)
    _assert_same_structure(got, ref)
    got_v = F.jacobian(fd, id_, vectorize=True)
    _assert_same_structure(got_v, ref)


def test_jacobian_single_tuple_input_keeps_tuple():
    x = np.random.randn(3)
    ref = TF.jacobian(lambda a: a * 2, (torch.tensor(x),))
    got = F.jacobian(lambda a: a * 2, (dg.tensor(x),))
    _assert_same_structure(got, ref)
    ref = TF.jacobian(lambda a: (a * 2,), torch.tensor(x))
    got = F.jacobian(lambda a: (a * 2,), dg.tensor(x))
    _assert_same_structure(got, ref)


@pytest.mark.parametrize("name", ["tensor_to_tensor", "tensor_to_tuple", "tuple_to_tensor", "tuple_to_tuple",
                                  "independent_input", "constant_output"])
def test_vjp_matches_torch(name):
    ft, n = _funcs(torch)[name]
    fd, _ = _funcs(dg)[name]
    arrs = [np.random.randn(2, 3) for _ in range(n)]
    it = tuple(torch.tensor(a) for a in arrs) if n > 1 else torch.tensor(arrs[0])
    id_ = tuple(dg.tensor(a) for a in arrs) if n > 1 else dg.tensor(arrs[0])
    outs = ft(*(it if n > 1 else (it,)))
    if isinstance(outs, tuple):
        vs = [np.random.randn(*o.shape) for o in outs]
        vt, vd = tuple(torch.tensor(v) for v in vs), tuple(dg.tensor(v) for v in vs)
    else:
        v = np.random.randn(*outs.shape)
        vt, vd = torch.tensor(v), dg.tensor(v)
    ref = TF.vjp(ft, it, vt)
    got = F.vjp(fd, id_, vd)
    _assert_same_structure(got, ref)


def test_vjp_scalar_output_without_v():
    x = np.random.randn(4)
    ref = TF.vjp(lambda a: (a ** 3).sum(), torch.tensor(x))
    got = F.vjp(lambda a: (a ** 3).sum(), dg.tensor(x))
    _assert_same_structure(got, ref)


def test_inputs_are_not_modified():
    x = dg.tensor(np.random.randn(3))
    F.jacobian(lambda a: a * 2, x)
    F.vjp(lambda a: a.sum(), x)
    assert not x.requires_grad and x.grad is None
    w = dg.tensor(np.random.randn(3), requires_grad=True)
    F.jacobian(lambda a: a * w, x)
    assert w.grad is None


def test_strict_mode():
    x = dg.tensor(np.random.randn(3))
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is independent of input 0"):
        F.jacobian(lambda a, b: a.detach() + b, (x, x), strict=True)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        F.jacobian(lambda a: dg.ones(2), x, strict=True)
    np.testing.assert_array_equal(F.jacobian(lambda a: dg.ones(2), x).numpy(), np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="independent of input 0"):
        F.vjp(lambda a, b: a.detach() + b.sum(), (x, x), dg.ones(3), strict=True)
    with pytest.raises(RuntimeError, match="not supported together"):
        F.jacobian(lambda a: a * 2, x, strict=True, vectorize=True)


def test_errors_match_torch():
    x = dg.tensor(np.random.randn(3))
    with pytest.raises(RuntimeError, match="v can only be None"):
        F.vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be \(3,\) but got \(2,\)"):
        F.vjp(lambda a: a * 2, x, dg.ones(2, dtype=dg.float64))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        F.vjp(lambda a, b: (a * 2, b), (x, x), dg.ones(3, dtype=dg.float64))
    with pytest.raises(RuntimeError, match="Entry 1 in v has invalid size"):
        F.vjp(lambda a, b: (a * 2, b), (x, x), (dg.ones(3), dg.ones(2)))
    with pytest.raises(TypeError, match="the given inputs has type <class 'list'>"):
        F.jacobian(lambda a: a * 2, [x])
    with pytest.raises(TypeError, match="value at index 1 has type <class 'int'>"):
        F.jacobian(lambda a: a * 2, (x, 3))
    with pytest.raises(ValueError, match="strategy"):
        F.jacobian(lambda a: a, x, strategy="sideways")


def test_double_backward_paths_raise():
    x = dg.tensor(np.random.randn(3))
    with pytest.raises(NotImplementedError, match="double backward"):
        F.jacobian(lambda a: a * 2, x, create_graph=True)
    with pytest.raises(NotImplementedError, match="double backward"):
        F.vjp(lambda a: a.sum(), x, create_graph=True)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        F.jacobian(lambda a: a * 2, x, strategy="forward-mode")
    for fn in (F.hessian, F.jvp, F.hvp, F.vhp):
        with pytest.raises(NotImplementedError, match="double backward"):
            fn(lambda a: (a ** 2).sum(), x)
    assert dg.autograd.functional is F
