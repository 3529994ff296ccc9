"""Adamax, RAdam, Rprop, ASGD and L-BFGS against PyTorch, beyond the shared trajectory/resume tests.

The shared 100-step trajectories and the state-dict resume of Adamax, RAdam, Rprop and ASGD
are in ``test_optimizers.CONFIGS``; here: Rprop's sign rules bit for bit, ASGD's ``eta``/``mu``/``ax``,
the state layouts, PyTorch's error messages, and L-BFGS (closure-based) trajectories.
"""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import deepglass as dg
from deepglass import optim

from .test_optimizers import (
    INIT,
    STEPS,
    X,
    Y,
    _dg_loss,
    _dg_params,
    _groups,
    _run_dg,
    _run_torch,
    _torch_loss,
    _torch_params,
)

NEW = [("Adamax", dict(lr=0.01, weight_decay=1e-2)), ("RAdam", dict(lr=0.01, decoupled_weight_decay=True,
                                                                      weight_decay=0.1)),
       ("Rprop", dict(lr=0.01, etas=(0.4, 1.1))), ("ASGD", dict(lr=0.05, t0=10, lambd=1e-3))]


# ------------------------------------------------------------------------------------------- Rprop
def _rprop_grads(n_steps=40, n=24):
    """A fixed gradient sequence that exercises every branch of Rprop's sign rule.

    Per element: runs of equal signs (η₊, until Γ_max), sign flips (η₋ and the zeroed
    gradient, down to Γ_min), exact zeros, and products that underflow to 0 in float32
    (1e-30 · 1e-30) while both factors are non-zero.
    """
    rng = np.random.default_rng(7)
    out = []
    for t in range(n_steps):
        g = rng.standard_normal(n).astype(np.float32)
        g[0:4] = 1.0 + t  # always positive: the step size grows to Γ_max
        g[4:8] = (-1.0) ** t  # alternating: shrinks every other step, down to Γ_min
        g[8:10] = 0.0 if t % 3 == 0 else g[8:10]  # zeros now and then
        g[10:12] = 1e-30 * (-1.0) ** (t // 2)  # tiny: g·prev underflows to 0, so never a sign change
        g[12] = -0.0
        out.append(g)
    return out


@pytest.mark.parametrize("kw", [dict(), dict(lr=0.3, etas=(0.5, 2.0), step_sizes=(1e-3, 1.0)),
                                dict(lr=0.05, etas=(0.1, 1.5), step_sizes=(0.02, 0.4), maximize=True)],
                         ids=["defaults", "clamped", "maximize"])
def test_rprop_sign_rules_bit_equal_to_torch(kw):
    pd = dg.tensor(np.zeros(24, np.float32), requires_grad=True)
    pt = torch.zeros(24, requires_grad=True)
    od, ot = optim.Rprop([pd], **kw), torch.optim.Rprop([pt], foreach=False, **kw)
    for t, g in enumerate(_rprop_grads()):
        if t == 20:  # lr only seeds the step sizes: changing it later changes nothing, in both
            od.param_groups[0]["lr"] = ot.param_groups[0]["lr"] = 7.0
        pd.grad, pt.grad = dg.tensor(g.copy()), torch.from_numpy(g.copy())
        od.step()
        ot.step()
        sd, st = od.state[pd], ot.state[pt]
        np.testing.assert_array_equal(pd.detach().numpy(), pt.detach().numpy(), err_msg=f"step {t + 1}")
        np.testing.assert_array_equal(sd["step_size"], st["step_size"].numpy(), err_msg=f"step {t + 1}")
        np.testing.assert_array_equal(sd["prev"], st["prev"].numpy(), err_msg=f"step {t + 1}")
        assert sd["step"] == st["step"].item()
    lo, hi = kw.get("step_sizes", (1e-6, 50))
    assert (sd["step_size"][4:8] == np.float32(lo)).all()  # clamped below
    if "step_sizes" in kw:
        assert (sd["step_size"][:4] == np.float32(hi)).all()  # and above
    assert (sd["step_size"][10:12] == np.float32(kw.get("lr", 0.01))).all()  # underflow: never grew nor shrank


def test_rprop_sign_change_skips_the_move_and_the_next_rescale():
    p = dg.tensor(np.zeros(1, np.float32), requires_grad=True)
    opt = optim.Rprop([p], lr=0.1, etas=(0.5, 1.2))
    seen = []
    for g in [1.0, 1.0, -1.0, -1.0, -1.0]:
        p.grad = dg.tensor(np.array([g], np.float32))
        opt.step()
        seen.append((float(p.detach().numpy()[0]), float(opt.state[p]["step_size"][0])))
    np.testing.assert_allclose(seen, [(-0.1, 0.1), (-0.22, 0.12), (-0.22, 0.06), (-0.16, 0.06), (-0.088, 0.072)],
                               rtol=1e-6)


# -------------------------------------------------------------------------------------------- ASGD
@pytest.mark.parametrize("kw", [dict(lr=0.05, t0=15, lambd=1e-3, alpha=0.6), dict(lr=0.01, t0=0.0, weight_decay=0.1),
                                dict(lr=0.02, t0=30, maximize=True)], ids=["t0=15", "t0=0-wd", "maximize"])
def test_asgd_eta_mu_ax_equal_torch(kw):
    pd, pt = _dg_params(), _torch_params()
    od = optim.ASGD(_groups(pd, kw), **kw)
    ot = torch.optim.ASGD(_groups(pt, kw), foreach=False, **kw)
    for t in range(60):
        _run_dg(od, pd, 1)
        _run_torch(ot, pt, 1)
        for a, b in zip(pd[:4], pt[:4]):
            sd, st = od.state[a], ot.state[b]
            assert sd["step"] == st["step"].item()
            assert sd["eta"] == st["eta"].item() and sd["mu"] == st["mu"].item(), f"step {t + 1}"
            np.testing.assert_allclose(sd["ax"], st["ax"].numpy(), rtol=1e-5, atol=1e-6, err_msg=f"step {t + 1}")
    t0 = kw["t0"]
    assert od.state[pd[0]]["mu"] == pytest.approx(1 / max(1, 60 - t0), rel=1e-6)
    assert not np.array_equal(od.state[pd[0]]["ax"], pd[0].detach().numpy())  # a real average after t0


# ----------------------------------------------------------------------------- layout, errors, saving
@pytest.mark.parametrize("name,kw", NEW, ids=[n for n, _ in NEW])
def test_state_layout_matches_torch(name, kw):
    pd, pt = _dg_params(), _torch_params()
    od = getattr(optim, name)(_groups(pd, kw), **kw)
    ot = getattr(torch.optim, name)(_groups(pt, kw), **kw)
    _run_dg(od, pd, 3)
    _run_torch(ot, pt, 3)
    sd, st = od.state_dict(), ot.state_dict()
    assert sorted(sd["state"]) == sorted(st["state"]) == [0, 1, 2, 3]
    for k in sd["state"]:
        assert set(sd["state"][k]) == set(st["state"][k])
        for n, v in st["state"][k].items():
            mine = sd["state"][k][n]
            if v.ndim == 0:
                assert mine == v.item(), n
            else:
                np.testing.assert_allclose(mine.numpy(), v.numpy(), rtol=1e-5, atol=1e-7, err_msg=n)
    for gd, gt in zip(sd["param_groups"], st["param_groups"]):
        assert gd["params"] == gt["params"]
        for key, v in gd.items():
            assert v == gt[key], key


BAD = [
    ("Adamax", dict(lr=-1.0)), ("Adamax", dict(lr=float("nan"))), ("Adamax", dict(eps=-1e-8)),
    ("Adamax", dict(betas=(1.0, 0.9))), ("Adamax", dict(betas=(0.9, -0.1))), ("Adamax", dict(weight_decay=-1)),
    ("RAdam", dict(lr=-1e-3)), ("RAdam", dict(eps=-1.0)), ("RAdam", dict(betas=(-0.5, 0.9))),
    ("RAdam", dict(betas=(0.9, 1.0))), ("RAdam", dict(weight_decay=-0.1)),
    ("Rprop", dict(lr=-0.1)), ("Rprop", dict(etas=(1.2, 0.5))), ("Rprop", dict(etas=(0.0, 1.2))),
    ("Rprop", dict(etas=(0.5, 1.0))),
    ("ASGD", dict(lr=-0.01)), ("ASGD", dict(weight_decay=-1.0)),
    ("LBFGS", dict(lr=-1.0)),
]


@pytest.mark.parametrize("name,kw", BAD, ids=[f"{n}-{kw}" for n, kw in BAD])
def test_bad_hyperparameters_raise_torch_messages(name, kw):
    with pytest.raises(ValueError) as want:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError) as got:
        getattr(optim, name)([dg.zeros(2, requires_grad=True)], **kw)
    assert str(got.value) == str(want.value)


