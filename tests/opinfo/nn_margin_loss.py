"""Registry entries for the margin, ranking and embedding losses (``deepglass.ops.margin_loss``).

Targets PyTorch does not differentiate (soft_margin_loss's, multi_margin_loss's weight) are
kept out of the gradient check with ``grad=``. Gradients at the hinges' kinks, zero vectors in
cosine_embedding_loss and PyTorch's overflow in soft_margin_loss are tested in
tests/nn/test_margin_losses.py.
"""
from __future__ import annotations

import numpy as np
import torch.nn.functional as TF

from deepglass.nn import functional as F

from . import OpInfo, Sample
from .nn_loss import REDS, _with


def _x(rng, *shape):
    return rng.standard_normal(shape)


def _pm(rng, *shape):
    return rng.choice([-1.0, 1.0], shape)


def _ranking(rng):
    x1, x2, y = _x(rng, 6), _x(rng, 6), _pm(rng, 6)
    out = [Sample(x1, x2, y, reduction=r) for r in REDS]
    out += [Sample(x1, x2, y, 0.5), Sample(x1, x2, y, margin=-0.2, reduction="none")]
    out += [Sample(_x(rng, 3, 1), _x(rng, 1, 4), _pm(rng, 3, 4), reduction="none", margin=0.1)]
    out += [Sample(_x(rng, 5), _x(rng, 5), np.array([1, -1, 1, 1, -1]), reduction="sum")]
    out += [Sample(np.array(0.3), np.array(-0.2), np.array(-1.0), reduction="none")]
    return out


def _hinge(rng):
    x, y = np.abs(_x(rng, 3, 4)) * 2, _pm(rng, 3, 4)
    out = [Sample(x, y, reduction=r) for r in REDS]
    out += [Sample(x, y, 2.0, reduction="none"), Sample(_x(rng, 3, 4), y, margin=0.5)]
    out += [Sample(_x(rng, 3, 1), np.array([1.0, -1.0, 0.5, 1.0]), reduction="none")]  # a label other than ±1
    out += [Sample(x, np.array([1, -1, -1, 1]), reduction="sum")]
    return out


def _soft(rng):
    x, y = 2 * _x(rng, 3, 4), _pm(rng, 3, 4)
    out = [Sample(x, y, reduction=r, grad=(0,)) for r in REDS]
    out += [Sample(x, _pm(rng, 4), reduction="none", grad=(0,)), Sample(x, np.array([1, -1, -1, 1]), grad=(0,))]
    out += [Sample(np.array([-50.0, -20.0, 20.0, 50.0]), np.array([1.0, -1.0, 1.0, -1.0]), reduction="none",
                   grad=(0,))]
    return out


def _cosine(rng):
    a, b, y = _x(rng, 4, 5), _x(rng, 4, 5), _pm(rng, 4)
    out = [Sample(a, b, y, reduction=r) for r in REDS]
    out += [Sample(a, b, y, 0.3, reduction="none"), Sample(a, b, y, margin=-0.5)]
    out += [Sample(_x(rng, 5), _x(rng, 5), np.array(-1.0), reduction="none"), Sample(_x(rng, 5), _x(rng, 5), np.array(1))]
    out += [Sample(_x(rng, 1, 5), b, np.array([1, -1, 0, 1]), reduction="none")]  # broadcast rows; label 0 -> 0
    zero = a.copy()
    zero[1] = 0.0
    # a zero vector: cos = 0 (PyTorch's eps); d/d(zero row) is ~1e6 and not smooth there, so only input2 is checked
    out += [Sample(zero, b, y, reduction="none", grad=(1,))]
    return out


def _triplet(rng):
    a, p, n = _x(rng, 4, 5), _x(rng, 4, 5), _x(rng, 4, 5)
    out = [Sample(a, p, n, reduction=r) for r in REDS]
    out += [Sample(a, p, n, 2.0, pn) for pn in (1, 3, 1.5, float("inf"))]
    out += [Sample(a, p, n, margin=3.0, swap=True, reduction="none"), Sample(a, p, n, eps=0.1, p=1, swap=True)]
    out += [Sample(_x(rng, 5), _x(rng, 5), _x(rng, 5), margin=2.0, reduction="none")]
    out += [Sample(_x(rng, 2, 3, 5), _x(rng, 2, 3, 5), _x(rng, 2, 3, 5), margin=2.0, reduction="none")]
    out += [Sample(_x(rng, 1, 5), p, n, margin=2.0, reduction="none")]
    out += [Sample(np.array(0.0), np.array(0.5), np.array(2.0), reduction="none")]
    return out


