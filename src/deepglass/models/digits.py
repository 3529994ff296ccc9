"""``digits_cnn``: the small CNN that ``deepglass train`` trains by default on the 8×8 digits."""
from __future__ import annotations

from .. import nn

__all__ = ["digits_cnn", "mlp"]


def digits_cnn(num_classes: int = 10, in_channels: int = 1) -> nn.Sequential:
    """A small CNN for 8×8 grey images (scikit-learn's digits): ~98–99% test accuracy in seconds on a CPU.

    Conv in→32 k3 p1 → BN → ReLU → Conv 32→32 k3 p1 → BN → ReLU → MaxPool 2 (4×4)
    → Conv 32→64 k3 p1 → BN → ReLU → MaxPool 2 (2×2) → Flatten (64·2·2 = 256)
    → Dropout 0.25 → Linear 256→num_classes.

    Works for any input of at least 4×4 whose sides are multiples of 4 — the
    flattened size is fixed by 8×8 inputs; for other sizes use a zoo model.

    Args:
        num_classes: output logits.
        in_channels: image channels (1 for the digits).

    Example:
        >>> import deepglass as dg
        >>> digits_cnn()(dg.randn(2, 1, 8, 8)).shape
        (2, 10)
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.25),
        nn.Linear(64 * 2 * 2, num_classes),
    )


def mlp(in_features: int, num_classes: int, hidden: int = 64, depth: int = 2) -> nn.Sequential:
    """A small multi-layer perceptron for tabular rows (``deepglass train --data csv``'s default).

    ``depth`` hidden layers of ``hidden`` units with ReLU, then a linear classifier.

    Example:
        >>> import deepglass as dg
        >>> mlp(4, 3)(dg.randn(5, 4)).shape
        (5, 3)
    """
    layers, width = [], in_features
    for _ in range(depth):
        layers += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)
