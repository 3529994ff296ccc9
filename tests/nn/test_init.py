"""nn.init against PyTorch's rules, and the layers' default initialisation (statistically)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepglass
import deepglass.nn as nn
from deepglass.nn import init


def test_calculate_gain_matches_torch():
    for nl, p in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                  ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert init.calculate_gain(nl, p) == pytest.approx(torch.nn.init.calculate_gain(nl, p))
    with pytest.raises(ValueError):
        init.calculate_gain("nope")


def _bound_and_std(fn_dg, fn_th, shape, **kw):
    d = fn_dg(deepglass.empty(*shape), **kw).numpy()
    t = fn_th(torch.empty(*shape), **kw).numpy()
    return d, t


@pytest.mark.parametrize("name,kw", [("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}),
                                     ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
                                     ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"})])
def test_uniform_inits_have_torch_bounds(name, kw):
    d, t = _bound_and_std(getattr(init, name), getattr(torch.nn.init, name), (64, 32, 3, 3), **kw)
    bound_t = np.abs(t).max()
    assert np.abs(d).max() <= bound_t * 1.01 and np.abs(d).max() > bound_t * 0.98
    assert d.std() == pytest.approx(t.std(), rel=0.03)
    assert abs(d.mean()) < 0.05 * d.std() + 1e-3


@pytest.mark.parametrize("name,kw", [("xavier_normal_", {}), ("kaiming_normal_", {}),
                                     ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
                                     ("normal_", {"mean": 1.0, "std": 0.5})])
def test_normal_inits_have_torch_std(name, kw):
    d, t = _bound_and_std(getattr(init, name), getattr(torch.nn.init, name), (64, 32, 3, 3), **kw)
    assert d.std() == pytest.approx(t.std(), rel=0.03)
    assert float(d.mean()) == pytest.approx(float(t.mean()), abs=float(0.03 * t.std() + 1e-3))


def test_simple_fills_and_trunc_normal():
    w = deepglass.empty(3, 4)
    assert (init.constant_(w, 0.5).numpy() == 0.5).all()
    assert (init.ones_(w).numpy() == 1).all() and (init.zeros_(w).numpy() == 0).all()
    assert (init.eye_(w).numpy() == np.eye(3, 4)).all()
    u = init.uniform_(deepglass.empty(1000), -2.0, 3.0).numpy()
    assert u.min() >= -2 and u.max() <= 3 and u.mean() == pytest.approx(0.5, abs=0.15)
    t = init.trunc_normal_(deepglass.empty(5000), mean=0.0, std=1.0, a=-1.0, b=1.5).numpy()
    assert t.min() >= -1.0 and t.max() <= 1.5 and t.std() > 0.5
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(deepglass.empty(5))


def test_init_is_seeded_inplace_and_leaves_no_graph():
    p = nn.Parameter(deepglass.empty(4, 5))
    data = p._array
    deepglass.manual_seed(3)
    init.kaiming_uniform_(p)
    a = p.detach().numpy().copy()
    assert p._array is data and p.grad_fn is None and p.requires_grad
    deepglass.manual_seed(3)
    init.kaiming_uniform_(p)
    assert np.array_equal(p.detach().numpy(), a)


@pytest.mark.parametrize("dg_mod,th_mod", [
    (lambda: nn.Linear(400, 300), lambda: torch.nn.Linear(400, 300)),
    (lambda: nn.Conv2d(16, 64, 3), lambda: torch.nn.Conv2d(16, 64, 3)),
    (lambda: nn.Conv2d(16, 64, 5, groups=4), lambda: torch.nn.Conv2d(16, 64, 5, groups=4)),
    (lambda: nn.ConvTranspose2d(64, 16, 3), lambda: torch.nn.ConvTranspose2d(64, 16, 3)),
    (lambda: nn.Conv1d(8, 32, 3), lambda: torch.nn.Conv1d(8, 32, 3)),
])
def test_default_layer_init_matches_torch_rule(dg_mod, th_mod):
    d, t = dg_mod(), th_mod()
    for name in ("weight", "bias"):
        dv, tv = getattr(d, name).detach().numpy(), getattr(t, name).detach().numpy()
        bound = 1 / math.sqrt(t.weight[0].numel() if not isinstance(t, torch.nn.ConvTranspose2d)
                              else t.weight.shape[1] * t.weight[0, 0].numel())
        assert np.abs(dv).max() <= bound and np.abs(tv).max() <= bound
        if dv.size > 100:
            assert np.abs(dv).max() > 0.9 * bound
        if dv.size > 1000:
            assert dv.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)


def test_default_init_of_other_layers():
    bn = nn.BatchNorm2d(4)
    assert (bn.weight.detach().numpy() == 1).all()
    assert (bn.bias.detach().numpy() == 0).all() and (bn.running_var.numpy() == 1).all()
    assert bn.num_batches_tracked.dtype == np.int64
    e = nn.Embedding(2000, 8, padding_idx=3)
    w = e.weight.detach().numpy()
    assert (w[3] == 0).all() and w.std() == pytest.approx(1.0, rel=0.05)
    assert (nn.PReLU(3).weight.detach().numpy() == 0.25).all()
    ln = nn.LayerNorm(6)
    assert (ln.weight.detach().numpy() == 1).all() and (ln.bias.detach().numpy() == 0).all()


def test_state_dict_keys_match_torch():
    specs = ["Linear(3, 2)", "Conv2d(3, 4, 3, bias=False)", "BatchNorm1d(3)", "BatchNorm2d(3, affine=False)",
             "LayerNorm(4)", "GroupNorm(2, 4)", "PReLU()", "Embedding(5, 2)", "ConvTranspose2d(2, 3, 3)"]
    for s in specs:
        d, t = eval("nn." + s), eval("torch.nn." + s)
        assert list(d.state_dict()) == list(t.state_dict()), s
        for k, v in t.state_dict().items():
            assert tuple(d.state_dict()[k].shape) == tuple(v.shape), (s, k)
