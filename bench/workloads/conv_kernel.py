"""The CIFAR CNN's middle convolution as a kernel benchmark: 32→32 channels, k5, p2, on 64×32×16×16.

``conv5x5_fwd``: one forward call (no graph). ``conv5x5_fwd_bwd``: forward + backward (input and weight
gradients, ≈ 3× the forward's work); backward-only GFLOP/s = 2·F / (t_fwd_bwd − t_fwd).
"""
from __future__ import annotations

import numpy as np

N, C, O, H, W, K, P = 64, 32, 32, 16, 16, 5, 2
FWD_FLOPS = 2 * N * O * C * K * K * H * W  # 0.84 GFLOP


def _arrays():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N, C, H, W)).astype(np.float32)
    w = (rng.standard_normal((O, C, K, K)) * 0.05).astype(np.float32)
    b = np.zeros(O, np.float32)
    g = rng.standard_normal((N, O, H, W)).astype(np.float32)
    return x, w, b, g


def _dg(backward, device="cpu"):
    import deepglass as dg
    import deepglass.nn.functional as F

    x, w, b, g = (dg.tensor(a, device=device) for a in _arrays())
    x.requires_grad_(True)
    w.requires_grad_(True)
    b.requires_grad_(True)

    def fwd():
        with dg.no_grad():
            F.conv2d(x, w, b, padding=P)

    def fwd_bwd():
        x.grad = w.grad = b.grad = None
        F.conv2d(x, w, b, padding=P).backward(g)

    return fwd_bwd if backward else fwd


def _torch(backward, device="cpu"):
    import torch

    x, w, b, g = (torch.tensor(a, device=device) for a in _arrays())
    for t in (x, w, b):
        t.requires_grad_(True)

    def fwd():
        with torch.no_grad():
            torch.nn.functional.conv2d(x, w, b, padding=P)

    def fwd_bwd():
        x.grad = w.grad = b.grad = None
        torch.nn.functional.conv2d(x, w, b, padding=P).backward(g)

    return fwd_bwd if backward else fwd


WORKLOADS = [
    dict(name="conv5x5_fwd", deepglass=lambda **k: _dg(False, **k), torch=lambda **k: _torch(False, **k),
         flops=FWD_FLOPS, memory=False),
    dict(name="conv5x5_fwd_bwd", deepglass=lambda **k: _dg(True, **k), torch=lambda **k: _torch(True, **k),
         flops=3 * FWD_FLOPS, memory=False),
]
