"""deepglass.masked against torch.masked: values, gradients, fully masked-out slices, mask broadcasting."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import deepglass as dg

X = np.array([[0.3, -1.2, 2.5, 0.7], [1.1, 0.4, -0.6, 2.2], [-0.9, 1.7, 0.2, -1.4]])
M = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])  # row 1 fully out


def _both(x=X, m=M, grad=True):
    d = dg.tensor(x, requires_grad=grad)
    t = torch.tensor(x, requires_grad=grad)
    return d, t, dg.as_tensor(m), torch.from_numpy(m)


def _close(d, t):
    np.testing.assert_allclose(d.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name, args, fully_masked", [
    ("sum", (1,), 0.0), ("prod", (1,), 1.0), ("amax", (1,), -np.inf), ("amin", (1,), np.inf),
    ("mean", (1,), np.nan), ("logsumexp", (1,), -np.inf), ("norm", (2.0, 1), 0.0),
    ("var", (1,), np.nan), ("std", (1,), np.nan), ("median", (1,), np.nan),
])
def test_reductions_match_torch_including_fully_masked_rows(name, args, fully_masked):
    d, t, dm, tm = _both()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, ref = getattr(dg.masked, name)(d, *args, mask=dm), getattr(torch.masked, name)(t, *args, mask=tm)
    _close(out, ref)
    np.testing.assert_equal(out.detach().numpy()[1], fully_masked)


@pytest.mark.parametrize("name, args", [
    ("sum", (1,)), ("prod", (1,)), ("amax", (1,)), ("amin", (1,)), ("logsumexp", (1,)), ("norm", (2.0, 1)),
    ("cumsum", (1,)), ("cumprod", (1,)), ("softmax", (1,)), ("softmin", (1,)), ("normalize", (2.0, 1)),
    ("mean", (0,)), ("var", (0,)), ("std", (0,)), ("median", (0,)),
])
def test_gradients_match_torch_and_are_zero_where_masked_out(name, args):
    m = M.copy()
    m[1] = [True, False, False, True]            # no fully masked slice: finite gradients
    d, t, dm, tm = _both(m=m)
    out, ref = getattr(dg.masked, name)(d, *args, mask=dm), getattr(torch.masked, name)(t, *args, mask=tm)
    w = np.random.default_rng(0).standard_normal(tuple(ref.shape))
    (out * dg.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    _close(d.grad, t.grad)
    assert np.all(d.grad.numpy()[~m] == 0)


def test_log_softmax_masked_out_is_minus_inf_with_zero_gradient():
    m = M.copy()
    m[1, 0] = True
    d, t, dm, tm = _both(m=m)
    out, ref = dg.masked.log_softmax(d, 1, mask=dm), torch.masked.log_softmax(t, 1, mask=tm)
    _close(out, ref)
    assert np.all(np.isneginf(out.detach().numpy()[~m]))
    w = dg.tensor(np.where(m, 1.0, 0.0))
    (out * w).sum().backward()
    (ref * torch.from_numpy(np.where(m, 1.0, 0.0))).sum().backward()
    _close(d.grad, t.grad)


def test_softmax_of_a_fully_masked_row_is_nan_as_torch():
    d, t, dm, tm = _both(grad=False)
    out = dg.masked.softmax(d, 1, mask=dm)
    _close(out, torch.masked.softmax(t, 1, mask=tm))
    assert np.isnan(out.numpy()[1]).all()


def test_gradcheck_float64():
    m = dg.as_tensor(M | np.array([True, False, False, False]))
    for f in (lambda x: dg.masked.var(x, 1, mask=m), lambda x: dg.masked.logsumexp(x, 1, mask=m),
              lambda x: dg.masked.normalize(x, 2.0, 1, mask=m), lambda x: dg.masked.softmax(x, 0, mask=m)):
        assert dg.autograd.gradcheck(f, (dg.tensor(X, requires_grad=True),), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_mask_broadcasts_and_a_bigger_mask_is_an_index_error():
    d, t, _, _ = _both(grad=False)
    row = np.array([True, False, True, False])
    _close(dg.masked.sum(d, 1, mask=dg.as_tensor(row)), torch.masked.sum(t, 1, mask=torch.from_numpy(row)))
    big = np.ones((2, 3, 4), dtype=bool)
    with pytest.raises(IndexError):
        torch.masked.sum(t, 1, mask=torch.from_numpy(big))
    with pytest.raises(IndexError, match="broadcastable mask"):
        dg.masked.sum(d, 1, mask=dg.as_tensor(big))


def test_dtypes_as_torch():
    xi = np.array([[3, 1, 4], [1, 5, 9]], dtype=np.int32)
    mi = np.array([[True, False, True], [True, True, False]])
    di, ti, dm, tm = dg.as_tensor(xi), torch.from_numpy(xi), dg.as_tensor(mi), torch.from_numpy(mi)
    for name in ("sum", "prod", "amax", "amin", "argmax", "argmin"):
        out, ref = getattr(dg.masked, name)(di, 1, mask=dm), getattr(torch.masked, name)(ti, 1, mask=tm)
        assert str(out.dtype) == str(ref.dtype).replace("torch.", ""), name
        np.testing.assert_array_equal(out.numpy(), ref.numpy())
    with pytest.raises(ValueError):
        torch.masked.mean(ti, 1, mask=tm)
    with pytest.raises(ValueError, match="floating point"):
        dg.masked.mean(di, 1, mask=dm)
    full_out = np.array([[True, True, True], [False, False, False]])
    with pytest.raises(ValueError):
        torch.masked.median(ti, 1, mask=torch.from_numpy(full_out))
    with pytest.raises(ValueError, match="fully masked"):
        dg.masked.median(di, 1, mask=dg.as_tensor(full_out))


def test_unbiased_and_correction_together_is_an_error_as_torch():
    d, t, dm, tm = _both(grad=False)
    with pytest.raises(AssertionError):
        torch.masked.var(t, 1, False, correction=0, mask=tm)
    with pytest.raises(AssertionError, match="Only one of unbiased and correction"):
        dg.masked.var(d, 1, False, correction=0, mask=dm)


def test_logaddexp_with_input_and_other_masks():
    a, b = X[0], X[2]
    ma, mb = M[0], M[2]
    out = dg.masked.logaddexp(dg.tensor(a), dg.tensor(b), input_mask=dg.as_tensor(ma), other_mask=dg.as_tensor(mb))
    ref = torch.masked.logaddexp(torch.tensor(a), torch.tensor(b), input_mask=torch.from_numpy(ma),
                                 other_mask=torch.from_numpy(mb))
    _close(out, ref)
