"""DataLoader: order, seeding, drop_last, worker threads, argument errors and collation (vs PyTorch)."""
import threading
import time
from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import deepglass as dg
from deepglass.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    TensorDataset,
    default_collate,
    get_worker_info,
)
from deepglass.data import transforms as T


def _ys(loader):
    return [yb.tolist() for _, yb in loader]


def _ds(n=23):
    return TensorDataset(dg.randn(n, 3), dg.arange(n))


@pytest.mark.parametrize("bs,drop", [(4, False), (4, True), (23, True), (30, False), (30, True), (1, False)])
def test_order_drop_last_len_like_pytorch(bs, drop):
    n = 23
    ours = DataLoader(_ds(n), batch_size=bs, drop_last=drop)
    ref = tud.DataLoader(tud.TensorDataset(torch.randn(n, 3), torch.arange(n)), batch_size=bs, drop_last=drop)
    assert _ys(ours) == [yb.tolist() for _, yb in ref]
    assert len(ours) == len(ref)


def test_shuffle_seeded_by_generator_and_manual_seed():
    ds = _ds(30)
    a = _ys(DataLoader(ds, batch_size=7, shuffle=True, generator=dg.Generator().manual_seed(1)))
    b = _ys(DataLoader(ds, batch_size=7, shuffle=True, generator=dg.Generator().manual_seed(1)))
    assert a == b and sorted(sum(a, [])) == list(range(30)) and sum(a, []) != list(range(30))
    loader = DataLoader(ds, batch_size=7, shuffle=True, generator=dg.Generator().manual_seed(1))
    assert _ys(loader) != _ys(loader)  # a new order each epoch
    dg.manual_seed(4)
    c = _ys(DataLoader(ds, batch_size=7, shuffle=True))
    dg.manual_seed(4)
    assert _ys(DataLoader(ds, batch_size=7, shuffle=True)) == c


class _Augmented(Dataset):
    """Random augmentation + slow-ish fetch: workers must still give the same batches."""

    def __init__(self):
        self.x = np.arange(20 * 8 * 8, dtype=np.uint8).reshape(20, 8, 8, 1)
        self.t = T.Compose([T.RandomCrop(6, padding=1), T.RandomHorizontalFlip(), T.ToTensor()])

    def __len__(self):
        return 20

    def __getitem__(self, i):
        time.sleep(0.001 * (i % 3))
        return self.t(self.x[i]), i


@pytest.mark.parametrize("workers", [1, 3])
def test_workers_give_same_batches_as_main_thread(workers):
    ds = _Augmented()

    def run(nw):
        dg.manual_seed(11)
        loader = DataLoader(ds, batch_size=3, shuffle=True, num_workers=nw, pin_memory=True)
        return [(xb.numpy().copy(), yb.tolist()) for _ in range(2) for xb, yb in loader]

    base, threaded = run(0), run(workers)
    assert len(base) == len(threaded) == 14
    for (x0, y0), (x1, y1) in zip(base, threaded):
        assert y0 == y1 and np.array_equal(x0, x1)


def test_workers_prefetch_in_background_threads_and_worker_info():
    seen, inits = [], []

    class Probe(Dataset):
        def __len__(self):
            return 12

        def __getitem__(self, i):
            info = get_worker_info()
            seen.append((threading.current_thread().name, None if info is None else info.num_workers))
            return i

    loader = DataLoader(Probe(), batch_size=2, num_workers=2, worker_init_fn=inits.append)
    it = iter(loader)
    first = next(it)
    deadline = time.time() + 5
    while len(seen) < 8 and time.time() < deadline:  # batches are fetched ahead while we "train"
        time.sleep(0.01)
    assert first.tolist() == [0, 1] and len(seen) >= 8
    assert all(name.startswith("deepglass-loader") and nw == 2 for name, nw in seen)
    assert [b.tolist() for b in it] == [[2, 3], [4, 5], [6, 7], [8, 9], [10, 11]]
    assert sorted(inits) == [0, 1]
    assert get_worker_info() is None


