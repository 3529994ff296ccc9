"""Explanations: Grad-CAM and saliency against PyTorch on the same weights; attention, gates, receptive field."""
import numpy as np
import pytest
import torch

import deepglass
from deepglass import nn
from deepglass.insight import explain


def _cnn(lib):
    n = lib.nn
    return n.Sequential(n.Conv2d(3, 8, 3, padding=1), n.ReLU(), n.Conv2d(8, 8, 3, padding=1), n.ReLU(),
                        n.MaxPool2d(2), n.Conv2d(8, 16, 3, padding=1), n.ReLU(), n.AdaptiveAvgPool2d(1),
                        n.Flatten(), n.Linear(16, 5))


def _pair():
    torch.manual_seed(0)
    th = _cnn(torch).eval()
    dg = _cnn(deepglass).eval()
    dg.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((1, 3, 12, 10)).astype(np.float32)
    return th, dg, x


def _torch_grad_cam(th, x, target, layer_index):
    """Grad-CAM written directly in PyTorch (the reference)."""
    store = {}

    def hook(m, a, out):
        store["A"] = out
        out.retain_grad()

    h = th[layer_index].register_forward_hook(hook)
    logits = th(torch.from_numpy(x))
    h.remove()
    c = int(logits[0].argmax()) if target is None else target
    logits[0, c].backward()
    A, dA = store["A"][0].double(), store["A"].grad[0].double()
    alpha = dA.mean(dim=(1, 2))
    cam = torch.relu((alpha[:, None, None] * A).sum(0))
    up = torch.nn.functional.interpolate(cam[None, None], size=x.shape[2:], mode="bilinear", align_corners=False)[0, 0]
    return c, cam.detach().numpy(), (up / up.max()).detach().numpy(), alpha.detach().numpy()


@pytest.mark.parametrize("target", [None, 3])
def test_grad_cam_equals_pytorch(target):
    th, dg, x = _pair()
    r = explain.grad_cam(dg, x, target=target)
    assert r["layer"] == "6"     # the last feature map larger than 1×1: the ReLU after the third conv
    c, cam, heat, alpha = _torch_grad_cam(th, x, target, 6)
    assert r["class"] == c
    assert r["cam"].shape == (6, 5) and cam.max() > 0
    np.testing.assert_allclose(r["cam"], cam, atol=1e-5, rtol=0)
    np.testing.assert_allclose(r["weights"], alpha, atol=1e-6, rtol=0)
    np.testing.assert_allclose(r["heatmap"], heat, atol=1e-5, rtol=0)


def test_grad_cam_named_layer_and_errors():
    th, dg, x = _pair()
    r = explain.grad_cam(dg, x, target=1, layer="2")
    _, cam, _, _ = _torch_grad_cam(th, x, 1, 2)
    np.testing.assert_allclose(r["cam"], cam, atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="one input"):
        explain.grad_cam(dg, np.zeros((2, 3, 12, 10), np.float32))
    with pytest.raises(ValueError, match="4-D"):
        explain.grad_cam(nn.Linear(4, 2), np.zeros((1, 4), np.float32))


def test_saliency_equals_input_gradient():
    th, dg, x = _pair()
    r = explain.saliency(dg, x, target=2)
    xt = torch.from_numpy(x).requires_grad_()
    th(xt)[0, 2].backward()
    g = xt.grad[0].numpy()
    np.testing.assert_allclose(r["gradient"], g, atol=1e-6, rtol=1e-5)
    np.testing.assert_allclose(r["saliency"], np.abs(g).max(axis=0), atol=1e-6, rtol=1e-5)
    assert r["class"] == 2


