"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``, ``random_split``.

A map-style dataset answers ``len(ds)`` and ``ds[i]`` (one sample, often an
``(input, target)`` tuple); a :class:`~deepglass.data.DataLoader` batches them.
"""
from __future__ import annotations

import bisect
import math
import numbers
import warnings

from ..random import numpy_generator


class Dataset:
    """A map-style dataset: subclass it and define ``__getitem__`` and ``__len__``.

    Example:
        >>> class Squares(Dataset):
        ...     def __len__(self): return 4
        ...     def __getitem__(self, i): return i, i * i
        >>> Squares()[3]
        (3, 9)
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclass it and define ``__iter__`` (no indexing, no shuffling by the loader).

    Example:
        >>> class Count(IterableDataset):
        ...     def __iter__(self): return iter(range(3))
        >>> list(Count())
        [0, 1, 2]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")

    def __add__(self, other):
        raise TypeError("IterableDatasets can't be concatenated with +; chain their iterators instead")


class TensorDataset(Dataset):
    """Samples are the i-th rows of equally long tensors (or NumPy arrays).

    Args:
        *tensors: tensors with the same size in dimension 0.

    Example:
        >>> import deepglass as dg
        >>> ds = TensorDataset(dg.randn(10, 3), dg.arange(10))
        >>> x, y = ds[2]; x.shape, y.item()
        ((3,), 2)
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        n = len(tensors[0])
        if any(len(t) != n for t in tensors):
            sizes = [len(t) for t in tensors]
            raise ValueError(f"Size mismatch between tensors: dimension 0 sizes are {sizes}; they must all be equal")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices`` (in that order).

    Example:
        >>> Subset(list(range(10)), [7, 3])[1]
        3
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = [int(i) for i in (indices.tolist() if hasattr(indices, "tolist") else indices)]

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several map-style datasets one after the other.

    Example:
        >>> ds = ConcatDataset([[0, 1], [2, 3, 4]])
        >>> len(ds), ds[3], ds[-1]
        (5, 3, 4)
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = []
        total = 0
        for d in self.datasets:
            total += len(d)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        if idx >= len(self):
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of length {len(self)}")
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[d - 1] if d > 0 else 0
        return self.datasets[d][idx - start]


def _lengths_from(lengths, n: int) -> list[int]:
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:  # fractions (PyTorch's test, so [0, 1] is too)
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        sizes = [int(math.floor(n * frac)) for frac in lengths]
        for i in range(n - sum(sizes)):  # the remainder goes round-robin, as in PyTorch
            sizes[i % len(sizes)] += 1
        for i, s in enumerate(sizes):
            if s == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.", stacklevel=2)
        return sizes
    if any(not isinstance(x, numbers.Integral) or x < 0 for x in lengths):
        raise ValueError(f"random_split lengths must be non-negative integers or fractions summing to 1, got {lengths}")
    return [int(x) for x in lengths]


def random_split(dataset, lengths, generator=None) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping subsets.

    Args:
        dataset: a map-style dataset.
        lengths: the sizes of the splits, or fractions summing to 1 (then each
            gets ``floor(n * frac)`` and the remainder is handed out one by one
            from the first split, as in PyTorch).
        generator: a ``deepglass.Generator``; the seeded default one when None.

    Returns:
        A list of :class:`Subset`.

    Example:
        >>> import deepglass as dg
        >>> train, val = random_split(range(10), [0.8, 0.2], generator=dg.Generator().manual_seed(42))
        >>> len(train), len(val)
        (8, 2)
    """
    n = len(dataset)
    sizes = _lengths_from(lengths, n)
    if sum(sizes) != n:
        raise ValueError(f"Sum of input lengths ({sum(sizes)}) does not equal the length of the input dataset ({n})")
    perm = numpy_generator(generator).permutation(n)
    out, offset = [], 0
    for s in sizes:
        out.append(Subset(dataset, perm[offset:offset + s]))
        offset += s
    return out