def test_rprop_has_no_weight_decay_and_lbfgs_one_group():
    with pytest.raises(TypeError):
        optim.Rprop([dg.zeros(2, requires_grad=True)], weight_decay=0.1)
    groups = [{"params": [dg.zeros(2, requires_grad=True)]}, {"params": [dg.zeros(2, requires_grad=True)]}]
    with pytest.raises(ValueError, match=r"^LBFGS doesn't support per-parameter options \(parameter groups\)$"):
        optim.LBFGS(groups)
    p = dg.zeros(2, requires_grad=True)
    opt = optim.LBFGS([p], line_search_fn="backtracking")

    def closure():
        p.grad = dg.ones(2)
        return 1.0

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


@pytest.mark.parametrize("name,kw", NEW, ids=[n for n, _ in NEW])
def test_resume_through_deepglass_save(name, kw, tmp_path):
    """``dg.save``/``dg.load`` of the state dict (safetensors + JSON) resumes bit for bit."""
    pd = _dg_params()
    od = getattr(optim, name)(_groups(pd, kw), **kw)
    _run_dg(od, pd, 30)
    dg.save({"optimizer": od.state_dict()}, tmp_path / "opt.safetensors")
    at30 = [p.detach().numpy().copy() for p in pd]
    full = _run_dg(od, pd, 30)
    fresh = [dg.tensor(a, requires_grad=True) for a in at30]
    o2 = getattr(optim, name)(_groups(fresh, kw), **kw)
    o2.load_state_dict(dg.load(tmp_path / "opt.safetensors")["optimizer"])
    for x, y in zip(full, _run_dg(o2, fresh, 30)):
        for a, b in zip(x, y):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name,kw", [("Adamax", dict(lr=0.01)), ("RAdam", dict(lr=0.01, weight_decay=1e-2)),
                                     ("Rprop", dict(lr=1e-3)), ("ASGD", dict(lr=0.05, t0=20))],
                         ids=["Adamax", "RAdam", "Rprop", "ASGD"])
