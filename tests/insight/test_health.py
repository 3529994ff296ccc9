"""HealthMonitor: recorded statistics against NumPy, and the verdicts on constructed pathologies."""
import numpy as np
import pytest

import deepglass
from deepglass import nn
from deepglass.insight import HealthMonitor


def _train(net, lr, steps=8, every=2, opt="sgd", data=None, writer=None):
    deepglass.manual_seed(0)
    o = (deepglass.optim.SGD if opt == "sgd" else deepglass.optim.Adam)(net.parameters(), lr=lr)
    mon = HealthMonitor(net, every=every, writer=writer)
    for i in range(steps):
        if data is None:
            x, y = deepglass.randn(32, 16), deepglass.randint(0, 4, (32,))
        else:
            x, y = data[i % len(data)]
        loss = nn.functional.cross_entropy(net(x), y)
        o.zero_grad()
        loss.backward()
        o.step()
        mon.step()
    return mon


def _kinds(mon):
    return {f.kind for f in mon.verdict()}


def _relu_net():
    deepglass.manual_seed(0)
    return nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))


def test_statistics_match_numpy():
    net = _relu_net()
    acts = {}
    net[1].register_forward_hook(lambda m, a, out: acts.update(relu=out._array.copy()))
    x = deepglass.randn(8, 16)
    w0 = net[0].weight._array.copy()
    opt = deepglass.optim.SGD(net.parameters(), lr=0.1)
    mon = HealthMonitor(net, every=1)
    loss = net(x).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    g0 = net[0].weight.grad._array.copy()
    opt.step()
    mon.step()
    a = acts["relu"]
    h = mon.history
    assert h["1"]["act_mean"] == [(0, pytest.approx(float(a.mean()), rel=1e-6))]
    assert h["1"]["act_std"][0][1] == pytest.approx(float(a.std()), rel=1e-6)
    assert h["1"]["dead_frac"][0][1] == pytest.approx(float((a == 0).all(axis=0).mean()))
    assert h["0"]["grad_norm"][0][1] == pytest.approx(float(np.linalg.norm(g0)), rel=1e-5)
    dw = net[0].weight._array - w0
    assert h["0"]["update_ratio"][0][1] == pytest.approx(float(np.linalg.norm(dw) / np.linalg.norm(w0)), rel=1e-5)
    assert mon.layers == ["0", "1", "2", "3", "4"]
    mon.remove()


def test_records_only_every_n_steps_and_not_in_eval():
    net = _relu_net()
    mon = _train(net, 0.01, steps=7, every=3)
    assert mon.steps == [0, 3, 6]
    assert [s for s, _ in mon.history["0"]["grad_norm"]] == [0, 3, 6]
    net.eval()
    net(deepglass.randn(4, 16))   # an evaluation forward at a recording step records nothing
    assert len(mon.history["1"]["act_mean"]) == 3
    mon.remove()


def test_deep_sigmoid_mlp_vanishing_gradients():
    deepglass.manual_seed(0)
    layers, d = [], 16
    for _ in range(10):
        layers += [nn.Linear(d, 32), nn.Sigmoid()]
        d = 32
    mon = _train(nn.Sequential(*layers, nn.Linear(32, 4)), 0.1)
    found = {f.kind: f for f in mon.verdict()}
    assert "vanishing_gradients" in found and found["vanishing_gradients"].severity == "error"
    assert found["vanishing_gradients"].layers == ["0", "20"]
    assert "lr_too_low" not in found           # explained by the vanishing gradients
    g = mon.latest("grad_norm")
    assert g["0"] < 1e-3 * g["20"]


def test_large_negative_bias_dead_units():
    net = _relu_net()
    with deepglass.no_grad():
        net[2].bias.fill_(-10.0)
    mon = _train(net, 0.01)
    found = {f.kind: f for f in mon.verdict()}
    assert found["dead_units"].layers == ["3"]
    assert "LeakyReLU" in found["dead_units"].suggestion
    assert mon.latest("dead_frac")["3"] == 1.0 and mon.latest("dead_frac")["1"] < 0.3


