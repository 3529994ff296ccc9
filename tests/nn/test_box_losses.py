"""GIoU / DIoU / CIoU losses: values and gradients against a PyTorch reference, hand-made cases."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from opinfo.nn_box_loss import random_boxes, torch_ciou_loss, torch_diou_loss, torch_giou_loss

import deepglass
from deepglass.nn import functional as F

PAIRS = [(F.generalized_box_iou_loss, torch_giou_loss), (F.distance_box_iou_loss, torch_diou_loss),
         (F.complete_box_iou_loss, torch_ciou_loss)]


@pytest.mark.parametrize("fn, ref", PAIRS)
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_values_and_gradients_match_torch(fn, ref, reduction):
    rng = np.random.default_rng(0)
    a, b = random_boxes(rng, 50), random_boxes(rng, 50)
    da, db = (deepglass.tensor(x, dtype=deepglass.float64, requires_grad=True) for x in (a, b))
    ta, tb = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in (a, b))
    out, want = fn(da, db, reduction=reduction), ref(ta, tb, reduction=reduction)
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(want.shape)
    out.backward(deepglass.tensor(g))
    want.backward(torch.tensor(g))
    np.testing.assert_allclose(da.grad.numpy(), ta.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(db.grad.numpy(), tb.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("fn", [p[0] for p in PAIRS])
def test_identical_boxes_give_zero(fn):
    b = deepglass.tensor([[1.0, 2.0, 5.0, 4.0], [0.0, 0.0, 1.0, 3.0]], dtype=deepglass.float64)
    np.testing.assert_allclose(fn(b, b).numpy(), 0.0, atol=1e-6)


def test_disjoint_boxes_known_values():
    a = deepglass.tensor([[0.0, 0.0, 2.0, 2.0]], dtype=deepglass.float64)
    b = deepglass.tensor([[4.0, 0.0, 6.0, 2.0]], dtype=deepglass.float64)
    # IoU 0; enclosing box 6x2 = 12, union 8: GIoU loss 1 + 4/12; centres 4 apart, diagonal² 40
    assert F.generalized_box_iou_loss(a, b).item() == pytest.approx(1 + 4 / 12, abs=1e-7)
    assert F.distance_box_iou_loss(a, b).item() == pytest.approx(1 + 16 / 40, abs=1e-7)
    assert F.complete_box_iou_loss(a, b).item() == pytest.approx(1 + 16 / 40, abs=1e-7)  # same aspect: v = 0


def test_ciou_aspect_term_by_hand():
    a = deepglass.tensor([[0.0, 0.0, 4.0, 2.0]], dtype=deepglass.float64)  # 4x2
    b = deepglass.tensor([[0.0, 0.0, 2.0, 2.0]], dtype=deepglass.float64)  # 2x2, inside a
    iou, rho2, c2 = 0.5, 1.0, 16 + 4
    v = 4 / math.pi**2 * (math.atan(1.0) - math.atan(2.0)) ** 2
    alpha = v / (1 - iou + v + 1e-7)
    assert F.complete_box_iou_loss(a, b).item() == pytest.approx(1 - iou + rho2 / c2 + alpha * v, abs=1e-7)


def test_empty_mean_is_zero_and_bad_input_raises():
    e = deepglass.zeros(0, 4)
    assert F.generalized_box_iou_loss(e, e, reduction="mean").item() == 0.0
    with pytest.raises(ValueError, match="last dimension of 4"):
        F.generalized_box_iou_loss(deepglass.zeros(2, 3), deepglass.zeros(2, 3))
    with pytest.raises(ValueError, match="reduction"):
        F.complete_box_iou_loss(e, e, reduction="avg")
