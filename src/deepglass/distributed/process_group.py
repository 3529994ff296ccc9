"""The default process group: who am I (rank), how many are we (world size), and fault handling.

A job is N processes started together by a launcher (``mpiexec -n N python train.py``); each
calls :func:`init_process_group` once. Every collective afterwards returns or raises within the
group's ``timeout``: requests are polled against a deadline (:class:`Work`), and an uncaught
exception in any rank prints that rank's error and aborts the whole job (``MPI_Abort``), so a
dead or failing rank never leaves the others hanging silently.
"""
from __future__ import annotations

import os
import sys
import time
import traceback
from datetime import timedelta

__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_initialized", "is_mpi_available",
           "is_nccl_available", "get_rank", "get_world_size", "get_backend", "Work", "DistBackendError",
           "GroupMember", "default_pg_timeout"]

default_pg_timeout = timedelta(minutes=30)


class DistBackendError(RuntimeError):
    """A collective failed or did not complete within the process group's timeout (PyTorch's name)."""


class _World:
    """Marks the default (whole-world) group; ``group=None`` means the same."""

    def __repr__(self) -> str:
        return "GroupMember.WORLD"


class GroupMember:
    WORLD = _World()
    NON_GROUP_MEMBER = -100


class _State:
    backend = None        # MPIBackend or NCCLBackend
    timeout_s = default_pg_timeout.total_seconds()
    previous_excepthook = None
    sequence = 0          # collectives issued so far (named in timeout errors)
    board = None          # the MPI backend's progress board: every local rank's collective count


_state = _State()


