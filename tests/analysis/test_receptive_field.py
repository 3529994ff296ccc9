"""Receptive fields: the recurrence's reference values and agreement with the autograd measurement."""
import pytest

import deepglass.nn as nn
from deepglass.analysis import empirical_receptive_field, receptive_field

from . import tv_models


def test_conv_pool_stack():
    m = nn.Sequential(nn.Conv2d(3, 8, 7, 2, 3), nn.MaxPool2d(3, 2, 1), nn.AvgPool2d(3, 2, 1))
    rows = receptive_field(m, (1, 3, 224, 224))
    assert [r.size for r in rows] == [7, 11, 19]
    assert [r.jump for r in rows] == [2, 4, 8]
    assert [r.padding for r in rows] == [3, 5, 9]
    assert [r.start for r in rows] == [0, 0, 0]
    size, region = empirical_receptive_field(m, (1, 3, 64, 64))
    assert size == 19
    rows64 = receptive_field(m, (1, 3, 64, 64))
    assert region == rows64[2].region and rows64[2].visible == 19


def test_dilated_stack():
    m = nn.Sequential(*[nn.Conv2d(2, 2, 3, padding=d, dilation=d) for d in (1, 2, 4)])
    rows = receptive_field(m, (1, 2, 32, 32))
    assert [r.size for r in rows] == [3, 7, 15] and rows[-1].jump == 1
    assert empirical_receptive_field(m, (1, 2, 33, 33))[0] == 15


def test_clipped_region_and_whole_input():
    m = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Conv2d(1, 1, 3, padding=1), nn.AdaptiveAvgPool2d(1),
                      nn.Flatten(), nn.Linear(1, 2))
    rows = receptive_field(m, (1, 1, 4, 4))
    assert rows[1].size == 5 and rows[1].clipped and rows[1].visible == 4   # theory not capped, region is
    assert rows[2].whole and rows[2].size is None and rows[4].whole


@pytest.mark.parametrize("name,layer,size,jump", [("alexnet", "features.12", 195, 32),
                                                   ("vgg16", "features.30", 212, 32)])
def test_reference_values(name, layer, size, jump):
    m = tv_models.cached(name)
    r = receptive_field(m, (1, 3, 224, 224))[layer]
    assert (r.size, r.jump) == (size, jump)


def _unclipped_size(model, layer, start=64, step=32):
    n = start
    while True:
        r = receptive_field(model, (1, 3, n, n))[layer]
        if not r.clipped:
            return n, r
        n += step


@pytest.mark.parametrize("name", ["resnet18", "resnet50", "vgg16", "alexnet", "mobilenet_v2"])
def test_theory_matches_autograd(name):
    m = tv_models.cached(name)
    rows = receptive_field(m, (1, 3, 224, 224), leaves_only=True)
    finite = [r for r in rows if r.size is not None]
    assert all(r.aligned for r in finite)
    # the deepest finite layer and one in the middle, at the smallest input that avoids clipping
    for layer in (finite[-1].name, finite[len(finite) // 2].name):
        n, r = _unclipped_size(m, layer)
        size, region = empirical_receptive_field(m, (1, 3, n, n), layer=layer)
        assert size == r.size, (layer, n)
        assert region == r.region
    assert {"resnet18": 435, "resnet50": 427, "vgg16": 212, "alexnet": 195, "mobilenet_v2": 491}[name] == \
        finite[-1].size


def test_residual_union_when_branches_misaligned():
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(1, 1, 3, padding=1)
            self.b = nn.Conv2d(1, 1, 3, padding=0)

        def forward(self, x):
            return self.a(x)[:, :, 1:-1, 1:-1] + self.b(x)

    rows = receptive_field(Odd(), (1, 1, 9, 9))
    assert rows["b"].size == 3
    assert empirical_receptive_field(Odd(), (1, 1, 9, 9), layer="b")[0] == 3
