"""torch.gradient's argument forms and errors against PyTorch (values and gradients: tests/opinfo/core_stats.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


@pytest.mark.parametrize("kwargs", [{}, {"spacing": 2}, {"spacing": [0.5, 2.0]}, {"dim": 1}, {"dim": [1, 0]},
                                    {"spacing": 3.0, "dim": 0, "edge_order": 2}])
def test_gradient_forms(kwargs):
    x = np.arange(20.0).reshape(4, 5) ** 2
    want = torch.gradient(torch.tensor(x), **kwargs)
    got = dg.gradient(dg.tensor(x), **kwargs)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-12)


def test_gradient_of_integers_is_float_as_torch():
    want = torch.gradient(torch.tensor([1, 4, 9, 16]), spacing=2)[0]
    got = dg.gradient(dg.tensor([1, 4, 9, 16]), spacing=2)[0]
    assert got.dtype.kind == "f" and want.dtype.is_floating_point
    np.testing.assert_allclose(got.numpy(), want.numpy())


@pytest.mark.parametrize("args, kwargs", [(([1.0, 4.0],), {"edge_order": 2}), (([1.0, 4.0, 5.0],), {"edge_order": 3}),
                                          (([1.0, 4.0, 5.0],), {"spacing": [1.0, 2.0]})])
def test_gradient_errors_as_torch(args, kwargs):
    with pytest.raises(RuntimeError):
        torch.gradient(torch.tensor(*args), **kwargs)
    with pytest.raises(RuntimeError):
        dg.gradient(dg.tensor(*args), **kwargs)
