"""A small Transformer encoder classifier: 2 encoder layers (d_model 128, 4 heads, feed-forward 512,
dropout 0.1, batch_first), sequences of 64 tokens, batch 32, mean pool over positions + linear head
(10 classes); one training step (forward, cross-entropy, backward, SGD momentum 0.9, lr 0.01).

Work per step ≈ 3 × forward; forward per layer = QKV 2·BS·d·3d + scores/values 2·2·B·S²·d
+ output projection 2·BS·d² + feed-forward 2·2·BS·d·ff.
"""
from __future__ import annotations

import numpy as np

BATCH, SEQ, D, HEADS, FF, LAYERS, CLASSES = 32, 64, 128, 4, 512, 2, 10
_BS = BATCH * SEQ
_LAYER = 2 * _BS * D * 3 * D + 2 * 2 * BATCH * SEQ * SEQ * D + 2 * _BS * D * D + 2 * 2 * _BS * D * FF
FLOPS = 3 * (LAYERS * _LAYER + 2 * BATCH * D * CLASSES)


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, SEQ, D)).astype(np.float32), rng.integers(0, CLASSES, BATCH)


def make_deepglass(device="cpu"):
    from _common import dg_cross_entropy, dg_sgd

    import deepglass as dg
    from deepglass import nn

    x, y = _data()
    x, y = dg.tensor(x, device=device), dg.tensor(y, device=device)
    dg.manual_seed(0)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.1, batch_first=True), LAYERS)
    head = nn.Linear(D, CLASSES)
    model = nn.ModuleList([encoder, head]).to(device)
    opt = dg_sgd(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = dg_cross_entropy(head(encoder(x).mean(dim=1)), y)
        loss.backward()
        opt.step()

    return step


def make_torch(device="cpu"):
    import torch
    from torch import nn

    x, y = _data()
    x, y = torch.tensor(x, device=device), torch.tensor(y, device=device)
    torch.manual_seed(0)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(D, HEADS, FF, dropout=0.1, batch_first=True), LAYERS,
                                    enable_nested_tensor=False)
    head = nn.Linear(D, CLASSES)
    model = nn.ModuleList([encoder, head]).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(head(encoder(x).mean(dim=1)), y)
        loss.backward()
        opt.step()

    return step


WORKLOADS = [dict(name="transformer_enc2_d128_b32_s64", deepglass=make_deepglass, torch=make_torch, flops=FLOPS)]