def is_mpi_available() -> bool:
    """True when mpi4py (and so an MPI library) can be imported."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def is_nccl_available() -> bool:
    """True when CuPy with its NCCL bindings can be imported."""
    try:
        from cupy.cuda import nccl  # noqa: F401
    except Exception:
        return False
    return True


def is_available() -> bool:
    """True when some backend (MPI or NCCL) can be used.

    Example:
        >>> import deepglass.distributed as dist
        >>> isinstance(dist.is_available(), bool)
        True
    """
    return is_mpi_available() or is_nccl_available()


def is_initialized() -> bool:
    """True between :func:`init_process_group` and :func:`destroy_process_group`."""
    return _state.backend is not None


def _env_int(name):
    v = os.environ.get(name)
    return None if v in (None, "") else int(v)


def init_process_group(backend=None, init_method=None, timeout=None, world_size: int = -1, rank: int = -1,
                       store=None, group_name: str = "", pg_options=None, device_id=None) -> None:
    """Join the job's default process group.

    With ``backend="mpi"`` the rank and world size are MPI's (``mpiexec -n N`` sets them); with
    ``backend="nccl"`` (GPUs, one per process) they come from MPI when launched by ``mpiexec``,
    else from ``rank``/``world_size`` or the ``RANK``/``WORLD_SIZE`` environment variables.
    Given ``rank``/``world_size``/``RANK``/``WORLD_SIZE`` must agree with the launcher's.

    Args:
        backend: ``"mpi"`` (CPU and GPU tensors; GPU ones travel through host memory) or ``"nccl"``
            (GPU tensors only). ``None`` and PyTorch's ``"gloo"``: ``"mpi"`` (deepglass has no gloo).
        init_method: ``None``/``"env://"`` (the launcher's environment) or, for nccl without MPI,
            ``"file:///shared/path"``.
        timeout: a ``datetime.timedelta`` (or seconds) after which a collective that has not
            completed raises :class:`DistBackendError` naming the rank (default 30 minutes).
        world_size, rank: the expected values (``-1``: take the launcher's).
        store, group_name, pg_options, device_id: accepted for PyTorch's signature; unused.

    Raises:
        ValueError: when called twice, for an unknown backend, or when the given rank/world size
            disagree with the launcher's.

    Example:
        >>> import deepglass.distributed as dist
        >>> dist.init_process_group("mpi")                       # doctest: +SKIP
        >>> dist.get_rank(), dist.get_world_size()               # doctest: +SKIP
        (0, 1)
    """
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice! call destroy_process_group() first")
    backend = "mpi" if backend is None else str(backend).lower()
    if backend == "gloo":  # PyTorch's CPU backend: deepglass's CPU collectives go through MPI
        backend = "mpi"
    if timeout is None:
        timeout = default_pg_timeout
    timeout_s = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
    if timeout_s <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    want_size = world_size if world_size != -1 else _env_int("WORLD_SIZE")
    want_rank = rank if rank != -1 else _env_int("RANK")
    if backend == "mpi":
        from ._mpi import MPIBackend

        be = MPIBackend()
    elif backend == "nccl":
        from ._nccl import NCCLBackend

        if _env_int("PMI_RANK") is not None or _env_int("OMPI_COMM_WORLD_RANK") is not None:
            from ._mpi import load

            comm = load().COMM_WORLD
            r, n = comm.Get_rank(), comm.Get_size()
        else:
            if want_size is None or want_rank is None:
                raise ValueError("the nccl backend without mpiexec needs rank and world_size (or the RANK and "
                                 "WORLD_SIZE environment variables) and init_method='file:///shared/path'")
            r, n = want_rank, want_size
        be = NCCLBackend(r, n, init_method, timeout_s)
    else:
        raise ValueError(f"unknown backend {backend!r}: deepglass.distributed supports 'mpi' and 'nccl'")
    if want_size is not None and want_size != be.size:
        raise ValueError(f"world_size={want_size} was asked for but the launcher started {be.size} processes; "
                         f"start the job with mpiexec -n {want_size} (or drop world_size/WORLD_SIZE)")
    if want_rank is not None and want_rank != be.rank:
        raise ValueError(f"rank={want_rank} was asked for but the launcher gave this process rank {be.rank}; "
                         "let the launcher set ranks (drop rank/RANK)")
    _state.backend, _state.timeout_s, _state.sequence = be, timeout_s, 0
    _state.board = be.progress_board() if be.size > 1 and hasattr(be, "progress_board") else None
    if be.size > 1:
        from .run import record_pid

        record_pid(be.rank)
        _state.previous_excepthook = sys.excepthook
        sys.excepthook = _abort_job_on_error


def destroy_process_group(group=None) -> None:
    """Leave the default group (MPI itself stays initialised until the process exits)."""
    _check_group(group)
    if _state.previous_excepthook is not None:
        sys.excepthook = _state.previous_excepthook
        _state.previous_excepthook = None
    _state.backend = None
    if _state.board is not None:
        _state.board[2].Free()
        _state.board = None


def count_collective() -> int:
    """Number the next collective (and show the number to the other ranks of this machine)."""
    _state.sequence += 1
    if _state.board is not None:
        slots, _, _, me = _state.board
        slots[me][0] = _state.sequence
    return _state.sequence


def _laggards(seq: int) -> str:
    """Which ranks of this machine have not reached collective ``seq`` (from the progress board)."""
    if _state.board is None:
        return ""
    slots, world, _, _ = _state.board
    behind = [(world[i], int(s[0])) for i, s in enumerate(slots) if int(s[0]) < seq]
    if not behind:
        return "; every rank on this machine has reached it (a rank on another machine, or a different collective?)"
    return "; " + ", ".join(f"rank {r} is still at collective #{n}" for r, n in behind) + \
        " (it has died, hung or is computing something else)"


def _abort_job_on_error(exc_type, exc, tb):
    """sys.excepthook in a multi-process job: print the error with this rank, then end every rank."""
    be = _state.backend
    msg = "".join(traceback.format_exception(exc_type, exc, tb))
    sys.stderr.write(f"{msg}deepglass.distributed: rank {be.rank} of {be.size} failed with "
                     f"{exc_type.__name__}: {exc}; aborting all {be.size} ranks\n")
    sys.stderr.flush()
    # MPI_Abort makes the launcher kill every process at once, the I/O proxies included: give them a
    # moment to forward this message first, or the user sees an empty log (seen on a loaded CI machine).
    time.sleep(1.0)
    be.abort(1)


def _check_group(group):
    if group is not None and group is not GroupMember.WORLD:
        raise ValueError("deepglass.distributed has only the default group: pass group=None")


def _backend(what: str = "this call"):
    if _state.backend is None:
        raise RuntimeError(f"Default process group has not been initialized, please make sure to call "
                           f"init_process_group() before {what}")
    return _state.backend


def get_rank(group=None) -> int:
    """This process's rank in the group, 0 … world_size − 1 (−1 before init_process_group, as PyTorch)."""
    _check_group(group)
    return -1 if _state.backend is None else _state.backend.rank


def get_world_size(group=None) -> int:
    """The number of processes in the group (−1 before init_process_group, as PyTorch)."""
    _check_group(group)
    return -1 if _state.backend is None else _state.backend.size


def get_backend(group=None) -> str:
    """``"mpi"`` or ``"nccl"``."""
    _check_group(group)
    return _backend("get_backend()").name


class Work:
    """A collective in flight: ``wait()`` completes it (or raises after the timeout).

    Args:
        name: the collective's name (for errors).
        requests: the transport's requests (``MPI.Request`` or CUDA events).
        finish: called once after completion (copies results into the tensors).
    """

    def __init__(self, name: str, requests, finish=None, statuses=None, collective: bool = True):
        self.name, self._requests, self._finish = name, list(requests), finish
        self._statuses = statuses
        self._done = False
        self._seq = count_collective() if collective else None  # point-to-point calls are not numbered
        self._started = time.monotonic()

    def _test(self) -> bool:
        be = _state.backend
        statuses = self._statuses or [None] * len(self._requests)
        pending = []
        for req, st in zip(self._requests, statuses):
            if not be.test(req, st):
                pending.append((req, st))
        self._requests = [r for r, _ in pending]
        self._statuses = [s for _, s in pending] if self._statuses is not None else None
        return not self._requests

    def is_completed(self) -> bool:
        """Whether the transfer has finished (also moves it along: MPI progresses when polled)."""
        if not self._done and self._test():
            self._complete()
        return self._done

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._finish()
            self._finish = None

    def wait(self, timeout=None) -> bool:
        """Block until done; raise :class:`DistBackendError` naming this rank after the timeout."""
        if self._done:
            return True
        limit = _state.timeout_s if timeout is None else (
            timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout))
        spins, pause = 0, 0.0
        while not self._test():
            waited = time.monotonic() - self._started
            if waited > limit:
                be = _state.backend
                what = f"{self.name} (collective #{self._seq})" if self._seq is not None else self.name
                raise DistBackendError(
                    f"rank {be.rank} of {be.size}: {what} did not complete within {limit:g} s"
                    f"{_laggards(self._seq) if self._seq is not None else ''}; see the other ranks' errors (raise "
                    "the timeout of init_process_group for long steps)")
            spins += 1
            if spins > 100:  # poll fast at first, then back off to ~1 ms between polls
                pause = min(1e-3, pause * 2 if pause else 2e-5)
                time.sleep(pause)
        self._complete()
        return True


def wait_all(works) -> None:
    for w in works:
        w.wait()
