"""copy.deepcopy of modules and tensors (what EMA/best-model code and Transformer stacks use)."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import deepglass as dg
from deepglass import nn


def test_deepcopy_module_has_its_own_parameters_and_keeps_sharing():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared, nn.BatchNorm1d(3))
    clone = copy.deepcopy(model)
    assert clone[0] is clone[2] and clone[0] is not shared
    assert list(clone.state_dict()) == list(model.state_dict())
    with dg.no_grad():
        clone[0].weight.add_(1.0)
    assert not np.allclose(clone[0].weight.detach().numpy(), shared.weight.detach().numpy())
    assert isinstance(clone[0].weight, nn.Parameter) and clone[0].weight.requires_grad
    x = dg.randn(4, 3)
    model.eval(), clone.eval()
    with dg.no_grad():
        clone[0].weight.copy_(shared.weight)
    np.testing.assert_allclose(clone(x).detach().numpy(), model(x).detach().numpy())


def test_deepcopy_of_non_leaf_tensor_is_refused():
    x = dg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        copy.deepcopy(x * 2)
    y = copy.deepcopy(x)
    assert y.requires_grad and y is not x and y._array is not x._array
