"""Random numbers: one seeded default generator, and ``Generator`` objects.

``manual_seed(s)`` reseeds the default generator, which every random function
and every layer initialisation draws from, so a run is reproducible. Numbers
are drawn with NumPy's PCG64 on the host and moved to the device, so a seed
gives the same values on the CPU and the GPU.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np


class Generator:
    """A random-number generator (``deepglass.Generator``), like ``torch.Generator``.

    Example:
        >>> g = Generator().manual_seed(0)
        >>> randperm(5, generator=g)  # doctest: +SKIP
    """

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self.np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.np = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))
        return self._seed

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        """The generator state as a JSON-serialisable dict (no pickle)."""
        return {"seed": self._seed, "bit_generator": self.np.bit_generator.state}

    def set_state(self, state: dict) -> None:
        self._seed = int(state["seed"])
        bg = np.random.PCG64()
        bg.state = state["bit_generator"]
        self.np = np.random.Generator(bg)


default_generator = Generator()
default_generator.manual_seed(0)


def manual_seed(seed: int) -> Generator:
    """Seed the default generator: every random function and layer init follows it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    return default_generator.get_state()


def set_rng_state(state: dict) -> None:
    default_generator.set_state(state)


_local = threading.local()


def numpy_generator(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator``; when None, this thread's override
    (see :func:`thread_generator`) or else the seeded default one."""
    if generator is not None:
        return generator.np
    override = getattr(_local, "override", None)
    return override if override is not None else default_generator.np


@contextlib.contextmanager
def thread_generator(np_generator: np.random.Generator):
    """Within the block, every draw of this thread without an explicit generator uses ``np_generator``.

    The DataLoader wraps each batch fetch in it (seeded by the epoch seed and the
    batch index), so random numbers drawn inside a dataset's ``__getitem__`` — by
    deepglass's transforms or by ``deepglass.rand`` — are the same whether the batch
    was fetched in the main thread or in a worker thread.
    """
    prev = getattr(_local, "override", None)
    _local.override = np_generator
    try:
        yield np_generator
    finally:
        _local.override = prev
