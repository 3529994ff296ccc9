"""Kernel == reference: run one public op on its fast kernel and on its reference tier, compare in float64.

``threads`` (a fixture) makes every ``parallel_for``/``parallel_reduce`` cut the batch into chunks even for
small inputs, so the chunked code paths run on test-sized geometries.
"""
from __future__ import annotations

import numpy as np
import pytest

import deepglass as dg
from deepglass import parallel
from deepglass.kernels import kernel_for


@pytest.fixture
def threads(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", 0)
    monkeypatch.setattr(parallel, "get_num_threads", lambda: 3)
    yield


def _tensors(arrays, grad):
    return [dg.tensor(a, requires_grad=(grad and a.dtype.kind == "f")) if isinstance(a, np.ndarray) else a
            for a in arrays]


def run(fn, arrays, grad=True, reference=False, seed=0):
    """(outputs, input gradients) of ``fn(*tensors)`` under a fixed random upstream gradient."""
    dg.manual_seed(seed)
    ts = _tensors(arrays, grad)
    if reference:
        with dg.use_reference_kernels():
            out = fn(*ts)
    else:
        out = fn(*ts)
    outs = out if isinstance(out, tuple) else (out,)
    grads = []
    if grad:
        y = outs[0]
        up = np.random.default_rng(seed + 1).standard_normal(y.shape)
        (y * dg.tensor(up)).sum().backward()
        grads = [t.grad.numpy() if isinstance(t, dg.Tensor) and t.grad is not None else None for t in ts]
    return [o.detach().numpy().copy() for o in outs], grads


def assert_kernel_matches(op, fn, arrays, grad=True, atol=1e-10, rtol=1e-9):
    """The kernel registered for ``op`` gives the reference's values and gradients (NaN where it has NaN)."""
    kernel = kernel_for(op)
    assert kernel is not None, f"no fast kernel is registered for {op!r}"
    calls = []
    forward = kernel.__dict__["forward"]

    def counted(ctx, *args, **kwargs):
        calls.append(1)
        return forward.__func__(ctx, *args, **kwargs)

    kernel.forward = staticmethod(counted)
    try:
        got, ggot = run(fn, arrays, grad)
        fast_calls = len(calls)
        want, gwant = run(fn, arrays, grad, reference=True)
    finally:
        kernel.forward = forward
    assert fast_calls >= 1, f"{op}: the fast run did not go through {kernel.__name__}"
    assert len(calls) == fast_calls, f"{op}: the reference run went through {kernel.__name__}"
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=True)
        assert a.dtype == b.dtype
    for a, b in zip(ggot, gwant):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=True)
