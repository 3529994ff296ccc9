"""The model zoo: torchvision's parameter counts and state-dict keys, parity with torchvision-layout
twins built in PyTorch (torchvision is not installed), small inputs, the registry, a ViT that learns.

The ResNet and MobileNetV2 twins are the suite's one copy in ``tests/analysis/tv_models.py``, imported
as ``analysis.tv_models``: pytest (default "prepend" import mode) puts ``tests/`` on ``sys.path`` for
the root ``tests/conftest.py`` and for the ``tests/analysis`` package, so this works however the
tests are selected."""
from __future__ import annotations

import gc
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn as tnn
from analysis import tv_models

import deepglass
from deepglass import models, nn
from deepglass.nn import functional as F


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, deepglass.Tensor) else t.detach().numpy()


def _count(m):
    return sum(int(np.prod(p.shape)) for p in m.parameters())


def _load(dg_mod, th_mod):
    dg_mod.load_state_dict({k: v.detach().numpy().copy() for k, v in th_mod.state_dict().items()}, strict=True)


# ------------------------------------------------------------------ torchvision-layout twins (PyTorch)
# ResNet and MobileNetV2 are tests/analysis/tv_models.py's, built here with torch.nn; the ViT twin is
# PyTorch-only (nn.MultiheadAttention, torch.cat) and lives here.

class TEncoderBlock(tnn.Module):
    def __init__(self, heads, dim, mlp_dim):
        super().__init__()
        self.ln_1 = tnn.LayerNorm(dim, eps=1e-6)
        self.self_attention = tnn.MultiheadAttention(dim, heads, batch_first=True)
        self.dropout = tnn.Dropout(0.0)
        self.ln_2 = tnn.LayerNorm(dim, eps=1e-6)
        self.mlp = tnn.Sequential(tnn.Linear(dim, mlp_dim), tnn.GELU(), tnn.Dropout(0.0), tnn.Linear(mlp_dim, dim),
                                  tnn.Dropout(0.0))

    def forward(self, inp):
        x = self.ln_1(inp)
        x, _ = self.self_attention(x, x, x, need_weights=False)
        x = self.dropout(x) + inp
        return x + self.mlp(self.ln_2(x))


