"""Registry entries for normalisation: batch_norm (train/eval), layer_norm, group_norm, instance_norm, rms_norm,
local_response_norm."""
from __future__ import annotations

import torch.nn.functional as TF

import deepglass.nn.functional as F

from . import OpInfo, Sample


def _bn(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    rv = lambda c: rng.uniform(0.5, 2.0, c)  # noqa: E731
    out = []
    for shape in ((4, 3), (2, 3, 5), (2, 3, 4, 3)):
        out.append(Sample(x(*shape), x(3), rv(3), x(3), x(3), training=True, momentum=0.3, grad=(0, 3, 4)))
        out.append(Sample(x(*shape), x(3), rv(3), x(3), x(3), training=False, grad=(0, 3, 4)))
    out.append(Sample(x(3, 2, 2, 2), None, None, None, None, training=True, grad=(0,)))
    out.append(Sample(x(2, 3, 3, 2), x(3), rv(3), None, None, True, 0.1, 1e-3, grad=(0,)))
    for training in (True, False):  # 5-D (BatchNorm3d)
        out.append(Sample(x(2, 3, 2, 3, 2), x(3), rv(3), x(3), x(3), training=training, momentum=0.2, grad=(0, 3, 4)))
    return out


def _bn_channel_chunks(rng):
    # x.size * 7 >= parallel.MIN_PARALLEL_WORK (forward and backward): training batch norm runs on channel ranges on the threads
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(16, 64, 16, 20), x(64), rng.uniform(0.5, 2.0, 64), x(64), x(64), training=True, momentum=0.3,
                   grad=(0, 3, 4))]


def _ln(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 3, 4, 5), (4, 5), x(4, 5), x(4, 5)), Sample(x(3, 5), (5,)),
            Sample(x(2, 6), (6,), x(6), None, eps=1e-3)]


def _ln_batch_chunks(rng):
    # x.size * 4 >= parallel.MIN_PARALLEL_WORK: the per-sample statistics run in batch chunks on threads and the
    # parameter gradients are summed over chunks (fast-mode gradcheck: one random direction)
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(8, 256, 256), (256,), x(256), x(256))]


def _gn(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 4, 3, 3), 2, x(4), x(4)), Sample(x(1, 6, 5), 3), Sample(x(3, 4), 4, x(4), x(4), eps=1e-3)]


def _in(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    rv = lambda c: rng.uniform(0.5, 2.0, c)  # noqa: E731
    return [
        Sample(x(2, 3, 5)),
        Sample(x(3, 4, 3, 3), None, None, x(4), x(4), eps=1e-3),
        Sample(x(2, 3, 2, 3, 2), x(3), rv(3), x(3), x(3), momentum=0.3, grad=(0, 3, 4)),  # running-stat update
        Sample(x(2, 3, 4), x(3), rv(3), x(3), None, use_input_stats=False, grad=(0, 3)),  # eval with running stats
        Sample(x(2, 3, 3, 3), x(3), rv(3), None, None, False, 0.1, 1e-3, grad=(0,)),
        Sample(x(4, 2, 6)[:, :, ::2], None, None, x(2), x(2)),  # non-contiguous
    ]


def _rms(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 3, 4, 5), (4, 5), x(4, 5)), Sample(x(3, 5), [5]), Sample(x(2, 6), (6,), x(6), eps=1e-3),
            Sample(x(7), (7,), x(7)), Sample(x(6, 4).T, (6,), None, 1e-4)]


def _lrn(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(2, 5, 4), 3), Sample(x(2, 6, 3, 3), 2, alpha=0.5, beta=0.6, k=2.0),
            Sample(x(1, 4, 2, 3, 2), 5, 0.3, 0.75, 1.5), Sample(x(2, 3, 4), 1, alpha=1.0),
            Sample(x(2, 3, 2, 2), 8, alpha=2.0, beta=1.2)]  # window wider than C


ENTRIES = [
    OpInfo("batch_norm", F.batch_norm, TF.batch_norm, _bn, rtol=1e-4, atol=1e-5,
           note="float32 batch statistics: rtol 1e-4 / atol 1e-5"),
    OpInfo("batch_norm[channel chunks]", F.batch_norm, TF.batch_norm, _bn_channel_chunks, rtol=1e-4, atol=1e-4,
           note="float32 batch statistics over 5120 elements; 3.3 · 10^5 outputs: atol 1e-4"),
    OpInfo("layer_norm", F.layer_norm, TF.layer_norm, _ln, rtol=1e-4, atol=1e-5, note="float32 statistics"),
    OpInfo("layer_norm[batch chunks]", F.layer_norm, TF.layer_norm, _ln_batch_chunks, rtol=1e-4, atol=1e-4,
           note="float32 statistics over 256 elements; 4 · 10^5 outputs: atol 1e-4"),
    OpInfo("group_norm", F.group_norm, TF.group_norm, _gn, rtol=1e-4, atol=1e-5, note="float32 statistics"),
    OpInfo("instance_norm", F.instance_norm, TF.instance_norm, _in, rtol=1e-4, atol=1e-5, note="float32 statistics"),
    OpInfo("rms_norm", F.rms_norm, TF.rms_norm, _rms, rtol=1e-4, atol=1e-5, note="float32 statistics"),
    OpInfo("local_response_norm", F.local_response_norm, TF.local_response_norm, _lrn, rtol=1e-4, atol=1e-5,
           note="PyTorch sums the window by average pooling; float32 rounding differs"),
]
