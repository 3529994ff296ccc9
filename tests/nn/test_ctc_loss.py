"""CTCLoss / F.ctc_loss (ops/ctc.py): against PyTorch (values and raw gradients) and a brute-force sum over alignments."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass
from deepglass import nn


def _np(t):
    return t.detach().cpu().numpy()


def _collapse(path, blank):
    out, prev = [], None
    for c in path:
        if c != prev and c != blank:
            out.append(c)
        prev = c
    return out


def test_loss_is_minus_log_of_the_sum_over_alignments():
    rng = np.random.default_rng(0)
    t_len, c, blank = 5, 3, 0
    logits = rng.standard_normal((t_len, c))
    lp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    for target in ([1], [1, 1], [2, 1], [1, 2, 1]):
        p = sum(np.exp(sum(lp[t, k] for t, k in enumerate(path)))
                for path in itertools.product(range(c), repeat=t_len) if _collapse(path, blank) == target)
        got = deepglass.nn.functional.ctc_loss(deepglass.tensor(lp).unsqueeze(1), deepglass.tensor([target]),
                                               [t_len], [len(target)], reduction="sum")
        assert got.item() == pytest.approx(-np.log(p), rel=1e-10)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_module_and_raw_gradient_match_torch(reduction, zero_infinity):
    rng = np.random.default_rng(1)
    t_len, n, c = 12, 4, 6
    x = rng.standard_normal((t_len, n, c))
    lp = x - np.log(np.exp(x).sum(2, keepdims=True))
    targets = rng.integers(1, c, (n, 5))
    targets[1, :3] = [2, 2, 2]                                    # repeats
    in_len, tg_len = [12, 10, 3, 7], [5, 3, 3, 0]                 # sample 2 cannot fit its target: inf
    dm = nn.CTCLoss(reduction=reduction, zero_infinity=zero_infinity)
    tm = torch.nn.CTCLoss(reduction=reduction, zero_infinity=zero_infinity)
    ld, lt = deepglass.tensor(lp, requires_grad=True), torch.tensor(lp, requires_grad=True)
    yd = dm(ld, deepglass.tensor(targets), deepglass.tensor(in_len), deepglass.tensor(tg_len))
    yt = tm(lt, torch.tensor(targets), torch.tensor(in_len), torch.tensor(tg_len))
    np.testing.assert_allclose(_np(yd), _np(yt), rtol=1e-10)
    if not zero_infinity:                         # an infinite loss has no useful gradient (nan in PyTorch)
        return
    g = rng.standard_normal(tuple(yt.shape))
    (yd * deepglass.tensor(g)).sum().backward()
    (yt * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(_np(ld.grad), lt.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_concatenated_targets_blank_and_float32():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((7, 2, 5)).astype(np.float32)
    kw = {"blank": 4, "reduction": "sum"}
    ld, lt = deepglass.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yd = deepglass.nn.functional.ctc_loss(ld.log_softmax(2), deepglass.tensor([0, 1, 1, 3]), [7, 6], [3, 1], **kw)
    yt = TF.ctc_loss(lt.log_softmax(2), torch.tensor([0, 1, 1, 3]), [7, 6], [3, 1], **kw)
    assert yd.dtype == np.float32
    np.testing.assert_allclose(_np(yd), _np(yt), rtol=1e-5)
    yd.backward()
    yt.backward()
    np.testing.assert_allclose(_np(ld.grad), lt.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("call", [
    lambda m, lp: m.nn.functional.ctc_loss(lp, m.tensor([[1, 2]]), [7], [2]),           # input length > T
    lambda m, lp: m.nn.functional.ctc_loss(lp, m.tensor([[1, 2]]), [5], [3]),           # target length > S
    lambda m, lp: m.nn.functional.ctc_loss(lp, m.tensor([[1, 2]]), [5], [2], reduction="avg"),
])
def test_errors_as_torch(call):
    x = np.zeros((5, 1, 3), np.float32)
    with pytest.raises(Exception) as te:
        call(torch, torch.tensor(x))
    with pytest.raises(type(te.value)):
        call(deepglass, deepglass.tensor(x))