def test_trajectory_with_deepglass_autograd(name, kw):
    """Gradients from deepglass's own autograd: within float32 noise of PyTorch."""
    pd, pt = _dg_params(), _torch_params()
    od = getattr(optim, name)(_groups(pd, kw), **kw)
    ot = getattr(torch.optim, name)(_groups(pt, kw), foreach=False, **kw)
    a, b = _run_dg(od, pd, STEPS, autograd=True), _run_torch(ot, pt, STEPS)
    atol = 1e-3 if name == "Rprop" else 1e-5  # Rprop moves by ±step size: a near-zero gradient may flip sign
    for step, (x, y) in enumerate(zip(a, b)):
        for i, (u, v) in enumerate(zip(x, y)):
            np.testing.assert_allclose(u, v, rtol=1e-4, atol=atol, err_msg=f"step {step + 1}, param {i}")


# ------------------------------------------------------------------------------------------- L-BFGS
def _rosenbrock(p, lib):
    x = p[0]
    return ((1 - x[:-1]) ** 2 + 100 * (x[1:] - x[:-1] ** 2) ** 2).sum()


_RNG = np.random.default_rng(3)
_Q = np.linalg.qr(_RNG.standard_normal((8, 8)))[0]
_A = (_Q * np.logspace(0, 2, 8)) @ _Q.T  # an SPD quadratic of condition number 100
_B = _RNG.standard_normal(8)
_XL = _RNG.standard_normal((32, 5))
_YL = np.sign(_XL @ _RNG.standard_normal(5) + 0.3 * _RNG.standard_normal(32))


def _quadratic(p, lib):
    x = p[0]
    a, b = (torch.tensor(_A, dtype=x.dtype), torch.tensor(_B, dtype=x.dtype))
    return 0.5 * x @ a @ x - b @ x


