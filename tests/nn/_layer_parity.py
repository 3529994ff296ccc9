"""Helpers: copy a PyTorch module's weights into its deepglass twin and compare outputs and gradients."""
from __future__ import annotations

import numpy as np
import torch

import deepglass


def copy_weights(dg_mod, th_mod):
    dg_mod.load_state_dict({k: v.detach().numpy().copy() for k, v in th_mod.state_dict().items()})


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, deepglass.Tensor) else t.detach().numpy()


def check_parity(dg_mod, th_mod, x, modes=("train", "eval"), rtol=1e-4, atol=1e-5, grad_input=True, seed=0):
    """Forward in each mode, then backward of a random weighting: outputs, input grad and every param grad."""
    assert list(dg_mod.state_dict().keys()) == list(th_mod.state_dict().keys())
    copy_weights(dg_mod, th_mod)
    rng = np.random.default_rng(seed)
    for mode in modes:
        getattr(dg_mod, mode)()
        getattr(th_mod, mode)()
        is_float = x.dtype.kind == "f"
        xd = deepglass.tensor(x, requires_grad=grad_input and is_float)
        xt = torch.tensor(x, requires_grad=grad_input and is_float)
        yd, yt = dg_mod(xd), th_mod(xt)
        assert tuple(yd.shape) == tuple(yt.shape), f"{mode}: shape {yd.shape} vs {tuple(yt.shape)}"
        np.testing.assert_allclose(_np(yd), _np(yt), rtol=rtol, atol=atol, err_msg=f"{mode} forward")
        for p in dg_mod.parameters():
            p.grad = None
        th_mod.zero_grad()
        if not (yt.requires_grad and yd.requires_grad):
            continue
        s = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
        (yd * deepglass.tensor(s)).sum().backward()
        (yt * torch.tensor(s)).sum().backward()
        if grad_input and is_float:
            np.testing.assert_allclose(_np(xd.grad), xt.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"{mode} dx")
        tp = dict(th_mod.named_parameters())
        for name, p in dg_mod.named_parameters():
            if tp[name].grad is None:
                assert p.grad is None or not np.any(_np(p.grad)), name
                continue
            assert p.grad is not None, f"{mode}: no gradient for {name}"
            np.testing.assert_allclose(_np(p.grad), tp[name].grad.numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"{mode} grad of {name}")
        # buffers (running statistics) follow PyTorch's
        tb = dict(th_mod.named_buffers())
        for name, b in dg_mod.named_buffers():
            np.testing.assert_allclose(_np(b), tb[name].numpy(), rtol=rtol, atol=atol, err_msg=f"{mode} buffer {name}")
