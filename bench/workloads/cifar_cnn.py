"""The notes' CIFAR-10 CNN (deepglass.models.cifar_net), batch 64, 3×32×32: one training step
(forward, cross-entropy, backward, SGD momentum 0.9, lr 0.01).

Work per step ≈ 3 × the forward's 1.58 GFLOP (convolutions dominate).
"""
from __future__ import annotations

import numpy as np

BATCH = 64
# forward multiply-adds ×2: three convs (k5, p2) and two linears; training ≈ 3× forward
_FWD = 2 * BATCH * (32 * 3 * 25 * 32 * 32 + 32 * 32 * 25 * 16 * 16 + 64 * 32 * 25 * 8 * 8 + 1024 * 64 + 64 * 10)
FLOPS = 3 * _FWD


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32), rng.integers(0, 10, BATCH)


def make_deepglass(device="cpu"):
    from _common import dg_cross_entropy, dg_sgd

    import deepglass as dg
    from deepglass.models import cifar_net

    x, y = _data()
    x, y = dg.tensor(x, device=device), dg.tensor(y, device=device)
    dg.manual_seed(0)
    model = cifar_net().to(device)
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
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10),
    ).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


WORKLOADS = [dict(name="cifar_cnn_train_b64", deepglass=make_deepglass, torch=make_torch, flops=FLOPS)]
