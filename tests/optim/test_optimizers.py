"""Every optimizer and option against PyTorch: 100-step trajectories, param groups, resume from a state dict."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass import optim

RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 3)).astype(np.float32)
Y = RNG.standard_normal((16, 2)).astype(np.float32)
INIT = [RNG.standard_normal(s).astype(np.float32) * 0.5 for s in [(4, 3), (4,), (2, 4), (2,), (3,)]]
STEPS = 100

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-2)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("SGD", dict(lr=1e-3, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=1e-2, initial_accumulator_value=0.1, eps=1e-8)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=1e-2)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=1e-2)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.9), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=1e-3, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=1e-2, momentum_decay=1e-2)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.8, 0.99))),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=1e-2)),
    ("RMSprop", dict(lr=0.01, alpha=0.95, centered=True, eps=1e-6)),
    ("RMSprop", dict(lr=0.005, momentum=0.5)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=1e-2)),
    ("Adamax", dict(lr=1e-3, maximize=True, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=1e-2)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6)),  # ρ_∞ = 19: rectified from step 3
    ("RAdam", dict(lr=1e-3, maximize=True, weight_decay=1e-2)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=1e-3, etas=(0.3, 1.5), step_sizes=(1e-4, 0.02))),
    ("Rprop", dict(lr=1e-3, maximize=True)),
    ("ASGD", dict(lr=0.01)),
    ("ASGD", dict(lr=0.05, lambd=1e-3, alpha=0.5, t0=20, weight_decay=1e-2)),
    ("ASGD", dict(lr=0.02, lambd=1e-2, t0=0.0)),
    ("ASGD", dict(lr=1e-3, maximize=True, weight_decay=1e-2, t0=50)),
]


def _ids():
    return [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for n, kw in CONFIGS]


def _dg_params():
    return [dg.tensor(a.copy(), requires_grad=True) for a in INIT]


def _torch_params():
    return [torch.tensor(a.copy(), requires_grad=True) for a in INIT]


def _groups(params, kw):
    """Two groups (the first with its own lr) plus a parameter that never gets a gradient."""
    lr = kw.get("lr", 1.0 if "Adadelta" else 1e-3)
    return [{"params": params[:2], "lr": lr * 0.5}, {"params": params[2:]}]


def _dg_loss(p):
    x, y = dg.tensor(X), dg.tensor(Y)
    h = (x @ p[0].T + p[1]).tanh()
    return ((h @ p[2].T + p[3] - y) ** 2).mean()


def _torch_loss(p):
    h = torch.tanh(torch.from_numpy(X) @ p[0].T + p[1])
    return ((h @ p[2].T + p[3] - torch.from_numpy(Y)) ** 2).mean()


def _grads_at(arrays):
    """The model's gradients at these parameter values, by one function for both frameworks.

    Feeding both optimizers gradients from the same function means equal parameters get
    bit-equal gradients, so the trajectories test the update rules alone.
    """
    pt = [torch.tensor(a, requires_grad=True) for a in arrays[:4]]
    _torch_loss(pt).backward()
    return [p.grad.numpy() for p in pt]


def _run_dg(opt, params, steps, autograd=False):
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        if autograd:
            _dg_loss(params).backward()
        else:
            for p, g in zip(params, _grads_at([p.detach().numpy() for p in params])):
                p.grad = dg.tensor(g)
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
    return traj


def _run_torch(opt, params, steps):
    traj = []
    for _ in range(steps):
        opt.zero_grad()
        for p, g in zip(params, _grads_at([p.detach().numpy() for p in params])):
            p.grad = torch.from_numpy(g.copy())
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
    return traj


def _assert_traj(a, b, rtol=1e-5, atol=1e-5):
    """rtol 1e-5 plus an atol of 1e-5 of the parameters' O(1) scale, for elements that pass near zero.

    Adds and multiply-adds round like PyTorch's fused kernels (SGD runs are bit-equal for 100
    steps), but PyTorch's float32 CPU ``sqrt`` (MKL VML) is off by ±1 ulp in ~17% of elements,
    which the adaptive methods amplify slowly.
    """
    for step, (pa, pb) in enumerate(zip(a, b)):
        for i, (x, y) in enumerate(zip(pa, pb)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, err_msg=f"step {step + 1}, param {i}")


@pytest.mark.parametrize("name,kw", CONFIGS, ids=_ids())
def test_trajectory_equals_torch(name, kw):
    pd, pt = _dg_params(), _torch_params()
    od = getattr(optim, name)(_groups(pd, kw), **kw)
    ot = getattr(torch.optim, name)(_groups(pt, kw), foreach=False, **kw)
    a, b = _run_dg(od, pd, STEPS), _run_torch(ot, pt, STEPS)
    _assert_traj(a, b)
    np.testing.assert_array_equal(pd[4].detach().numpy(), INIT[4])  # grad None: untouched
    assert pd[4] not in od.state


def _snapshot(sd):
    """What saving to disk does: copy every array (the live state keeps changing)."""
    out = copy.deepcopy({"param_groups": sd["param_groups"]})
    out["state"] = {k: {n: (dg.tensor(v.numpy().copy()) if isinstance(v, dg.Tensor) else v) for n, v in s.items()}
                    for k, s in sd["state"].items()}
    return out


@pytest.mark.parametrize("name,kw", CONFIGS, ids=_ids())
def test_state_dict_resume_continues_exactly(name, kw):
    pd = _dg_params()
    od = getattr(optim, name)(_groups(pd, kw), **kw)
    full = _run_dg(od, pd, 50)
    saved = _snapshot(od.state_dict())
    at50 = [p.detach().numpy().copy() for p in pd]
    full += _run_dg(od, pd, 50)

    fresh = [dg.tensor(a, requires_grad=True) for a in at50]
    o2 = getattr(optim, name)(_groups(fresh, {"lr": 123.0}), **{**kw, "lr": 123.0})
    o2.load_state_dict(saved)
    resumed = _run_dg(o2, fresh, 50)
    for x, y in zip(full[50:], resumed):
        for a, b in zip(x, y):
            np.testing.assert_array_equal(a, b)


def test_state_dict_layout_matches_torch():
    pd, pt = _dg_params(), _torch_params()
    od = optim.Adam(_groups(pd, {}), lr=0.01, amsgrad=True)
    ot = torch.optim.Adam(_groups(pt, {}), lr=0.01, amsgrad=True)
    _run_dg(od, pd, 3)
    _run_torch(ot, pt, 3)
    sd, st = od.state_dict(), ot.state_dict()
    assert sorted(sd["state"]) == sorted(st["state"]) == [0, 1, 2, 3]
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in st["param_groups"]]
    for k in sd["state"]:
        assert set(sd["state"][k]) == set(st["state"][k])
        assert sd["state"][k]["step"] == st["state"][k]["step"].item()
        np.testing.assert_allclose(sd["state"][k]["exp_avg"].numpy(), st["state"][k]["exp_avg"].numpy(), rtol=1e-5)
    for gd, gt in zip(sd["param_groups"], st["param_groups"]):
        for key in ("lr", "betas", "eps", "weight_decay", "amsgrad"):
            assert gd[key] == gt[key]


@pytest.mark.parametrize("name,kw", [CONFIGS[3], CONFIGS[10], CONFIGS[17]], ids=["NAG", "Adam-amsgrad", "NAdam"])
def test_trajectory_with_deepglass_autograd(name, kw):
    """The same run with gradients from deepglass's own autograd stays within float32 noise of PyTorch."""
    pd, pt = _dg_params(), _torch_params()
    od = getattr(optim, name)(_groups(pd, kw), **kw)
    ot = getattr(torch.optim, name)(_groups(pt, kw), foreach=False, **kw)
    _assert_traj(_run_dg(od, pd, STEPS, autograd=True), _run_torch(ot, pt, STEPS), rtol=1e-4, atol=1e-5)


