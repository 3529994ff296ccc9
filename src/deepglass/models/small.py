"""Small classic CNNs: the notes' CIFAR-10 network and LeNet-5.

Both return a :class:`deepglass.nn.Sequential`, so their state-dict keys are
those of the equivalent ``torch.nn.Sequential`` and weights move between the
two frameworks unchanged.
"""
from __future__ import annotations

from .. import nn

__all__ = ["cifar_net", "lenet5"]


def cifar_net(num_classes: int = 10) -> nn.Sequential:
    """The CIFAR-10 network of the notes' project (3×32×32 images, 10 classes).

    Conv 3→32 k5 p2 → MaxPool 2 → Conv 32→32 k5 p2 → MaxPool 2 → Conv 32→64 k5 p2 → MaxPool 2
    → Flatten (64·4·4 = 1024) → Linear 1024→64 → Linear 64→num_classes. As in the notes there is no
    activation between the layers (the max-pools are the only non-linearity).

    Params: 2432 + 25632 + 51264 + 65600 + 650 = 145,578.

    Example:
        >>> cifar_net()(deepglass.randn(64, 3, 32, 32)).shape
        (64, 10)
    """
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * 4 * 4, 64),
        nn.Linear(64, num_classes),
    )


def lenet5(num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """LeNet-5 (LeCun et al., 1998) as in d2l: sigmoid activations and 2×2 average pooling, 1×28×28 input.

    Conv in→6 k5 p2 → Sigmoid → AvgPool 2 → Conv 6→16 k5 → Sigmoid → AvgPool 2 → Flatten (16·5·5)
    → Linear 400→120 → Sigmoid → Linear 120→84 → Sigmoid → Linear 84→num_classes.

    Example:
        >>> lenet5()(deepglass.randn(2, 1, 28, 28)).shape
        (2, 10)
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, num_classes),
    )
