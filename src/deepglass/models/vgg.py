"""VGG (Simonyan & Zisserman 2014) with torchvision's architecture and state-dict keys.

Stacks of 3×3 convolutions (two 3×3 layers see as far as one 5×5 with fewer
weights) separated by 2×2 max-pools, then three fully connected layers.

Small inputs: ``in_channels`` sets the first convolution's input channels. The
five 2×2 max-pools need inputs of at least 32×32 (a 32×32 image reaches the
adaptive 7×7 pool as 1×1 and is spread over it, as in torchvision).
"""
from __future__ import annotations

from .. import nn
from ..autograd.grad_mode import no_grad
from ..nn import init

__all__ = ["VGG", "vgg11", "vgg13", "vgg16", "vgg19", "vgg16_bn", "make_layers"]

CFGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """``features`` → AdaptiveAvgPool(7×7) → Linear(25088, 4096)-ReLU-Dropout-Linear(4096, 4096)-ReLU-Dropout-Linear.

    Args:
        features: the convolutional part (see :func:`make_layers`).
        num_classes: outputs (1000). init_weights: torchvision's initialisation. dropout: 0.5.

    Shape:
        ``(N, C, H, W)`` with H, W ≥ 32 → ``(N, num_classes)``.

    Example:
        >>> vgg16(num_classes=10)(deepglass.randn(1, 3, 32, 32)).shape   # doctest: +SKIP
        (1, 10)
    """

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            with no_grad():
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                        if m.bias is not None:
                            init.constant_(m.bias, 0)
                    elif isinstance(m, nn.BatchNorm2d):
                        init.constant_(m.weight, 1)
                        init.constant_(m.bias, 0)
                    elif isinstance(m, nn.Linear):
                        init.normal_(m.weight, 0, 0.01)
                        init.constant_(m.bias, 0)

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def make_layers(cfg, batch_norm=False, in_channels=3):
    """Conv3×3(pad 1)[-BN]-ReLU for each width in ``cfg``, MaxPool(2, 2) for each ``"M"``."""
    layers = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(v))
            layers.append(nn.ReLU(inplace=True))
            in_channels = v
    return nn.Sequential(*layers)


def _vgg(cfg, batch_norm, num_classes, in_channels, **kwargs):
    return VGG(make_layers(CFGS[cfg], batch_norm, in_channels), num_classes, **kwargs)


def vgg11(num_classes=1000, in_channels=3, **kwargs):
    """VGG-11 (configuration A)."""
    return _vgg("A", False, num_classes, in_channels, **kwargs)


def vgg13(num_classes=1000, in_channels=3, **kwargs):
    """VGG-13 (configuration B)."""
    return _vgg("B", False, num_classes, in_channels, **kwargs)


def vgg16(num_classes=1000, in_channels=3, **kwargs):
    """VGG-16 (configuration D): 13 convolutions + 3 fully connected layers; 138,357,544 parameters.

    Args:
        num_classes: outputs. in_channels: image channels. **kwargs: init_weights, dropout.
    """
    return _vgg("D", False, num_classes, in_channels, **kwargs)


def vgg16_bn(num_classes=1000, in_channels=3, **kwargs):
    """VGG-16 with batch normalisation after every convolution (138,365,992 parameters)."""
    return _vgg("D", True, num_classes, in_channels, **kwargs)


def vgg19(num_classes=1000, in_channels=3, **kwargs):
    """VGG-19 (configuration E)."""
    return _vgg("E", False, num_classes, in_channels, **kwargs)
