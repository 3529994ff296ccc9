"""Data loading (the notes' 数据加载): datasets, samplers, the DataLoader, collation and transforms.

Example:
    >>> from deepglass.data import DataLoader, Digits
    >>> loader = DataLoader(Digits(train=True), batch_size=64, shuffle=True)
    >>> xb, yb = next(iter(loader))
    >>> xb.shape, yb.dtype
    ((64, 1, 8, 8), dtype('int64'))
"""
from . import datasets, transforms
from .collate import default_collate, default_convert
from .dataloader import DataLoader, WorkerInfo, get_worker_info
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .datasets import CIFAR10, CIFAR100, MNIST, CSVDataset, Digits, FashionMNIST, ImageFolder, VisionDataset
from .sampler import (
                      BatchSampler,
                      DistributedSampler,
                      RandomSampler,
                      Sampler,
                      SequentialSampler,
                      SubsetRandomSampler,
                      WeightedRandomSampler,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader",
           "get_worker_info", "WorkerInfo", "default_collate", "default_convert", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DistributedSampler",
           "transforms", "datasets", "Digits", "MNIST", "FashionMNIST", "CIFAR10", "CIFAR100", "ImageFolder",
           "CSVDataset", "VisionDataset"]
