"""AlexNet (Krizhevsky et al. 2012) in torchvision's single-GPU form, with its state-dict keys.

Small inputs: ``in_channels`` sets the first convolution's input channels; the
11×11/4 stem and three 3×3/2 max-pools need images of at least 63×63.
"""
from __future__ import annotations

from .. import nn

__all__ = ["AlexNet", "alexnet"]


class AlexNet(nn.Module):
    """Five convolutions (11×11/4, 5×5, 3×3 ×3) with max-pools, adaptive 6×6 pool, three linear layers.

    Args:
        num_classes: outputs (1000). dropout: before the first two linear layers (0.5).
        in_channels: image channels (3).

    Shape:
        ``(N, C, H, W)`` with H, W ≥ 63 → ``(N, num_classes)``.

    Example:
        >>> alexnet(num_classes=10)(deepglass.randn(1, 3, 64, 64)).shape
        (1, 10)
    """

    def __init__(self, num_classes=1000, dropout=0.5, in_channels=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.avgpool(self.features(x)).flatten(1))


def alexnet(num_classes=1000, in_channels=3, **kwargs):
    """AlexNet with 61,100,840 parameters at 1000 classes (torchvision's figure); PyTorch's default init."""
    return AlexNet(num_classes=num_classes, in_channels=in_channels, **kwargs)
