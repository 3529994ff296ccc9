"""Randomness drawn inside a user's Dataset is the same with and without worker threads."""
from __future__ import annotations

import numpy as np

import deepglass as dg
from deepglass.data import DataLoader, Dataset


class NoisyDataset(Dataset):
    def __len__(self):
        return 24

    def __getitem__(self, i):
        return dg.rand(3) + i  # draws from deepglass's generator inside __getitem__


def _batches(workers):
    dg.manual_seed(7)
    loader = DataLoader(NoisyDataset(), batch_size=4, num_workers=workers)
    return [b.numpy().copy() for b in loader]


def test_user_dataset_randomness_is_identical_with_workers():
    serial, threaded = _batches(0), _batches(3)
    assert len(serial) == len(threaded) == 6
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(serial[0], _batches_seed(8)[0])


def _batches_seed(seed):
    dg.manual_seed(seed)
    return [b.numpy().copy() for b in DataLoader(NoisyDataset(), batch_size=4)]