def test_worker_exception_propagates():
    class Bad(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            if i == 4:
                raise KeyError("sample 4 is broken")
            return i

    with pytest.raises(KeyError, match="sample 4"):
        list(DataLoader(Bad(), batch_size=2, num_workers=2))
    it = iter(DataLoader(Bad(), batch_size=2, num_workers=2))
    next(it)
    del it  # abandoning an epoch part-way doesn't hang


def _errors(**kw):
    ds = list(range(10))
    out = []
    for cls, extra in ((DataLoader, {}), (tud.DataLoader, {})):
        with pytest.raises(ValueError) as e:
            cls(ds, **kw, **extra)
        out.append(str(e.value))
    return out


@pytest.mark.parametrize("kw", [
    {"shuffle": True, "sampler": "S"},
    {"batch_sampler": "B", "batch_size": 4},
    {"batch_sampler": "B", "shuffle": True},
    {"batch_sampler": "B", "sampler": "S"},
    {"batch_sampler": "B", "drop_last": True},
    {"batch_size": None, "drop_last": True},
    {"num_workers": -1},
    {"prefetch_factor": 2},
])
def test_mutual_exclusion_errors_like_pytorch(kw):
    kw = {k: (tud.SequentialSampler(range(10)) if v == "S" else
              tud.BatchSampler(tud.SequentialSampler(range(10)), 2, False) if v == "B" else v) for k, v in kw.items()}
    ours, ref = _errors(**kw)
    assert ours == ref


def test_sampler_and_batch_sampler_arguments():
    ds = list(range(10))
    bs = BatchSampler(SequentialSampler(ds), 4, drop_last=False)
    assert [b.tolist() for b in DataLoader(ds, batch_sampler=bs)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [b.tolist() for b in DataLoader(ds, sampler=[9, 8, 7], batch_size=2)] == [[9, 8], [7]]
    no_batch = list(DataLoader([np.arange(2), np.arange(2) + 5], batch_size=None))
    assert [t.tolist() for t in no_batch] == [[0, 1], [5, 6]]


def test_iterable_dataset_with_and_without_workers():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(11))

    a = [b.tolist() for b in DataLoader(Stream(), batch_size=4)]
    b = [b.tolist() for b in DataLoader(Stream(), batch_size=4, num_workers=2)]
    assert a == b == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]
    assert [b.tolist() for b in DataLoader(Stream(), batch_size=4, drop_last=True)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(ValueError, match="shuffle"):
        DataLoader(Stream(), shuffle=True)


Point = namedtuple("Point", "x y")


@pytest.mark.parametrize("batch", [
    [(np.ones((2, 2), np.float32), 1), (np.zeros((2, 2), np.float32), 0)],
    [{"img": np.ones(3, np.uint8), "label": 2, "w": 0.5, "name": "a"},
     {"img": np.zeros(3, np.uint8), "label": 7, "w": 1.5, "name": "b"}],
    [[1, 2.0, True], [3, 4.0, False]],
    [np.float32(1.0), np.float32(2.0)],
    [Point(1, np.ones(2)), Point(2, np.zeros(2))],
    [np.ones(3, np.float64), np.ones(3, np.float64)],
])
def test_default_collate_like_pytorch(batch):
    ours = default_collate(batch)
    ref = tud.default_collate(batch)

    def same(o, r):
        if isinstance(r, torch.Tensor):
            assert isinstance(o, dg.Tensor) and o.shape == tuple(r.shape)
            assert str(o.dtype) == str(r.dtype).replace("torch.", "") and np.array_equal(o.numpy(), r.numpy())
        elif isinstance(r, dict):
            assert isinstance(o, dict) and o.keys() == r.keys()
            for k in r:
                same(o[k], r[k])
        elif isinstance(r, (list, tuple)):
            assert type(o) is type(r) and len(o) == len(r)
            for a, b in zip(o, r):
                same(a, b)
        else:
            assert o == r

    same(ours, ref)


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])
    from PIL import Image

    with pytest.raises(TypeError, match="ToTensor"):
        default_collate([Image.new("L", (2, 2))] * 2)


def test_torch_utils_data_name():
    import deepglass
    from deepglass.utils.data import DataLoader, Dataset, TensorDataset, random_split

    assert DataLoader is deepglass.data.DataLoader and Dataset is deepglass.data.Dataset
    assert TensorDataset is deepglass.data.TensorDataset and random_split is deepglass.data.random_split
    assert deepglass.utils.data.__all__ == deepglass.data.__all__
