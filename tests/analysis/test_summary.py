"""summary(): parameters, torchvision MAC integers, the other tools' totals, memory, errors.

The tool totals were obtained by building the same ``tv_models`` code with torch.nn and
running fvcore 0.1.5, thop 0.1.1, ptflops 0.7.5 (pytorch backend) and torchinfo 1.8.0
on it; the tools are not needed to run these tests.
"""
import json
import tracemalloc

import numpy as np
import pytest

import deepglass
import deepglass.nn as nn
from deepglass.analysis import ShapeError, summary

from . import tv_models

TORCHVISION = {  # params, MACs (torchvision's "GFLOPS") at 1×3×224×224
    "resnet18": (11_689_512, 1_814_073_344),
    "resnet50": (25_557_032, 4_089_184_256),
    "vgg16": (138_357_544, 15_470_264_320),
    "alexnet": (61_100_840, 714_188_480),
    "mobilenet_v2": (3_504_872, 300_774_272),
}
TOOLS = {  # fvcore, thop, ptflops at 1×3×224×224 (eval); torchinfo Mult-Adds and fwd/bwd bytes at batch 2
    "resnet18": (1_819_065_856, 1_824_033_792, 1_825_313_768, 3_628_167_888, 79_494_784),
    "resnet50": (4_111_512_576, 4_133_742_592, 4_132_436_968, 8_178_476_752, 355_663_488),
    "vgg16": (15_470_289_408, 15_470_314_496, 15_523_225_576, 30_967_642_064, 216_907_392),
    "alexnet": (714_197_696, 714_206_912, 716_441_128, 1_429_365_328, 7_906_944),
    "mobilenet_v2": (314_130_496, 327_486_720, 320_237_288, 601_618_768, 213_715_584),
}


@pytest.fixture(scope="module", params=list(TORCHVISION))
def zoo(request):
    return request.param, tv_models.cached(request.param)


def test_params_and_torchvision_macs(zoo):
    name, model = zoo
    s = summary(model, (1, 3, 224, 224))
    params, macs = TORCHVISION[name]
    assert s.total_params == params == sum(p.numel() for p in model.parameters())
    assert s.trainable_params == params and s.non_trainable_params == 0
    assert s.macs == macs
    assert s.param_bytes == 4 * params
    assert s.flops == 2 * s.macs + s.elementwise_flops and s.elementwise_flops > 0
    assert s.mode == "meta" and s.output_shape == (1, 1000)


def test_tool_conventions(zoo):
    name, model = zoo
    s = summary(model, (1, 3, 224, 224))
    fv, th, pt, ti_macs, ti_bytes = TOOLS[name]
    assert s.convention_total("fvcore") == fv
    assert s.convention_total("thop") == th
    assert s.convention_total("ptflops") == pt
    s2 = summary(model, (2, 3, 224, 224), convention="torchinfo")
    assert s2.convention_result["total"] == ti_macs
    assert s2.convention_result["forward_backward_pass_bytes"] == ti_bytes
    assert s2.macs == 2 * s.macs


def test_torchinfo_resnet50_documented_totals():
    s = summary(tv_models.cached("resnet50"), (2, 3, 224, 224), convention="torchinfo")
    r = s.convention_result
    assert r["total_params"] == 25_557_032
    assert r["mult_adds_G"] == 8.18
    assert r["forward_backward_pass_size_MB"] == 355.66
    assert r["params_size_MB"] == 102.23
    assert r["input_size_MB"] == 1.2


def test_fvcore_docstring_example():
    model = nn.Sequential(nn.Conv2d(3, 10, 1), nn.ReLU(), nn.Flatten(), nn.Linear(1000, 10))
    s = summary(model, (1, 3, 10, 10), convention="fvcore")
    assert s.convention_result["total"] == 13_000
    assert s.macs == 13_000
    # deepglass FLOPs: 2·MACs + conv bias (1000) + ReLU (1000) + linear bias (10)
    assert s.flops == 26_000 + 2_010


def _misc(train):
    m = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.PReLU(), nn.AvgPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1, groups=4), nn.GroupNorm(2, 8), nn.GELU(),
        nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1),
        nn.Upsample(scale_factor=2, mode="bilinear"),
        nn.AdaptiveAvgPool2d((4, 4)), nn.Flatten(), nn.Linear(64, 32), nn.LayerNorm(32), nn.Softmax(dim=1))
    return m.train(train)


