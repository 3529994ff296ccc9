"""Conv3d and the 3-D pooling modules against PyTorch 2.13: outputs, gradients, reprs, state_dict keys, init."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from _layer_parity import check_parity

import deepglass
import deepglass.nn as nn
import deepglass.nn.functional as F

R = np.random.default_rng(0)


def X(*shape):
    return R.standard_normal(shape).astype(np.float32)


CASES = [
    ("Conv3d(3, 4, 3, padding=1)", X(2, 3, 4, 5, 4)),
    ("Conv3d(2, 3, 2, padding='same', dilation=2)", X(1, 2, 4, 5, 5)),
    ("Conv3d(4, 6, 3, stride=2, groups=2, bias=False)", X(2, 4, 5, 7, 6)),
    ("Conv3d(3, 3, 3, padding=1, groups=3)", X(2, 3, 4, 4, 5)),
    ("Conv3d(2, 3, (3, 2, 3), stride=(2, 1, 2), padding=(1, 0, 2), dilation=(1, 2, 1))", X(2, 2, 6, 7, 8)),
    ("Conv3d(2, 3, 3, padding='valid')", X(3, 2, 4, 5, 6)),
    ("Conv3d(2, 4, 3, padding=1, padding_mode='reflect')", X(1, 2, 4, 5, 6)),
    ("Conv3d(2, 4, 3, padding=(1, 2, 1), padding_mode='replicate')", X(1, 2, 4, 5, 6)),
    ("Conv3d(2, 4, 3, padding=(1, 2, 1), padding_mode='circular')", X(1, 2, 4, 5, 6)),
    ("Conv3d(2, 4, 3, padding='same', padding_mode='reflect')", X(1, 2, 4, 5, 6)),
    ("Conv3d(3, 4, 2)", X(3, 4, 5, 6)),                                                    # unbatched
    ("MaxPool3d(2)", X(2, 3, 4, 6, 5)),
    ("MaxPool3d(3, stride=2, padding=1, ceil_mode=True)", X(2, 3, 7, 6, 5)),
    ("MaxPool3d((2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), dilation=(2, 1, 2))", X(1, 2, 7, 6, 5)),
    ("MaxPool3d(2, stride=1)", X(3, 4, 5, 4)),                                             # unbatched
    ("AvgPool3d(2)", X(2, 3, 4, 6, 5)),
    ("AvgPool3d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)", X(2, 3, 7, 6, 5)),
    ("AvgPool3d((2, 2, 3), stride=(1, 2, 2), padding=(1, 0, 1), divisor_override=5)", X(1, 2, 5, 6, 8)),
    ("AdaptiveAvgPool3d(1)", X(2, 3, 5, 6, 7)),
    ("AdaptiveAvgPool3d((3, None, 4))", X(2, 3, 5, 6, 7)),
    ("AdaptiveMaxPool3d((2, 3, 4))", X(2, 3, 5, 7, 6)),
    ("AdaptiveMaxPool3d(5)", X(3, 2, 3, 4)),                                               # larger than input
]


@pytest.mark.parametrize("spec,x", CASES, ids=[c[0] for c in CASES])
def test_module_matches_torch(spec, x):
    torch.manual_seed(0)
    th = eval("torch.nn." + spec)
    dg = eval("nn." + spec)
    assert repr(dg) == repr(th)
    check_parity(dg, th, x, modes=("train", "eval"))


@pytest.mark.parametrize("spec", ["MaxPool3d(3, stride=2, padding=1, return_indices=True)",
                                  "AdaptiveMaxPool3d((2, 3, 2), return_indices=True)"])
def test_pool_modules_return_indices(spec):
    x = X(2, 3, 5, 6, 5)
    yd, id_ = eval("nn." + spec)(deepglass.tensor(x))
    yt, it = eval("torch.nn." + spec)(torch.tensor(x))
    np.testing.assert_array_equal(yd.numpy(), yt.numpy())
    np.testing.assert_array_equal(id_.numpy(), it.numpy())


def test_reprs_match_torch():
    for spec in ("Conv3d(3, 8, 3)", "Conv3d(4, 8, (3, 5, 2), stride=(2, 1, 1), padding=(4, 2, 0))",
                 "Conv3d(4, 8, 3, padding='same', dilation=2, groups=2, bias=False, padding_mode='circular')",
                 "MaxPool3d(3, stride=2)", "MaxPool3d((3, 2, 2), stride=(2, 1, 2), padding=1, dilation=2, ceil_mode=True)",
                 "AvgPool3d(3, stride=2)", "AvgPool3d((3, 2, 2), stride=(2, 1, 2), padding=1)",
                 "AdaptiveAvgPool3d((5, 7, 9))", "AdaptiveAvgPool3d((7, None, 2))", "AdaptiveMaxPool3d(2)",
                 "AdaptiveMaxPool3d((2, None, 3))"):
        assert repr(eval("nn." + spec)) == repr(eval("torch.nn." + spec)), spec


def test_conv3d_state_dict_and_init():
    dg, th = nn.Conv3d(4, 6, (3, 2, 3), groups=2), torch.nn.Conv3d(4, 6, (3, 2, 3), groups=2)
    assert list(dg.state_dict().keys()) == list(th.state_dict().keys()) == ["weight", "bias"]
    assert tuple(dg.weight.shape) == tuple(th.weight.shape) == (6, 2, 3, 2, 3)
    assert list(nn.Conv3d(2, 3, 3, bias=False).state_dict().keys()) == ["weight"]
    # kaiming-uniform(a=√5) as PyTorch: U(±1/√fan_in), fan_in = 2·3·2·3 = 36 (weight and bias)
    bound = 1 / np.sqrt(36)
    w, b = dg.weight.detach().numpy(), dg.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert w.std() > bound / 3  # not degenerate
    m = nn.Conv3d(2, 3, 3, dtype=np.float64)
    assert m.weight.dtype == np.float64 and m(deepglass.randn(1, 2, 4, 4, 4, dtype=np.float64)).dtype == np.float64


def test_conv3d_errors():
    with pytest.raises(RuntimeError, match="channels"):
        nn.Conv3d(3, 8, 3)(deepglass.randn(1, 4, 5, 5, 5))
    with pytest.raises(RuntimeError, match="smaller than the dilated kernel"):
        nn.Conv3d(3, 8, 5)(deepglass.randn(1, 3, 3, 3, 3))
    with pytest.raises(ValueError, match="strided"):
        nn.Conv3d(3, 8, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="divisible"):
        nn.Conv3d(3, 8, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv3d(3, 8, 3, padding_mode="bogus")
    with pytest.raises(ValueError, match="strided"):
        F.conv3d(deepglass.randn(1, 2, 4, 4, 4), deepglass.randn(3, 2, 3, 3, 3), stride=2, padding="same")


def test_max_pool3d_ties_and_nan_follow_torch():
    x = np.zeros((1, 2, 4, 4, 4), np.float32)
    x[0, 0, 1, 1, 1] = x[0, 0, 0, 1, 0] = 1.0       # a tie: the first maximum wins
    x[0, 1, 0, 0, 0] = x[0, 1, 1, 1, 1] = np.nan    # two NaNs in one window
    x[0, 1, 3, 3, 3] = np.nan
    for fn, tfn, args in ((F.max_pool3d, torch.nn.functional.max_pool3d, (2,)),
                          (F.max_pool3d, torch.nn.functional.max_pool3d, (3, 1, 1)),
                          (F.adaptive_max_pool3d, torch.nn.functional.adaptive_max_pool3d, (3,))):
        yd, id_ = fn(deepglass.tensor(x), *args, return_indices=True)
        yt, it = tfn(torch.tensor(x), *args, return_indices=True)
        np.testing.assert_array_equal(yd.numpy(), yt.numpy())
        np.testing.assert_array_equal(id_.numpy(), it.numpy())


def test_adaptive_avg_pool3d_inf_stays_in_its_window():
    x = X(1, 1, 4, 4, 4)
    x[0, 0, 0, 0, 0] = np.inf
    yd = F.adaptive_avg_pool3d(deepglass.tensor(x), 2).numpy()
    yt = torch.nn.functional.adaptive_avg_pool3d(torch.tensor(x), 2).numpy()
    np.testing.assert_allclose(yd, yt, rtol=1e-5, atol=1e-6)
