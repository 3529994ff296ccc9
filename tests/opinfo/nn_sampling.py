"""Registry entries for the resampling kernels: affine_grid, grid_sample, interpolate."""
from __future__ import annotations

import numpy as np
import torch.nn.functional as TF

from deepglass.nn import functional as F

from . import OpInfo, Sample


def _theta(rng, n):
    t = np.tile(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), (n, 1, 1))
    return t + 0.3 * rng.standard_normal((n, 2, 3))


def _affine_grid_samples(rng):
    return [
        Sample(_theta(rng, 2), (2, 3, 4, 5), align_corners=False),
        Sample(_theta(rng, 1), (1, 1, 3, 2), align_corners=True),
        Sample(_theta(rng, 1), (1, 1, 1, 3), align_corners=False),
        Sample(rng.standard_normal((2, 3, 4)), (2, 1, 2, 3, 2), align_corners=False),
    ]


def _grid_sample_samples(rng):
    out = []
    for mode in ("bilinear", "nearest"):
        for pad in ("zeros", "border", "reflection"):
            for ac in (False, True):
                x = rng.standard_normal((2, 2, 4, 5))
                grid = rng.uniform(-1.3, 1.3, (2, 3, 2, 2))  # some points fall outside the image
                out.append(Sample(x, grid, mode=mode, padding_mode=pad, align_corners=ac))
    # far outside: reflection folds several times
    out.append(Sample(rng.standard_normal((1, 1, 3, 4)), rng.uniform(-4, 4, (1, 2, 3, 2)),
                      mode="bilinear", padding_mode="reflection", align_corners=False))
    out.append(Sample(rng.standard_normal((1, 1, 3, 4)), rng.uniform(-4, 4, (1, 2, 3, 2)),
                      mode="bilinear", padding_mode="reflection", align_corners=True))
    # bicubic: the padding mode applies to each of the 16 taps (grids reach past the border)
    for pad in ("zeros", "border", "reflection"):
        for ac in (False, True):
            x = rng.standard_normal((2, 2, 5, 4))
            grid = rng.uniform(-1.4, 1.4, (2, 3, 4, 2))
            out.append(Sample(x, grid, mode="bicubic", padding_mode=pad, align_corners=ac))
    out.append(Sample(rng.standard_normal((1, 2, 3, 3)), rng.uniform(-3.5, 3.5, (1, 4, 3, 2)),
                      mode="bicubic", padding_mode="reflection", align_corners=False))   # folds several times
    out.append(Sample(rng.standard_normal((1, 1, 1, 3)), rng.uniform(-1.5, 1.5, (1, 2, 2, 2)),
                      mode="bicubic", padding_mode="reflection", align_corners=True))    # a height of 1
    out.append(Sample(rng.standard_normal((1, 1, 2, 2)), rng.uniform(-1.2, 1.2, (1, 5, 5, 2)),
                      mode="bicubic", padding_mode="zeros", align_corners=False))        # taps beyond a tiny image
    # volumes (5-D): "bilinear" is trilinear there
    for mode in ("bilinear", "nearest"):
        for pad in ("zeros", "border", "reflection"):
            for ac in (False, True):
                x = rng.standard_normal((2, 2, 3, 4, 3))
                grid = rng.uniform(-1.3, 1.3, (2, 2, 3, 2, 3))
                out.append(Sample(x, grid, mode=mode, padding_mode=pad, align_corners=ac))
    out.append(Sample(rng.standard_normal((1, 1, 2, 3, 1)), rng.uniform(-3, 3, (1, 2, 2, 2, 3)),
                      mode="bilinear", padding_mode="reflection", align_corners=True))
    return out


def _bicubic_samples(rng):
    x4 = lambda *s: rng.standard_normal(s)  # noqa: E731
    # A = −0.75, the 4 taps clamped to the edges; PyTorch keeps the source coordinate unclamped, and an
    # axis whose size is unchanged is still resampled with 1/scale_factor
    return [
        Sample(x4(2, 2, 3, 4), scale_factor=2, mode="bicubic", align_corners=False),
        Sample(x4(1, 2, 3, 4), scale_factor=2, mode="bicubic", align_corners=True),
        Sample(x4(1, 1, 4, 5), size=(7, 3), mode="bicubic", align_corners=False),
        Sample(x4(1, 1, 4, 5), size=(7, 3), mode="bicubic", align_corners=True),
        Sample(x4(1, 1, 7, 6), size=(3, 4), mode="bicubic", align_corners=False),    # downsampling
        Sample(x4(1, 1, 4, 4), scale_factor=(1.2, 2.5), mode="bicubic", align_corners=False),  # same height
        Sample(x4(1, 1, 3, 5), scale_factor=(1.7, 0.6), mode="bicubic", align_corners=False,
               recompute_scale_factor=True),
        Sample(x4(1, 1, 2, 3), scale_factor=(2.5, 1.5), mode="bicubic", align_corners=True),
        Sample(x4(1, 1, 1, 3), size=(3, 1), mode="bicubic", align_corners=True),     # 1-pixel axes
    ]


