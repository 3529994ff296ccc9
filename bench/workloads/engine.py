"""Autograd engine overhead: a chain of 1,000 tiny element-wise ops, forward and backward.

The arrays have 16 elements, so the time is the framework's per-op bookkeeping
(recording the node, running its backward), not arithmetic: step time / 2,000 is
the overhead per recorded op and its backward.
"""
from __future__ import annotations

OPS = 1000


def _make(lib):
    x = lib.ones(16, requires_grad=True)

    def step():
        y = x
        for _ in range(OPS // 2):
            y = y * 1.0001
            y = y + 0.5
        y.sum().backward()
        x.grad = None

    return step


def make_deepglass(device="cpu"):
    import deepglass

    return _make(deepglass)


def make_torch(device="cpu"):
    import torch

    return _make(torch)


WORKLOADS = [dict(name="engine_chain_1000_ops", deepglass=make_deepglass, torch=make_torch, memory=False, gpu=False)]
