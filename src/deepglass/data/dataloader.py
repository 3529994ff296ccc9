"""``DataLoader``: batches from a dataset, optionally prefetched by background threads.

``num_workers > 0`` starts that many threads which fetch and collate upcoming
batches while the training step runs (up to ``num_workers * prefetch_factor``
batches ahead). Batches always come out in sampler order, and each batch's
random transforms draw from a generator seeded by ``(base_seed, batch_index)``
(``base_seed`` drawn from the loader's ``generator`` or deepglass's default one
at the start of each epoch), so ``num_workers=3`` yields exactly the batches of
``num_workers=0``. Threads rather than processes: NumPy, Pillow decoding and
file reads release the GIL, and nothing is pickled.
"""
from __future__ import annotations

import collections
import concurrent.futures
import itertools
import threading
from dataclasses import dataclass

from ._rng import batch_rng, draw_seed
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


@dataclass
class WorkerInfo:
    """What :func:`get_worker_info` tells code running in a loader thread."""

    id: int
    num_workers: int
    seed: int
    dataset: object


_worker = threading.local()


def get_worker_info() -> WorkerInfo | None:
    """The current loader worker's info, or None in the main thread (as in PyTorch)."""
    return getattr(_worker, "info", None)


class DataLoader:
    """Iterate over a dataset in (shuffled) mini-batches.

    Args:
        dataset: a map-style :class:`Dataset` (or anything with ``__len__`` and
            ``__getitem__``) or an :class:`IterableDataset`.
        batch_size: samples per batch; None disables batching.
        shuffle: reshuffle every epoch (a :class:`RandomSampler` with ``generator``).
        sampler: the index order; mutually exclusive with ``shuffle``.
        batch_sampler: yields lists of indices; mutually exclusive with
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        num_workers: background threads that prefetch batches (0: fetch in the
            calling thread). Same batches, same order either way.
        collate_fn: merges a list of samples (default: :func:`default_collate`).
        pin_memory: accepted for compatibility; a no-op.
        drop_last: drop the last incomplete batch.
        timeout: seconds to wait for a worker's batch (0: forever).
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each thread.
        generator: a ``deepglass.Generator`` for the shuffle and the per-epoch seed.
        prefetch_factor: batches prefetched per worker (default 2 when num_workers > 0).
        persistent_workers: accepted (threads are cheap to restart each epoch).

    Example:
        >>> import deepglass as dg
        >>> from deepglass.data import TensorDataset
        >>> ds = TensorDataset(dg.randn(10, 3), dg.arange(10))
        >>> [yb.tolist() for _, yb in DataLoader(ds, batch_size=4)]
        [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn=None, multiprocessing_context=None,
                 generator=None, *, prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset, self.num_workers, self.prefetch_factor = dataset, int(num_workers), prefetch_factor
        self.pin_memory, self.timeout, self.worker_init_fn = pin_memory, timeout, worker_init_fn
        self.generator, self.persistent_workers = generator, persistent_workers
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                                 f"but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self._index_sampler)

    # ------------------------------------------------------------- fetching
    def _fetch(self, index):
        ds = self.dataset
        if not self._auto_collation:
            return self.collate_fn(ds[index])
        getitems = getattr(ds, "__getitems__", None)
        samples = getitems(index) if getitems else [ds[i] for i in index]
        return self.collate_fn(samples)

    def _iterable_batches(self, base_seed):
        it = iter(self.dataset)
        for i in itertools.count():
            with batch_rng(base_seed, i):
                if self.batch_size is None:
                    chunk = list(itertools.islice(it, 1))
                    if not chunk:
                        return
                    batch = self.collate_fn(chunk[0])
                else:
                    chunk = list(itertools.islice(it, self.batch_size))
                    if not chunk or (self.drop_last and len(chunk) < self.batch_size):
                        return
                    batch = self.collate_fn(chunk)
            yield batch

    def __iter__(self):
        if self._iterable:
            gen = self._iterable_batches(draw_seed(self.generator))
            return _Prefetched(gen, self) if self.num_workers else gen
        indices = iter(self._index_sampler)
        base_seed = draw_seed(self.generator)
        if self.num_workers == 0:
            return self._serial(indices, base_seed)
        return self._threaded(indices, base_seed)

    def _serial(self, indices, base_seed):
        for i, index in enumerate(indices):
            with batch_rng(base_seed, i):
                batch = self._fetch(index)
            yield batch

    def _job(self, base_seed, i, index):
        with batch_rng(base_seed, i):
            return self._fetch(index)

    def _threaded(self, indices, base_seed):
        ids = itertools.count()

        def init():
            wid = next(ids)
            _worker.info = WorkerInfo(wid, self.num_workers, base_seed + wid, self.dataset)
            if self.worker_init_fn is not None:
                self.worker_init_fn(wid)

        pool = concurrent.futures.ThreadPoolExecutor(self.num_workers, thread_name_prefix="deepglass-loader",
                                                     initializer=init)
        ahead = max(1, self.num_workers * self.prefetch_factor)
        pending = collections.deque()
        numbered = enumerate(indices)
        try:
            for i, index in itertools.islice(numbered, ahead):
                pending.append(pool.submit(self._job, base_seed, i, index))
            while pending:
                fut = pending.popleft()
                for i, index in itertools.islice(numbered, 1):
                    pending.append(pool.submit(self._job, base_seed, i, index))
                try:
                    batch = fut.result(timeout=self.timeout or None)
                except concurrent.futures.TimeoutError:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds waiting for a batch; "
                                       "raise timeout= or check the dataset's __getitem__") from None
                yield batch
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


class _Prefetched:
    """Runs a batch generator in one background thread, ``prefetch_factor * num_workers`` batches ahead."""

    _DONE = object()

    def __init__(self, gen, loader):
        import queue

        self._q = queue.Queue(maxsize=max(1, loader.num_workers * loader.prefetch_factor))
        self._stop = threading.Event()
        self._timeout = loader.timeout or None

        def run():
            try:
                for batch in gen:
                    while not self._stop.is_set():
                        try:
                            self._q.put((True, batch), timeout=0.1)
                            break
                        except queue.Full:
                            continue
                    if self._stop.is_set():
                        return
                self._q.put((True, self._DONE))
            except BaseException as e:  # handed to the consumer
                self._q.put((False, e))

        self._thread = threading.Thread(target=run, name="deepglass-loader", daemon=True)
        self._thread.start()

    def __iter__(self):
        return self

    def __next__(self):
        import queue

        try:
            ok, item = self._q.get(timeout=self._timeout)
        except queue.Empty:
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds waiting for a batch") from None
        if not ok:
            raise item
        if item is self._DONE:
            raise StopIteration
        return item

    def __del__(self):
        self._stop.set()
