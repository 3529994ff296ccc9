"""Normalisation ops at their edges, against PyTorch: empty batches."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


@pytest.mark.parametrize("shape, groups", [((0, 2), 1), ((0, 6, 3), 2), ((0, 4, 2, 2), 4)])
def test_group_norm_empty_batch(shape, groups):
    c = shape[1]
    tx, tw, tb = (torch.zeros(shape, dtype=torch.float64, requires_grad=True),
                  torch.ones(c, dtype=torch.float64, requires_grad=True),
                  torch.zeros(c, dtype=torch.float64, requires_grad=True))
    dx, dw, db = (dg.zeros(shape, dtype=dg.float64, requires_grad=True),
                  dg.ones(c, dtype=dg.float64, requires_grad=True),
                  dg.zeros(c, dtype=dg.float64, requires_grad=True))
    want = torch.nn.functional.group_norm(tx, groups, tw, tb)
    got = dg.nn.functional.group_norm(dx, groups, dw, db)
    assert got.shape == tuple(want.shape) and got.requires_grad
    want.sum().backward()
    got.sum().backward()
    for d, t in ((dx, tx), (dw, tw), (db, tb)):
        np.testing.assert_array_equal(d.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_empty_1d_input_is_a_copy_in_the_graph(training):
    tx = torch.zeros(0, dtype=torch.float64, requires_grad=True)
    dx = dg.zeros(0, dtype=dg.float64, requires_grad=True)
    want = torch.nn.functional.batch_norm(tx, torch.zeros(0), torch.zeros(0), training=training)
    got = dg.nn.functional.batch_norm(dx, dg.zeros(0), dg.zeros(0), training=training)
    assert got.shape == tuple(want.shape) == (0,)
    assert got.requires_grad == want.requires_grad
    got.sum().backward()
    assert dx.grad.shape == (0,)


def test_batch_norm_1d_nonempty_input_still_raises():
    with pytest.raises((ValueError, RuntimeError)):
        dg.nn.functional.batch_norm(dg.zeros(3), dg.zeros(3), dg.ones(3))