def _interpolate_samples(rng):
    x4 = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x4(1, 2, 3, 4), scale_factor=2, mode="nearest"),
        Sample(x4(1, 2, 5, 4), size=(3, 7), mode="nearest"),
        Sample(x4(1, 1, 4, 3), scale_factor=1.5, mode="nearest"),
        Sample(x4(1, 1, 4, 5), scale_factor=(1.2, 2.1), mode="nearest"),   # same size / exact doubling
        Sample(x4(1, 1, 4, 5), scale_factor=(1.2, 2.1), mode="bilinear", align_corners=False),
        Sample(x4(2, 1, 3, 4), size=(5, 6), mode="bilinear", align_corners=False),
        Sample(x4(1, 2, 3, 4), size=(5, 7), mode="bilinear", align_corners=True),
        Sample(x4(1, 1, 6, 5), size=(3, 2), mode="bilinear", align_corners=False),
        Sample(x4(1, 1, 4, 4), scale_factor=(1.5, 0.5), mode="bilinear", align_corners=False),
        Sample(x4(1, 1, 3, 3), scale_factor=2.5, mode="bilinear", align_corners=False, recompute_scale_factor=True),
        Sample(x4(1, 2, 5), size=8, mode="linear", align_corners=False),
        Sample(x4(1, 2, 5), scale_factor=0.5, mode="nearest"),
        Sample(x4(1, 1, 2, 3, 2), size=(3, 2, 4), mode="trilinear", align_corners=True),
        # (1-D / 3-D nearest with an unchanged or doubled axis: tests/nn/test_sampling.py, where
        #  PyTorch's backward does not match its own forward)
        # area: adaptive average pooling to the output size
        Sample(x4(2, 2, 6, 5), size=(3, 2), mode="area"),
        Sample(x4(1, 1, 7, 5), size=(4, 3), mode="area"),                            # overlapping windows
        Sample(x4(1, 2, 3, 4), scale_factor=2, mode="area"),                         # upsampling
        Sample(x4(1, 1, 5, 7), scale_factor=(0.5, 0.7), mode="area"),
        Sample(x4(1, 2, 7), size=3, mode="area"),
        Sample(x4(1, 1, 4, 5, 6), size=(2, 3, 4), mode="area"),
        Sample(x4(1, 1, 2, 3, 5), scale_factor=(1.5, 2.0, 0.5), mode="area"),
        # nearest-exact: source index ⌊(d + ½)·scale⌋
        Sample(x4(1, 2, 5), size=8, mode="nearest-exact"),
        Sample(x4(1, 2, 7), scale_factor=0.4, mode="nearest-exact"),
        Sample(x4(1, 1, 4, 5), scale_factor=(1.2, 2.1), mode="nearest-exact"),
        Sample(x4(1, 2, 5, 4), size=(3, 7), mode="nearest-exact"),
        Sample(x4(1, 1, 3, 3), scale_factor=2.5, mode="nearest-exact", recompute_scale_factor=True),
        Sample(x4(1, 1, 2, 3, 4), size=(3, 5, 2), mode="nearest-exact"),
        Sample(x4(1, 1, 4, 2, 3), scale_factor=(0.5, 1.5, 1.7), mode="nearest-exact"),
    ]


ENTRIES = [
    OpInfo("affine_grid", dg=F.affine_grid, torch=TF.affine_grid, samples=_affine_grid_samples),
    OpInfo("grid_sample", dg=F.grid_sample, torch=TF.grid_sample, samples=_grid_sample_samples,
           rtol=1e-4, atol=1e-5, note="float32 coordinate arithmetic differs in the last bits"),
    OpInfo("interpolate", dg=F.interpolate, torch=TF.interpolate, samples=_interpolate_samples),
    OpInfo("interpolate", dg=F.interpolate, torch=TF.interpolate, samples=_bicubic_samples, rtol=1e-4, atol=1e-5,
           note="bicubic: PyTorch sums 16 float32-weighted taps; cancellation near 0 leaves ~1e-6 absolute"),
]
