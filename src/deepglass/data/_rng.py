"""Where data-side randomness comes from (transforms, samplers).

Random transforms draw from :func:`numpy_rng`. Inside a :class:`DataLoader`
batch fetch it is a generator seeded from ``(base_seed, batch_index)`` (installed
for the whole thread with :func:`deepglass.random.thread_generator`, so a user's
``Dataset`` drawing with ``deepglass.rand`` gets it too), so a batch gets the same
augmentation whether it was fetched in the main thread (``num_workers=0``) or in a
worker thread; everywhere else it is deepglass's seeded default generator
(``deepglass.manual_seed`` controls it).
"""
from __future__ import annotations

import numpy as np

from ..random import numpy_generator, thread_generator


def numpy_rng() -> np.random.Generator:
    """The NumPy generator random transforms should draw from right now."""
    return numpy_generator()


def batch_rng(base_seed: int, batch_index: int):
    """Make this thread's draws come from a generator seeded by ``(base_seed, batch_index)``."""
    return thread_generator(np.random.Generator(np.random.PCG64(np.random.SeedSequence([base_seed, batch_index]))))


def draw_seed(generator=None) -> int:
    """A fresh 63-bit seed drawn from ``generator`` (deepglass's default one when None)."""
    return int(numpy_generator(generator).integers(0, 2**63 - 1, dtype=np.int64))
