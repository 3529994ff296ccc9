"""Errors for datasets that are missing or damaged: what was expected, where, and where to get it."""
from __future__ import annotations

import os


def missing(name: str, expected, looked_in, source: str, extra: str = "") -> FileNotFoundError:
    """A FileNotFoundError listing the files expected, the folders searched and where to obtain them."""
    lines = [f"{name}: dataset files not found (deepglass never downloads anything).",
             "  expected: " + ", ".join(expected),
             "  looked in: " + ", ".join(os.path.abspath(p) for p in looked_in),
             f"  get them from: {source}",
             "  then put them in one of the folders above."]
    if extra:
        lines.append("  " + extra)
    return FileNotFoundError("\n".join(lines))


def corrupt(name: str, path, problem: str, source: str) -> ValueError:
    """A ValueError saying ``path`` is corrupt or truncated, and why."""
    return ValueError(f"{name}: {os.path.abspath(path)} is corrupt or truncated: {problem}. "
                      f"Download it again from {source}")
