"""Datasets read from local files (nothing is ever downloaded) and scikit-learn's bundled digits."""
from .base import VisionDataset
from .cifar import CIFAR10, CIFAR100
from .csv import CSVDataset
from .digits import Digits
from .folder import IMG_EXTENSIONS, ImageFolder
from .mnist import MNIST, FashionMNIST, read_idx

__all__ = ["VisionDataset", "Digits", "MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageFolder", "CSVDataset",
           "IMG_EXTENSIONS", "read_idx"]
