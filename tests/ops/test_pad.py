"""``nn.functional.pad`` at its edges, against PyTorch: negative (cropping) widths in reflect and replicate
mode map each output index to its source in the uncropped input; exception classes as PyTorch's."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg

WIDTHS = [(-4, 5), (-2, 3), (2, -3), (-1, -1), (1, -4), (-5, 6), (-1, 2, -2, 1), (-3, 2), (3, -1, 0, -2)]


@pytest.mark.parametrize("mode", ["replicate", "reflect"])
@pytest.mark.parametrize("widths", WIDTHS)
def test_negative_widths_values_and_gradients(mode, widths):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 5))
    t = torch.tensor(x, requires_grad=True)
    d = dg.tensor(x, requires_grad=True)
    try:
        want = torch.nn.functional.pad(t, widths, mode=mode)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            dg.nn.functional.pad(d, widths, mode=mode)
        return
    got = dg.nn.functional.pad(d, widths, mode=mode)
    assert got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy())
    seed = rng.standard_normal(tuple(want.shape))
    (want * torch.tensor(seed)).sum().backward()
    (got * dg.tensor(seed)).sum().backward()
    np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy())


def test_negative_replicate_gradcheck():
    x = dg.tensor(np.random.default_rng(1).standard_normal((1, 3, 4)), requires_grad=True)
    assert dg.autograd.gradcheck(lambda a: dg.nn.functional.pad(a, (-2, 3, 1, -1), mode="replicate"), (x,))


@pytest.mark.parametrize("args, exc", [
    (((1, 2, 3), "constant"), RuntimeError), (((4, 0), "reflect"), RuntimeError), (((1, 1), "foo"), NotImplementedError),
])
def test_error_classes_match_torch(args, exc):
    with pytest.raises(exc):
        torch.nn.functional.pad(torch.zeros(1, 1, 4), *args)
    with pytest.raises(exc):
        dg.nn.functional.pad(dg.zeros(1, 1, 4), *args)
