"""What ``import torchvision`` gives under :mod:`deepglass.compat`: datasets, transforms and models.

* ``datasets``: MNIST, FashionMNIST, CIFAR10, CIFAR100, ImageFolder read from local files only
  (``download=True`` with missing files raises the error naming the files and where to get them).
* ``transforms``: :mod:`deepglass.data.transforms`.
* ``models``: the deepglass zoo under torchvision's builder names; ``weights=None`` is accepted,
  pretrained weights are refused (deepglass never downloads).
"""
from . import datasets, models, transforms

__version__ = "0.28.0"
__all__ = ["datasets", "models", "transforms"]