@pytest.mark.parametrize("train,fv", [(False, 224_576), (True, 236_864)])
def test_tool_rules_on_many_layer_types(train, fv):
    s = summary(_misc(train), (2, 3, 16, 16))
    assert s.convention_total("fvcore") == fv            # BN: 2E eval (affine), 5E training
    assert s.convention_total("thop") == 400_958         # thop profiles in eval mode
    assert s.convention_total("torchinfo") == 288_002
    assert summary(_misc(train), (1, 3, 16, 16)).convention_total("ptflops") == 119_392


def test_deepglass_elementwise_rules():
    x = (1, 4, 8, 8)
    E = 4 * 64
    bn = summary(nn.Sequential(nn.BatchNorm2d(4)).eval(), x)
    assert bn.macs == 0 and bn.elementwise_flops == 2 * E
    act = summary(nn.Sequential(nn.ReLU(), nn.Sigmoid(), nn.MaxPool2d(2)), x)
    assert act.elementwise_flops == 2 * E                 # max pooling counts 0
    avg = summary(nn.Sequential(nn.AvgPool2d(2)), x)
    assert avg.elementwise_flops == 4 * 16 * 4            # one per window element
    sm = summary(nn.Sequential(nn.Softmax(dim=1)), x)
    assert sm.elementwise_flops == 3 * E
    for mode in ("nearest", "nearest-exact"):                # copies: 0
        assert summary(nn.Sequential(nn.Upsample(scale_factor=2, mode=mode)), x).elementwise_flops == 0
    area = summary(nn.Sequential(nn.Upsample(size=(2, 2), mode="area")), x)
    assert area.elementwise_flops == 4 * 64                  # 'area' is adaptive average pooling: one per input
    assert area.rows[-1].rf_size == 4 and area.rows[-1].rf_jump == 4  # 4x4 pooling windows, not an upsampling


