"""Grad mode: whether new ops record the graph (``no_grad``, ``enable_grad``...).

The flag is thread-local, like PyTorch's, so a data-loader thread cannot switch
recording off under the training loop.
"""
from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True


_state = _State()


def is_grad_enabled() -> bool:
    return _state.enabled


class set_grad_enabled:
    """Turn graph recording on or off: a function call, context manager or decorator.

    Example:
        >>> with set_grad_enabled(False):
        ...     y = x * 2          # y.requires_grad is False
    """

    def __init__(self, mode: bool):
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.mode):
                return fn(*args, **kwargs)

        _state.enabled = self.prev  # used as a decorator: undo the switch made in __init__
        return wrapper


class _GradModeContext:
    mode = True

    def __enter__(self):
        self.prev = _state.enabled
        _state.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Do not record the graph (inference, optimizer updates).

    Example:
        >>> with no_grad():
        ...     w -= lr * w.grad   # in-place update allowed here
    """

    mode = False


class enable_grad(_GradModeContext):
    """Record the graph again inside a ``no_grad`` block."""

    mode = True


class inference_mode(no_grad):
    """Same as ``no_grad`` in deepglass."""

    def __init__(self, mode: bool = True):
        self.mode = not mode
