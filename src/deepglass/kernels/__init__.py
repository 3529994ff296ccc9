"""The fast tier: kernels that replace a reference op's body for speed.

Every op of the notes has a plain, readable ``Function`` in ``deepglass/ops/``
(the *reference tier*: what a reader studies and what the gradient check
proves). Some ops also have a fast implementation here: the same inputs, the
same outputs and gradients, but written for speed (batch chunks on threads,
cache blocks, fused CuPy kernels). A test proves each kernel equal to its
reference on random geometries in float64.

How an op picks its implementation, in one function per op::

    from ..kernels import choose

    def conv2d(input, weight, bias=None, ...):
        return choose("conv2d", ConvNd).apply(input, weight, bias, ...)

``choose(op, reference)`` returns the registered fast ``Function`` for ``op``
unless reference kernels are switched on (``use_reference_kernels()``), in
which case every op runs its readable path — step through it in a debugger.
A kernel registers itself with ``@register("conv2d")``; it must accept exactly
the reference's arguments.

Example:
    >>> import deepglass
    >>> with deepglass.use_reference_kernels():
    ...     deepglass.kernels.reference_only()
    True
"""
from __future__ import annotations

import importlib
import threading
from contextlib import contextmanager

_REGISTRY: dict = {}  # op name -> fast Function class
_global = {"reference": False}
_local = threading.local()  # per-thread override set by the context manager

# the modules of this package that register kernels (``deepglass/__init__`` imports them after the ops)
KERNEL_MODULES: list[str] = ["norm", "attention", "conv", "pool"]


def register(op: str):
    """Class decorator: ``@register("conv2d") class Conv2dFast(Function): ...``."""

    def deco(cls):
        if op in _REGISTRY and _REGISTRY[op] is not cls:
            raise ValueError(f"a fast kernel for {op!r} is already registered ({_REGISTRY[op].__name__})")
        _REGISTRY[op] = cls
        return cls

    return deco


def reference_only() -> bool:
    """True while every op runs its reference tier (this thread's setting, else the global one)."""
    override = getattr(_local, "reference", None)
    return _global["reference"] if override is None else override


def choose(op: str, reference):
    """The ``Function`` that runs ``op``: its fast kernel if one is registered and allowed, else ``reference``."""
    if reference_only():
        return reference
    return _REGISTRY.get(op, reference)


def kernel_for(op: str):
    """The registered fast kernel of ``op`` (``None`` if it has none): what the kernel-vs-reference tests use."""
    return _REGISTRY.get(op)


def registered() -> dict:
    """``{op: kernel class}`` for every registered fast kernel."""
    return dict(_REGISTRY)


class use_reference_kernels:
    """Run every op on its readable reference tier.

    As a context manager it applies to the current thread; called as
    ``use_reference_kernels(True)`` / ``use_reference_kernels(False)`` without
    ``with`` it sets the process-wide default.

    Example:
        >>> import deepglass
        >>> with deepglass.use_reference_kernels():
        ...     y = deepglass.nn.functional.conv2d(deepglass.ones(1, 1, 4, 4), deepglass.ones(1, 1, 3, 3))
        >>> y.shape
        (1, 1, 2, 2)
    """

    def __init__(self, enabled: bool = True):
        self.enabled = bool(enabled)
        self._previous_global = _global["reference"]
        _global["reference"] = self.enabled  # takes effect at once when used as a plain call

    def __enter__(self):
        _global["reference"] = self._previous_global  # the `with` form is per-thread, not global
        self._previous = getattr(_local, "reference", None)
        _local.reference = self.enabled
        return self

    def __exit__(self, *exc):
        _local.reference = self._previous
        return False


def load_all() -> None:
    """Import every kernel module so that its ``@register`` runs."""
    for name in KERNEL_MODULES:
        importlib.import_module(f"{__name__}.{name}")
