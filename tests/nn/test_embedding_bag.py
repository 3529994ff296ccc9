"""EmbeddingBag / F.embedding_bag (ops/embedding_bag.py) against PyTorch: modes, offsets, weights, padding, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass
import deepglass.nn.functional as F
from deepglass import nn


def _np(t):
    return t.detach().cpu().numpy()


def _pair(dg_kwargs, th_kwargs, num=8, dim=4, seed=0):
    torch.manual_seed(seed)
    tm = torch.nn.EmbeddingBag(num, dim, **th_kwargs)
    dm = nn.EmbeddingBag(num, dim, **dg_kwargs)
    dm.load_state_dict({k: v.detach().numpy().copy() for k, v in tm.state_dict().items()})
    return dm, tm


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_module_weight_for_weight(mode, include_last_offset):
    kw = {"mode": mode, "include_last_offset": include_last_offset, "padding_idx": 3}
    dm, tm = _pair(kw, kw)
    assert repr(dm) == repr(tm)
    idx = np.array([1, 3, 5, 5, 0, 7, 3, 2, 6], dtype=np.int64)
    off = np.array([0, 3, 3, 5, 9] if include_last_offset else [0, 3, 3, 5], dtype=np.int64)   # bag 1 empty
    yd = dm(deepglass.tensor(idx), deepglass.tensor(off))
    yt = tm(torch.tensor(idx), torch.tensor(off))
    np.testing.assert_allclose(_np(yd), yt.detach().numpy(), rtol=1e-6, atol=1e-7)
    g = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(np.float32)
    (yd * deepglass.tensor(g)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(_np(dm.weight.grad), tm.weight.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_per_sample_weights_gradient_and_max_norm():
    dm, tm = _pair({"mode": "sum", "max_norm": 1.0}, {"mode": "sum", "max_norm": 1.0})
    idx = np.array([[1, 2, 2], [4, 0, 1]])
    psw = np.random.default_rng(2).uniform(0.5, 2, (2, 3)).astype(np.float32)
    pd, pt = deepglass.tensor(psw, requires_grad=True), torch.tensor(psw, requires_grad=True)
    yd = dm(deepglass.tensor(idx), per_sample_weights=pd)
    yt = tm(torch.tensor(idx), per_sample_weights=pt)
    np.testing.assert_allclose(_np(yd), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(dm.weight), tm.weight.detach().numpy(), rtol=1e-6)   # renormalised in place
    yd.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(_np(pd.grad), pt.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(dm.weight.grad), tm.weight.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_scale_grad_by_freq_divides_by_the_count_in_the_batch():
    # F.embedding's rule, which PyTorch's embedding_bag follows when runs of equal indices line up
    w = deepglass.zeros(5, 1, requires_grad=True)
    F.embedding_bag(deepglass.tensor([1, 1, 2, 1]), w, deepglass.tensor([0, 2]), mode="sum",
                    scale_grad_by_freq=True).sum().backward()
    assert _np(w.grad).ravel().tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    wt = torch.zeros(5, 1, requires_grad=True)
    TF.embedding_bag(torch.tensor([1, 1, 2, 2]), wt, torch.tensor([0, 3]), mode="mean",
                     scale_grad_by_freq=True).sum().backward()
    w.grad = None
    F.embedding_bag(deepglass.tensor([1, 1, 2, 2]), w, deepglass.tensor([0, 3]), mode="mean",
                    scale_grad_by_freq=True).sum().backward()
    np.testing.assert_allclose(_np(w.grad), wt.grad.numpy(), rtol=1e-6)


def test_from_pretrained_is_frozen():
    emb = torch.arange(6.0).reshape(3, 2)
    d = nn.EmbeddingBag.from_pretrained(deepglass.tensor(emb.numpy()), mode="max")
    t = torch.nn.EmbeddingBag.from_pretrained(emb, mode="max")
    assert not d.weight.requires_grad
    idx = [[0, 2], [1, 1]]
    np.testing.assert_array_equal(_np(d(deepglass.tensor(idx))), t(torch.tensor(idx)).numpy())


@pytest.mark.parametrize("call", [
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([[0, 1]]), w, m.tensor([0])),          # 2-D with offsets
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1]), w),                          # 1-D without offsets
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1]), w, m.tensor([[0]])),         # 2-D offsets
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1]), w, m.tensor([0]), mode="min"),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([[0, 1]]), w, mode="max", scale_grad_by_freq=True),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([[0, 1]]), w, mode="mean",
                                               per_sample_weights=m.ones(1, 2)),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([[0, 1]]), w, mode="sum", per_sample_weights=m.ones(2)),
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([[0, 9]]), w),                        # index out of range
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([0, 1]), w, m.tensor([1])),           # offsets[0] != 0
    lambda m, w: m.nn.functional.embedding_bag(m.tensor([[[0]]]), w),                         # 3-D input
])
def test_errors_as_torch(call):
    with pytest.raises(Exception) as te:
        call(torch, torch.ones(4, 2))
    with pytest.raises(type(te.value)):
        call(deepglass, deepglass.ones(4, 2))
