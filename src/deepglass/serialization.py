"""The allow-list of classes ``deepglass.load`` may rebuild when ``weights_only=True`` (PyTorch's names).

A file written by ``deepglass.save(module, f)`` describes a whole module tree: the import path
of each class and the arguments it was built with. Rebuilding it means importing those classes
and calling them, so ``deepglass.load`` does it only when the caller opts in, exactly where
PyTorch >= 2.6 asks for the same opt-in: ``weights_only=False``, or every class in the file
allow-listed here. Only ``deepglass.nn.Module`` subclasses can ever be rebuilt (deepglass never
unpickles and never calls any other callable named by a file).

Example:
    >>> import deepglass
    >>> from deepglass import nn, serialization
    >>> serialization.add_safe_globals([nn.Linear])
    >>> serialization.get_safe_globals()
    [<class 'deepglass.nn.modules.linear.Linear'>]
    >>> serialization.clear_safe_globals()
    >>> with serialization.safe_globals([nn.ReLU]):
    ...     serialization.get_safe_globals()
    [<class 'deepglass.nn.modules.activation.ReLU'>]
    >>> serialization.get_safe_globals()
    []
"""
from __future__ import annotations

_safe: list = []


def _path_of(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def _check(items) -> list:
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"safe globals must be a list of classes, got {type(items).__name__}")
    out = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
            item = item[0]  # PyTorch's (callable, "module.name") form: deepglass uses the class itself
        if not isinstance(item, type):
            raise TypeError(f"safe globals must be classes (deepglass.nn.Module subclasses), got {item!r}")
        out.append(item)
    return out


def add_safe_globals(safe_globals) -> None:
    """Allow ``deepglass.load(..., weights_only=True)`` to rebuild these classes.

    Args:
        safe_globals: a list of classes (``[Net, nn.Linear]``); PyTorch's ``(class, "path")``
            pairs are accepted too. Only ``deepglass.nn.Module`` subclasses are ever rebuilt.
    """
    for cls in _check(safe_globals):
        if cls not in _safe:
            _safe.append(cls)


def get_safe_globals() -> list:
    """The allow-listed classes, in the order they were added."""
    return list(_safe)


def clear_safe_globals() -> None:
    """Empty the allow-list."""
    _safe.clear()


def allowed_paths() -> set:
    """The import paths (``module.QualName``) of the allow-listed classes."""
    return {_path_of(c) for c in _safe}


class safe_globals:
    """Context manager: allow-list ``safe_globals`` inside a ``with`` block only (PyTorch's ``safe_globals``).

    Args:
        safe_globals: a list of classes, as for :func:`add_safe_globals`.
    """

    def __init__(self, safe_globals):
        self.items = _check(safe_globals)

    def __enter__(self):
        self.saved = list(_safe)
        add_safe_globals(self.items)
        return self

    def __exit__(self, *exc):
        _safe[:] = self.saved
        return False


__all__ = ["add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]