def _logistic(p, lib):
    w, b = p
    xl, yl = torch.tensor(_XL, dtype=w.dtype), torch.tensor(_YL, dtype=w.dtype)
    return torch.nn.functional.softplus(-yl * (xl @ w + b)).mean() + 1e-2 * (w * w).sum()


def _mlp(p, lib):
    x, y = torch.tensor(X, dtype=p[0].dtype), torch.tensor(Y, dtype=p[0].dtype)
    h = torch.tanh(x @ p[0].T + p[1])
    return ((h @ p[2].T + p[3] - y) ** 2).mean()


LBFGS_PROBLEMS = {
    "rosenbrock": (_rosenbrock, [np.array([-1.5, 2.0, -0.5, 1.0])]),
    "quadratic": (_quadratic, [np.zeros(8)]),
    "logistic": (_logistic, [np.zeros(5), np.zeros(())]),
    "mlp": (_mlp, [a.astype(np.float64) for a in INIT]),  # the 5th parameter never gets a gradient
}
LBFGS_CONFIGS = [
    dict(lr=0.1, max_iter=4),
    dict(lr=0.5, history_size=2, max_iter=3),
    dict(line_search_fn="strong_wolfe", max_iter=4),
    dict(line_search_fn="strong_wolfe", history_size=3, max_iter=6, max_eval=8),
    dict(line_search_fn="strong_wolfe", tolerance_grad=1e-5, tolerance_change=1e-7),
]


def _lbfgs_run(lib, problem, kw, steps, dtype):
    """``steps`` calls of ``step(closure)``; both frameworks get the loss and gradients from one torch function."""
    fn, init = LBFGS_PROBLEMS[problem]
    make = dg.tensor if lib == "dg" else torch.tensor
    params = [make(a.astype(dtype), requires_grad=True) for a in init]
    opt = (optim if lib == "dg" else torch.optim).LBFGS(params, **kw)
    n_grad = 4 if problem == "mlp" else len(params)

    def closure():
        opt.zero_grad()
        pt = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in params[:n_grad]]
        loss = fn(pt, "torch")
        loss.backward()
        for p, q in zip(params, pt):
            p.grad = make(q.grad.numpy().copy())
        return loss.item()

    traj, counts, losses = [], [], []
    for _ in range(steps):
        losses.append(opt.step(closure))
        traj.append([p.detach().numpy().copy() for p in params])
        s = opt.state[params[0]]
        counts.append((s["n_iter"], s["func_evals"]))
    return traj, counts, losses, opt, params


@pytest.mark.parametrize("kw", LBFGS_CONFIGS, ids=[str(k) for k in LBFGS_CONFIGS])
@pytest.mark.parametrize("problem", list(LBFGS_PROBLEMS))
def test_lbfgs_float64_trajectory_equals_torch(problem, kw):
    """In float64 the runs agree to rounding and take the same decisions: iterations and closure calls match.

    15 ``step()`` calls (up to 300 iterations), except on the MLP, whose loss surface has flat
    directions along which a last-bit difference (float64 dot products summed in another order)
    grows exponentially: 2 calls (up to 40 iterations) there.
    """
    steps = 2 if problem == "mlp" else 15
    a, ca, la, _, _ = _lbfgs_run("dg", problem, kw, steps, np.float64)
    b, cb, lb, _, _ = _lbfgs_run("torch", problem, kw, steps, np.float64)
    assert ca == cb
    np.testing.assert_allclose(la, lb, rtol=1e-10)
    for step, (x, y) in enumerate(zip(a, b)):
        for i, (u, v) in enumerate(zip(x, y)):
            np.testing.assert_allclose(u, v, rtol=1e-8, atol=1e-8, err_msg=f"step {step + 1}, param {i}")


@pytest.mark.parametrize("kw", LBFGS_CONFIGS[:3], ids=[str(k) for k in LBFGS_CONFIGS[:3]])
@pytest.mark.parametrize("problem", ["rosenbrock", "logistic", "mlp"])
def test_lbfgs_float32_trajectory_close_to_torch(problem, kw):
    """float32: PyTorch's dot products (MKL ``sdot``) round differently from NumPy's, so the runs agree to
    float32 noise. Once converged (the logistic fit, by step 3) the stopping tests compare quantities at
    that noise level, so the iteration counts are compared over the first 2 steps only."""
    a, ca, la, _, _ = _lbfgs_run("dg", problem, kw, 5, np.float32)
    b, cb, lb, _, _ = _lbfgs_run("torch", problem, kw, 5, np.float32)
    assert ca[:2] == cb[:2]
    np.testing.assert_allclose(la, lb, rtol=1e-4)
    for step, (x, y) in enumerate(zip(a, b)):
        for i, (u, v) in enumerate(zip(x, y)):
            np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-4, err_msg=f"step {step + 1}, param {i}")


