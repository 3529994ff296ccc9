"""Registry entries for convolution: conv1d, conv2d, conv_transpose1d/2d/3d, unfold, fold (conv3d: nn_volumetric)."""
from __future__ import annotations

import torch.nn.functional as TF

import deepglass.nn.functional as F

from . import OpInfo, Sample

CONV_NOTE = "float32 sums of up to ~50 products: rtol 1e-4 / atol 1e-5"


def _conv2d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 3, 5, 6), x(4, 3, 3, 3), x(4), padding=1),                       # NCHW kernel (C < 16)
        Sample(x(1, 4, 7, 5), x(4, 2, 3, 2), x(4), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2),
        Sample(x(2, 3, 6, 6), x(3, 1, 3, 3), None, stride=2, padding=1, groups=3),   # depthwise
        Sample(x(1, 2, 5, 5), x(3, 2, 2, 2), x(3), padding="same", dilation=2),      # asymmetric 'same'
        Sample(x(2, 2, 6, 7), x(2, 2, 3, 3), None, stride=(1, 2), padding="valid"),
        Sample(x(1, 2, 4, 5), x(3, 2, 1, 1), x(3)),                                   # 1x1, batch 1
        Sample(x(1, 4, 3, 4), x(3, 4, 1, 1), x(3), padding=1),                        # padding > kernel reach
        Sample(x(2, 3, 4, 9), x(5, 3, 3, 3), x(5), stride=(1, 2), padding=(0, 1)),     # row kernel, W stride
        Sample(x(3, 5, 4), x(2, 3, 3, 3), x(2), padding=(2, 1), dilation=(2, 1)),     # unbatched
    ]


def _conv1d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 3, 9), x(4, 3, 3), x(4), stride=2, padding=1, dilation=2),
        Sample(x(1, 4, 7), x(2, 2, 2), None, padding="same", groups=2),
        Sample(x(3, 6), x(2, 3, 3), x(2)),
    ]


def _conv_transpose2d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 4, 3, 4), x(4, 3, 3, 2), x(6), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2,
               dilation=(1, 2)),
        Sample(x(1, 2, 3, 3), x(2, 3, 3, 3)),
        Sample(x(1, 3, 3, 2), x(3, 2, 3, 3), x(2), stride=2, padding=1, output_padding=1),
        Sample(x(1, 2, 3, 3), x(2, 2, 2, 3), x(2), dilation=2, output_padding=(1, 0)),   # output_padding >= stride
        Sample(x(2, 3, 3), x(2, 1, 3, 3), x(1), padding=2, dilation=2, output_padding=1, stride=1),  # unbatched
    ]


def _conv_transpose3d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(1, 4, 2, 3, 2), x(4, 1, 2, 3, 2), x(2), stride=(2, 1, 2), padding=(0, 1, 1), output_padding=(1, 0, 1),
               groups=2),
        Sample(x(2, 2, 2, 2, 3), x(2, 2, 2, 2, 2), None, dilation=(2, 1, 1), output_padding=(1, 0, 0)),
        Sample(x(2, 2, 2, 2), x(2, 1, 2, 2, 2), x(1), stride=2),                                          # unbatched
    ]


def _conv_transpose1d(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 4, 5), x(4, 3, 3), x(6), stride=2, padding=1, output_padding=1, groups=2, dilation=2),
        Sample(x(1, 2, 4), x(2, 3, 2)),
        Sample(x(3, 6), x(3, 2, 3), x(2), stride=(3,), padding=(1,), output_padding=(2,)),   # unbatched
        Sample(x(2, 2, 3), x(2, 2, 1), None, 1, 0, 0, 2, 1),                                   # positional
    ]


def _conv2d_kernel_paths(rng):
    """Every path of ``kernels/conv.py``: NCHW (C < 16), rows (C >= 16, stride 1), general (groups, strides) and
    Winograd (3x3, stride 1, C >= 16; the row kernel where Winograd is off), each on enough work (>=
    ``parallel.MIN_PARALLEL_WORK`` multiply-adds) to run in batch chunks on threads (weight gradients summed over
    chunks), and taps that only see padding (cropped). Gradchecked along one random direction (fast mode: > 512
    elements); ``tests/kernels/test_registry_coverage.py`` proves each path runs."""
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [
        Sample(x(2, 16, 6, 7), x(8, 16, 3, 3), x(8), padding=1),                      # Winograd, serial
        Sample(x(4, 16, 24, 24), x(16, 16, 3, 3), x(16), padding=1),                  # Winograd, batch chunks
        Sample(x(2, 16, 16, 16), x(16, 16, 5, 5), x(16), padding=2),                  # rows, batch chunks
        Sample(x(4, 8, 24, 24), x(16, 8, 3, 3), x(16), padding=1),                    # NCHW, batch chunks
        Sample(x(4, 16, 24, 24), x(16, 8, 3, 3), x(16), padding=1, groups=2),         # general, batch chunks
        Sample(x(2, 16, 9, 8), x(8, 16, 3, 3), None, stride=2, dilation=(1, 2)),      # general (stride), serial
        Sample(x(2, 4, 1, 5), x(3, 4, 3, 3), x(3), padding=1),                        # padding-only taps: cropped
        Sample(x(1, 16, 2, 6), x(4, 16, 5, 3), x(4), padding=(2, 1)),                 # rows, serial, cropped taps
    ]


def _conv1d_kernel_paths(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 16, 10), x(8, 16, 3), x(8), padding=1),                   # rows (as conv2d of height 1)
            Sample(x(2, 16, 11), x(8, 8, 3), None, stride=2, groups=2)]           # general


ENTRIES = [
    OpInfo("conv2d[kernel paths]", F.conv2d, TF.conv2d, _conv2d_kernel_paths, rtol=1e-4, atol=1e-4,
           note="float32 sums of up to 144 products: atol 1e-4"),
    OpInfo("conv1d[kernel paths]", F.conv1d, TF.conv1d, _conv1d_kernel_paths, rtol=1e-4, atol=1e-5, note=CONV_NOTE),
    OpInfo("conv_transpose1d", F.conv_transpose1d, TF.conv_transpose1d, _conv_transpose1d, rtol=1e-4, atol=1e-5,
           note=CONV_NOTE),
    OpInfo("conv2d", F.conv2d, TF.conv2d, _conv2d, rtol=1e-4, atol=1e-5, note=CONV_NOTE),
    OpInfo("conv1d", F.conv1d, TF.conv1d, _conv1d, rtol=1e-4, atol=1e-5, note=CONV_NOTE),
    OpInfo("conv_transpose2d", F.conv_transpose2d, TF.conv_transpose2d, _conv_transpose2d, rtol=1e-4, atol=1e-5,
           note=CONV_NOTE),
    OpInfo("conv_transpose3d", F.conv_transpose3d, TF.conv_transpose3d, _conv_transpose3d, rtol=1e-4, atol=1e-5,
           note=CONV_NOTE),
    OpInfo("unfold", F.unfold, TF.unfold, lambda rng: [
        Sample(rng.standard_normal((2, 3, 6, 5)), (2, 3), dilation=(2, 1), padding=1, stride=(1, 2)),
        Sample(rng.standard_normal((1, 2, 4, 4)), 2, stride=2),
    ]),
    OpInfo("fold", F.fold, TF.fold, lambda rng: [
        Sample(rng.standard_normal((2, 12, 21)), (5, 6), 2, stride=(2, 1), padding=1),
        Sample(rng.standard_normal((1, 8, 9)), (4, 4), 2),
    ]),
]
