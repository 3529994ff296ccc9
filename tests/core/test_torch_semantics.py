"""PyTorch semantics that deepglass follows: each test runs the same code on torch and on deepglass.

The code under test is written once as a function of the framework module (``T``
is ``torch`` or ``deepglass``); its results on both are compared.
"""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg


def _np(x):
    """A NumPy copy of a tensor of either framework (or of a nested tuple/list of them)."""
    if isinstance(x, (tuple, list)):
        return type(x)(_np(v) for v in x)
    if isinstance(x, torch.Tensor):
        return x.detach().numpy().copy()
    if isinstance(x, dg.Tensor):
        return x.detach().numpy().copy()
    return x


def both(fn, *args):
    """Run ``fn(T, *args)`` on torch and deepglass; return both results as NumPy."""
    return _np(fn(torch, *args)), _np(fn(dg, *args))


def assert_same(fn, *args, rtol=1e-6, atol=1e-6):
    t, d = both(fn, *args)
    if isinstance(t, (tuple, list)):
        assert len(t) == len(d)
        for a, b in zip(t, d):
            _assert_close(a, b, rtol, atol)
    else:
        _assert_close(t, d, rtol, atol)


def _assert_close(a, b, rtol, atol):
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape and str(a.dtype) == str(b.dtype), (a, b)
        np.testing.assert_allclose(b, a, rtol=rtol, atol=atol)
    else:
        assert a == b, (a, b)


# ------------------------------------------------------------------ modules: re-assignment keeps order
def _reassign_program(T):
    T.manual_seed(0)
    nn = T.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 2, 3)
            self.conv2 = nn.Conv2d(2, 2, 3)
            self.fc = nn.Linear(4, 2)
            self.w = nn.Parameter(T.zeros(2))
            self.b = nn.Parameter(T.zeros(2))
            self.register_buffer("r1", T.zeros(1))
            self.register_buffer("r2", T.zeros(1))

    m = Net()
    m.conv1 = nn.Conv2d(1, 2, 5)
    m.w = nn.Parameter(T.ones(3))
    m.r1 = T.ones(2)
    m.register_buffer("r2", T.ones(3))
    m.add_module("conv2", nn.Identity())
    children = [type(c).__name__ for c in m.children()]
    keys = list(m.state_dict().keys())
    params = [n for n, _ in m.named_parameters()]
    trimmed = [type(c).__name__ for c in nn.Sequential(*list(m.children())[:-1]).children()]
    return children, keys, params, trimmed, tuple(m.conv1.weight.shape)


def test_reassigning_a_child_parameter_or_buffer_keeps_its_place():
    t, d = both(_reassign_program)
    assert t == d
    assert t[0] == ["Conv2d", "Identity", "Linear"]
