"""PyTorch's implementation flags (foreach, fused, capturable, differentiable) on every optimizer."""
from __future__ import annotations

import inspect

import pytest
import torch

import deepglass as dg
from deepglass import optim

NAMES = ["Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "NAdam", "RAdam", "RMSprop", "Rprop", "SGD"]
FLAGS = ("foreach", "fused", "capturable", "differentiable")


@pytest.mark.parametrize("name", NAMES)
def test_accepts_the_flags_torch_accepts(name):
    """Each flag PyTorch's constructor takes is taken here too (foreach/fused/capturable have no effect)."""
    theirs = set(inspect.signature(getattr(torch.optim, name)).parameters) & set(FLAGS)
    ours = set(inspect.signature(getattr(optim, name)).parameters) & set(FLAGS)
    assert theirs <= ours
    p = dg.nn.Parameter(dg.ones(3))
    kwargs = {f: (None if f in ("foreach", "fused") else False) for f in theirs}
    getattr(optim, name)([p], **kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_differentiable_true_is_refused_clearly(name):
    if "differentiable" not in inspect.signature(getattr(torch.optim, name)).parameters:
        pytest.skip("PyTorch's constructor has no such flag")
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        getattr(optim, name)([dg.nn.Parameter(dg.ones(3))], differentiable=True)
