"""Datasets (TensorDataset, Subset, ConcatDataset, random_split) and samplers, against PyTorch where it makes sense."""
import numpy as np
import pytest
import torch
import torch.utils.data as tud

import deepglass as dg
from deepglass.data import (
    BatchSampler,
    ConcatDataset,
    DistributedSampler,
    RandomSampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)


def test_tensor_dataset_and_size_mismatch():
    ds = TensorDataset(dg.arange(10).reshape(5, 2), dg.arange(5))
    x, y = ds[3]
    assert x.tolist() == [6, 7] and y.item() == 3 and len(ds) == 5
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(dg.zeros(3), dg.zeros(4))


def test_subset_concat():
    ds = ConcatDataset([list(range(3)), list(range(10, 15))])
    ref = tud.ConcatDataset([list(range(3)), list(range(10, 15))])
    assert len(ds) == len(ref) and [ds[i] for i in range(-8, 8)] == [ref[i] for i in range(-8, 8)]
    assert ds.cumulative_sizes == ref.cumulative_sizes
    with pytest.raises(IndexError):
        ds[8]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])
    assert Subset(list("abcdef"), [4, 0])[0] == "e"
    assert len(TensorDataset(dg.zeros(2)) + TensorDataset(dg.zeros(3))) == 5


@pytest.mark.parametrize("lengths", [[0.8, 0.2], [0.33, 0.33, 0.34], [0.5, 0.5], [7, 3], [0.1, 0.2, 0.3, 0.4]])
def test_random_split_sizes_like_pytorch(lengths):
    for n in (10, 11, 97):
        if all(isinstance(x, int) for x in lengths) and sum(lengths) != n:
            continue
        ours = [len(s) for s in random_split(range(n), lengths, generator=dg.Generator().manual_seed(0))]
        ref = [len(s) for s in tud.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))]
        assert ours == ref


def test_random_split_seeded_disjoint_and_errors():
    a = random_split(range(50), [0.6, 0.4], generator=dg.Generator().manual_seed(3))
    b = random_split(range(50), [0.6, 0.4], generator=dg.Generator().manual_seed(3))
    assert a[0].indices == b[0].indices
    assert sorted(a[0].indices + a[1].indices) == list(range(50))
    dg.manual_seed(1)
    c = random_split(range(50), [30, 20])
    dg.manual_seed(1)
    assert random_split(range(50), [30, 20])[0].indices == c[0].indices
    with pytest.raises(ValueError, match="does not equal the length"):
        random_split(range(10), [3, 3])


def test_sequential_random_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    g = dg.Generator().manual_seed(5)
    s = RandomSampler(range(20), generator=g)
    e1, e2 = list(s), list(s)
    assert sorted(e1) == list(range(20)) and e1 != e2  # a new order each epoch
    assert list(RandomSampler(range(20), generator=dg.Generator().manual_seed(5))) == e1
    dg.manual_seed(0)
    d1 = list(RandomSampler(range(20)))
    dg.manual_seed(0)
    assert list(RandomSampler(range(20))) == d1
    r = list(RandomSampler(range(5), replacement=True, num_samples=50))
    assert len(r) == 50 and set(r) <= set(range(5))
    more = list(RandomSampler(range(5), num_samples=12))
    assert len(more) == 12 and sorted(more[:10]) == sorted(list(range(5)) * 2)
    assert sorted(SubsetRandomSampler([4, 8, 9])) == [4, 8, 9]
    w = list(WeightedRandomSampler([0, 0, 1.0], 10))
    assert w == [2] * 10
    with pytest.raises(ValueError, match="num_samples"):
        RandomSampler(range(0))


@pytest.mark.parametrize("n,bs,drop", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (2, 5, True)])
def test_batch_sampler_like_pytorch(n, bs, drop):
    ours = BatchSampler(SequentialSampler(range(n)), bs, drop)
    ref = tud.BatchSampler(tud.SequentialSampler(range(n)), bs, drop)
    assert list(ours) == list(ref) and len(ours) == len(ref)
    with pytest.raises(ValueError, match="batch_size"):
        BatchSampler(range(3), 0, False)


@pytest.mark.parametrize("n,reps,drop", [(10, 3, False), (10, 3, True), (2, 5, False), (12, 4, False), (7, 2, True)])
def test_distributed_sampler_no_shuffle_equals_pytorch(n, reps, drop):
    for rank in range(reps):
        ours = DistributedSampler(range(n), reps, rank, shuffle=False, drop_last=drop)
        ref = tud.DistributedSampler(range(n), reps, rank, shuffle=False, drop_last=drop)
        assert list(ours) == list(ref) and len(ours) == len(ref) and ours.total_size == ref.total_size


@pytest.mark.parametrize("n,reps", [(10, 3), (2, 5), (16, 4)])
def test_distributed_sampler_shuffle_partitions_padded_set(n, reps):
    parts = [list(DistributedSampler(range(n), reps, r, shuffle=True, seed=7)) for r in range(reps)]
    flat = [i for p in parts for i in p]
    total = -(-n // reps) * reps
    assert len(flat) == total and set(flat) == set(range(n))
    # padding repeats only as many indices as needed (cyclically)
    counts = np.bincount(flat, minlength=n)
    assert counts.min() >= 1 and counts.sum() - n == total - n and counts.max() <= -(-total // n)
    s = DistributedSampler(range(n), reps, 0, shuffle=True, seed=7)
    first = list(s)
    assert list(s) == first
    s.set_epoch(1)
    others = [DistributedSampler(range(n), reps, r, shuffle=True, seed=7) for r in range(reps)]
    for o in others:
        o.set_epoch(1)
    assert set(i for o in others for i in o) == set(range(n))
    if n > reps:
        assert list(s) != first


def test_distributed_sampler_rank_error():
    with pytest.raises(ValueError, match="Invalid rank 3"):
        DistributedSampler(range(10), num_replicas=3, rank=3)
