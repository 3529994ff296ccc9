"""MLP 784-256-256-10, batch 128: one training step (forward, cross-entropy, backward, SGD).

This workload measures the autograd engine's per-op overhead as much as BLAS.
"""
from __future__ import annotations

import numpy as np

BATCH, SIZES = 128, (784, 256, 256, 10)


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, SIZES[0])).astype(np.float32), rng.integers(0, 10, BATCH)


def make_deepglass(device="cpu"):
    from _common import dg_cross_entropy, dg_sgd

    import deepglass as dg
    from deepglass import nn

    x, y = _data()
    x, y = dg.tensor(x, device=device), dg.tensor(y, device=device)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)).to(device)
    opt = dg_sgd(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = dg_cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def make_torch(device="cpu"):
    import torch
    from torch import nn

    x, y = _data()
    x, y = torch.tensor(x, device=device), torch.tensor(y, device=device)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def make_deepglass_infer(device="cpu", batch=64):
    import deepglass as dg
    from deepglass import nn

    x = dg.randn(batch, 784, device=device)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)).to(device).eval()

    def step():
        with dg.no_grad():
            model(x)

    return step


def make_torch_infer(device="cpu", batch=64):
    import torch
    from torch import nn

    x = torch.randn(batch, 784, device=device)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)).to(device).eval()

    def step():
        with torch.no_grad():
            model(x)

    return step


_FLOPS = 2 * 3 * BATCH * sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))  # fwd + 2× bwd GEMMs

WORKLOADS = [
    dict(name="mlp_train_b128", deepglass=make_deepglass, torch=make_torch, flops=_FLOPS),
    dict(name="mlp_infer_b1", deepglass=lambda **k: make_deepglass_infer(batch=1, **k),
         torch=lambda **k: make_torch_infer(batch=1, **k), memory=False, reps=200),
    dict(name="mlp_infer_b64", deepglass=lambda **k: make_deepglass_infer(batch=64, **k),
         torch=lambda **k: make_torch_infer(batch=64, **k), memory=False, reps=100),
]
