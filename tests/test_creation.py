"""Creation functions refuse what PyTorch refuses, with the same exception class."""
from __future__ import annotations

import pytest
import torch

import deepglass as dg

CASES = [
    ("zeros", (), {}), ("ones", (), {}), ("empty", (), {}),
    ("arange", (3, 1), {}), ("arange", (0, 5, 0), {}), ("arange", (5, 0, 1), {}),
]


@pytest.mark.parametrize("name,args,kwargs", CASES)
def test_same_exception_class_as_torch(name, args, kwargs):
    with pytest.raises(Exception) as te:
        getattr(torch, name)(*args, **kwargs)
    with pytest.raises(type(te.value)):
        getattr(dg, name)(*args, **kwargs)


def test_the_accepted_edge_cases_agree():
    assert dg.zeros(()).shape == tuple(torch.zeros(()).shape) == ()
    assert dg.arange(3, 3).shape == tuple(torch.arange(3, 3).shape) == (0,)
    assert dg.arange(5, 0, -2).tolist() == torch.arange(5, 0, -2).tolist()
