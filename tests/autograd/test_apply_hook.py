"""The supported hook in ``Function.apply``: sees every primitive, may run or replace it; nests; per thread."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import deepglass as dg
from deepglass.autograd import function as fn_mod
from deepglass.autograd.function import Function, FunctionHook, apply_hook


class Recorder(FunctionHook):
    def __init__(self, tag, log):
        self.tag, self.log = tag, log

    def __call__(self, cls, args, kwargs, call):
        self.log.append((self.tag, cls.__name__))
        return call()


def test_hook_sees_primitive_args_and_kwargs():
    seen = []

    def hook(cls, args, kwargs, call):
        seen.append((cls.__name__, args, dict(kwargs)))
        return call()

    a, b = dg.ones(2), dg.zeros(3)
    with apply_hook(hook):
        out = dg.cat([a, b])
    names = [s[0] for s in seen]
    assert names == ["Concat"]
    _, args, kwargs = seen[0]
    assert args[0] is a and args[1] is b and kwargs == {"axis": 0}
    assert out.tolist() == [1.0, 1.0, 0.0, 0.0, 0.0]


def test_hook_may_replace_the_call_and_gradients_still_flow_when_it_runs_it():
    x = dg.tensor([1.0, 2.0], requires_grad=True)

    def double_exp(cls, args, kwargs, call):
        out = call()
        return out * 2 if cls.__name__ == "Exp" else out

    with apply_hook(double_exp):
        y = dg.exp(x)
    np.testing.assert_allclose(y.detach().numpy(), 2 * np.exp([1.0, 2.0]))
    y.sum().backward()  # the Mul inside the hook was recorded (and not hooked again)
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]))

    with apply_hook(lambda cls, args, kwargs, call: dg.zeros(3)):
        assert dg.exp(dg.ones(2)).tolist() == [0.0, 0.0, 0.0]


def test_nested_hooks_stack_and_a_hook_does_not_recurse_into_itself():
    log = []

    class OpsInside(FunctionHook):  # runs an op of its own for every op it sees
        def __call__(self, cls, args, kwargs, call):
            log.append(("inner", cls.__name__))
            out = call()
            return out + 0  # an Add run inside the hook: the outer hook sees it, this one does not

    with apply_hook(Recorder("outer", log)), apply_hook(OpsInside()):
        dg.exp(dg.ones(2))
    assert log == [("inner", "Exp"), ("outer", "Exp"), ("outer", "Add")]
    # leaving the blocks removes them; no hook remains in this thread
    assert fn_mod._hooks.stack == [] and fn_mod._any_hook == 0
    log.clear()
    dg.exp(dg.ones(2))
    assert log == []


def test_a_hook_entered_inside_a_hook_sees_the_ops_run_there():
    log = []

    def outer(cls, args, kwargs, call):
        log.append(("outer", cls.__name__))
        with apply_hook(Recorder("nested", log)):
            return call()

    with apply_hook(outer):
        dg.exp(dg.ones(2))
    assert log == [("outer", "Exp"), ("nested", "Exp")]


def test_hooks_are_per_thread():
    log = []
    started, release = threading.Event(), threading.Event()

    def other():
        started.set()
        release.wait(5)
        dg.exp(dg.ones(2))  # runs while the main thread's hook is active

    th = threading.Thread(target=other)
    th.start()
    started.wait(5)
    with apply_hook(Recorder("main", log)):
        release.set()
        th.join(5)
        dg.sin(dg.ones(2))
    assert log == [("main", "Sin")]


def test_hook_removed_after_an_exception():
    def boom(cls, args, kwargs, call):
        raise ValueError("boom")

    with pytest.raises(ValueError), apply_hook(boom):
        dg.exp(dg.ones(1))
    assert fn_mod._hooks.stack == [] and fn_mod._any_hook == 0
    assert dg.exp(dg.zeros(1)).tolist() == [1.0]


def test_hook_sees_multi_output_primitives_and_their_tuple():
    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x + 1, x * 0

    got = []

    def hook(cls, args, kwargs, call):
        out = call()
        got.append(out)
        return out

    with apply_hook(hook):
        a, b = Two.apply(dg.ones(2))
    assert len(got) == 1 and isinstance(got[0], tuple) and got[0][0] is a and got[0][1] is b