def test_add_param_group_zero_grad_and_errors():
    pd = _dg_params()
    opt = optim.SGD(pd[:2], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": pd[2:4], "lr": 0.01})
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.9
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [pd[0]]})
    _dg_loss(pd).backward()
    opt.zero_grad(set_to_none=False)
    assert np.all(pd[0].grad.numpy() == 0)
    opt.zero_grad()
    assert pd[0].grad is None
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(pd, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="learning rate"):
        optim.Adam(pd, lr=-1.0)
    with pytest.raises(ValueError, match="beta"):
        optim.Adam(pd, betas=(1.0, 0.9))
    with pytest.raises(TypeError):
        optim.SGD(pd[0], lr=0.1)


def test_step_with_closure_returns_loss():
    pd = _dg_params()
    opt = optim.SGD(pd[:4], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = _dg_loss(pd)
        loss.backward()
        return loss

    l0 = opt.step(closure).item()
    assert opt.step(closure).item() < l0


@pytest.mark.parametrize("options", [dict(momentum=0.9), dict(momentum=0.9, nesterov=True, weight_decay=1e-2),
                                     dict(momentum=0.5, dampening=0.1, maximize=True), dict()])
def test_sgd_on_a_large_parameter_runs_in_slices_with_the_same_numbers(monkeypatch, options):
    """A parameter large enough for the CPU threads is updated slice by slice: bit-equal to the whole update,
    and equal to torch.optim.SGD."""
    from deepglass import parallel

    rng = np.random.default_rng(3)
    w0 = rng.standard_normal(700_001).astype(np.float32)
    grads = [rng.standard_normal(w0.shape).astype(np.float32) for _ in range(3)]

    def run(min_work):
        monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", min_work)
        calls = []
        real = parallel.parallel_for
        monkeypatch.setattr(parallel, "parallel_for", lambda *a, **k: calls.append(1) or real(*a, **k))
        p = dg.tensor(w0.copy(), requires_grad=True)
        opt = optim.SGD([p], lr=0.1, **options)
        for g in grads:
            p.grad = dg.tensor(g)
            opt.step()
        return p.detach().numpy(), bool(calls)

    sliced, used_threads = run(1 << 21)
    whole, _ = run(1 << 62)
    assert used_threads
    np.testing.assert_array_equal(sliced, whole)
    t = torch.tensor(w0.copy(), requires_grad=True)
    topt = torch.optim.SGD([t], lr=0.1, **options)
    for g in grads:
        t.grad = torch.tensor(g)
        topt.step()
    np.testing.assert_allclose(sliced, t.detach().numpy(), rtol=1e-6, atol=1e-6)
