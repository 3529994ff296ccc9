"""as_strided and the strided allocations against PyTorch: views of views, overlapping reads, errors, strides."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


def _strides(d):
    a = d.detach().numpy()
    return tuple(s // a.dtype.itemsize for s in a.strides)


@pytest.mark.parametrize("size, stride, offset", [((2, 2), (1, 1), None), ((3,), (4,), 0), ((2, 2), (0, 1), 5)])
def test_as_strided_of_a_view_reads_the_base_memory(size, stride, offset):
    x = np.arange(12.0)
    t = torch.tensor(x, requires_grad=True)
    d = dg.tensor(x, requires_grad=True)
    tv, dv = t.reshape(3, 4).t()[1:], d.reshape(3, 4).t()[1:]      # a view with a storage offset
    want = torch.as_strided(tv, size, stride, offset)
    got = dg.as_strided(dv, size, stride, offset)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    seed = np.random.default_rng(0).standard_normal(size)
    (want * torch.tensor(seed)).sum().backward()
    (got * dg.tensor(seed)).sum().backward()
    np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy())


def test_as_strided_is_a_view_and_shares_memory():
    x = dg.zeros(6)
    v = x.as_strided((2,), (3,))
    v.add_(1.0)
    np.testing.assert_array_equal(x.numpy(), [1, 0, 0, 1, 0, 0])
    assert v._base is x


def test_as_strided_gradcheck_with_overlap():
    x = dg.tensor(np.random.default_rng(1).standard_normal(10), requires_grad=True)
    assert dg.autograd.gradcheck(lambda a: dg.as_strided(a, (3, 3), (2, 1), 1), (x,))


def test_as_strided_scatter_gradcheck():
    x = dg.tensor(np.random.default_rng(2).standard_normal((3, 3)), requires_grad=True)
    s = dg.tensor(np.random.default_rng(3).standard_normal((2, 2)), requires_grad=True)
    assert dg.autograd.gradcheck(lambda a, b: dg.as_strided_scatter(a, b, (2, 2), (1, 2), 1), (x, s))


@pytest.mark.parametrize("size, stride, offset", [((3,), (2,), 0), ((2,), (-1,), 1), ((2, 2), (1,), 0), ((1,), (1,), -1)])
def test_as_strided_errors_are_runtime_errors_as_torch(size, stride, offset):
    with pytest.raises(RuntimeError):
        torch.as_strided(torch.zeros(4), size, stride, offset)
    with pytest.raises(RuntimeError):
        dg.as_strided(dg.zeros(4), size, stride, offset)


@pytest.mark.parametrize("size, stride", [((2, 3), (1, 2)), ((2, 3, 4), (12, 1, 3)), ((4,), (2,))])
def test_empty_strided_and_new_empty_strided_have_torch_strides(size, stride):
    want = torch.empty_strided(size, stride)
    got = dg.empty_strided(size, stride)
    assert got.shape == tuple(want.shape) and _strides(got) == want.stride()
    assert got.is_contiguous() == want.is_contiguous()
    got2 = dg.zeros(1, dtype=dg.float64).new_empty_strided(size, stride, requires_grad=True)
    assert got2.dtype == dg.float64 and got2.requires_grad and _strides(got2) == want.stride()


def test_empty_permuted_is_laid_out_as_torch():
    want = torch.empty_permuted((2, 3, 4, 5), (0, 2, 3, 1))
    got = dg.empty_permuted((2, 3, 4, 5), (0, 2, 3, 1))
    assert got.shape == tuple(want.shape) and _strides(got) == want.stride()
    with pytest.raises(RuntimeError):
        dg.empty_permuted((2, 3), (0, 0))
