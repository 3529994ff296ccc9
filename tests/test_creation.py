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



def test_linspace_logspace_tensor_bounds_count_with_their_exact_value():
    start32 = torch.tensor(4.3)            # float32: 4.300000190734863
    for args in ((start32, 1.2, 50), (4.3, torch.tensor(1.2), 1), (start32, -3, 7)):
        dargs = [dg.tensor(a.item(), dtype=dg.float32) if isinstance(a, torch.Tensor) else a for a in args]
        for name in ("linspace", "logspace"):
            want = getattr(torch, name)(*args, dtype=torch.float64)
            got = getattr(dg, name)(*dargs, dtype=dg.float64)
            assert got.shape == tuple(want.shape)
            assert float(abs(got - dg.tensor(want.numpy())).max()) <= 1e-12 * float(want.abs().max())