def test_attention_rollout_matches_torch_weights():
    torch.manual_seed(0)
    th = torch.nn.MultiheadAttention(8, 2, batch_first=True).eval()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, x):
            y = self.attn(x, x, x, need_weights=False)[0]
            return self.attn(y, y, y, need_weights=False)[0]

    net = Net().eval()
    net.attn.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((1, 5, 8)).astype(np.float32)
    r = explain.attention_rollout(net, deepglass.tensor(x))
    xt = torch.from_numpy(x)
    y, w1 = th(xt, xt, xt)
    _, w2 = th(y, y, y)
    assert r["layers"] == ["attn", "attn"]
    np.testing.assert_allclose(r["maps"][0], w1[0].detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(r["maps"][1], w2[0].detach().numpy(), atol=1e-6)
    eye = np.eye(5)
    a1 = 0.5 * w1[0].detach().double().numpy() + 0.5 * eye
    a2 = 0.5 * w2[0].detach().double().numpy() + 0.5 * eye
    ref = (a2 / a2.sum(1, keepdims=True)) @ (a1 / a1.sum(1, keepdims=True))
    np.testing.assert_allclose(r["rollout"], ref, atol=1e-6)
    np.testing.assert_allclose(r["rollout"].sum(1), 1.0, atol=1e-12)
    assert r["grid"] == pytest.approx(r["cls"].reshape(2, 2))


def test_attention_gates():
    deepglass.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.SqueezeExcitation(8, reduction=2), nn.CBAM(8, reduction=2),
                        nn.SpatialTransformer(8)).eval()
    x = deepglass.randn(1, 1, 6, 6)
    r = explain.attention_gates(net, x)
    assert set(r) == {"1", "2", "3"}
    with deepglass.no_grad():
        h = net[0](x)
        s = net[1]._scale(h)
        np.testing.assert_allclose(r["1"]["channel"], s._array.reshape(-1), rtol=1e-6)
        h2 = net[1](h)
        mc = net[2].channel_attention(h2)
        np.testing.assert_allclose(r["2"]["channel"], mc._array.reshape(-1), rtol=1e-6)
        ms = net[2].spatial_attention(mc * h2)
        np.testing.assert_allclose(r["2"]["spatial"], ms._array[0, 0], rtol=1e-6)
        h3 = net[2](h2)
        np.testing.assert_allclose(r["3"]["warped"], net[3](h3)._array[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(r["3"]["theta"], [[1, 0, 0], [0, 1, 0]], atol=1e-7)  # θ starts at the identity
    assert r["1"]["kind"] == "se" and r["2"]["kind"] == "cbam" and r["3"]["kind"] == "stn"


def test_receptive_field_box():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 2, 3), nn.MaxPool2d(2), nn.Conv2d(2, 1, 3))
    r = explain.receptive_field_box(net, deepglass.randn(1, 1, 20, 20))
    # 3 + 2 (second conv) + 1 (pool 2) + 2·2 (last conv after stride 2) = 10
    assert r["size"] == 10 and r["layer"] == "4"
    (y0, y1), (x0, x1) = r["region"]
    assert y1 - y0 + 1 == 10 and x1 - x0 + 1 == 10


def test_grad_cam_module_called_twice_uses_the_last_call():
    class Block:
        """conv → shared ReLU → conv → + → the same ReLU (as a ResNet BasicBlock), then a linear head."""

        def __init__(self, lib):
            n = lib.nn
            base = n.Module
            mods = dict(conv1=n.Conv2d(2, 4, 3, padding=1), conv2=n.Conv2d(4, 4, 3, padding=1), relu=n.ReLU(),
                        pool=n.AdaptiveAvgPool2d(1), fc=n.Linear(4, 3))

            class Net(base):
                def __init__(self):
                    super().__init__()
                    for k, v in mods.items():
                        setattr(self, k, v)

                def forward(self, x):
                    h = self.relu(self.conv1(x))
                    h = self.relu(self.conv2(h) + h)
                    return self.fc(self.pool(h).flatten(1))

            self.net = Net().eval()

    torch.manual_seed(1)
    th = Block(torch).net
    dg = Block(deepglass).net
    dg.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((1, 2, 6, 6)).astype(np.float32)
    r = explain.grad_cam(dg, x, target=0)
    assert r["layer"] == "relu"
    store = []
    th.relu.register_forward_hook(lambda m, a, out: (store.append(out), out.retain_grad()) and None)
    th(torch.from_numpy(x))[0, 0].backward()
    A = store[-1][0].detach().double()
    alpha = store[-1].grad[0].double().mean(dim=(1, 2))
    ref = torch.relu((alpha[:, None, None] * A).sum(0)).numpy()
    assert ref.max() > 0
    np.testing.assert_allclose(r["cam"], ref, atol=1e-5, rtol=0)
