"""Padding modules, PixelShuffle/PixelUnshuffle/ChannelShuffle, Bilinear and ConvTranspose1d against PyTorch
(outputs, gradients, repr, state_dict keys, errors)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _layer_parity import check_parity

import deepglass
import deepglass.nn as nn
import deepglass.nn.functional as F

PAD_CASES = [
    ("ZeroPad1d", (2,), (2, 3, 4)), ("ZeroPad1d", ((1, -1),), (3, 5)), ("ZeroPad1d", (1,), (5,)),
    ("ZeroPad2d", ((1, 2, 0, 3),), (2, 3, 4, 5)), ("ZeroPad2d", (1,), (3, 4)),
    ("ZeroPad3d", ((1, 0, 2, 1, 0, 1),), (1, 2, 3, 4, 2)), ("ZeroPad3d", (1,), (2, 3, 2, 2)),
    ("ConstantPad1d", (2, 3.5), (2, 3, 4)), ("ConstantPad1d", ((-1, 2), -1.0), (2, 5)),
    ("ConstantPad2d", ((1, 2, 0, 3), 2), (2, 3, 4, 5)), ("ConstantPad2d", ([1, 0, -1, 2], 0.5), (3, 4, 5)),
    ("ConstantPad3d", (1, 1.5), (1, 2, 3, 4, 2)), ("ConstantPad3d", ((2, 1, 0, 1, 1, 0), 0.0), (2, 3, 2, 2)),
    ("ReflectionPad1d", (2,), (2, 3, 5)), ("ReflectionPad1d", ((3, 1),), (3, 5)),
    ("ReflectionPad2d", (1,), (2, 3, 4, 5)), ("ReflectionPad2d", ((2, 1, 0, 3),), (3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 2)), ("ReflectionPad3d", ((2, 1, 0, 1, 1, 2),), (2, 3, 3, 3)),
    ("ReplicationPad1d", (3,), (2, 3, 2)), ("ReplicationPad1d", ((0, 4),), (3, 5)),
    ("ReplicationPad2d", ((3, 0, 1, 2),), (2, 3, 2, 2)), ("ReplicationPad2d", (2,), (3, 4, 5)),
    ("ReplicationPad3d", (2,), (1, 2, 2, 3, 2)), ("ReplicationPad3d", ((0, 1, 2, 0, 1, 3),), (2, 3, 2, 2)),
    ("CircularPad1d", (2,), (2, 3, 5)), ("CircularPad1d", ((5, 1),), (3, 5)),
    ("CircularPad2d", ((1, 2, 0, 3),), (2, 3, 4, 5)), ("CircularPad2d", (1,), (3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 2)), ("CircularPad3d", ((2, 1, 0, 1, 1, 2),), (2, 3, 3, 3)),
]


@pytest.mark.parametrize("name,args,shape", PAD_CASES)
def test_padding_modules_match_torch(name, args, shape):
    dg_m, th_m = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(dg_m) == repr(th_m)
    assert dg_m.padding == th_m.padding
    assert list(dg_m.state_dict()) == []
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    check_parity(dg_m, th_m, x, modes=("train",))


def test_padding_module_attributes_and_reprs():
    assert nn.ZeroPad2d((1, 2)).padding == (1, 2)            # stored as given, like PyTorch
    assert nn.ConstantPad1d(1.5, 1).padding == (1.5, 1.5)
    assert nn.ZeroPad1d(1).value == 0.0
    assert repr(nn.ConstantPad2d(1, 2)) == "ConstantPad2d(padding=(1, 1, 1, 1), value=2)"
    assert repr(nn.ZeroPad3d(1)) == "ZeroPad3d((1, 1, 1, 1, 1, 1))"
    assert isinstance(nn.ZeroPad2d(1), nn.ConstantPad2d)


def test_padding_integer_input_keeps_dtype():
    x = np.arange(12).reshape(1, 3, 4)
    for name, args in (("ConstantPad1d", (2, 3)), ("ReflectionPad1d", (2,)), ("ReplicationPad2d", (1,)),
                       ("CircularPad1d", (1,))):
        y = getattr(nn, name)(*args)(deepglass.tensor(x))
        t = getattr(torch.nn, name)(*args)(torch.tensor(x))
        assert str(y.dtype) == "int64"
        np.testing.assert_array_equal(y.numpy(), t.numpy())


@pytest.mark.parametrize("name,shape,exc", [
    ("ReflectionPad1d", (5,), NotImplementedError), ("ReflectionPad1d", (1, 2, 3, 5), NotImplementedError),
    ("ReplicationPad2d", (4, 5), NotImplementedError), ("ReflectionPad3d", (2, 2, 2), NotImplementedError),
    ("ReplicationPad3d", (1, 1, 1, 2, 2, 2), NotImplementedError),
    ("CircularPad1d", (1, 2, 3, 5), ValueError), ("CircularPad1d", (5,), ValueError),
    ("CircularPad2d", (4, 5), ValueError), ("CircularPad3d", (1, 1, 1, 2, 2, 2), ValueError),
])
def test_padding_module_rank_errors_like_torch(name, shape, exc):
    with pytest.raises(exc):
        getattr(torch.nn, name)(1)(torch.ones(shape))
    with pytest.raises(exc):
        getattr(nn, name)(1)(deepglass.ones(*shape))


def test_padding_value_errors():
    with pytest.raises(RuntimeError):                                 # reflect padding >= size (as torch)
        torch.nn.ReflectionPad1d(5)(torch.ones(1, 2, 5))
    with pytest.raises(RuntimeError):
        nn.ReflectionPad1d(5)(deepglass.ones(1, 2, 5))
    with pytest.raises(RuntimeError, match="more than once"):
        nn.CircularPad1d((6, 0))(deepglass.ones(1, 2, 5))
    with pytest.raises(RuntimeError, match="more than once"):
        torch.nn.CircularPad1d((6, 0))(torch.ones(1, 2, 5))


# ---------------------------------------------------------------- shuffles
@pytest.mark.parametrize("dg_m,th_m,shape", [
    (nn.PixelShuffle(2), torch.nn.PixelShuffle(2), (2, 8, 3, 2)),
    (nn.PixelShuffle(3), torch.nn.PixelShuffle(3), (9, 2, 2)),
    (nn.PixelShuffle(2), torch.nn.PixelShuffle(2), (2, 1, 4, 2, 3)),
    (nn.PixelUnshuffle(2), torch.nn.PixelUnshuffle(2), (2, 3, 4, 6)),
    (nn.PixelUnshuffle(3), torch.nn.PixelUnshuffle(3), (1, 6, 3)),
    (nn.ChannelShuffle(2), torch.nn.ChannelShuffle(2), (2, 6, 3)),
    (nn.ChannelShuffle(3), torch.nn.ChannelShuffle(3), (2, 6, 2, 2)),
])
def test_shuffle_modules_match_torch(dg_m, th_m, shape):
    assert repr(dg_m) == repr(th_m)
    assert list(dg_m.state_dict()) == []
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    check_parity(dg_m, th_m, x, modes=("train",))


def test_pixel_unshuffle_inverts_pixel_shuffle():
    x = deepglass.randn(2, 12, 3, 4)
    np.testing.assert_array_equal(F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2).numpy(), x.numpy())


@pytest.mark.parametrize("fn,args,shape,match", [
    ("pixel_shuffle", (2,), (2, 7, 3, 3), "divisible by 4"),
    ("pixel_shuffle", (2,), (8, 3), "at least 3 dimensions"),
    ("pixel_shuffle", (0,), (1, 8, 3, 3), "positive upscale_factor"),
    ("pixel_unshuffle", (2,), (2, 2, 5, 6), "height to be divisible"),
    ("pixel_unshuffle", (2,), (2, 2, 4, 5), "width to be divisible"),
    ("pixel_unshuffle", (-1,), (2, 2, 4, 4), "positive downscale_factor"),
    ("pixel_unshuffle", (2,), (4, 6), "at least 3 dimensions"),
    ("channel_shuffle", (2,), (2, 5, 3), "divisible by groups"),
    ("channel_shuffle", (2,), (2, 6), "> 2 dims"),
    ("channel_shuffle", (0,), (2, 6, 3), "must be positive"),
])
def test_shuffle_errors_like_torch(fn, args, shape, match):
    with pytest.raises(RuntimeError, match=match):
        getattr(torch.nn.functional, fn)(torch.ones(shape), *args)
    with pytest.raises(RuntimeError, match=match):
        getattr(F, fn)(deepglass.ones(*shape), *args)


def test_shuffles_are_not_tensor_methods():
    x = deepglass.ones(1, 4, 2, 2)
    for name in ("pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "bilinear"):
        assert hasattr(torch.Tensor, name) is False
        assert not hasattr(x, name)


# ---------------------------------------------------------------- Bilinear
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear_module_matches_torch(bias):
    dg_m, th_m = nn.Bilinear(3, 4, 5, bias=bias), torch.nn.Bilinear(3, 4, 5, bias=bias)
    assert repr(dg_m) == repr(th_m)
    assert list(dg_m.state_dict()) == list(th_m.state_dict())
    dg_m.load_state_dict({k: v.detach().numpy().copy() for k, v in th_m.state_dict().items()})
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((6, 2, 3)).astype(np.float32), rng.standard_normal((6, 2, 4)).astype(np.float32)
    xa, xb = deepglass.tensor(a, requires_grad=True), deepglass.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    yd, yt = dg_m(xa, xb), th_m(ta, tb)
    np.testing.assert_allclose(yd.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    s = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    (yd * deepglass.tensor(s)).sum().backward()
    (yt * torch.tensor(s)).sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), ta.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(xb.grad.numpy(), tb.grad.numpy(), rtol=1e-5, atol=1e-5)
    tp = dict(th_m.named_parameters())
    for name, p in dg_m.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), rtol=1e-5, atol=1e-5)


def test_bilinear_init_bounds():
    deepglass.manual_seed(0)
    m = nn.Bilinear(16, 3, 200)
    bound = 1 / np.sqrt(16)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.shape == (200, 16, 3) and b.shape == (200,)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.9 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01


@pytest.mark.parametrize("shapes,match", [
    (((3, 2), (4, 3), (5, 2, 3), None), "batch dimensions do not match"),
    (((4, 3), (4, 3), (5, 2, 3), None), "input1 size does not match"),
    (((4, 2), (4, 2), (5, 2, 3), None), "input2 size does not match"),
    (((4, 2), (4, 3), (5, 2, 3), (4,)), "bias size does not match"),
    (((6, 4, 2), (4, 3), (5, 2, 3), None), "input dimensions do not match"),
])
def test_bilinear_errors_like_torch(shapes, match):
    def make(lib):
        return [None if s is None else lib.ones(*s) for s in shapes]

    with pytest.raises(RuntimeError, match=match):
        torch.nn.functional.bilinear(*[None if s is None else torch.ones(s) for s in shapes])
    with pytest.raises(RuntimeError, match=match):
        F.bilinear(*make(deepglass))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.bilinear(deepglass.ones(4, 2, dtype=deepglass.float64), deepglass.ones(4, 3), deepglass.ones(5, 2, 3))


# ---------------------------------------------------------------- ConvTranspose1d
@pytest.mark.parametrize("kwargs,shape", [
    (dict(in_channels=2, out_channels=4, kernel_size=3), (2, 2, 5)),
    (dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, padding=1, output_padding=1, groups=2, dilation=2,
          bias=False), (2, 4, 5)),
    (dict(in_channels=3, out_channels=2, kernel_size=(2,), stride=(3,), padding=(1,)), (3, 4)),
])
def test_conv_transpose1d_module_matches_torch(kwargs, shape):
    dg_m, th_m = nn.ConvTranspose1d(**kwargs), torch.nn.ConvTranspose1d(**kwargs)
    assert repr(dg_m) == repr(th_m)
    assert list(dg_m.state_dict()) == list(th_m.state_dict())
    assert tuple(dg_m.weight.shape) == tuple(th_m.weight.shape)
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    check_parity(dg_m, th_m, x, modes=("train",))


def test_conv_transpose1d_output_size_and_errors():
    m = nn.ConvTranspose1d(2, 4, 3, stride=2)
    assert m(deepglass.randn(1, 2, 5), output_size=[12]).shape == (1, 4, 12)
    assert m(deepglass.randn(1, 2, 5), output_size=[11]).shape == (1, 4, 11)
    with pytest.raises(ValueError):
        m(deepglass.randn(1, 2, 5), output_size=[14])
    with pytest.raises(ValueError):
        nn.ConvTranspose1d(2, 4, 3, padding_mode="reflect")
    with pytest.raises(ValueError):
        F.conv_transpose1d(deepglass.randn(1, 2, 5), deepglass.randn(2, 2, 3), stride=2, output_padding=2)
    with pytest.raises(RuntimeError):
        F.conv_transpose1d(deepglass.randn(1, 1, 2, 5), deepglass.randn(2, 2, 3))