def _l1_distance(x, y):
    return (x - y).abs().sum(-1)


def _triplet_distance(rng):
    a, p, n = _x(rng, 4, 5), _x(rng, 4, 5), _x(rng, 4, 5)
    out = [Sample(a, p, n, reduction=r, margin=2.0) for r in REDS]
    out += [Sample(a, p, n, swap=True, margin=3.0, reduction="none")]
    out += [Sample(a, p, n, distance_function=_l1_distance, margin=4.0, swap=True, reduction="none")]
    return out


def _multi_margin(rng):
    x, t = _x(rng, 5, 4), rng.integers(0, 4, 5)
    w = rng.uniform(0.5, 2.0, 4)
    out = [Sample(x, t, reduction=r) for r in REDS]
    out += [Sample(x, t, None, p=2, margin=0.7, reduction=r) for r in ("none", "mean")]
    out += [Sample(x, t, w, p=p, reduction=r, grad=(0,)) for p in (1, 2) for r in ("none", "sum")]
    out += [Sample(_x(rng, 4), np.array(2), reduction="none"), Sample(_x(rng, 4), np.array([1]), p=2, reduction="none")]
    out += [Sample(np.array(0.4), np.array(0), reduction="sum"), Sample(x, t, None, margin=3.0)]
    out += [Sample(_x(rng, 0, 4), np.zeros(0, np.int64), reduction="none")]
    return out


def _multilabel_margin(rng):
    x = _x(rng, 4, 5)
    t = np.array([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 0, 0, 0, 0], [4, 4, 1, -1, -1]])  # all, none, a repeat
    out = [Sample(x, t, reduction=r) for r in REDS]
    out += [Sample(_x(rng, 5), np.array([2, 0, -1, 3, 3]), reduction="none"), Sample(_x(rng, 5), np.array([4, -1, 0, 0, 0]))]
    out += [Sample(3 * _x(rng, 3, 6), rng.integers(-1, 6, (3, 6)), reduction="none")]
    return out


def _multilabel_soft(rng):
    x, y = 2 * _x(rng, 3, 5), (rng.uniform(0, 1, (3, 5)) > 0.5).astype(np.float64)
    w = rng.uniform(0.5, 2.0, 5)
    out = [Sample(x, y, reduction=r) for r in REDS]
    out += [Sample(x, y, w, reduction=r) for r in REDS]
    out += [Sample(x, rng.uniform(0, 1, (3, 5)), reduction="none"), Sample(_x(rng, 5), rng.uniform(0, 1, 5))]
    out += [Sample(_x(rng, 2, 3, 4), rng.uniform(0, 1, (2, 3, 4)), rng.uniform(0.5, 2, 4), reduction="none")]
    out += [Sample(np.array([[-50.0, 50.0, 20.0]]), np.array([[1.0, 0.0, 1.0]]), reduction="none")]
    return out


ENTRIES = [
    OpInfo("margin_ranking_loss", F.margin_ranking_loss, TF.margin_ranking_loss, _ranking),
    OpInfo("hinge_embedding_loss", F.hinge_embedding_loss, TF.hinge_embedding_loss, _hinge),
    OpInfo("soft_margin_loss", F.soft_margin_loss, TF.soft_margin_loss, _soft,
           note="PyTorch does not differentiate the target (it raises when the target requires grad)"),
    OpInfo("cosine_embedding_loss", F.cosine_embedding_loss, TF.cosine_embedding_loss, _cosine),
    OpInfo("triplet_margin_loss", F.triplet_margin_loss, TF.triplet_margin_loss, _triplet),
    OpInfo("triplet_margin_with_distance_loss", F.triplet_margin_with_distance_loss,
           TF.triplet_margin_with_distance_loss, _triplet_distance),
    OpInfo("multi_margin_loss", _with(F.multi_margin_loss, "weight"), _with(TF.multi_margin_loss, "weight"),
           _multi_margin, note="weight is not differentiated (PyTorch raises when it requires grad)"),
    OpInfo("multilabel_margin_loss", F.multilabel_margin_loss, TF.multilabel_margin_loss, _multilabel_margin),
    OpInfo("multilabel_soft_margin_loss", _with(F.multilabel_soft_margin_loss, "weight"),
           _with(TF.multilabel_soft_margin_loss, "weight"), _multilabel_soft),
]
