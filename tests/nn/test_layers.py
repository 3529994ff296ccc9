"""Every layer against its PyTorch twin: same state-dict keys, outputs (train and eval), all gradients."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _layer_parity import check_parity, copy_weights

import deepglass
import deepglass.nn as nn

R = np.random.default_rng(0)


def X(*shape):
    return R.standard_normal(shape).astype(np.float32)


CASES = [
    ("Linear(5, 3)", X(4, 5)),
    ("Linear(5, 3, bias=False)", X(2, 3, 5)),
    ("Identity()", X(2, 3)),
    ("Conv1d(3, 4, 3, stride=2, padding=1)", X(2, 3, 9)),
    ("Conv1d(4, 4, 3, padding='same', groups=2, dilation=2)", X(1, 4, 7)),
    ("Conv2d(3, 4, 3, padding=1)", X(2, 3, 6, 5)),
    ("Conv2d(3, 4, 2, padding='same', dilation=2)", X(1, 3, 5, 5)),
    ("Conv2d(4, 6, 3, stride=2, groups=2, bias=False)", X(2, 4, 7, 7)),
    ("Conv2d(3, 3, 3, padding=1, groups=3)", X(2, 3, 5, 5)),
    ("Conv2d(3, 4, 3, padding=1, padding_mode='reflect')", X(1, 3, 5, 6)),
    ("Conv2d(3, 4, 3, padding=(1, 2), padding_mode='circular')", X(1, 3, 5, 6)),
    ("Conv2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2))", X(2, 2, 7, 8)),
    ("ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)", X(2, 4, 3, 4)),
    ("ConvTranspose2d(4, 6, 2, stride=2, groups=2, bias=False)", X(1, 4, 3, 3)),
    ("MaxPool2d(3, 2, 1, ceil_mode=True)", X(2, 3, 7, 6)),
    ("MaxPool2d(2)", X(2, 3, 6, 6)),
    ("AvgPool2d(3, 2, 1, count_include_pad=False)", X(2, 3, 7, 6)),
    ("AvgPool2d(2, ceil_mode=True)", X(1, 2, 5, 5)),
    ("AdaptiveAvgPool2d((2, 3))", X(2, 3, 7, 5)),
    ("AdaptiveAvgPool2d(1)", X(2, 3, 4, 4)),
    ("AdaptiveMaxPool2d(2)", X(2, 3, 5, 5)),
    ("MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True)", X(2, 3, 7, 8)),
    ("AvgPool2d(3, 2, 1, ceil_mode=True, divisor_override=5)", X(2, 3, 7, 6)),
    ("AvgPool2d(2)", X(3, 4, 6)),
    ("MaxPool1d(3, 2, 1, ceil_mode=True)", X(2, 3, 9)),
    ("MaxPool1d(2, dilation=2)", X(3, 8)),
    ("AvgPool1d(3, 2, 1, count_include_pad=False)", X(2, 3, 9)),
    ("AvgPool1d(2, ceil_mode=True)", X(3, 7)),
    ("AdaptiveAvgPool1d(3)", X(2, 3, 7)),
    ("AdaptiveMaxPool1d(4)", X(3, 9)),
    ("BatchNorm1d(3)", X(4, 3)),
    ("BatchNorm1d(3, affine=False)", X(4, 3, 5)),
    ("BatchNorm2d(3)", X(2, 3, 4, 4)),
    ("BatchNorm2d(3, momentum=None)", X(2, 3, 4, 4)),
    ("BatchNorm2d(3, track_running_stats=False)", X(2, 3, 4, 4)),
    ("BatchNorm2d(3, bias=False)", X(2, 3, 4, 4)),
    ("LayerNorm((4, 5))", X(2, 3, 4, 5)),
    ("LayerNorm(5, elementwise_affine=False)", X(3, 5)),
    ("GroupNorm(2, 4)", X(2, 4, 3, 3)),
    ("Softmax(dim=1)", X(3, 4)),
    ("LogSoftmax(dim=-1)", X(3, 4)),
    ("Sigmoid()", X(3, 4)),
    ("Tanh()", X(3, 4)),
    ("ReLU()", X(3, 4)),
    ("LeakyReLU()", X(3, 4)),
    ("LeakyReLU(0.2)", X(3, 4)),
    ("PReLU()", X(2, 3, 4)),
    ("PReLU(3, init=0.1)", X(2, 3, 4)),
    ("ELU(alpha=0.5)", X(3, 4)),
    ("GELU()", X(3, 4)),
    ("GELU(approximate='tanh')", X(3, 4)),
    ("SiLU()", X(3, 4)),
    ("ReLU6()", 4 * X(3, 4)),
    ("Hardswish()", 4 * X(3, 4)),
    ("Softplus(beta=2.0, threshold=5.0)", 3 * X(3, 4)),
    ("Dropout(0.3)", X(3, 4)),          # eval only: train is random (tests/nn/test_dropout.py)
    ("Dropout2d(0.3)", X(2, 3, 2, 2)),
    ("Flatten()", X(2, 3, 2, 2)),
    ("Flatten(0, 2)", X(2, 3, 2, 2)),
    ("Unflatten(1, (2, 3))", X(2, 6, 2)),
    ("Embedding(10, 3, padding_idx=1)", np.array([[0, 1, 2], [9, 2, 2]])),
    ("Embedding(10, 3, scale_grad_by_freq=True)", np.array([[0, 1, 2], [9, 2, 2]])),
]


@pytest.mark.parametrize("spec,x", CASES, ids=[c[0] for c in CASES])
def test_layer_matches_torch(spec, x):
    torch.manual_seed(0)
    th = eval("torch.nn." + spec)
    dg = eval("nn." + spec)
    modes = ("eval",) if spec.startswith("Dropout") else ("train", "eval")
    check_parity(dg, th, x, modes=modes)


def test_upsample_matches_torch():
    if not hasattr(nn.functional, "interpolate"):
        pytest.skip("F.interpolate (ops/sampling.py) is not written yet")
    x = X(1, 2, 3, 4)
    for kw in (dict(scale_factor=2), dict(size=(5, 7), mode="bilinear", align_corners=False),
               dict(scale_factor=2, mode="bilinear", align_corners=True)):
        check_parity(nn.Upsample(**kw), torch.nn.Upsample(**kw), x, modes=("train",))


def test_batchnorm_running_stats_follow_torch_over_steps():
    for momentum in (0.1, None):
        th = torch.nn.BatchNorm2d(3, momentum=momentum)
        dg = nn.BatchNorm2d(3, momentum=momentum)
        copy_weights(dg, th)
        for step in range(4):
            x = X(4, 3, 5, 5) * (step + 1) + step
            dg(deepglass.tensor(x))
            th(torch.tensor(x))
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            np.testing.assert_allclose(getattr(dg, name).numpy(), getattr(th, name).numpy(), rtol=1e-5, atol=1e-6)
        dg.eval()
        th.eval()
        x = X(2, 3, 5, 5)
        np.testing.assert_allclose(dg(deepglass.tensor(x)).detach().numpy(), th(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-5, atol=1e-5)


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(deepglass.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="expected input with 3 channels"):
        nn.BatchNorm2d(3)(deepglass.randn(2, 4, 4, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(deepglass.randn(1, 3))


def test_conv_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="expected input with 3 channels, got 4.*in_channels"):
        nn.Conv2d(3, 8, 3)(deepglass.randn(1, 4, 8, 8))
    with pytest.raises(RuntimeError, match="smaller than the dilated kernel"):
        nn.Conv2d(3, 8, 5)(deepglass.randn(1, 3, 3, 3))
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 8, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 8, 3, groups=2)


def test_convtranspose_output_size():
    th = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    dg = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    copy_weights(dg, th)
    x = X(1, 2, 4, 4)
    yd = dg(deepglass.tensor(x), output_size=(8, 8))
    yt = th(torch.tensor(x), output_size=(8, 8))
    np.testing.assert_allclose(yd.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)


def test_repr_matches_torch():
    for spec in ("Conv2d(3, 32, 5, padding=2)", "Linear(4, 2)", "MaxPool2d(2)", "BatchNorm2d(8)",
                 "ConvTranspose2d(4, 2, 3, stride=2, output_padding=1, bias=False)", "LayerNorm((4, 5))",
                 "Dropout(0.3)", "Flatten()", "LeakyReLU(0.2)", "Embedding(10, 3, padding_idx=1)", "GroupNorm(2, 4)",
                 "MaxPool1d(3, 2, 1)", "AvgPool1d(3)", "AvgPool2d(3, 2, 1)", "AdaptiveAvgPool1d(2)",
                 "AdaptiveMaxPool1d(2)", "AdaptiveAvgPool2d((2, None))", "AdaptiveMaxPool2d(2)"):
        assert repr(eval("nn." + spec)) == repr(eval("torch.nn." + spec)), spec


def test_layers_on_float64_and_device_dtype_args():
    m = nn.Conv2d(2, 3, 3, dtype=np.float64)
    assert m.weight.dtype == np.float64
    y = m(deepglass.randn(1, 2, 5, 5, dtype=np.float64))
    assert y.dtype == np.float64
