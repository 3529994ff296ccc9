"""deepglass.utils.checkpoint: gradients equal the non-checkpointed ones (inputs and parameters),
the random state is replayed for the recomputation, output structure and errors as torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.checkpoint import checkpoint as tcheckpoint

import deepglass as dg
from deepglass import nn
from deepglass._tensor import bump_version
from deepglass.utils.checkpoint import checkpoint, checkpoint_sequential


@pytest.fixture(autouse=True)
def _torch_seed():
    torch.manual_seed(0)


def _net(p_drop=0.5):
    dg.manual_seed(3)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(p_drop), nn.Linear(8, 3))


def _run(net, x0, ck, **kw):
    net.zero_grad()
    x = dg.tensor(x0, requires_grad=True)
    h = x * 2  # a non-leaf input
    dg.manual_seed(123)
    y = checkpoint(net, h, **kw) if ck else net(h)
    after_forward = dg.randn(3).numpy()  # the stream moves on between forward and backward
    (y ** 2).sum().backward()
    after_backward = dg.randn(3).numpy()
    return (y.detach().numpy(), x.grad.numpy(), [p.grad.numpy().copy() for p in net.parameters()],
            after_forward, after_backward)


@pytest.mark.parametrize("use_reentrant", [False, True, None])
def test_gradients_equal_non_checkpointed_with_dropout(use_reentrant):
    net = _net()
    x0 = np.random.randn(5, 4).astype(np.float32)
    a = _run(net, x0, False)
    b = _run(net, x0, True, use_reentrant=use_reentrant)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_allclose(b[1], a[1], rtol=1e-6, atol=1e-7)
    for p, q in zip(a[2], b[2]):
        np.testing.assert_allclose(q, p, rtol=1e-6, atol=1e-7)
    # the random stream outside the checkpoint is the same as without it
    np.testing.assert_array_equal(a[3], b[3])
    np.testing.assert_array_equal(a[4], b[4])


def test_without_preserved_rng_the_mask_changes():
    net = _net(0.5)
    x0 = np.random.randn(50, 4).astype(np.float32)
    a = _run(net, x0, False)
    b = _run(net, x0, True, use_reentrant=False, preserve_rng_state=False)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.allclose(a[1], b[1])


def test_matches_torch_checkpoint_values_and_grads():
    t = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.GELU(), torch.nn.Linear(6, 2))
    d = nn.Sequential(nn.Linear(4, 6), nn.GELU(), nn.Linear(6, 2))
    d.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    x0 = np.random.randn(3, 4).astype(np.float32)
    xt, xd = torch.tensor(x0, requires_grad=True), dg.tensor(x0, requires_grad=True)
    yt = tcheckpoint(t, xt, use_reentrant=False)
    yd = checkpoint(d, xd, use_reentrant=False)
    np.testing.assert_allclose(yd.detach().numpy(), yt.detach().numpy(), atol=1e-6)
    yt.pow(3).sum().backward()
    yd.pow(3).sum().backward()
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), atol=1e-5)
    for (n, p), (_, q) in zip(d.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-5, err_msg=n)


def test_output_structure_kwargs_and_autograd_grad():
    w0 = np.random.randn(4).astype(np.float32)
    x0 = np.random.randn(3, 4).astype(np.float32)

    def make(lib, w):
        def f(a, scale=1.0):
            return {"y": a * w * scale, "n": 7, "z": ((a.sum() * w).sin(), a.detach())}
        return f

    wt, xt = torch.tensor(w0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    wd, xd = dg.tensor(w0, requires_grad=True), dg.tensor(x0, requires_grad=True)
    ot = tcheckpoint(make(torch, wt), xt, scale=3.0, use_reentrant=False)
    od = checkpoint(make(dg, wd), xd, scale=3.0, use_reentrant=False)
    assert type(od) is dict and list(od) == list(ot) and od["n"] == 7
    assert type(od["z"]) is tuple and len(od["z"]) == 2
    assert od["y"].requires_grad and od["z"][0].requires_grad and not od["z"][1].requires_grad
    for a, b in ((od["y"], ot["y"]), (od["z"][0], ot["z"][0]), (od["z"][1], ot["z"][1])):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-6)
    lt = ot["y"].pow(2).sum() + ot["z"][0].sum()
    ld = od["y"].pow(2).sum() + od["z"][0].sum()
    gt = torch.autograd.grad(lt, [xt, wt])
    gd = dg.autograd.grad(ld, [xd, wd])
    for a, b in zip(gd, gt):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)
    assert wd.grad is None and xd.grad is None  # autograd.grad leaves .grad alone


def test_backward_inputs_restricts_parameter_grads():
    net = _net(0.0)
    x = dg.tensor(np.random.randn(2, 4).astype(np.float32), requires_grad=True)
    y = checkpoint(net, x, use_reentrant=False)
    y.sum().backward(inputs=[net[0].weight])
    assert net[0].weight.grad is not None
    assert net[3].weight.grad is None and x.grad is None


def test_parameters_only_and_no_grad_and_constant():
    net = _net(0.0)
    x = dg.tensor(np.random.randn(2, 4).astype(np.float32))
    y = checkpoint(net, x, use_reentrant=False)
    assert y.requires_grad
    y.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    assert not checkpoint(lambda a: a * 2, dg.ones(2), use_reentrant=False).requires_grad
    with dg.no_grad():
        assert not checkpoint(net, x, use_reentrant=False).requires_grad


def test_closed_over_non_leaf_and_nested_checkpoints():
    x0 = np.random.randn(3)

    def go(ck):
        x = dg.tensor(x0, requires_grad=True)
        w = dg.tensor(x0[::-1].copy(), requires_grad=True)
        h = (x * 3).exp()
        f = lambda a: (a * h).sin() * w
        g = lambda a: checkpoint(f, a, use_reentrant=False) if ck else f(a)
        y = checkpoint(g, x * 2, use_reentrant=False) if ck else g(x * 2)
        (y.sum() + h.sum()).backward()
        return x.grad.numpy(), w.grad.numpy()

    for a, b in zip(go(False), go(True)):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_checkpoint_sequential_equals_plain():
    net = nn.Sequential(*[nn.Linear(4, 4) if i % 2 == 0 else nn.ReLU() for i in range(6)])
    x0 = np.random.randn(2, 4).astype(np.float32)
    x = dg.tensor(x0, requires_grad=True)
    net(x).sum().backward()
    ref = [x.grad.numpy()] + [p.grad.numpy().copy() for p in net.parameters()]
    net.zero_grad()
    x = dg.tensor(x0, requires_grad=True)
    checkpoint_sequential(net, 3, x, use_reentrant=False).sum().backward()
    got = [x.grad.numpy()] + [p.grad.numpy() for p in net.parameters()]
    for a, b in zip(ref, got):
        np.testing.assert_allclose(b, a, rtol=1e-6)


def test_errors():
    x = dg.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: b"):
        checkpoint(lambda a, b=1: a * b, x, b=2, use_reentrant=True)
    with pytest.raises(ValueError, match="determinism_check"):
        checkpoint(lambda a: a, x, use_reentrant=False, determinism_check="bogus")
    x2 = x * 1
    y = checkpoint(lambda a: a ** 2, x2, use_reentrant=False)
    x2._array[...] = 5
    bump_version(x2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):  # PyTorch's words
        y.sum().backward()
    import deepglass.utils

    assert deepglass.utils.checkpoint.checkpoint is checkpoint
