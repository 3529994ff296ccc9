"""Registry entries for scaled_dot_product_attention (masks boolean and additive, causal, scale, GQA)."""
from __future__ import annotations

import numpy as np
import torch.nn.functional as TF

from deepglass.nn import functional as F

from . import OpInfo, Sample


def _sdpa_samples(rng):
    r = rng.standard_normal
    bool_mask = rng.random((3, 4)) > 0.3
    bool_mask[:, 0] = True  # every query keeps at least one key
    return [
        Sample(r((2, 3, 4)), r((2, 4, 4)), r((2, 4, 2))),
        Sample(r((1, 2, 3, 4)), r((1, 2, 5, 4)), r((1, 2, 5, 3)), is_causal=True),
        Sample(r((1, 2, 3, 4)), r((1, 2, 4, 4)), r((1, 2, 4, 2)), attn_mask=None, scale=0.3),
        Sample(r((2, 1, 3, 2)), r((2, 1, 4, 2)), r((2, 1, 4, 2)), bool_mask),          # boolean mask (no grad)
        Sample(r((2, 2, 3, 2)), r((2, 2, 4, 2)), r((2, 2, 4, 3)), r((2, 1, 3, 4))),      # additive mask, differentiated
        Sample(r((1, 4, 2, 3)), r((1, 2, 3, 3)), r((1, 2, 3, 2)), enable_gqa=True),
        Sample(r((3, 4)), r((5, 4)), r((5, 2)), is_causal=True),
    ]


def _sdpa_masked_rows(rng):
    # a query row that blocks every key gives zeros (PyTorch's safe softmax)
    r = rng.standard_normal
    m = np.ones((3, 4), dtype=bool)
    m[1] = False
    return [Sample(r((1, 3, 2)), r((1, 4, 2)), r((1, 4, 2)), m)]


def _sdpa_batch_chunks(rng):
    # out.size · S · 2 >= parallel.MIN_PARALLEL_WORK: the batch runs in chunks on threads (forward and backward)
    r = rng.standard_normal
    return [Sample(r((8, 64, 32)), r((8, 64, 32)), r((8, 64, 32))), Sample(r((4, 2, 64, 32)), r((4, 2, 64, 32)),
                                                                          r((4, 2, 64, 32)), is_causal=True)]


ENTRIES = [
    OpInfo("scaled_dot_product_attention[batch chunks]", dg=F.scaled_dot_product_attention,
           torch=TF.scaled_dot_product_attention, samples=_sdpa_batch_chunks, rtol=1e-4, atol=1e-5,
           note="softmax over 64 keys in float32"),
    OpInfo("scaled_dot_product_attention", dg=F.scaled_dot_product_attention, torch=TF.scaled_dot_product_attention,
           samples=_sdpa_samples, rtol=1e-5, atol=1e-5),
    OpInfo("scaled_dot_product_attention", dg=F.scaled_dot_product_attention, torch=TF.scaled_dot_product_attention,
           samples=_sdpa_masked_rows, rtol=1e-5, atol=1e-5, note="fully masked query row"),
]
