"""Registry entries for issue 14's nn.functional extras: max_unpool1d/2d/3d (ops/unpool.py), the deprecated
upsample aliases (ops/upsample.py), pdist (ops/distance.py), embedding_bag and ctc_loss.

Unpooling samples take their indices from PyTorch's own max_pool*d(return_indices=True) on the same values,
so every index is one a real pooling produced (windows may overlap: stride < kernel).
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
import torch.nn.functional as TF

import deepglass as dg
import deepglass.nn.functional as F

from . import OpInfo, Sample


def _pooled(n, rng, shape, kernel, stride=None, padding=0):
    x = torch.from_numpy(rng.standard_normal(shape))
    pool = getattr(TF, f"max_pool{n}d")
    y, idx = pool(x, kernel, stride, padding, return_indices=True)
    return y.numpy(), idx.numpy()


_DISJOINT = [((2, 3), 2, None, 0, {}), ((2,), 2, 2, 0, {}),                     # batched, unbatched
             ((1, 2), 2, 2, 0, {"output_size": 5}),                                # one past the default size
             ((1, 1), 2, 2, 0, {"output_size": "NC"})]                             # output_size with N, C
_OVERLAPPING = [((1, 2), 3, 2, 1, {}), ((2,), 2, 1, 0, {})]


def _unpool_samples(n, cases):
    def samples(rng):
        out = []
        for lead, k, s, p, extra in cases:
            size = 7 if k == 3 else (5 if extra else 6)
            shape = lead + (size,) * n
            if extra.get("output_size") == 5:
                extra = {"output_size": (5,) * n}
            elif extra.get("output_size") == "NC":
                extra = {"output_size": lead + (size,) * n}
            y, idx = _pooled(n, rng, shape, k, s, p)
            out.append(Sample(y, idx, k, s, p, **extra))
        return out

    return samples


def _quiet(fn):
    def call(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return call


def _upsample_samples(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    return [Sample(x(1, 2, 3, 4), scale_factor=2), Sample(x(2, 1, 5), size=8), Sample(x(1, 2, 3, 3), size=(5, 4),
                                                                                        mode="bilinear"),
            Sample(x(1, 1, 2, 3, 3), scale_factor=2, mode="trilinear", align_corners=True)]


def _pdist_samples(rng):
    x = rng.standard_normal((6, 4))
    x[4] = x[1] + rng.uniform(1e-3, 1e-2, 4)      # a close pair (no tie in the largest coordinate)
    return [Sample(x), Sample(x, 1.0), Sample(x, 3.0), Sample(x, 0.5), Sample(x, float("inf")),
            Sample(rng.standard_normal((1, 3))), Sample(rng.standard_normal((4, 1)), p=2)]


ENTRIES = [
    *[OpInfo(f"max_unpool{n}d", getattr(F, f"max_unpool{n}d"), getattr(TF, f"max_unpool{n}d"),
             _unpool_samples(n, _DISJOINT)) for n in (1, 2, 3)],
    # overlapping windows can pick one input position twice: the output keeps one write while the gradient
    # (PyTorch's too) reaches both inputs, so finite differences cannot agree there
    *[OpInfo(f"max_unpool{n}d[overlapping]", getattr(F, f"max_unpool{n}d"), getattr(TF, f"max_unpool{n}d"),
             _unpool_samples(n, _OVERLAPPING), gradcheck=False, note="duplicate indices: no finite differences")
      for n in (1, 2, 3)],
    OpInfo("upsample", _quiet(F.upsample), _quiet(TF.upsample), _upsample_samples),
    OpInfo("upsample_nearest", _quiet(F.upsample_nearest), _quiet(TF.upsample_nearest), lambda rng: [
        Sample(rng.standard_normal((1, 2, 3, 4)), scale_factor=2), Sample(rng.standard_normal((1, 2, 3)), size=7)]),
    OpInfo("upsample_bilinear", _quiet(F.upsample_bilinear), _quiet(TF.upsample_bilinear), lambda rng: [
        Sample(rng.standard_normal((1, 2, 3, 4)), scale_factor=2), Sample(rng.standard_normal((2, 1, 3, 3)),
                                                                          size=(5, 4))]),
    OpInfo("pdist", F.pdist, TF.pdist, _pdist_samples, rtol=1e-4, atol=1e-5),
]


def _bag_samples(rng):
    w = rng.standard_normal((10, 3))
    flat = rng.integers(0, 10, 9)
    fixed = rng.integers(0, 10, (3, 4))
    off = np.array([0, 2, 2, 6])                                       # an empty bag at 1
    psw = rng.uniform(0.5, 2.0, 9)
    return [Sample(flat, w, off, mode="sum"), Sample(flat, w, off), Sample(flat, w, off, mode="max"),
            Sample(fixed, w), Sample(fixed, w, mode="max"), Sample(fixed, w, mode="sum", padding_idx=int(fixed[0, 0])),
            Sample(flat, w, off, mode="sum", per_sample_weights=psw),
            Sample(flat, w, np.array([0, 3, 9]), include_last_offset=True, mode="mean"),
            Sample(flat, w, off, mode="mean", padding_idx=int(flat[3]))]
    # scale_grad_by_freq: PyTorch's CPU kernel divides some rows by another row's count (e.g. input [1, 1, 2, 1],
    # offsets [0, 2] gives row 2 a gradient 1/3); tests/nn/test_embedding_bag.py checks the documented rule


def _bag_torch(input, weight, offsets=None, **kwargs):
    if isinstance(kwargs.get("per_sample_weights"), np.ndarray):
        kwargs["per_sample_weights"] = torch.from_numpy(kwargs["per_sample_weights"]).to(weight.dtype)
    return TF.embedding_bag(input, weight, offsets, **kwargs)


def _bag_dg(input, weight, offsets=None, **kwargs):
    import deepglass

    if isinstance(kwargs.get("per_sample_weights"), np.ndarray):
        kwargs["per_sample_weights"] = deepglass.tensor(kwargs["per_sample_weights"], dtype=weight.dtype)
    return F.embedding_bag(input, weight, offsets, **kwargs)


ENTRIES.append(OpInfo("embedding_bag", _bag_dg, _bag_torch, _bag_samples))


def _ctc_samples(rng):
    """Logits (T, N, C) (log_softmax applied inside the entry), targets, input and target lengths."""
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    t2 = np.array([[1, 2, 2], [3, 1, 0]])                      # a repeated label needs a blank between
    return [
        Sample(x(6, 2, 4), t2, [6, 5], [3, 2]),
        Sample(x(6, 2, 4), t2, [6, 4], [3, 2], reduction="sum"),
        Sample(x(5, 2, 4), t2, [5, 5], [3, 1], reduction="none"),
        Sample(x(5, 2, 4), np.array([1, 2, 2, 3]), [5, 3], [3, 1]),                 # 1-D concatenated targets
        Sample(x(5, 2, 4), np.array([[0, 2], [1, 1]]), [5, 4], [2, 2], blank=3),    # blank = last class
        Sample(x(3, 2, 4), np.array([[1, 1, 1], [2, 0, 0]]), [3, 3], [3, 1], reduction="none",
               zero_infinity=True),                           # 1 1 1 needs 5 frames: impossible, zeroed
        Sample(x(4, 3), np.array([1, 2]), 4, 2),                                    # unbatched (T, C)
        Sample(x(4, 2, 3), np.array([[1], [2]]), [4, 2], [0, 1], reduction="sum"),  # an empty target
    ]


def _ctc(framework_ctc, log_softmax, tensor):
    def call(logits, targets, input_lengths, target_lengths, **kwargs):
        input_lengths, target_lengths = tensor(input_lengths), tensor(target_lengths)
        return framework_ctc(log_softmax(logits, -1), targets, input_lengths, target_lengths, **kwargs)

    return call


def _dg_tensor(v):
    import deepglass

    return deepglass.tensor(v)


ENTRIES.append(OpInfo(
    "ctc_loss", _ctc(F.ctc_loss, F.log_softmax, _dg_tensor), _ctc(TF.ctc_loss, TF.log_softmax, torch.tensor),
    _ctc_samples, rtol=1e-4, atol=1e-5,
    note="through log_softmax: PyTorch's CTC gradient w.r.t. log_probs is the exact one plus exp(log_probs), "
         "which log_softmax's backward cancels (tests/nn/test_ctc_loss.py compares the raw gradient)"))


def _mha(fn):
    """multi_head_attention_forward with every tensor positional (the registry converts positional arrays only)."""
    def call(q, k, v, in_w, in_b, out_w, out_b, *rest, heads=2, separate=False, **kwargs):
        e = q.shape[-1]
        bias_k, bias_v = (rest[0], rest[1]) if len(rest) == 2 else (None, None)
        sep = {}
        if separate:
            sep = {"use_separate_proj_weight": True, "q_proj_weight": in_w[:e], "k_proj_weight": in_w[e:2 * e],
                   "v_proj_weight": in_w[2 * e:]}
        return fn(q, k, v, e, heads, in_w, in_b, bias_k, bias_v, kwargs.pop("add_zero_attn", False), 0.0, out_w,
                  out_b, **sep, **kwargs)

    return call


def _mha_samples(rng):
    r = lambda *s: rng.standard_normal(s) * 0.5  # noqa: E731
    w = lambda e: (r(3 * e, e), r(3 * e), r(e, e), r(e))  # noqa: E731
    return [
        Sample(r(3, 2, 4), r(5, 2, 4), r(5, 2, 4), *w(4)),
        Sample(r(3, 4), r(5, 4), r(5, 4), *w(4), heads=1),                                  # unbatched
        Sample(r(3, 2, 4), r(5, 2, 4), r(5, 2, 4), *w(4), separate=True, average_attn_weights=False),
        Sample(r(3, 2, 4), r(5, 2, 4), r(5, 2, 4), *w(4), r(1, 1, 4), r(1, 1, 4), add_zero_attn=True),
        Sample(r(3, 2, 4), r(5, 2, 4), r(5, 2, 4), *w(4), need_weights=False),
    ]


ENTRIES.append(OpInfo("multi_head_attention_forward", _mha(F.multi_head_attention_forward),
                      _mha(TF.multi_head_attention_forward), _mha_samples, rtol=1e-5, atol=1e-6))


def _native_bn_samples(rng):
    x = lambda *s: rng.standard_normal(s)  # noqa: E731
    pos = lambda *s: rng.uniform(0.5, 2, s)  # noqa: E731
    return [Sample(x(4, 3, 5), x(3), x(3), None, None, True, 0.1, 1e-5),
            Sample(x(4, 3), None, None, x(3), pos(3), True, 0.3, 1e-3, grad=(0,)),      # updates the running stats
            Sample(x(2, 3, 2, 2), x(3), x(3), x(3), pos(3), False, 0.1, 1e-5, grad=(0, 1, 2))]   # eval: empty stats


_NATIVE = "the mean/rstd outputs carry no gradient (as PyTorch's); output 0 is F's, gradchecked in nn_norm.py"

ENTRIES += [
    OpInfo("native_batch_norm", dg.native_batch_norm, torch.native_batch_norm,
           _native_bn_samples, gradcheck=False, note=_NATIVE),
    OpInfo("native_layer_norm", dg.native_layer_norm, torch.native_layer_norm, lambda rng: [
        Sample(rng.standard_normal((2, 3, 4)), (4,), rng.standard_normal(4), rng.standard_normal(4), 1e-5),
        Sample(rng.standard_normal((2, 3, 4)), (3, 4), None, None, 0.5)], gradcheck=False, note=_NATIVE),
    OpInfo("native_group_norm", dg.native_group_norm, torch.native_group_norm, lambda rng: [
        Sample(rng.standard_normal((2, 4, 3)), rng.standard_normal(4), rng.standard_normal(4), 2, 4, 3, 2, 1e-5),
        Sample(rng.standard_normal((3, 6, 2, 2)), None, None, 3, 6, 4, 3, 1e-3)]),
]


def _fractional(fn, tensor):
    """fractional_max_poolNd with the random samples positional (so both frameworks get the same ones)."""
    def call(x, samples, *args, **kwargs):
        return fn(x, *args, _random_samples=tensor(samples), **kwargs)

    return call


def _fractional_samples(n):
    def samples(rng):
        shape = (2, 3) + (7, 8, 6)[:n]
        return [Sample(rng.standard_normal(shape), rng.random((2, 3, n)), 2, output_size=(3, 4, 2)[:n], grad=(0,)),
                Sample(rng.standard_normal(shape[1:]), rng.random((1, 3, n)), 3, output_ratio=(0.5,) * n, grad=(0,)),
                Sample(rng.standard_normal(shape), rng.random((2, 3, n)), (2, 3, 1)[:n], output_size=3,
                       return_indices=True, grad=(0,))]

    return samples


ENTRIES += [OpInfo(f"fractional_max_pool{n}d", _fractional(getattr(F, f"fractional_max_pool{n}d"), dg.tensor),
                   _fractional(getattr(TF, f"fractional_max_pool{n}d"), torch.tensor), _fractional_samples(n),
                   aliases=(f"fractional_max_pool{n}d_with_indices",)) for n in (2, 3)]
