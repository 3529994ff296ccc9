"""Inference (eval mode, no grad) of the CIFAR CNN, ResNet-18 at 32×32 and the small Transformer,
at batch 1 (latency: per-op overhead dominates) and batch 64 (throughput: kernels dominate)."""
from __future__ import annotations

import numpy as np


def _dg_model(name):
    import deepglass as dg
    from deepglass import nn

    dg.manual_seed(0)
    if name == "cifar_cnn":
        return dg.models.cifar_net(), (3, 32, 32)
    if name == "resnet18":
        return dg.models.resnet18(num_classes=10), (3, 32, 32)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(128, 4, 512, dropout=0.1, batch_first=True), 2)
    return _MeanPoolHead(encoder, nn.Linear(128, 10), nn.Module), (64, 128)


def _torch_model(name):
    import torch
    from torch import nn

    torch.manual_seed(0)
    if name == "cifar_cnn":
        return nn.Sequential(nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64),
                             nn.Linear(64, 10)), (3, 32, 32)
    if name == "resnet18":
        import resnet18 as r

        return r._torch_resnet18(10), (3, 32, 32)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(128, 4, 512, dropout=0.1, batch_first=True), 2,
                                    enable_nested_tensor=False)
    return _MeanPoolHead(encoder, nn.Linear(128, 10), nn.Module), (64, 128)


def _MeanPoolHead(encoder, head, base):
    class MeanPoolHead(base):
        def __init__(self):
            super().__init__()
            self.encoder, self.head = encoder, head

        def forward(self, x):
            return self.head(self.encoder(x).mean(dim=1))

    return MeanPoolHead()


def _make(framework, name, batch, device="cpu"):
    rng = np.random.default_rng(0)
    if framework == "deepglass":
        import deepglass as lib

        model, shape = _dg_model(name)
        grad_off = lib.no_grad
    else:
        import torch as lib

        model, shape = _torch_model(name)
        grad_off = lib.no_grad
    x = lib.tensor(rng.standard_normal((batch,) + shape).astype(np.float32), device=device)
    model = model.to(device).eval()

    def step():
        with grad_off():
            model(x)

    return step


WORKLOADS = [
    dict(name=f"{name}_infer_b{batch}", deepglass=(lambda n=name, b=batch, **k: _make("deepglass", n, b, **k)),
         torch=(lambda n=name, b=batch, **k: _make("torch", n, b, **k)), memory=False, reps=30 if batch == 1 else 10)
    for name in ("cifar_cnn", "resnet18", "transformer") for batch in (1, 64)
]
