"""Registry entries for dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout (random: identity cases exactly, training cases by shape) and embedding.

The kept fraction and the 1/(1 − p) scaling are tested in tests/nn/test_dropout.py.
"""
from __future__ import annotations

import numpy as np
import torch.nn.functional as TF

import deepglass.nn.functional as F

from . import OpInfo, Sample


def _identity_cases(rng, shape):
    x = rng.standard_normal(shape)
    return [Sample(x, 0.5, False), Sample(x, 0.0), Sample(x, p=0.3, training=False)]


def _same_shape(dg_out, th_out):
    assert tuple(dg_out.shape) == tuple(th_out.shape)
    assert str(dg_out.dtype) == str(th_out.dtype).replace("torch.", "")


def _emb(rng):
    w = rng.standard_normal((6, 3))
    i = np.array([[0, 2, 2], [5, 0, 1]])
    return [Sample(i, w), Sample(np.array([3, 3, 4]), w), Sample(np.array(1), w)]


def _emb_modified_grad(rng):
    w = rng.standard_normal((6, 3))
    i = np.array([[0, 2, 2], [5, 0, 1]])
    return [Sample(i, w, padding_idx=2), Sample(i, w, scale_grad_by_freq=True), Sample(np.array([3, 3, 4]), w, padding_idx=-1)]


ENTRIES = [
    OpInfo("dropout", F.dropout, TF.dropout, lambda rng: _identity_cases(rng, (3, 4))),
    OpInfo("dropout2d", F.dropout2d, TF.dropout2d, lambda rng: _identity_cases(rng, (2, 3, 2, 2))),
    OpInfo("dropout[train]", F.dropout, TF.dropout, lambda rng: [Sample(rng.standard_normal((4, 5)), 0.3)],
           grad=False, gradcheck=False, compare=_same_shape, note="random mask: shape and dtype only"),
    OpInfo("dropout2d[train]", F.dropout2d, TF.dropout2d, lambda rng: [Sample(rng.standard_normal((2, 4, 3, 3)), 0.5)],
           grad=False, gradcheck=False, compare=_same_shape, note="random mask: shape and dtype only"),
    OpInfo("dropout1d", F.dropout1d, TF.dropout1d, lambda rng: _identity_cases(rng, (2, 3, 4)) + _identity_cases(rng, (3, 4))),
    OpInfo("dropout3d", F.dropout3d, TF.dropout3d, lambda rng: _identity_cases(rng, (2, 3, 2, 2, 2)) + _identity_cases(rng, (3, 2, 2, 2))),
    OpInfo("alpha_dropout", F.alpha_dropout, TF.alpha_dropout,
           lambda rng: _identity_cases(rng, (3, 4)) + [Sample(rng.standard_normal((3, 4)))]),   # default: eval
    OpInfo("feature_alpha_dropout", F.feature_alpha_dropout, TF.feature_alpha_dropout,
           lambda rng: _identity_cases(rng, (2, 3, 4)) + [Sample(rng.standard_normal((2, 3)))]),
    OpInfo("dropout1d[train]", F.dropout1d, TF.dropout1d, lambda rng: [Sample(rng.standard_normal((2, 4, 3)), 0.3)],
           grad=False, gradcheck=False, compare=_same_shape, note="random mask: shape and dtype only"),
    OpInfo("dropout3d[train]", F.dropout3d, TF.dropout3d, lambda rng: [Sample(rng.standard_normal((2, 4, 2, 2, 2)), 0.3)],
           grad=False, gradcheck=False, compare=_same_shape, note="random mask: shape and dtype only"),
    OpInfo("alpha_dropout[train]", F.alpha_dropout, TF.alpha_dropout,
           lambda rng: [Sample(rng.standard_normal((4, 5)), 0.3, True)],
           grad=False, gradcheck=False, compare=_same_shape, note="random mask: shape and dtype only"),
    OpInfo("feature_alpha_dropout[train]", F.feature_alpha_dropout, TF.feature_alpha_dropout,
           lambda rng: [Sample(rng.standard_normal((2, 4, 3)), 0.3, True)],
           grad=False, gradcheck=False, compare=_same_shape, note="random mask: shape and dtype only"),
    OpInfo("embedding", F.embedding, TF.embedding, _emb),
    OpInfo("embedding[padding_idx,freq]", F.embedding, TF.embedding, _emb_modified_grad, gradcheck=False,
           note="padding_idx / scale_grad_by_freq change the gradient on purpose: not the function's derivative"),
]
