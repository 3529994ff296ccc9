"""Registry entries for the loss functions (``deepglass.ops.loss``) and ``one_hot``.

The margin, ranking and embedding losses are in nn_margin_loss.py.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as TF

from deepglass.nn import functional as F

from . import OpInfo, Sample

REDS = ("none", "mean", "sum")


def _with(fn, *names):
    """Pass trailing positional sample args as keyword options (weights must be arrays to become tensors)."""
    def call(x, t, *rest, **kw):
        kw.update({n: v for n, v in zip(names, rest)})
        return fn(x, t, **kw)
    return call


def _x(rng, *shape):
    return rng.standard_normal(shape)


def _regression(rng, weighted=True):
    x, t = _x(rng, 3, 4), _x(rng, 3, 4)
    out = [Sample(x, t, reduction=r) for r in REDS]
    out.append(Sample(_x(rng, 2, 3, 2), _x(rng, 2, 3, 2)))
    if weighted:
        w = rng.uniform(0.5, 2.0, (3, 4))
        out += [Sample(x, t, w, reduction=r, grad=(0, 1)) for r in REDS]
    return out


def _smooth_l1(rng):
    x, t = 2 * _x(rng, 3, 4), _x(rng, 3, 4)
    return [Sample(x, t, reduction=r, beta=b) for r in REDS for b in (1.0, 0.5)] + [Sample(x, t, beta=0.0)]


def _huber(rng):
    x, t = 2 * _x(rng, 3, 4), _x(rng, 3, 4)
    w = rng.uniform(0.5, 2.0, (3, 4))
    return ([Sample(x, t, reduction=r, delta=d) for r in REDS for d in (1.0, 0.3)]
            + [Sample(x, t, w, reduction=r, grad=(0, 1)) for r in REDS])


def _log_probs(rng, *shape, axis=1):
    z = _x(rng, *shape)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _kl(rng):
    inp = _log_probs(rng, 3, 4)
    p = np.exp(_log_probs(rng, 3, 4))
    return ([Sample(inp, p, reduction=r) for r in REDS + ("batchmean",)]
            + [Sample(inp, np.log(p), reduction=r, log_target=True) for r in ("batchmean", "none")])


def _targets(rng, c, *shape):
    return rng.integers(0, c, shape).astype(np.int64)


def _ce(rng):
    x = _x(rng, 4, 5)
    t = _targets(rng, 5, 4)
    w = rng.uniform(0.5, 2.0, 5)
    t_ign = t.copy()
    t_ign[1] = -100
    t_ign2 = t.copy()
    t_ign2[2] = 3
    xs, ts = _x(rng, 2, 3, 4, 2), _targets(rng, 3, 2, 4, 2)
    probs = np.exp(_log_probs(rng, 4, 5))
    extreme = rng.choice([-1e4, 1e4], (4, 5)) + _x(rng, 4, 5)
    out = [Sample(x, t, reduction=r) for r in REDS]
    out += [Sample(x, t_ign, w, reduction=r, grad=(0,)) for r in REDS]
    out += [Sample(x, t_ign2, None, ignore_index=3, reduction=r, label_smoothing=0.2) for r in REDS]
    out += [Sample(x, t_ign, w, reduction=r, label_smoothing=0.1, grad=(0,)) for r in REDS]
    out += [Sample(xs, ts, reduction=r) for r in REDS]
    out += [Sample(xs, ts, rng.uniform(0.5, 2.0, 3), reduction="mean", label_smoothing=0.3, grad=(0,))]
    out += [Sample(x, probs, reduction=r) for r in REDS]
    out += [Sample(x, probs, w, reduction=r, label_smoothing=0.25, grad=(0, 1)) for r in ("mean", "none")]
    out += [Sample(_x(rng, 5), np.array(2), reduction=r) for r in ("mean", "none")]
    out += [Sample(_x(rng, 5), np.exp(_log_probs(rng, 5, axis=0)), reduction="sum")]
    out += [Sample(extreme, t, reduction=r) for r in REDS]
    out += [Sample(extreme, t, w, reduction="mean", label_smoothing=0.1, grad=(0,))]
    return out


def _nll(rng):
    x = _log_probs(rng, 4, 5)
    t = _targets(rng, 5, 4)
    t_ign = t.copy()
    t_ign[0] = -100
    w = rng.uniform(0.5, 2.0, 5)
    xs, ts = _log_probs(rng, 2, 3, 4), _targets(rng, 3, 2, 4)
    return ([Sample(x, t, reduction=r) for r in REDS] + [Sample(x, t_ign, w, reduction=r, grad=(0,)) for r in REDS]
            + [Sample(xs, ts, reduction=r) for r in REDS] + [Sample(_log_probs(rng, 5, axis=0), np.array(1))])


def _bce(rng):
    x = 1 / (1 + np.exp(-_x(rng, 3, 4)))
    t = rng.uniform(0, 1, (3, 4))
    w = rng.uniform(0.5, 2.0, (3, 4))
    return [Sample(x, t, reduction=r) for r in REDS] + [Sample(x, t, w, reduction=r, grad=(0, 1)) for r in REDS]


def _bce_logits(rng):
    x = 3 * _x(rng, 3, 4)
    t = rng.uniform(0, 1, (3, 4))
    hard = (rng.uniform(0, 1, (3, 4)) > 0.5).astype(np.float64)
    w = rng.uniform(0.5, 2.0, (3, 4))
    pw = rng.uniform(0.5, 3.0, 4)
    big = rng.choice([-1.0, 1.0], (3, 4)) * rng.choice([100.0, 1e4], (3, 4)) + _x(rng, 3, 4)
    out = [Sample(x, t, None, None, reduction=r) for r in REDS]
    out += [Sample(x, t, w, pw, reduction=r, grad=(0, 1)) for r in REDS]
    out += [Sample(x, t, None, pw, reduction="mean", grad=(0, 1))]
    out += [Sample(big, hard, None, None, reduction=r) for r in ("none", "sum")]
    out += [Sample(big, hard, w, pw, reduction="none", grad=(0, 1))]
    return out


def _poisson(rng):
    x, t = _x(rng, 3, 4), rng.uniform(1.2, 6.0, (3, 4))
    lam = rng.uniform(0.2, 3.0, (3, 4))
    counts = rng.integers(0, 6, (3, 4))
    small = np.array([0.0, 0.5, 1.0, 2.0, 7.0])
    out = [Sample(x, t, reduction=r) for r in REDS]
    out += [Sample(x, t, True, True, reduction=r) for r in REDS]
    out += [Sample(lam, t, log_input=False, reduction=r) for r in REDS]
    out += [Sample(lam, t, False, True, eps=1e-3, reduction="none"), Sample(lam, counts, False, reduction="sum")]
    out += [Sample(x, counts, full=True, reduction="none"), Sample(_x(rng, 3, 1), rng.uniform(0.5, 4, 4), reduction="none")]
    # full=True masks the Stirling term for y <= 1: ℓ jumps at y = 1, and PyTorch's dℓ/dy at y = 0 is NaN
    # (0·log 0), so y is only differentiated away from both
    out += [Sample(_x(rng, 5), small, full=True, reduction="none", grad=(0,))]
    out += [Sample(_x(rng, 4), np.array([0.5, 0.9, 2.0, 7.0]), full=True, reduction="none")]
    return out


def _gaussian(rng):
    x, t = _x(rng, 4, 3), _x(rng, 4, 3)
    v = rng.uniform(0.2, 2.0, (4, 3))
    out = [Sample(x, t, v, reduction=r) for r in REDS]
    out += [Sample(x, t, v, full=True, reduction=r) for r in ("none", "mean")]
    out += [Sample(x, t, rng.uniform(0.2, 2.0, 4), reduction="none"),         # one fewer dimension
            Sample(x, t, rng.uniform(0.2, 2.0, (4, 1)), reduction="none"),    # a size-1 dimension
            Sample(x, t, rng.uniform(0.2, 2.0, (1, 3)), True),
            Sample(x, t, 0.7, reduction="none"), Sample(x, t, 2.0, full=True),  # a number
            Sample(x, _x(rng, 3), v, reduction="none"),                      # target broadcast
            Sample(_x(rng, 3), _x(rng, 3), np.array(0.5), reduction="none"),
            Sample(_x(rng, 2, 3, 4), _x(rng, 2, 3, 4), rng.uniform(0.2, 2.0, (2, 1, 4)), reduction="none")]
    # var below eps: clamped in the forward, the gradient passed through (tests/nn: the var gradient)
    out += [Sample(x, t, np.full((4, 3), 1e-8), eps=1e-3, reduction="none", grad=(0, 1))]
    return out


ENTRIES = [
    OpInfo("l1_loss", dg=_with(F.l1_loss, "weight"), torch=_with(TF.l1_loss, "weight"), samples=_regression),
    OpInfo("mse_loss", dg=_with(F.mse_loss, "weight"), torch=_with(TF.mse_loss, "weight"), samples=_regression),
    OpInfo("smooth_l1_loss", dg=F.smooth_l1_loss, torch=TF.smooth_l1_loss, samples=_smooth_l1),
    OpInfo("huber_loss", dg=_with(F.huber_loss, "weight"), torch=_with(TF.huber_loss, "weight"), samples=_huber),
    OpInfo("kl_div", dg=F.kl_div, torch=TF.kl_div, samples=_kl),
    OpInfo("cross_entropy", dg=_with(F.cross_entropy, "weight"), torch=_with(TF.cross_entropy, "weight"),
           samples=_ce, rtol=1e-5, atol=1e-5,
           note="logits of ±1e4 give losses of ~1e4 whose float32 ulp is ~1e-3 before the relative check"),
    OpInfo("nll_loss", dg=_with(F.nll_loss, "weight"), torch=_with(TF.nll_loss, "weight"), samples=_nll),
    OpInfo("binary_cross_entropy", dg=_with(F.binary_cross_entropy, "weight"),
           torch=_with(TF.binary_cross_entropy, "weight"), samples=_bce),
    OpInfo("binary_cross_entropy_with_logits", dg=_with(F.binary_cross_entropy_with_logits, "weight", "pos_weight"),
           torch=_with(TF.binary_cross_entropy_with_logits, "weight", "pos_weight"), samples=_bce_logits,
           atol=1e-5, note="|logit| up to 1e4: float32 losses of ~1e4"),
    OpInfo("poisson_nll_loss", F.poisson_nll_loss, TF.poisson_nll_loss, _poisson),
    OpInfo("gaussian_nll_loss", F.gaussian_nll_loss, TF.gaussian_nll_loss, _gaussian),
    OpInfo("one_hot", dg=F.one_hot, torch=TF.one_hot, grad=False, gradcheck=False,
           samples=lambda rng: [Sample(np.array([0, 2, 1, 3]), num_classes=5), Sample(np.array([[1, 0], [2, 2]])),
                                Sample(np.zeros((0,), np.int64), num_classes=3)]),
]

_ = torch  # torch is the reference implementation of every entry above


def _lce(mod):
    def call(x, w, t, b=None, **kw):
        return mod.linear_cross_entropy(x, w, t, linear_bias=b, **kw)
    return call


def _lce_samples(rng):
    return [Sample(_x(rng, 4, 5), _x(rng, 3, 5), np.array([0, 2, 1, 2])),
            Sample(_x(rng, 4, 5), _x(rng, 3, 2, 5), rng.integers(0, 3, (4, 2)), _x(rng, 3, 2), label_smoothing=0.1),
            Sample(_x(rng, 4, 5), _x(rng, 3, 5), np.array([0, -100, 1, 2]), reduction="sum")]


ENTRIES += [OpInfo("linear_cross_entropy", dg=_lce(F), torch=_lce(TF), samples=_lce_samples)]
