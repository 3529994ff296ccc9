"""Every scheduler's learning-rate sequence over 200 steps equals PyTorch's; state dicts resume exactly."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as tls

import deepglass as dg
from deepglass import optim
from deepglass.optim import lr_scheduler as dls

STEPS = 200


def _opts(kind="SGD"):
    pd = [dg.zeros(2, requires_grad=True), dg.zeros(3, requires_grad=True)]
    pt = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    kw = dict(momentum=0.9) if kind == "SGD" else {}
    od = getattr(optim, kind)([{"params": pd[:1]}, {"params": pd[1:], "lr": 0.05}], lr=0.1, **kw)
    ot = getattr(torch.optim, kind)([{"params": pt[:1]}, {"params": pt[1:], "lr": 0.05}], lr=0.1, **kw)
    return od, ot


def _seq(mod):
    return {
        "LambdaLR": lambda o: mod.LambdaLR(o, [lambda e: 0.97 ** e, lambda e: 1.0 / (1 + e)]),
        "StepLR": lambda o: mod.StepLR(o, step_size=30, gamma=0.5),
        "MultiStepLR": lambda o: mod.MultiStepLR(o, milestones=[20, 50, 50, 120], gamma=0.3),
        "ExponentialLR": lambda o: mod.ExponentialLR(o, gamma=0.98),
        "CosineAnnealingLR": lambda o: mod.CosineAnnealingLR(o, T_max=40, eta_min=1e-4),
        "LinearLR": lambda o: mod.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=60),
        "OneCycleLR": lambda o: mod.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=STEPS),
        "OneCycleLR-3phase-linear": lambda o: mod.OneCycleLR(o, max_lr=0.5, epochs=10, steps_per_epoch=20,
                                                             three_phase=True, anneal_strategy="linear"),
        "SequentialLR": lambda o: mod.SequentialLR(
            o, [mod.LinearLR(o, start_factor=0.01, total_iters=10), mod.CosineAnnealingLR(o, T_max=190)],
            milestones=[10]),
        "SequentialLR-3": lambda o: mod.SequentialLR(
            o, [mod.LinearLR(o, start_factor=0.1, total_iters=5), mod.ExponentialLR(o, gamma=0.99),
                mod.StepLR(o, step_size=25)], milestones=[5, 100]),
        "MultiplicativeLR": lambda o: mod.MultiplicativeLR(o, [lambda e: 0.99, lambda e: 1.3 if e % 25 == 0 else 0.97]),
        "ConstantLR": lambda o: mod.ConstantLR(o, factor=0.25, total_iters=30),
        "PolynomialLR": lambda o: mod.PolynomialLR(o, total_iters=150, power=2.0),
        "PolynomialLR-sqrt": lambda o: mod.PolynomialLR(o, total_iters=70, power=0.5),
        "ChainedScheduler": lambda o: mod.ChainedScheduler(
            [mod.ConstantLR(o, factor=0.1, total_iters=20), mod.ExponentialLR(o, gamma=0.98),
             mod.MultiStepLR(o, milestones=[50, 120], gamma=0.5)], optimizer=o),
        "SequentialLR-of-Chained": lambda o: mod.SequentialLR(
            o, [mod.ChainedScheduler([mod.ConstantLR(o, factor=0.5, total_iters=5), mod.ExponentialLR(o, gamma=0.95)]),
                mod.CosineAnnealingLR(o, T_max=100)], milestones=[50]),
        "CyclicLR": lambda o: mod.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.05], step_size_up=15, step_size_down=25),
        "CyclicLR-triangular2": lambda o: mod.CyclicLR(o, base_lr=[0.001, 0.002], max_lr=0.1, step_size_up=20,
                                                       mode="triangular2", base_momentum=0.85, max_momentum=0.95),
        "CyclicLR-exp_range": lambda o: mod.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=12, mode="exp_range",
                                                     gamma=0.99, cycle_momentum=False),
        "CyclicLR-scale_fn": lambda o: mod.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=9,
                                                    scale_fn=lambda x: 0.995 ** x, scale_mode="iterations"),
        "CosineAnnealingWarmRestarts": lambda o: mod.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-3),
        "CosineAnnealingWarmRestarts-T_mult1": lambda o: mod.CosineAnnealingWarmRestarts(o, T_0=17),
    }


NAMES = list(_seq(dls))


def _drive(sched, opt, steps):
    lrs, moms = [], []
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(list(sched.get_last_lr()))
        g = opt.param_groups[0]
        moms.append(g["betas"][0] if "betas" in g else g.get("momentum"))
    return lrs, moms


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["SGD", "Adam"])
def test_lr_sequence_equals_torch(name, kind):
    od, ot = _opts(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sd, st = _seq(dls)[name](od), _seq(tls)[name](ot)
        assert sd.get_last_lr() == st.get_last_lr()
        (ld, md), (lt, mt) = _drive(sd, od, STEPS), _drive(st, ot, STEPS)
    np.testing.assert_allclose(np.array(ld), np.array(lt), rtol=1e-12, atol=0)
    np.testing.assert_allclose(np.array(md, float), np.array(mt, float), rtol=1e-12)
    assert [g["lr"] for g in od.param_groups] == [g["lr"] for g in ot.param_groups]


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_resumes(name):
    import json

    od, _ = _opts()
    sched = _seq(dls)[name](od)
    _drive(sched, od, 80)
    saved = sched.state_dict()
    if "Lambda" not in name:  # through JSON, as deepglass.io stores it (no pickle)
        saved = json.loads(json.dumps(saved))
    groups = [dict((k, v) for k, v in g.items() if k != "params") for g in od.param_groups]
    full, _ = _drive(sched, od, 60)
    od2, _ = _opts()
    s2 = _seq(dls)[name](od2)
    s2.load_state_dict(saved)
    for g, saved_g in zip(od2.param_groups, groups):
        g.update(saved_g)
    resumed, _ = _drive(s2, od2, 60)
    assert resumed == full


def test_reduce_on_plateau_equals_torch():
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 40), 0.5 + 0.01 * rng.standard_normal(160)])
    for kw in [dict(patience=5), dict(mode="max", factor=0.5, patience=3, cooldown=2, threshold_mode="abs",
                                       threshold=0.01, min_lr=[1e-3, 1e-2])]:
        od, ot = _opts()
        sd, st = dls.ReduceLROnPlateau(od, **kw), tls.ReduceLROnPlateau(ot, **kw)
        for m in metrics:
            od.step()
            ot.step()
            sd.step(m)
            st.step(m)
            assert sd.get_last_lr() == st.get_last_lr()
            assert sd.num_bad_epochs == st.num_bad_epochs and sd.best == st.best
        assert sd.get_last_lr()[0] < 0.1
        od2, _ = _opts()
        s2 = dls.ReduceLROnPlateau(od2, **kw)
        s2.load_state_dict(sd.state_dict())
        assert s2.best == sd.best and s2.cooldown_counter == sd.cooldown_counter


def test_closed_form_step_epoch():
    od, ot = _opts()
    sd, st = dls.CosineAnnealingLR(od, T_max=50), tls.CosineAnnealingLR(ot, T_max=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sd.step(17)
        st.step(17)
    assert math.isclose(sd.get_last_lr()[0], st.get_last_lr()[0], rel_tol=1e-14)


def test_errors():
    od, _ = _opts()
    with pytest.raises(TypeError):
        dls.StepLR(object(), 3)
    with pytest.raises(ValueError):
        dls.LinearLR(od, start_factor=0)
    with pytest.raises(ValueError):
        dls.SequentialLR(od, [dls.ExponentialLR(od, 0.9)], milestones=[3])
    with pytest.raises(ValueError):
        dls.OneCycleLR(od, max_lr=0.1)
    sched = dls.OneCycleLR(od, max_lr=0.1, total_steps=3)
    for _ in range(3):
        sched.step()
    with pytest.raises(ValueError, match="total steps"):
        sched.step()


@pytest.mark.parametrize("make", [
    lambda m, o: m.ConstantLR(o, factor=0.2, total_iters=7),
    lambda m, o: m.PolynomialLR(o, total_iters=30, power=1.5),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=3, eta_min=1e-4),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=6),
], ids=["ConstantLR", "PolynomialLR", "CAWR-T_mult3", "CAWR"])
def test_step_epoch_closed_form_equals_torch(make):
    """``step(epoch)`` (the deprecated closed form; fractional epochs for warm restarts) as PyTorch."""
    od, ot = _opts()
    sd, st = make(dls, od), make(tls, ot)
    epochs = [3, 7, 0, 12, 40.5, 5.25, 17.0, 100, 2.75, 64] if "Warm" in type(sd).__name__ else [3, 7, 0, 12, 40, 5, 100]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for e in epochs:
            sd.step(e)
            st.step(e)
            assert sd.get_last_lr() == st.get_last_lr(), e
            assert sd.last_epoch == st.last_epoch


def test_new_scheduler_errors():
    od, _ = _opts()
    with pytest.raises(ValueError, match="between 0 and 1"):
        dls.ConstantLR(od, factor=1.5)
    with pytest.raises(TypeError, match="lr_lambda should be a function"):
        dls.MultiplicativeLR(od, 0.9)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        dls.MultiplicativeLR(od, [lambda e: 0.9])
    with pytest.raises(ValueError, match="positive integer T_0"):
        dls.CosineAnnealingWarmRestarts(od, T_0=0)
    with pytest.raises(ValueError, match="T_mult >= 1"):
        dls.CosineAnnealingWarmRestarts(od, T_0=3, T_mult=1.5)
    with pytest.raises(ValueError, match="non-negative epoch"):
        dls.CosineAnnealingWarmRestarts(od, T_0=3).step(-1)
    with pytest.raises(ValueError, match="mode is invalid"):
        dls.CyclicLR(od, 0.01, 0.1, mode="sawtooth")
    with pytest.raises(ValueError, match="momentum or beta1"):
        dls.CyclicLR(optim.Adagrad([dg.zeros(2, requires_grad=True)]), 0.01, 0.1)
    with pytest.raises(ValueError, match="at least one scheduler"):
        dls.ChainedScheduler([])
    other, _ = _opts()
    with pytest.raises(ValueError, match="same optimizer"):
        dls.ChainedScheduler([dls.ExponentialLR(od, 0.9), dls.ExponentialLR(other, 0.9)])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        dls.ChainedScheduler([dls.ReduceLROnPlateau(od)])


def test_cyclic_lr_callable_scale_fn_state_round_trip():
    """A callable object as ``scale_fn`` keeps its ``__dict__`` through the state dict (as PyTorch)."""
    class Decay:
        def __init__(self):
            self.rate = 0.9

        def __call__(self, x):
            return self.rate ** x

    od, _ = _opts()
    fn = Decay()
    s = dls.CyclicLR(od, 0.01, 0.1, step_size_up=4, scale_fn=fn)
    fn.rate = 0.5
    sd = s.state_dict()
    assert sd["_scale_fn_custom"] == {"rate": 0.5}
    od2, _ = _opts()
    fn2 = Decay()
    s2 = dls.CyclicLR(od2, 0.01, 0.1, step_size_up=4, scale_fn=fn2)
    s2.load_state_dict(sd)
    assert fn2.rate == 0.5 and s2._scale_fn_custom is fn2
