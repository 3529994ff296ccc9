"""Tensor.resize_ / resize_as_ against torch: shape, kept values, views, versions, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


def _pair(shape):
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    return dg.tensor(a), torch.tensor(a)


@pytest.mark.parametrize("start,size", [((2, 3), (4,)), ((2, 3), (3, 2)), ((6,), (1, 2, 3)), ((2, 2), ((),)),
                                        ((4,), ((2, 2),))])
def test_shrink_or_same_numel_keeps_values(start, size):
    d, t = _pair(start)
    out = d.resize_(*size)
    expect = t.resize_(*size)
    assert out is d
    assert tuple(d.shape) == tuple(expect.shape)
    np.testing.assert_array_equal(d.numpy(), expect.numpy())


def test_grow_keeps_prefix():
    d, t = _pair((2, 2))
    d.resize_(3, 3)
    t.resize_(3, 3)
    assert tuple(d.shape) == (3, 3)
    np.testing.assert_array_equal(d.numpy().reshape(-1)[:4], t.numpy().reshape(-1)[:4])   # the rest is uninitialised


def test_shrink_then_grow_within_storage_keeps_values():
    d, t = _pair((4,))
    d.resize_(2).resize_(4)
    t.resize_(2).resize_(4)
    np.testing.assert_array_equal(d.numpy(), t.numpy())


def test_shrunk_tensor_shares_memory():
    d, t = _pair((4,))
    d.resize_(2, 1)[1, 0] = 10.0
    t.resize_(2, 1)[1, 0] = 10.0
    np.testing.assert_array_equal(d.numpy(), t.numpy())


def test_view_reads_storage_from_its_offset():
    d, t = _pair((3, 4))
    dv, tv = d[1], t[1]
    dv.resize_(2, 3)
    tv.resize_(2, 3)
    np.testing.assert_array_equal(dv.numpy(), tv.numpy())
    np.testing.assert_array_equal(d.numpy(), t.numpy())


def test_transposed_reads_memory_order():
    d, t = _pair((2, 3))
    dt, tt = d.t(), t.t()
    dt.resize_(6)
    tt.resize_(6)
    np.testing.assert_array_equal(dt.numpy(), tt.numpy())


def test_version_bump():
    d, t = _pair((4,))
    v0 = d._version
    d.resize_(4)                               # same shape: nothing changes (as torch, version kept)
    t.resize_(4)
    assert d._version - v0 == t._version == 0
    d.resize_(2, 2)
    t.resize_(2, 2)
    assert d._version - v0 == t._version == 1


def test_requires_grad_refused():
    d = dg.ones(2, requires_grad=True)
    t = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        t.resize_(3)
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        d.resize_(3)
    with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
        d.resize_as_(dg.ones(3))


def test_memory_format():
    d, t = _pair((24,))
    d.resize_(1, 2, 3, 4, memory_format=dg.channels_last)
    t.resize_(1, 2, 3, 4, memory_format=torch.channels_last)
    assert tuple(s // 8 for s in d.numpy().strides) == t.stride()
    np.testing.assert_array_equal(d.numpy(), t.numpy())
    assert d.is_contiguous(memory_format=dg.channels_last)
    dt, tt = _pair((2, 3))
    dt, tt = dt.t(), tt.t()
    dt.resize_(3, 2, memory_format=dg.contiguous_format)     # same shape, but made row-major over the memory
    tt.resize_(3, 2, memory_format=torch.contiguous_format)
    np.testing.assert_array_equal(dt.numpy(), tt.numpy())
    for fmt, tfmt in ((dg.channels_last, torch.channels_last), (dg.preserve_format, torch.preserve_format)):
        with pytest.raises(RuntimeError):
            torch.arange(4.).resize_(2, 2, memory_format=tfmt)
        with pytest.raises(RuntimeError):
            dg.arange(4.).resize_(2, 2, memory_format=fmt)


def test_resize_as():
    d, t = _pair((6,))
    assert d.resize_as_(dg.zeros(2, 2)) is d
    t.resize_as_(torch.zeros(2, 2))
    np.testing.assert_array_equal(d.numpy(), t.numpy())
    d2, t2 = _pair((6,))
    np.testing.assert_array_equal(dg.resize_as_(d2, dg.zeros(3, 1)).numpy(),
                                  torch.resize_as_(t2, torch.zeros(3, 1)).numpy())


def test_bad_arguments():
    with pytest.raises(TypeError):
        torch.arange(4.).resize_(2.0)
    with pytest.raises(TypeError):
        dg.arange(4.).resize_(2.0)
    with pytest.raises(TypeError):
        torch.arange(4.).resize_as_(3)
    with pytest.raises(TypeError):
        dg.arange(4.).resize_as_(3)
    with pytest.raises(TypeError):
        torch.arange(4.).resize_()
    with pytest.raises(TypeError):
        dg.arange(4.).resize_()
    with pytest.raises(RuntimeError):
        torch.arange(4.).resize_(-1)
    with pytest.raises(RuntimeError):
        dg.arange(4.).resize_(-1)
