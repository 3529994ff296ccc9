"""cifar_net and lenet5 against their torch.nn.Sequential twins: keys, outputs, every gradient, an SGD step."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass
import deepglass.nn.functional as F
from deepglass.models import cifar_net, lenet5


def _torch_cifar():
    n = torch.nn
    return n.Sequential(n.Conv2d(3, 32, 5, padding=2), n.MaxPool2d(2), n.Conv2d(32, 32, 5, padding=2), n.MaxPool2d(2),
                        n.Conv2d(32, 64, 5, padding=2), n.MaxPool2d(2), n.Flatten(), n.Linear(1024, 64),
                        n.Linear(64, 10))


def _torch_lenet():
    n = torch.nn
    return n.Sequential(n.Conv2d(1, 6, 5, padding=2), n.Sigmoid(), n.AvgPool2d(2, 2), n.Conv2d(6, 16, 5), n.Sigmoid(),
                        n.AvgPool2d(2, 2), n.Flatten(), n.Linear(400, 120), n.Sigmoid(), n.Linear(120, 84),
                        n.Sigmoid(), n.Linear(84, 10))


@pytest.mark.parametrize("dg_fn,th_fn,shape", [(cifar_net, _torch_cifar, (4, 3, 32, 32)),
                                               (lenet5, _torch_lenet, (3, 1, 28, 28))])
def test_model_matches_torch(dg_fn, th_fn, shape):
    torch.manual_seed(0)
    th, dg = th_fn(), dg_fn()
    assert list(dg.state_dict()) == list(th.state_dict())
    assert sum(p.numel() for p in dg.parameters()) == sum(p.numel() for p in th.parameters())
    dg.load_state_dict({k: v.detach().numpy() for k, v in th.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, 10, shape[0])
    params_t = list(th.parameters())
    opt = torch.optim.SGD(params_t, lr=0.01, momentum=0.9)
    buf = {}
    for _step in range(2):  # loss, every gradient, and the weights after two momentum-SGD steps
        out_d, out_t = dg(deepglass.tensor(x)), th(torch.tensor(x))
        np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy(), rtol=1e-4, atol=1e-5)
        ld = -(F.log_softmax(out_d, dim=1)[deepglass.arange(shape[0]), deepglass.tensor(y)]).mean()
        lt = torch.nn.functional.cross_entropy(out_t, torch.tensor(y))
        assert ld.item() == pytest.approx(lt.item(), rel=1e-5)
        opt.zero_grad()
        lt.backward()
        for p in dg.parameters():
            p.grad = None
        ld.backward()
        for (name, pd), pt in zip(dg.named_parameters(), params_t):
            np.testing.assert_allclose(pd.grad.numpy(), pt.grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)
        opt.step()
        with deepglass.no_grad():
            for name, p in dg.named_parameters():
                b = buf[name] = p.grad._array if name not in buf else 0.9 * buf[name] + p.grad._array
                p._array -= 0.01 * b
    for (name, pd), pt in zip(dg.named_parameters(), params_t):
        np.testing.assert_allclose(pd.detach().numpy(), pt.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


def test_cifar_net_shapes_and_default_init_differs_per_seed():
    deepglass.manual_seed(1)
    a = cifar_net()
    deepglass.manual_seed(2)
    b = cifar_net()
    assert not np.array_equal(a[0].weight.detach().numpy(), b[0].weight.detach().numpy())
    assert a(deepglass.randn(2, 3, 32, 32)).shape == (2, 10)
    assert sum(p.numel() for p in a.parameters()) == 145578
