"""``torchvision.datasets`` under the hook: deepglass's local-file datasets with torchvision's ``download`` flag.

deepglass never downloads: ``download=True`` is accepted, and when the files are missing the
error names the files expected, the folders searched and where to get them.
"""
from __future__ import annotations

from ...data import datasets as _dg
from ...data.datasets import VisionDataset  # noqa: F401


def _with_download(base):
    class Wrapped(base):
        def __init__(self, root, train: bool = True, transform=None, target_transform=None,
                     download: bool = False, **kwargs):
            try:
                super().__init__(root, train=train, transform=transform, target_transform=target_transform,
                                 **kwargs)
            except FileNotFoundError as e:
                if download:
                    raise FileNotFoundError(f"download=True: deepglass never downloads anything.\n{e}") from None
                raise

    Wrapped.__name__ = Wrapped.__qualname__ = base.__name__
    Wrapped.__doc__ = base.__doc__
    return Wrapped


class ImageFolder(_dg.ImageFolder):
    """torchvision's ``ImageFolder(root, transform, target_transform, loader, is_valid_file, allow_empty)``.

    deepglass's own ``ImageFolder`` takes ``train`` second (it can pick a ``train``/``val`` sub-folder);
    here the arguments keep torchvision's order, so ``ImageFolder(root, transform)`` works unchanged.
    """

    def __init__(self, root, transform=None, target_transform=None, loader=None, is_valid_file=None,
                 allow_empty: bool = False):
        super().__init__(root, transform=transform, target_transform=target_transform, loader=loader,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)


MNIST = _with_download(_dg.MNIST)
FashionMNIST = _with_download(_dg.FashionMNIST)
CIFAR10 = _with_download(_dg.CIFAR10)
CIFAR100 = _with_download(_dg.CIFAR100)

__all__ = ["MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageFolder", "VisionDataset"]