def _deep_snapshot(sd):
    def copy_(v):
        if isinstance(v, dg.Tensor):
            return dg.tensor(np.array(v.numpy(), copy=True))
        if isinstance(v, list):
            return [copy_(x) for x in v]
        return v

    return {"param_groups": copy.deepcopy(sd["param_groups"]),
            "state": {k: {n: copy_(v) for n, v in s.items()} for k, s in sd["state"].items()}}


@pytest.mark.parametrize("kw", [LBFGS_CONFIGS[1], LBFGS_CONFIGS[3]], ids=["fixed-step", "strong_wolfe"])
def test_lbfgs_state_dict_resume_and_layout(kw, tmp_path):
    a, _, _, opt, params = _lbfgs_run("dg", "mlp", kw, 3, np.float32)
    saved = _deep_snapshot(opt.state_dict())
    dg.save({"optimizer": opt.state_dict()}, tmp_path / "lbfgs.safetensors")
    at3 = [p.detach().numpy().copy() for p in params]

    def closure_for(ps, o):
        def closure():
            o.zero_grad()
            pt = [torch.tensor(p.detach().numpy(), requires_grad=True) for p in ps[:4]]
            loss = _torch_loss(pt)
            loss.backward()
            for p, q in zip(ps, pt):
                p.grad = dg.tensor(q.grad.numpy().copy())
            return loss.item()
        return closure

    def go(ps, o):
        out = []
        for _ in range(4):
            o.step(closure_for(ps, o))
            out.append([p.detach().numpy().copy() for p in ps])
        return out

    full = go(params, opt)
    for source in (saved, dg.load(tmp_path / "lbfgs.safetensors")["optimizer"]):
        fresh = [dg.tensor(x.copy(), requires_grad=True) for x in at3]
        o2 = optim.LBFGS(fresh, **{**kw, "lr": 123.0})
        o2.load_state_dict(source)
        assert o2.param_groups[0]["lr"] == kw.get("lr", 1)
        for x, y in zip(full, go(fresh, o2)):
            for u, v in zip(x, y):
                np.testing.assert_array_equal(u, v)

    # the same state keys as PyTorch, all under parameter 0
    _, _, _, ot, _ = _lbfgs_run("torch", "mlp", kw, 3, np.float32)
    st = ot.state_dict()
    assert list(saved["state"]) == list(st["state"]) == [0]
    assert set(saved["state"][0]) == set(st["state"][0])
    assert len(saved["state"][0]["old_dirs"]) == len(st["state"][0]["old_dirs"])


def test_lbfgs_with_deepglass_autograd_closure():
    """The usual closure (zero_grad, forward, backward, return loss): converges like PyTorch's run."""
    pd, pt = _dg_params(), _torch_params()
    od = optim.LBFGS(pd, lr=1, line_search_fn="strong_wolfe", max_iter=5)
    ot = torch.optim.LBFGS(pt, lr=1, line_search_fn="strong_wolfe", max_iter=5)

    def closure_dg():
        od.zero_grad()
        loss = _dg_loss(pd)
        loss.backward()
        return loss

    def closure_torch():
        ot.zero_grad()
        loss = _torch_loss(pt)
        loss.backward()
        return loss

    first = od.step(closure_dg)
    assert isinstance(first, dg.Tensor)
    ot.step(closure_torch)
    for _ in range(2):
        od.step(closure_dg)
        ot.step(closure_torch)
    for a, b in zip(pd, pt):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-3, atol=1e-4)
    for _ in range(10):
        od.step(closure_dg)
    assert _dg_loss(pd).item() < 0.5 * first.item()
    np.testing.assert_array_equal(pd[4].detach().numpy(), INIT[4])  # never had a gradient: d is 0 there
