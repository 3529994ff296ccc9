"""Tensor basics: creation, dtypes and promotion, conversion, repr, devices, randomness."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import deepglass as dg
from deepglass import backend, parallel


@pytest.mark.parametrize("data", [[1.0, 2.0], [1, 2], [True, False], 3.5, 7, [[1, 2], [3, 4]], np.arange(3, dtype=np.float64),
                                  np.arange(3, dtype=np.int32)])
def test_tensor_infers_dtype_like_torch(data):
    assert str(dg.tensor(data).dtype) == str(torch.tensor(data).dtype).replace("torch.", "")


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty", "rand", "randn"])
def test_creation_shapes_and_default_dtype(fn):
    t = getattr(dg, fn)(2, 3)
    assert t.shape == (2, 3) and t.dtype == dg.float32
    assert getattr(dg, fn)((4,), dtype=dg.float64).dtype == dg.float64
    assert getattr(dg, fn + "_like")(t).shape == (2, 3)


def test_arange_linspace_eye_full_match_torch():
    for args in [(5,), (1, 7, 2), (0.0, 1.0, 0.25), (-3, 3)]:
        d, t = dg.arange(*args), torch.arange(*args)
        np.testing.assert_allclose(d.numpy(), t.numpy())
        assert str(d.dtype) == str(t.dtype).replace("torch.", "")
    np.testing.assert_allclose(dg.linspace(0, 1, 5).numpy(), torch.linspace(0, 1, 5).numpy())
    np.testing.assert_array_equal(dg.eye(3, 4).numpy(), torch.eye(3, 4).numpy())
    assert dg.full((2,), 7).dtype == dg.int64 and dg.full((2,), 1.5).dtype == dg.float32


def test_manual_seed_makes_random_functions_reproducible():
    dg.manual_seed(123)
    a = (dg.rand(3), dg.randn(3), dg.randint(0, 10, (3,)), dg.randperm(5))
    dg.manual_seed(123)
    b = (dg.rand(3), dg.randn(3), dg.randint(0, 10, (3,)), dg.randperm(5))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    g1, g2 = dg.Generator().manual_seed(5), dg.Generator().manual_seed(5)
    np.testing.assert_array_equal(dg.randperm(10, generator=g1).numpy(), dg.randperm(10, generator=g2).numpy())
    state = dg.get_rng_state()
    x = dg.rand(4)
    dg.set_rng_state(state)
    np.testing.assert_array_equal(dg.rand(4).numpy(), x.numpy())


PROMOTION_CASES = [
    (np.float32, np.float64), (np.int64, np.float32), (np.int32, np.int64), (np.bool_, np.int64), (np.bool_, np.float32),
    (np.float16, np.float32), (np.int64, np.float16), (np.uint8, np.int8),
]


@pytest.mark.parametrize("da,db", PROMOTION_CASES)
def test_binary_promotion_matches_torch(da, db):
    a, b = np.ones((2,), dtype=da), np.ones((2,), dtype=db)
    for op in ["__add__", "__mul__", "__sub__"]:
        if np.dtype(da) == np.bool_ and np.dtype(db) == np.bool_ or (op == "__sub__" and np.bool_ in (da, db)):
            continue
        d = getattr(dg.tensor(a), op)(dg.tensor(b))
        t = getattr(torch.from_numpy(a), op)(torch.from_numpy(b))
        assert str(d.dtype) == str(t.dtype).replace("torch.", ""), (op, da, db)


@pytest.mark.parametrize("dt", [np.float32, np.int64, np.bool_, np.float16])
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_scalar_promotion_matches_torch(dt, scalar):
    a = np.ones((2,), dtype=dt)
    d, t = dg.tensor(a) * scalar, torch.from_numpy(a) * scalar
    assert str(d.dtype) == str(t.dtype).replace("torch.", "")
    d, t = dg.tensor(a) / 2, torch.from_numpy(a) / 2
    assert str(d.dtype) == str(t.dtype).replace("torch.", "")


def test_zero_dim_tensor_does_not_promote_higher_dim():
    d = dg.ones(3) + dg.tensor(1.0, dtype=dg.float64)
    t = torch.ones(3) + torch.tensor(1.0, dtype=torch.float64)
    assert str(d.dtype) == str(t.dtype).replace("torch.", "")


def test_conversions():
    t = dg.tensor([[1.5, 2.0]])
    assert t.tolist() == [[1.5, 2.0]]
    assert t[0, 0].item() == 1.5 and float(t[0, 1]) == 2.0
    assert t.numpy().shape == (1, 2)
    assert t.long().dtype == dg.int64 and t.double().dtype == dg.float64 and t.int().dtype == dg.int32
    assert t.to(dg.float16).dtype == dg.float16 and t.to("cpu") is t
    assert t.size() == (1, 2) and t.size(1) == 2 and t.numel() == 2 and t.ndim == 2 and t.dim() == 2
    with pytest.raises(ValueError, match="2 elements"):
        t.item()
    with pytest.raises(RuntimeError, match="detach"):
        dg.ones(2, requires_grad=True).numpy()
    assert np.asarray(dg.tensor([1.0, 2.0])).tolist() == [1.0, 2.0]


def test_from_numpy_shares_memory_and_tensor_copies():
    a = np.zeros(3, dtype=np.float32)
    shared, copied = dg.from_numpy(a), dg.tensor(a)
    a[0] = 5
    assert shared[0].item() == 5 and copied[0].item() == 0
    assert dg.as_tensor(a).numpy() is a


def test_double_to_float_cast_is_differentiable():
    x = dg.tensor([1.0, 2.0], dtype=dg.float64, requires_grad=True)
    (x.float() * 3).sum().backward()
    assert x.grad.dtype == dg.float64
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_repr_looks_like_torch():
    assert repr(dg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(dg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(dg.tensor([1.0], dtype=dg.float64)) == "tensor([1.], dtype=deepglass.float64)"
    assert repr(dg.tensor([0.5], requires_grad=True)) == "tensor([0.5000], requires_grad=True)"
    x = dg.tensor([0.5], requires_grad=True)
    assert "grad_fn=<MulBackward>" in repr(x * 2)
    assert repr(dg.tensor([[0.25, -1.5]])) == repr(torch.tensor([[0.25, -1.5]]))


class _FakeGPUArray(np.ndarray):
    """A NumPy array that deepglass is told lives on cuda:0 (no GPU needed for the message test)."""


def test_device_mismatch_names_both_devices_and_the_fix(monkeypatch):
    real = backend.device_of
    monkeypatch.setattr(backend, "device_of",
                        lambda a: backend.Device("cuda:0") if isinstance(a, _FakeGPUArray) else real(a))
    gpu = dg.ones(3)
    gpu._array = gpu._array.view(_FakeGPUArray)
    cpu = dg.ones(3)
    with pytest.raises(RuntimeError, match=r"cpu and cuda:0.*\.to\(device\)"):
        cpu * gpu


def test_cuda_unavailable_is_reported_clearly():
    if dg.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(RuntimeError, match="CuPy"):
        dg.ones(2).to("cuda")
    with pytest.raises(ValueError, match="unknown device"):
        dg.ones(2).to("tpu")


@pytest.mark.gpu
def test_roundtrip_to_gpu_and_back():
    x = dg.randn(3, 4, requires_grad=True)
    y = (x.cuda() * 2).sum()
    y.backward()
    assert x.grad.device == dg.device("cpu")
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.ones((3, 4)))


shapes = st.lists(st.integers(0, 3), min_size=0, max_size=3)


@settings(max_examples=40, deadline=None)
@given(shapes, shapes, st.sampled_from(["add", "mul", "sub", "maximum"]))
def test_broadcasting_binary_ops_match_torch(sa, sb, op):
    # make the two shapes broadcast-compatible by replacing clashes with 1
    n = max(len(sa), len(sb))
    a = [1] * (n - len(sa)) + sa
    b = [1] * (n - len(sb)) + sb
    b = [y if (x == y or x == 1 or y == 1) else 1 for x, y in zip(a, b)]
    b = b[n - len(sb):] if len(sb) else []
    rng = np.random.default_rng(len(sa) * 7 + len(sb))
    xa = rng.standard_normal(sa).astype(np.float32)
    xb = rng.standard_normal(b).astype(np.float32)
    da, db = dg.tensor(xa, requires_grad=True), dg.tensor(xb, requires_grad=True)
    ta, tb = torch.tensor(xa, requires_grad=True), torch.tensor(xb, requires_grad=True)
    d, t = getattr(dg, op)(da, db), getattr(torch, op)(ta, tb)
    np.testing.assert_allclose(d.detach().numpy(), t.detach().numpy(), rtol=1e-6)
    d.sum().backward()
    t.sum().backward()
    # gradients of broadcast inputs are sums: summation order differs, hence the registry's 1e-5
    np.testing.assert_allclose(da.grad.numpy(), ta.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(db.grad.numpy(), tb.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_blas_thread_setting_and_small_product_matmul_agree_with_numpy():
    a = np.random.default_rng(0).standard_normal((64, 32)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((32, 16)).astype(np.float32)
    before = dg.get_num_threads()
    np.testing.assert_allclose(parallel.matmul(a, b), a @ b, rtol=1e-6)
    assert dg.get_num_threads() == before  # restored after the one-thread product
    dg.set_num_threads(1)
    assert dg.get_num_threads() == 1
    dg.set_num_threads(before)
    with pytest.raises(ValueError):
        dg.set_num_threads(0)


# ---------------------------------------------------------------- memory formats (issue 14)


def _layout_matches(d, t):
    for fmt in ("contiguous_format", "channels_last"):
        assert d.is_contiguous(memory_format=getattr(dg, fmt)) == t.is_contiguous(memory_format=getattr(torch, fmt))


@pytest.mark.parametrize("fmt", ["preserve_format", "contiguous_format", "channels_last"])
@pytest.mark.parametrize("conv", ["float", "double", "half", "int", "long", "bool"])
def test_conversions_take_memory_format(fmt, conv):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    t, d = torch.tensor(x), dg.tensor(x)
    want = getattr(t, conv)(memory_format=getattr(torch, fmt))
    got = getattr(d, conv)(memory_format=getattr(dg, fmt))
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_array_equal(got.numpy().astype(np.float64), want.numpy().astype(np.float64))
    _layout_matches(got, want)


def test_to_with_positional_flags_and_memory_format():
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5))
    t, d = torch.tensor(x, requires_grad=True), dg.tensor(x, requires_grad=True)
    for non_blocking, copy in ((False, False), (False, True), (True, True)):
        for fmt in ("preserve_format", "channels_last"):
            want = t.to("cpu", torch.float64, non_blocking, copy, memory_format=getattr(torch, fmt))
            got = d.to("cpu", dg.float64, non_blocking, copy, memory_format=getattr(dg, fmt))
            assert (got is d) == (want is t)
            _layout_matches(got, want)
            np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    seed = np.random.default_rng(2).standard_normal(x.shape)
    d.to(memory_format=dg.channels_last).mul(dg.tensor(seed)).sum().backward()
    np.testing.assert_array_equal(d.grad.numpy(), seed)


def test_channels_last_needs_rank_4_as_torch():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3).float(memory_format=torch.channels_last)
    with pytest.raises(RuntimeError, match="rank 4"):
        dg.zeros(2, 3).float(memory_format=dg.channels_last)
    assert repr(dg.channels_last) == "deepglass.channels_last"