def test_residual_add_counted_one_per_element():
    class Res(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(4, 4, 3, padding=1, bias=False)

        def forward(self, x):
            return self.conv(x) + x

    s = summary(Res(), (1, 4, 8, 8))
    assert s.macs == 4 * 64 * 4 * 9
    assert s.elementwise_flops == 4 * 64


def test_attention_macs_qk_and_av():
    mha = nn.MultiheadAttention(16, 4, batch_first=True)

    class Wrap(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = mha

        def forward(self, x):
            return self.attn(x, x, x, need_weights=False)[0]

    L, E = 10, 16
    s = summary(Wrap(), (2, L, E))
    expected = 2 * (3 * L * E * E + L * L * E + L * L * E + L * E * E)  # in-proj, QKᵀ, AV, out-proj
    assert s.macs == expected
    assert s.total_params == sum(p.numel() for p in mha.parameters())


@pytest.mark.parametrize("seed", range(5))
def test_random_sequential_params(seed):
    rng = np.random.default_rng(seed)
    layers, c, hw = [], 3, 32
    for _ in range(rng.integers(2, 6)):
        kind = rng.integers(0, 4)
        if kind == 0:
            o, k = int(rng.integers(1, 9)), int(rng.choice([1, 3, 5]))
            layers.append(nn.Conv2d(c, o, k, padding=k // 2, bias=bool(rng.integers(0, 2))))
            c = o
        elif kind == 1:
            layers.append(nn.BatchNorm2d(c))
        elif kind == 2 and hw >= 4:
            layers.append(nn.MaxPool2d(2))
            hw //= 2
        else:
            layers.append(nn.ReLU())
    layers += [nn.Flatten(), nn.Linear(c * hw * hw, int(rng.integers(1, 20)))]
    model = nn.Sequential(*layers)
    s = summary(model, (2, 3, 32, 32))
    assert s.total_params == sum(p.numel() for p in model.parameters())
    out = model(deepglass.zeros(2, 3, 32, 32))
    assert s.output_shape == tuple(out.shape)
    leaf_rows = [r for r in s.rows if r.is_leaf]
    assert sum(r.params for r in leaf_rows) == s.total_params


def test_shared_and_frozen_parameters():
    lin = nn.Linear(8, 8)
    model = nn.Sequential(lin, nn.ReLU(), lin, nn.Linear(8, 2))
    model[3].weight.requires_grad_(False)
    s = summary(model, (1, 8))
    assert s.total_params == 72 + 18 == sum(p.numel() for p in model.parameters())
    assert s.trainable_params == 72 + 2 and s.non_trainable_params == 16
    assert s.macs == 2 * 64 + 16                      # the shared layer runs twice
    assert any("shared" in r.note for r in s.rows)
    bn = nn.Sequential(nn.BatchNorm2d(3))
    assert summary(bn, (1, 3, 4, 4)).total_params == 6  # running stats are buffers


def test_rows_table_json_depth():
    model = tv_models.build(nn, "resnet18")
    s = summary(model, (1, 3, 64, 64), depth=1)
    assert [r.name for r in s.rows] == ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3",
                                        "layer4", "avgpool", "fc"]
    assert sum(r.macs for r in s.rows) == s.macs
    conv1 = s.rows[0]
    assert conv1.kernel_size == (7, 7) and conv1.stride == (2, 2) and conv1.padding == (3, 3)
    assert conv1.output_shape == (1, 64, 32, 32) and conv1.output_bytes == 4 * 64 * 32 * 32
    assert conv1.rf_size == 7 and conv1.rf_jump == 2
    d = json.loads(s.to_json())
    assert d["totals"]["macs"] == s.macs and len(d["rows"]) == 10
    text = str(s)
    assert "conv1 (Conv2d)" in text and "Total params: 11,689,512" in text
    full = summary(model, (1, 3, 64, 64))
    assert len(full.rows) > len(s.rows) and full.macs == s.macs


def test_memory_totals():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
    s = summary(model, (2, 3, 16, 16), optimizer="sgd")
    act = 2 * (2 * 8 * 16 * 16 * 4)
    assert s.activation_bytes == act
    assert s.input_bytes == 2 * 3 * 256 * 4
    assert s.training_bytes == s.input_bytes + act + 2 * s.param_bytes
    assert summary(model, (2, 3, 16, 16)).training_bytes == s.input_bytes + act + 4 * s.param_bytes


def test_peak_memory_independent_of_resolution():
    model = tv_models.cached("resnet50")
    peaks = []
    for hw in (224, 896):
        summary(model, (1, 3, hw, hw))
        tracemalloc.start()
        summary(model, (1, 3, hw, hw))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # 16× more pixels: the activations alone would be 16 × ~100 MB
    assert peaks[1] < peaks[0] * 1.5 + 200_000, peaks


def test_errors_name_layer_and_shapes():
    model = tv_models.cached("alexnet")
    with pytest.raises(ValueError, match=r"layer 'features\.\d+' \(\w+\).*\(1, \d+, \d+, \d+\)") as e:
        summary(model, (1, 3, 32, 32))
    assert "< 1" in str(e.value)
    with pytest.raises(ShapeError, match=r"layer 'conv1' \(Conv2d\): expects 3 input channels.*\(1, 1, 64, 64\)"):
        summary(tv_models.build(nn, "resnet18"), (1, 1, 64, 64))
    with pytest.raises(ValueError, match="unknown convention"):
        summary(model, (1, 3, 224, 224), convention="flops")


def test_fallback_to_real_forward_is_reported():
    class NeedsValues(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)

        def forward(self, x):
            if not any(x._array.strides):  # a forward that needs real memory
                raise TypeError("needs a real array")
            return self.fc(x)

    s = summary(NeedsValues(), (3, 4))
    assert s.mode == "forward" and "real forward" in s.note
    assert s.macs == 3 * 8 and s.total_params == 10


def test_einsum_and_cdist_are_counted_inside_a_forward():
    class Pairwise(nn.Module):
        def forward(self, x):
            y = deepglass.einsum("bij,bjk->bik", x, x.transpose(1, 2))  # a batched matmul: 2·4·4 outputs × 8
            return deepglass.cdist(y, y).diagonal(dim1=-2, dim2=-1)  # 2·4·4 pairs × 4 features × 3 operations

    s = summary(Pairwise(), (2, 4, 8))
    assert s.macs == 2 * 4 * 4 * 8
    assert s.elementwise_flops == 3 * 2 * 4 * 4 * 4
    assert summary(Pairwise(), (2, 4, 8)).macs == summary(_Bmm(), (2, 4, 8)).macs  # same as the matmul it spells


class _Bmm(nn.Module):
    def forward(self, x):
        return x @ x.transpose(1, 2)


def test_functional_activations_inside_a_forward_count_one_per_element():
    import deepglass.nn.functional as F

    class Chain(nn.Module):
        def forward(self, x):
            return F.softshrink(F.logsigmoid(F.hardtanh(F.threshold(F.softsign(x), 0.1, 0.0))))

    assert summary(Chain(), (2, 8)).elementwise_flops == 5 * 16
