"""Distributed training for ``deepglass train`` (issue 18): N processes, one model, the data sharded.

``deepglass train --nproc N …`` starts itself N times through ``mpiexec`` (``mpiexec -n N deepglass
train …`` works too). In each process :func:`setup` joins the process group; :func:`shard` gives the
training loader this rank's share of every epoch (``DistributedSampler``, reshuffled per epoch
identically on all ranks; ``--batch-size`` is per process, the global batch is N times it);
:func:`synchronise` makes the model average its gradients across ranks (the machinery of
``DistributedDataParallel`` attached by forward hooks, so the model, its checkpoints and their keys
stay those of a one-process run). Validation runs whole on every rank with bit-identical weights,
so every rank takes the same early-stopping and best-checkpoint decisions; only rank 0 writes the
run folder, the others work in a scratch folder that is removed at exit.

Example:
    >>> from deepglass.train.distributed import launched_world_size
    >>> launched_world_size() >= 1
    True
"""
from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile

_SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS")


def launched_world_size() -> int:
    """How many processes the MPI launcher started (1 when not started by one)."""
    for name in _SIZE_VARIABLES:
        v = os.environ.get(name)
        if v:
            return int(v)
    return 1


def setup() -> tuple[int, int]:
    """Join the process group when launched on several processes; returns ``(rank, world_size)``."""
    if launched_world_size() <= 1:
        return 0, 1
    from .. import distributed as dist

    if not dist.is_initialized():
        dist.init_process_group("mpi")
    return dist.get_rank(), dist.get_world_size()


def scratch_dir() -> str:
    """A folder for a non-zero rank's copy of the run (removed when the process exits)."""
    path = tempfile.mkdtemp(prefix="deepglass-rank-")
    atexit.register(shutil.rmtree, path, True)
    return os.path.join(path, "run")


class _EpochSampler:
    """A DistributedSampler whose epoch follows the trainer's (so a resumed run gets the same order)."""

    def __init__(self, sampler, epoch_of=None):
        self.sampler, self.epoch_of = sampler, epoch_of

    def __iter__(self):
        if self.epoch_of is not None:
            self.sampler.set_epoch(self.epoch_of())
        return iter(self.sampler)

    def __len__(self) -> int:
        return len(self.sampler)


def shard(loader, seed: int, rank: int, world_size: int):
    """The training loader over this rank's share of the data (same batch size, shuffled per epoch)."""
    from ..data import DataLoader
    from ..data.sampler import DistributedSampler

    sampler = _EpochSampler(DistributedSampler(loader.dataset, num_replicas=world_size, rank=rank, shuffle=True,
                                               seed=int(seed)))
    return DataLoader(loader.dataset, batch_size=loader.batch_size, sampler=sampler, num_workers=loader.num_workers,
                      collate_fn=loader.collate_fn, drop_last=loader.drop_last)


def follow_epochs(loader, trainer) -> None:
    """Make the sharded loader reshuffle by the trainer's epoch number."""
    loader.sampler.epoch_of = lambda: trainer.epoch


def synchronise(model):
    """Average ``model``'s gradients across ranks after every backward (its forward hooks keep the DDP machinery)."""
    from ..nn.parallel import DistributedDataParallel

    ddp = DistributedDataParallel(model)
    model.register_forward_pre_hook(lambda module, args: ddp._pre_forward())
    model.register_forward_hook(lambda module, args, output: ddp._post_forward(output))
    return ddp


def relaunch_argv(args, keys) -> list:
    """``deepglass train`` flags that reproduce ``args`` (without ``--nproc``), for the N processes."""
    argv = [sys.executable, "-m", "deepglass.cli", "train"]
    for key in (*keys, "out", "runs_dir", "resume", "config"):
        value = getattr(args, key, None)
        if value is not None:
            argv += ["--" + key.replace("_", "-"), str(value)]
    for flag in ("overwrite", "quiet"):
        if getattr(args, flag, False):
            argv.append("--" + flag)
    return argv


@contextlib.contextmanager
def errors_end_the_job():
    """In a multi-process run, an error on one rank prints it (naming the rank) and aborts every rank.

    Without this a command-line error would end only its own process and leave the others waiting
    in their next collective until the timeout.
    """
    try:
        yield
    except Exception:
        from .. import distributed as dist

        if dist.is_initialized() and dist.get_world_size() > 1:
            dist.process_group._abort_job_on_error(*sys.exc_info())
        raise
