"""``atomic_write``: a file is either the old version or the complete new one, never half written."""
from __future__ import annotations

import contextlib
import os
import tempfile


def _umask() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def fsync_dir(directory: str) -> None:
    """fsync a directory so a rename inside it survives a crash (a no-op where unsupported)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb", encoding: str | None = None, newline: str | None = None):
    """Write ``path`` atomically: yields a file object for a temporary file in the same folder.

    On leaving the block without an error the temporary file is flushed,
    fsync'ed and renamed over ``path`` (``os.replace``, atomic on POSIX and
    Windows), then the folder is fsync'ed. On an error (or if the process
    dies) ``path`` keeps its previous contents and the temporary file is
    removed (a killed process may leave a hidden ``.<name>.*.tmp`` behind).

    Args:
        path: the destination file.
        mode: ``"wb"`` (default) or ``"w"`` for text.
        encoding: text encoding (default utf-8 in text mode).
        newline: passed to ``open`` in text mode (use ``""`` for the csv module).

    Example:
        >>> with atomic_write("metrics.json", "w") as f:  # doctest: +SKIP
        ...     f.write('{"loss": 0.1}')
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"atomic_write mode must be 'wb' or 'w', got {mode!r}")
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"can't write {path}: the folder {directory} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        if mode == "w":
            f = os.fdopen(fd, "w", encoding=encoding or "utf-8", newline=newline)
        else:
            f = os.fdopen(fd, "wb")
        with f:
            try:
                os.chmod(tmp, os.stat(path).st_mode & 0o7777)
            except FileNotFoundError:
                os.chmod(tmp, 0o666 & ~_umask())
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)
