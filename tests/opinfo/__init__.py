"""The op registry: sample inputs for every public op, compared against PyTorch.

Each family has a module here with a list ``ENTRIES`` of :class:`OpInfo`.
``tests/test_op_registry.py`` walks all of them: forward values and input
gradients against PyTorch 2.13 (float32), and finite differences (float64).
It also fails when a public op (a name in an ``deepglass.ops.<family>.__all__``
or in ``deepglass.nn.functional.__all__``) has no entry.

Writing an entry::

    OpInfo("exp", dg=deepglass.exp, torch=torch.exp,
           samples=lambda rng: [Sample(rng.standard_normal((3, 4)))])

Sample arguments that are NumPy float arrays become tensors that require grad
(both in deepglass and in PyTorch); integer/bool arrays become tensors without
grad; anything else is passed as it is. ``Sample(..., grad=(0,))`` restricts the
gradient check to some positions. Non-contiguous arrays (``a.T``) are passed to
deepglass as views.
"""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict
    grad: tuple | None = None  # positions of float arrays to differentiate (None: all)

    def __init__(self, *args, grad=None, **kwargs):
        self.args = args
        self.kwargs = kwargs
        self.grad = grad


@dataclasses.dataclass
class OpInfo:
    name: str                               # the public name, e.g. "exp" or "conv2d"
    dg: Callable                            # deepglass callable
    torch: Callable                         # PyTorch callable with the same arguments
    samples: Callable[[Any], list]          # rng -> list[Sample]
    aliases: tuple = ()                     # other public names this entry covers
    grad: bool = True                       # compare gradients with PyTorch
    gradcheck: bool = True                  # finite differences in float64
    rtol: float = 1e-5
    atol: float = 1e-6
    grad_rtol: float | None = None          # defaults to rtol
    grad_atol: float | None = None          # defaults to atol
    note: str = ""                          # why a tolerance or flag differs from the defaults
    compare: Callable | None = None         # custom comparison(dg_out, torch_out) for special outputs


def all_entries() -> list[OpInfo]:
    entries = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        entries.extend(getattr(module, "ENTRIES", []))
    return entries