def test_lr_10_exploding_updates():
    mon = _train(_relu_net(), 10.0, steps=6, every=1)
    found = {f.kind: f for f in mon.verdict()}
    assert found["lr_too_high"].severity == "error"
    assert "exploding updates" in found["lr_too_high"].message


def test_tiny_lr_too_low():
    mon = _train(_relu_net(), 1e-7, steps=4, every=1)
    assert "lr_too_low" in _kinds(mon)


def test_healthy_digits_no_false_alarm(tmp_path):
    from deepglass.data import DataLoader, Digits
    from deepglass.models import digits_cnn

    deepglass.manual_seed(0)
    loader = DataLoader(Digits(train=True), batch_size=32, shuffle=True)
    data = [b for _, b in zip(range(30), loader)]
    net = digits_cnn()

    class Writer:
        def __init__(self):
            self.scalars = []

        def add_scalar(self, tag, value, step):
            self.scalars.append((tag, value, step))

        def add_histogram(self, *a):  # pragma: no cover - histograms are off by default
            raise AssertionError("histograms were not asked for")

    w = Writer()
    mon = _train(net, 3e-3, steps=30, every=5, opt="adam", data=data, writer=w)
    assert mon.verdict() == []
    assert mon.steps == [0, 5, 10, 15, 20, 25]
    first = mon.layers[0]
    assert (f"health/{first}/grad_norm", mon.history[first]["grad_norm"][0][1], 0) in w.scalars
    md = mon.markdown("health.png")
    assert md.startswith("## Training health") and "No alarm" in md and "![gradient norm per layer](health.png)" in md
    mon.plot_gradients(tmp_path / "health.png")
    assert (tmp_path / "health.png").stat().st_size > 1000
    d = mon.as_dict()
    assert d["findings"] == [] and d["layers"] == mon.layers


def test_tensorboardx_histograms(tmp_path):
    tbx = pytest.importorskip("tensorboardX")
    with tbx.SummaryWriter(str(tmp_path)) as w:
        mon = _train(_relu_net(), 0.01, steps=2, every=1, writer=w)
        mon.histograms = True
        mon.step()
    assert any(p.name.startswith("events.out.tfevents") for p in tmp_path.iterdir())


def test_every_must_be_positive():
    with pytest.raises(ValueError, match="every must be >= 1"):
        HealthMonitor(_relu_net(), every=0)


def test_annealed_lr_at_the_end_is_no_alarm():
    """A schedule that anneals the rate to ~0 in its last steps (onecycle) is not 'lr too low'."""
    net = _relu_net()
    deepglass.manual_seed(0)
    opt = deepglass.optim.SGD(net.parameters(), lr=0.05)
    mon = HealthMonitor(net, every=1)
    for i in range(10):
        if i == 7:
            opt.param_groups[0]["lr"] = 1e-9
        loss = nn.functional.cross_entropy(net(deepglass.randn(32, 16)), deepglass.randint(0, 4, (32,)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        mon.step()
    assert max(mon.latest("update_ratio").values()) < 1e-6     # the last three recordings: tiny updates
    assert mon.verdict() == []


def test_saturated_tanh_units():
    deepglass.manual_seed(0)
    net = nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 4))
    with deepglass.no_grad():
        net[0].weight.mul_(40.0)
    out = {}
    net[1].register_forward_hook(lambda m, a, o: out.update(t=o._array.copy()))
    mon = _train(net, 0.01, steps=1, every=1)
    frac = float((np.abs(out["t"]) > 0.99).mean())
    assert frac > 0.5 and mon.history["1"]["saturated_frac"] == [(0, pytest.approx(frac))]
    found = {f.kind: f for f in mon.verdict()}
    assert found["saturated_units"].layers == ["1"]
