"""Complex tensors against PyTorch: dtypes and promotion, printing, views, errors, and gradients
(PyTorch's convention grad = ∂L/∂Re + i·∂L/∂Im, checked against torch and against finite differences)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import deepglass as dg

RNG = np.random.default_rng(0)


def _c(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return t.detach().numpy()


# ------------------------------------------------------------------ dtypes, promotion, creation

def test_dtype_names_and_aliases():
    assert dg.complex64 == dg.cfloat == np.complex64
    assert dg.complex128 == dg.cdouble == np.complex128
    assert not hasattr(dg, "chalf")            # NumPy has no complex32
    assert dg.tensor([1.0]).cfloat().dtype == dg.complex64
    assert dg.tensor([1.0]).cdouble().dtype == dg.complex128
    assert dg.tensor([1.0]).to("complex128").dtype == dg.complex128


_DTYPES = ["bool", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("a", _DTYPES)
@pytest.mark.parametrize("b", ["complex64", "complex128"])
def test_promotion_matches_torch(a, b):
    for sa, sb in (((2,), (2,)), ((2,), ()), ((), (2,))):
        want = (torch.ones(sa, dtype=getattr(torch, a)) + torch.ones(sb, dtype=getattr(torch, b))).dtype
        got = (dg.ones(sa, dtype=getattr(dg, a)) + dg.ones(sb, dtype=getattr(dg, b))).dtype
        want = str(want).replace("torch.", "").replace("complex32", "complex64")   # no complex32 in NumPy
        assert str(got) == want, (a, b, sa, sb)


@pytest.mark.parametrize("a", _DTYPES)
def test_scalar_promotion_matches_torch(a):
    for scalar in (1j, 1.5):
        want = str((torch.ones(2, dtype=getattr(torch, a)) + scalar).dtype).replace("torch.", "")
        want = want.replace("complex32", "complex64")
        assert str((dg.ones(2, dtype=getattr(dg, a)) + scalar).dtype) == want


def test_tensor_from_python_complex_uses_the_default_complex_dtype():
    assert dg.tensor([1 + 2j]).dtype == dg.complex64
    assert dg.tensor(1j).dtype == dg.complex64
    assert dg.tensor(np.array([1j])).dtype == dg.complex128      # NumPy arrays keep their dtype
    dg.set_default_dtype(dg.float64)
    try:
        assert dg.tensor([1 + 2j]).dtype == dg.complex128
    finally:
        dg.set_default_dtype(dg.float32)


@pytest.mark.parametrize("values,dtype", [
    ([1 + 2j, 3 - 4j], None), ([1 + 2j, 3 - 4j], "complex128"), (1.5 + 2j, None), ([[1.25 + 2j, 3e5 - 4j]], None),
    ([1j, 2j], None), ([1e-5 + 1j], None), ([float("nan") + 1j], None), ([[0.5 - 1.25j, -2 + 0j], [3j, 1]], None),
])
def test_repr_matches_torch(values, dtype):
    want = repr(torch.tensor(values, dtype=getattr(torch, dtype) if dtype else None))
    got = repr(dg.tensor(values, dtype=getattr(dg, dtype) if dtype else None))
    assert got == want.replace("torch.", "deepglass.")


def test_repr_of_a_long_complex_tensor_summarises_like_torch():
    z = (np.arange(2000) * (1 + 0.5j)).astype(np.complex64)
    assert repr(dg.tensor(z)) == repr(torch.tensor(z))


# ------------------------------------------------------------------ parts and views

def test_real_imag_and_view_as_real_share_memory():
    z = dg.tensor([1 + 2j, 3 - 4j])
    re, im, both = z.real, z.imag, dg.view_as_real(z)
    z[0] = 10 + 20j
    assert re.tolist() == [10.0, 3.0] and im.tolist() == [20.0, -4.0] and both[0].tolist() == [10.0, 20.0]
    x = dg.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = dg.view_as_complex(x)
    x[1, 1] = 7.0
    assert w.tolist() == [1 + 2j, 3 + 7j]


def test_real_of_a_real_tensor_is_itself_and_imag_raises():
    x = dg.tensor([1.0, 2.0])
    assert dg.real(x) is x
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        dg.imag(x)
    with pytest.raises(RuntimeError):
        torch.imag(torch.tensor([1.0]))


def test_view_errors_match_torch():
    for dg_call, th_call in [
        (lambda: dg.view_as_real(dg.ones(2)), lambda: torch.view_as_real(torch.ones(2))),
        (lambda: dg.view_as_complex(dg.ones(3)), lambda: torch.view_as_complex(torch.ones(3))),
        (lambda: dg.view_as_complex(dg.ones(2, dtype=dg.int64)), lambda: torch.view_as_complex(torch.ones(2, dtype=torch.int64))),
        (lambda: dg.complex(dg.ones(2), dg.ones(2).double()), lambda: torch.complex(torch.ones(2), torch.ones(2).double())),
    ]:
        with pytest.raises(RuntimeError):
            th_call()
        with pytest.raises(RuntimeError):
            dg_call()


def test_is_complex_is_conj_and_conj():
    z = dg.tensor([1 + 2j])
    assert dg.is_complex(z) and z.is_complex() and not dg.ones(1).is_complex()
    assert not z.conj().is_conj() and not dg.is_conj(z.conj())
    assert z.conj().tolist() == [1 - 2j] and z.conj_physical().tolist() == [1 - 2j]
    assert dg.resolve_conj(z) is z
    m = dg.tensor([[1 + 1j, 2j], [3.0 + 0j, 4 - 1j]])
    np.testing.assert_array_equal(m.mH.numpy(), m.numpy().conj().T)
    np.testing.assert_array_equal(m.H.numpy(), m.numpy().conj().T)
    for shape in ((3,), (2, 2, 2)):
        with pytest.raises(RuntimeError, match="only supported on matrices"):
            _ = dg.ones(shape).H


_ORDERING = [
    ("lt", lambda T, z: z < z), ("max", lambda T, z: z.max()), ("amax", lambda T, z: T.amax(z)),
    ("argmax", lambda T, z: z.argmax()), ("sort", lambda T, z: z.sort()), ("clamp", lambda T, z: T.clamp(z, 0, 1)),
    ("maximum", lambda T, z: T.maximum(z, z)), ("floor", lambda T, z: T.floor(z)), ("sign", lambda T, z: T.sign(z)),
]


@pytest.mark.parametrize("name,call", _ORDERING, ids=[n for n, _ in _ORDERING])
def test_ordering_ops_refuse_complex_like_torch(name, call):
    with pytest.raises(RuntimeError) as th:      # NotImplementedError is a RuntimeError in Python
        call(torch, torch.tensor([1 + 1j, 2j]))
    with pytest.raises(type(th.value)):
        call(dg, dg.tensor([1 + 1j, 2j]))


def test_complex_to_real_cast_warns_and_keeps_the_real_part():
    z = dg.tensor([1 + 2j], requires_grad=True)
    with pytest.warns(UserWarning, match="imaginary part"):
        x = z.to(dg.float32)
    assert x.tolist() == [1.0]
    (x * 3).sum().backward()
    assert z.grad.tolist() == [3 + 0j]


def test_angle_of_real_tensors_matches_torch():
    x = np.array([-2.0, 0.0, 3.0, np.nan])
    np.testing.assert_array_equal(dg.angle(dg.tensor(x)).numpy(), torch.angle(torch.tensor(x)).numpy())
    assert dg.angle(dg.tensor([1, -1])).dtype == dg.float32


# ------------------------------------------------------------------ gradients against torch

def _grad_vs_torch(f, *arrays):
    ta = [torch.tensor(a, requires_grad=True) for a in arrays]
    da = [dg.tensor(a, requires_grad=True) for a in arrays]
    to, do = f(torch, *ta), f(dg, *da)
    assert str(do.dtype) == str(to.dtype).replace("torch.", "")
    np.testing.assert_allclose(_np(do), _np(to), rtol=1e-10, atol=1e-12)
    w = RNG.standard_normal(tuple(to.shape) + (2,))
    if to.is_complex():      # a real loss: Σ w0·Re + w1·Im
        lt = (torch.view_as_real(to.resolve_conj()) * torch.tensor(w)).sum()
        ld = (dg.view_as_real(do) * dg.tensor(w)).sum()
    else:
        lt, ld = (to * torch.tensor(w[..., 0])).sum(), (do * dg.tensor(w[..., 0])).sum()
    tg = torch.autograd.grad(lt, ta)
    ld.backward()
    for d, t in zip(da, tg):
        assert d.grad.dtype == d.dtype
        np.testing.assert_allclose(_np(d.grad), _np(t), rtol=1e-9, atol=1e-12)


_Z, _W, _X, _P = _c(3, 4), _c(3, 4), RNG.standard_normal((3, 4)), RNG.uniform(0.5, 2, (3, 4))
_CASES = {
    "add": (lambda T, a, b: a + b * 2, _Z, _W), "add_real": (lambda T, a, b: a - b, _Z, _X),
    "mul": (lambda T, a, b: a * b, _Z, _W), "mul_real": (lambda T, a, b: a * b, _X, _W),
    "div": (lambda T, a, b: a / b, _Z, _W), "div_real": (lambda T, a, b: a / b, _X, _W),
    "scalar": (lambda T, a: 2j - a * (1 + 2j), _Z), "pow2": (lambda T, a: a ** 2, _Z),
    "pow_frac": (lambda T, a: a ** 2.5, _Z), "pow_tensor": (lambda T, a, b: a ** b, _Z, _W),
    "matmul": (lambda T, a, b: a @ b.T, _Z, _W), "matvec": (lambda T, a, b: a @ b[0], _Z, _W),
    "sum": (lambda T, a: a.sum(1), _Z), "mean": (lambda T, a: a.mean(), _Z), "prod": (lambda T, a: a.prod(1), _Z),
    "views": (lambda T, a: a.reshape(4, 3)[1:, ::2].t(), _Z), "cat": (lambda T, a, b: T.cat([a, b], 0), _Z, _W),
    "where": (lambda T, a, b: T.where(T.tensor([True, False, True, False]), a, b), _Z, _W),
    "polar": (lambda T, a, b: T.polar(a, b), _P, _X), "complex": (lambda T, a, b: T.complex(a, b), _P, _X),
    "view_as_complex": (lambda T, a: T.view_as_complex(a), RNG.standard_normal((3, 2))),
    "view_as_real": (lambda T, a: T.view_as_real(a), _Z), "imag": (lambda T, a: T.imag(a), _Z),
    "abs_of_complex": (lambda T, a: T.abs(T.complex(a, a * 0 + 1)), _X),
    "real_to_complex": (lambda T, a: a.to(T.complex64).to(T.complex128) * 1j, _X),
    "mixed_precision": (lambda T, a, b: a * b.to(T.complex64), _X, _W), "mH": (lambda T, a: a.mH, _Z),
    "var": (lambda T, a: a.var(1), _Z), "std": (lambda T, a: a.std(), _Z), "norm": (lambda T, a: a.norm(), _Z),
    "vector_norm": (lambda T, a: T.linalg.vector_norm(a, 3, dim=1), _Z), "cumsum": (lambda T, a: a.cumsum(1), _Z),
    "dot": (lambda T, a, b: T.dot(a[0], b[0]), _Z, _W), "vdot": (lambda T, a, b: T.vdot(a[0], b[0]), _Z, _W),
    "outer": (lambda T, a, b: T.outer(a[0], b[1]), _Z, _W), "addmm": (lambda T, a, b: T.addmm(a[:, :3], a, b.T[:, :3]), _Z, _W),
    "linear": (lambda T, a, b: T.nn.functional.linear(a, b, b[0, :3]), _Z, _W),
    "einsum": (lambda T, a, b: T.einsum("ij,kj->ik", a, b), _Z, _W),
    "einsum_trace": (lambda T, a, b: T.einsum("ii,ij->j", a[:, :3], b), _Z, _W),
    "flip_roll": (lambda T, a: T.roll(a.flip(0), 1, 1), _Z), "trace_tril": (lambda T, a: T.trace(T.tril(a)[:, :3]), _Z),
    "gather": (lambda T, a: T.gather(a, 1, T.tensor([[0, 1], [2, 3], [1, 1]])), _Z),
    "masked_fill": (lambda T, a: a.masked_fill(T.tensor([True, False, True, False]), 2j), _Z),
    "pad_expand_repeat": (lambda T, a: T.nn.functional.pad(a[:1].expand(3, 4) * a, (1, 2)).repeat(2, 1), _Z),
    **{fn: (lambda T, a, fn=fn: getattr(T, fn)(a), _Z) for fn in (
        "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "reciprocal", "square", "abs", "angle", "real", "conj",
        "conj_physical", "neg", "log1p", "expm1", "rsqrt", "sgn", "tan", "asin", "acos", "atan", "sinh", "cosh",
        "asinh", "acosh", "atanh", "log2", "log10", "exp2")},
}


@pytest.mark.parametrize("name", sorted(_CASES))
def test_gradient_matches_torch(name):
    f, *arrays = _CASES[name]
    _grad_vs_torch(f, *arrays)


# ------------------------------------------------------------------ gradients against finite differences

def _fd_complex_grad(loss, z, eps=1e-6):
    """∂L/∂Re z + i·∂L/∂Im z by central differences (PyTorch's convention, independent of the code under test)."""
    g = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        for unit in (1.0, 1j):
            zp, zm = z.copy(), z.copy()
            zp[idx] += eps * unit
            zm[idx] -= eps * unit
            g[idx] += unit * (loss(zp) - loss(zm)) / (2 * eps)
    return g


@pytest.mark.parametrize("name", ["exp_mul", "abs_angle", "div_conj", "matmul_real"])
def test_gradient_matches_finite_differences(name):
    w = _c(2, 3)
    fns = {
        "exp_mul": lambda T, z: (T.exp(z) * T.tensor(w)).real.sum(),
        "abs_angle": lambda T, z: (T.abs(z) ** 2 + T.angle(z) * 3).sum(),
        "div_conj": lambda T, z: T.imag(T.conj(z) / (z + 3)).sum(),
        "matmul_real": lambda T, z: T.view_as_real(z @ T.tensor(w).T).pow(2).sum(),
    }
    z0 = _c(2, 3)
    zt = dg.tensor(z0, requires_grad=True)
    fns[name](dg, zt).backward()
    want = _fd_complex_grad(lambda z: fns[name](dg, dg.tensor(z)).item(), z0)
    np.testing.assert_allclose(zt.grad.numpy(), want, rtol=1e-6, atol=1e-7)


def test_real_input_receives_the_real_part_of_a_complex_gradient():
    x = dg.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no ComplexWarning from a silent cast
        (dg.view_as_real(x * (2 + 3j)) * dg.tensor([[1.0, 1.0], [1.0, 1.0]])).sum().backward()
    assert x.grad.dtype == dg.float32 and x.grad.tolist() == [5.0, 5.0]


def test_an_unchecked_backward_raises_instead_of_a_silently_wrong_gradient():
    z = dg.tensor(_Z, requires_grad=True)
    y = dg.logsumexp(z, 1)                          # the forward is right ...
    np.testing.assert_allclose(y.detach().numpy(), np.log(np.exp(_Z).sum(1)))
    with pytest.raises(RuntimeError, match="LogSumExpBackward: deepglass has no gradient .* complex"):
        dg.view_as_real(y).sum().backward()         # ... its complex gradient is not checked: an error
    x = dg.tensor(_X, requires_grad=True)
    dg.logsumexp(x, 1).sum().backward()             # real tensors are unaffected
    np.testing.assert_allclose(x.grad.numpy(), np.exp(_X) / np.exp(_X).sum(1, keepdims=True))


def test_a_custom_function_opts_in_to_complex_gradients():
    class Twice(dg.autograd.Function):
        complex_grad = True

        @staticmethod
        def forward(ctx, z):
            return 2 * z

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    z = dg.tensor([1 + 1j], requires_grad=True)
    dg.view_as_real(Twice.apply(z)).sum().backward()
    assert z.grad.tolist() == [2 + 2j]
