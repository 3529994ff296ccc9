"""ResNet-18 (torchvision's architecture, deepglass.models.resnet18) on 3×32×32 images, batch 32,
10 classes: one training step (forward, cross-entropy, backward, SGD momentum 0.9, lr 0.01).

With the 7×7/2 stem and the max-pool, 32×32 inputs reach layer1 as 8×8 and layer4 as 1×1;
forward ≈ 37.6 M multiply-adds per image (convolutions and fc), training ≈ 3× forward.
"""
from __future__ import annotations

import numpy as np

BATCH, CLASSES = 32, 10


def _conv_macs():
    # (in, out, k, output side) of every convolution of ResNet-18 at 32×32 input
    convs = [(3, 64, 7, 16)]
    side, inp = 8, 64
    for planes, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        side = -(-side // stride)
        convs += [(inp, planes, 3, side), (planes, planes, 3, side), (planes, planes, 3, side),
                  (planes, planes, 3, side)]
        if stride != 1 or inp != planes:
            convs.append((inp, planes, 1, side))
        inp = planes
    return sum(i * o * k * k * s * s for i, o, k, s in convs) + 512 * CLASSES


FLOPS = 3 * 2 * BATCH * _conv_macs()


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32), rng.integers(0, CLASSES, BATCH)


def make_deepglass(device="cpu"):
    from _common import dg_cross_entropy, dg_sgd

    import deepglass as dg
    from deepglass.models import resnet18

    x, y = _data()
    x, y = dg.tensor(x, device=device), dg.tensor(y, device=device)
    dg.manual_seed(0)
    model = resnet18(num_classes=CLASSES).to(device)
    opt = dg_sgd(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = dg_cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


def _torch_resnet18(num_classes):
    from torch import nn

    class Basic(nn.Module):
        def __init__(self, inp, planes, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = None
            if stride != 1 or inp != planes:
                self.downsample = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    inp = 64
    for planes, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Basic(inp, planes, stride), Basic(planes, planes, 1)]
        inp = planes
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, num_classes)]
    return nn.Sequential(*layers)


def make_torch(device="cpu"):
    import torch
    from torch import nn

    x, y = _data()
    x, y = torch.tensor(x, device=device), torch.tensor(y, device=device)
    torch.manual_seed(0)
    model = _torch_resnet18(CLASSES).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    return step


WORKLOADS = [dict(name="resnet18_train_b32_32px", deepglass=make_deepglass, torch=make_torch, flops=FLOPS)]
