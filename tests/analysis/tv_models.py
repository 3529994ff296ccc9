"""torchvision-layout reference networks, written once for any ``nn`` namespace.

``build(nn, name)`` works with ``deepglass.nn`` and with ``torch.nn`` (that is how the
tool totals hard-coded in the tests were obtained: the same code, built with torch,
run through fvcore/thop/ptflops/torchinfo). Parameter counts equal torchvision's.

This is the one copy of the twins in the test suite: ``tests/analysis`` builds them with
``deepglass.nn`` and ``tests/models/test_zoo.py`` builds them with ``torch.nn`` for the
weight-for-weight parity tests (there, state-dict keys must equal ``deepglass.models``').
``bench/bench_summary.py`` imports this file by path too, so it stays here.
"""
from __future__ import annotations


def _flatten(x):
    return x.reshape(x.shape[0], -1)


def resnet(nn, block: str, layers, num_classes=1000, in_channels=3):
    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, inp, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = downsample

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out = out + identity
            return self.relu(out)

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, inp, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(inp, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(planes * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out = out + identity
            return self.relu(out)

    B = BasicBlock if block == "basic" else Bottleneck

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.inplanes = 64
            self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            self.layer1 = self._make(64, layers[0])
            self.layer2 = self._make(128, layers[1], 2)
            self.layer3 = self._make(256, layers[2], 2)
            self.layer4 = self._make(512, layers[3], 2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512 * B.expansion, num_classes)

        def _make(self, planes, n, stride=1):
            down = None
            if stride != 1 or self.inplanes != planes * B.expansion:
                down = nn.Sequential(nn.Conv2d(self.inplanes, planes * B.expansion, 1, stride, bias=False),
                                     nn.BatchNorm2d(planes * B.expansion))
            mods = [B(self.inplanes, planes, stride, down)]
            self.inplanes = planes * B.expansion
            mods += [B(self.inplanes, planes) for _ in range(1, n)]
            return nn.Sequential(*mods)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(_flatten(self.avgpool(x)))

    return ResNet()


def vgg16(nn, num_classes=1000):
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
            c = v

    class VGG(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
            self.classifier = nn.Sequential(nn.Linear(512 * 49, 4096), nn.ReLU(True), nn.Dropout(0.5),
                                            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(0.5),
                                            nn.Linear(4096, num_classes))

        def forward(self, x):
            return self.classifier(_flatten(self.avgpool(self.features(x))))

    return VGG()


def alexnet(nn, num_classes=1000):
    class AlexNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(True), nn.MaxPool2d(3, 2),
                nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(True), nn.MaxPool2d(3, 2),
                nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(True),
                nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(True),
                nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(True), nn.MaxPool2d(3, 2))
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
            self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(256 * 36, 4096), nn.ReLU(True),
                                            nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(True),
                                            nn.Linear(4096, num_classes))

        def forward(self, x):
            return self.classifier(_flatten(self.avgpool(self.features(x))))

    return AlexNet()


def mobilenet_v2(nn, num_classes=1000):
    def cbr(i, o, k=3, s=1, g=1):
        return nn.Sequential(nn.Conv2d(i, o, k, s, (k - 1) // 2, groups=g, bias=False), nn.BatchNorm2d(o),
                             nn.ReLU6(inplace=True))

    class InvertedResidual(nn.Module):
        def __init__(self, inp, oup, stride, t):
            super().__init__()
            hidden = round(inp * t)
            self.use_res_connect = stride == 1 and inp == oup
            layers = [cbr(inp, hidden, 1)] if t != 1 else []
            layers += [cbr(hidden, hidden, 3, stride, hidden), nn.Conv2d(hidden, oup, 1, 1, 0, bias=False),
                       nn.BatchNorm2d(oup)]
            self.conv = nn.Sequential(*layers)

        def forward(self, x):
            return x + self.conv(x) if self.use_res_connect else self.conv(x)

    setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
               [6, 320, 1, 1]]
    feats = [cbr(3, 32, 3, 2)]
    c = 32
    for t, o, n, s in setting:
        for i in range(n):
            feats.append(InvertedResidual(c, o, s if i == 0 else 1, t))
            c = o
    feats.append(cbr(c, 1280, 1))

    class MobileNetV2(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(*feats)
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

        def forward(self, x):
            x = self.features(x)
            x = x.mean((2, 3)) if hasattr(x, "mean") else x
            return self.classifier(x)

    return MobileNetV2()


def build(nn, name: str, **kw):
    """``name`` as in torchvision; ``kw`` (e.g. ``num_classes``) goes to the builder."""
    if name == "resnet18":
        return resnet(nn, "basic", [2, 2, 2, 2], **kw)
    if name == "resnet34":
        return resnet(nn, "basic", [3, 4, 6, 3], **kw)
    if name == "resnet50":
        return resnet(nn, "bottleneck", [3, 4, 6, 3], **kw)
    return {"vgg16": vgg16, "alexnet": alexnet, "mobilenet_v2": mobilenet_v2}[name](nn, **kw)


_CACHE: dict = {}


def cached(name: str):
    """One deepglass instance per name for the whole test session (VGG16 takes seconds to initialise)."""
    import deepglass.nn as dnn

    if name not in _CACHE:
        _CACHE[name] = build(dnn, name).eval()
    return _CACHE[name]