class TViT(tnn.Module):
    def __init__(self, image_size, patch, depth, heads, dim, mlp_dim, num_classes, in_channels):
        super().__init__()
        self.dim = dim
        self.conv_proj = tnn.Conv2d(in_channels, dim, patch, patch)
        self.class_token = tnn.Parameter(torch.randn(1, 1, dim) * 0.1)
        seq = (image_size // patch) ** 2 + 1
        self.encoder = tnn.Module()
        self.encoder.pos_embedding = tnn.Parameter(torch.randn(1, seq, dim) * 0.02)
        self.encoder.dropout = tnn.Dropout(0.0)
        self.encoder.layers = tnn.Sequential(OrderedDict(
            (f"encoder_layer_{i}", TEncoderBlock(heads, dim, mlp_dim)) for i in range(depth)))
        self.encoder.ln = tnn.LayerNorm(dim, eps=1e-6)
        self.heads = tnn.Sequential(OrderedDict(head=tnn.Linear(dim, num_classes)))

    def forward(self, x):
        n = x.shape[0]
        x = self.conv_proj(x).reshape(n, self.dim, -1).permute(0, 2, 1)
        x = torch.cat([self.class_token.expand(n, -1, -1), x], dim=1)
        e = self.encoder
        x = e.ln(e.layers(e.dropout(x + e.pos_embedding)))
        return self.heads(x[:, 0])


# ------------------------------------------------------------------ parity


def _parity(dg_model, th_model, x, mode, rtol=1e-3, atol=1e-4):
    _load(dg_model, th_model)
    if x.dtype == np.float64:  # compare in double: no float32 reordering noise
        dg_model.double()
        th_model.double()
    getattr(dg_model, mode)()
    getattr(th_model, mode)()
    dx = deepglass.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    d_out, t_out = dg_model(dx), th_model(tx)
    np.testing.assert_allclose(_np(d_out), t_out.detach().numpy(), rtol=rtol, atol=atol)
    s = np.random.default_rng(1).standard_normal(tuple(t_out.shape)).astype(x.dtype)
    (d_out * deepglass.tensor(s)).sum().backward()
    (t_out * torch.tensor(s)).sum().backward()
    dp = dict(dg_model.named_parameters())
    for name, p in th_model.named_parameters():
        scale = max(1.0, float(np.abs(p.grad.numpy()).max()))
        np.testing.assert_allclose(_np(dp[name].grad), p.grad.numpy(), rtol=rtol, atol=atol * scale, err_msg=name)
    np.testing.assert_allclose(_np(dx.grad), tx.grad.numpy(), rtol=rtol, atol=atol)
    if mode == "train":  # batch-norm running statistics moved the same way
        db = dict(dg_model.named_buffers())
        for name, b in th_model.named_buffers():
            np.testing.assert_allclose(_np(db[name]), b.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
    return dx


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_resnet18_matches_torchvision_twin(mode):
    torch.manual_seed(0)
    th = tv_models.build(tnn, "resnet18", num_classes=10)
    dg = models.resnet18(num_classes=10)
    assert list(dg.state_dict()) == list(th.state_dict())
    # 64×64 so that layer4's batch statistics (train mode) see 2·2·2 values per channel: with only
    # two (32×32 input) BN divides by a tiny variance and float32 rounding grows past 1e-3
    side = 64 if mode == "train" else 32
    x = np.random.default_rng(0).standard_normal((2, 3, side, side)).astype(np.float32)
    _parity(dg, th, x, mode)


def test_resnet50_matches_torchvision_twin_eval():
    torch.manual_seed(0)
    th = tv_models.build(tnn, "resnet50", num_classes=5)
    dg = models.resnet50(num_classes=5)
    assert list(dg.state_dict()) == list(th.state_dict())
    _load(dg, th)
    dg.eval(), th.eval()
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        t_out = th(torch.tensor(x)).numpy()
    np.testing.assert_allclose(_np(dg(deepglass.tensor(x))), t_out, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_mobilenet_v2_matches_torchvision_twin(mode):
    torch.manual_seed(0)
    th = tv_models.build(tnn, "mobilenet_v2", num_classes=10)
    dg = models.mobilenet_v2(num_classes=10, dropout=0.0 if mode == "train" else 0.2)
    th.classifier[0].p = 0.0 if mode == "train" else 0.2
    assert list(dg.state_dict()) == list(th.state_dict())
    side = 64 if mode == "train" else 32  # see resnet18's note
    # in float64: with 52 batch norms in train mode, float32 gradients of features.0.0.weight depend on
    # summation order (PyTorch's own float32 and float64 gradients there differ by 69%)
    x = np.random.default_rng(0).standard_normal((2, 3, side, side))
    _parity(dg, th, x, mode, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_vit_matches_torchvision_layout_twin(mode):
    torch.manual_seed(0)
    th = TViT(8, 4, 2, 2, 16, 32, 3, in_channels=1)
    dg = models.vit(8, 4, 16, 2, 2, 32, 3, in_channels=1)
    assert list(dg.state_dict()) == list(th.state_dict())
    torch.nn.init.normal_(th.heads.head.weight, std=0.1)  # non-zero head so every gradient is exercised
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    _parity(dg, th, x, mode, rtol=1e-4, atol=1e-5)


# ------------------------------------------------------------------ torchvision's published parameter counts

COUNTS = {
    "resnet18": 11_689_512,
    "resnet34": 21_797_672,
    "resnet50": 25_557_032,
    "mobilenet_v2": 3_504_872,
    "alexnet": 61_100_840,
    "vgg16": 138_357_544,
}


@pytest.mark.parametrize("name", list(COUNTS))
def test_parameter_counts_equal_torchvision(name):
    model = models.get_model(name)
    assert _count(model) == COUNTS[name]
    if name in ("alexnet", "vgg16"):  # classifier layout and keys as torchvision's
        keys = list(model.state_dict())
        assert keys[-6:] == ["classifier.1.weight", "classifier.1.bias", "classifier.4.weight",
                             "classifier.4.bias", "classifier.6.weight", "classifier.6.bias"] if name == "alexnet" else \
            keys[-6:] == ["classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias",
                          "classifier.6.weight", "classifier.6.bias"]
        assert keys[0] == "features.0.weight"
    del model
    gc.collect()


def test_vgg16_feature_keys_follow_torchvision():
    feats = models.vgg.make_layers(models.vgg.CFGS["D"])
    conv_idx = [int(k.split(".")[0]) for k in feats.state_dict() if k.endswith("weight")]
    assert conv_idx == [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]


# ------------------------------------------------------------------ small inputs, attention variants, registry


@pytest.mark.parametrize("attention", [None, "se", "cbam"])
def test_resnet18_on_8x8_digits_with_attention(attention):
    model = models.resnet18(num_classes=10, in_channels=1, attention=attention)
    x = deepglass.randn(4, 1, 8, 8)
    out = model(x)
    assert out.shape == (4, 10)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    if attention == "se":
        assert isinstance(model.layer1[0].attention, nn.SqueezeExcitation)
        assert model.layer1[0].attention.fc1.out_channels == 64 // 16
    if attention == "cbam":
        assert isinstance(model.layer4[1].attention, nn.CBAM)


def test_small_input_variants():
    assert models.resnet50(num_classes=10, attention="cbam")(deepglass.randn(2, 3, 8, 8)).shape == (2, 10)
    r = models.resnet18(num_classes=10, small_input=True)
    assert r.conv1.weight.shape == (64, 3, 3, 3)
    assert r(deepglass.randn(2, 3, 32, 32)).shape == (2, 10)
    assert models.mobilenet_v2(num_classes=10, in_channels=1)(deepglass.randn(2, 1, 8, 8)).shape == (2, 10)
    with pytest.raises(ValueError, match="attention"):
        models.resnet18(attention="bam")
    with pytest.raises(ValueError, match="image_size=8"):
        models.vit(image_size=16, patch_size=4, dim=8, depth=1, heads=2, mlp_dim=8)(deepglass.randn(1, 3, 8, 8))


def test_registry():
    names = models.list_models()
    for n in ("resnet18", "resnet34", "resnet50", "vgg16", "alexnet", "mobilenet_v2", "vit", "cifar_net", "lenet5"):
        assert n in names
    m = models.get_model("resnet18", num_classes=3, in_channels=1)
    assert m.fc.out_features == 3
    assert models.get_model("ResNet-18", num_classes=2).fc.out_features == 2
    with pytest.raises(ValueError, match="resnet18"):
        models.get_model("resnet19")
    with pytest.raises(TypeError, match="keyword"):
        models.get_model("mobilenet_v2", colour=True)


def test_small_vit_learns_a_toy_task():
    rng = np.random.default_rng(0)
    n = 64
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 1, 8, 8)).astype(np.float32) * 0.5
    for i in range(n):  # a 3×3 blob somewhere: bright for class 1, dark for class 0
        r, c = rng.integers(0, 6, 2)
        x[i, 0, r:r + 3, c:c + 3] += 2.0 if y[i] else -2.0
    model = models.vit(image_size=8, patch_size=4, dim=16, depth=1, heads=2, mlp_dim=32, num_classes=2,
                       in_channels=1)
    opt = deepglass.optim.Adam(model.parameters(), lr=1e-2)
    xt, yt = deepglass.tensor(x), deepglass.tensor(y)
    losses = []
    for _ in range(40):
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0], losses
