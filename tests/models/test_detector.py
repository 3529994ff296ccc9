"""The tiny detector: forward/backward against a PyTorch twin, label assignment, loss, post-processing."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF
from opinfo.nn_box_loss import torch_giou_loss

import deepglass
from deepglass.models.detector import assign_centre_sampling, detection_loss, postprocess, tiny_detector


def _block(cin, cout, stride=1, k=3):
    return tnn.Sequential(tnn.Conv2d(cin, cout, k, stride, k // 2, bias=False), tnn.BatchNorm2d(cout), tnn.SiLU())


class TorchTwin(tnn.Module):
    """The same network written in PyTorch (same parameter names, so the state dict copies over)."""

    def __init__(self, num_classes=4, w=8):
        super().__init__()
        f = 2 * w
        self.stem = tnn.Sequential(_block(3, w, 2), _block(w, w))
        self.stage3 = tnn.Sequential(_block(w, 2 * w, 2), _block(2 * w, 2 * w))
        self.stage4 = tnn.Sequential(_block(2 * w, 4 * w, 2), _block(4 * w, 4 * w))
        self.stage5 = tnn.Sequential(_block(4 * w, 4 * w, 2), _block(4 * w, 4 * w))
        self.lateral = tnn.ModuleList([_block(c, f, k=1) for c in (2 * w, 4 * w, 4 * w)])
        self.smooth = tnn.ModuleList([_block(f, f) for _ in range(3)])
        self.cls_branch, self.reg_branch = _block(f, f), _block(f, f)
        self.cls_out, self.reg_out, self.obj_out = tnn.Conv2d(f, num_classes, 1), tnn.Conv2d(f, 4, 1), tnn.Conv2d(f, 1, 1)

    def forward(self, x):
        c3 = self.stage3(self.stem(x))
        c4 = self.stage4(c3)
        c5 = self.stage5(c4)
        p5 = self.lateral[2](c5)
        p4 = self.lateral[1](c4) + TF.interpolate(p5, scale_factor=2, mode="nearest")
        p3 = self.lateral[0](c3) + TF.interpolate(p4, scale_factor=2, mode="nearest")
        outs = []
        for sm, p in zip(self.smooth, (p3, p4, p5)):
            p = sm(p)
            r = self.reg_branch(p)
            lvl = torch.cat([self.reg_out(r), self.obj_out(r), self.cls_out(self.cls_branch(p))], 1)
            outs.append(lvl.flatten(2).transpose(1, 2))
        return torch.cat(outs, 1)


@pytest.mark.parametrize("train", [True, False])
def test_forward_and_backward_match_a_pytorch_twin(train):
    torch.manual_seed(0)
    twin = TorchTwin(w=8).double()
    model = tiny_detector(num_classes=4, width=8)
    model.load_state_dict({k: deepglass.tensor(v.detach().numpy()) for k, v in twin.state_dict().items()})
    model.to(dtype=deepglass.float64)
    twin.train(train)
    model.train(train)
    x = np.random.default_rng(0).random((2, 3, 32, 32))
    tx = torch.tensor(x, requires_grad=True)
    dx = deepglass.tensor(x, requires_grad=True)
    out_t, out_d = twin(tx), model(dx)
    assert tuple(out_d.shape) == tuple(out_t.shape) == (2, 64 + 16 + 4, 9)
    np.testing.assert_allclose(out_d.detach().numpy(), out_t.detach().numpy(), rtol=1e-9, atol=1e-9)
    g = np.random.default_rng(1).standard_normal(out_t.shape)
    out_t.backward(torch.tensor(g))
    out_d.backward(deepglass.tensor(g))
    np.testing.assert_allclose(dx.grad.numpy(), tx.grad.numpy(), rtol=1e-7, atol=1e-9)
    params = dict(model.named_parameters())
    for name, p in twin.named_parameters():
        np.testing.assert_allclose(params[name].grad.numpy(), p.grad.numpy(), rtol=1e-7, atol=1e-8, err_msg=name)


def test_locations_are_cell_centres_per_level():
    pts, st = tiny_detector(width=4).locations(32, 32)
    assert len(pts) == 8 * 8 + 4 * 4 + 2 * 2
    np.testing.assert_allclose(pts[:2], [[2, 2], [6, 2]])
    np.testing.assert_allclose(pts[64], [4, 4])
    assert st[0] == 4 and st[64] == 8 and st[-1] == 16


def test_assignment_centre_sampling_by_hand():
    # one level of stride 4: cells at 2, 6, 10, ..., 30 along each axis
    xs = np.arange(2, 32, 4.0)
    pts = np.stack(np.meshgrid(xs, xs), -1).reshape(-1, 2)
    st = np.full(len(pts), 4.0)
    box = np.array([[0.0, 0.0, 32.0, 32.0]])  # centre 16: radius 2.5·4 = 10 → cells 6..26 (|x-16| < 10)
    m = assign_centre_sampling(pts, st, box)
    inside = (np.abs(pts[:, 0] - 16) < 10) & (np.abs(pts[:, 1] - 16) < 10)
    assert m.tolist() == np.where(inside, 0, -1).tolist()


def test_assignment_ambiguity_goes_to_the_smaller_box_and_tiny_boxes_get_a_cell():
    pts = np.array([[10.0, 10.0], [30.0, 30.0], [50.0, 50.0]])
    st = np.full(3, 8.0)
    big, small = [0.0, 0.0, 40.0, 40.0], [5.0, 5.0, 15.0, 15.0]
    assert assign_centre_sampling(pts, st, np.array([big, small])).tolist() == [1, 0, -1]
    tiny = [51.0, 51.0, 52.0, 52.0]  # contains no cell centre: it gets the nearest one
    assert assign_centre_sampling(pts, st, np.array([tiny])).tolist() == [-1, -1, 0]
    assert assign_centre_sampling(pts, st, np.zeros((0, 4))).tolist() == [-1, -1, -1]


def test_loss_matches_a_pytorch_computation():
    rng = np.random.default_rng(0)
    model = tiny_detector(num_classes=3, width=4)
    pts, st = model.locations(32, 32)
    raw = rng.standard_normal((2, len(pts), 8))
    targets = [{"boxes": np.array([[4.0, 4.0, 20.0, 14.0], [10, 12, 30, 31]], np.float32), "labels": np.array([2, 0])},
               {"boxes": np.zeros((0, 4), np.float32), "labels": np.zeros(0, np.int64)}]
    pred = deepglass.tensor(raw, requires_grad=True)
    loss, parts = detection_loss(pred, targets, pts, st)
    loss.backward()
    # PyTorch: the same formula on the same assignment
    t = torch.tensor(raw, requires_grad=True)
    d = TF.softplus(t[..., :4]) * torch.tensor(st, dtype=torch.float64)[:, None]
    p = torch.tensor(pts, dtype=torch.float64)
    boxes = torch.cat([p - d[..., :2], p + d[..., 2:]], -1)
    m = assign_centre_sampling(pts, st, targets[0]["boxes"])
    idx = np.flatnonzero(m >= 0)
    P = len(idx)
    gt = torch.tensor(targets[0]["boxes"][m[idx]], dtype=torch.float64)
    pb = boxes[0, idx]
    l_box = torch_giou_loss(pb, gt, reduction="sum") / P
    with torch.no_grad():
        iw = (torch.minimum(pb[:, 2], gt[:, 2]) - torch.maximum(pb[:, 0], gt[:, 0])).clamp(min=0)
        ih = (torch.minimum(pb[:, 3], gt[:, 3]) - torch.maximum(pb[:, 1], gt[:, 1])).clamp(min=0)
        inter = iw * ih
        iou = inter / ((pb[:, 2] - pb[:, 0]) * (pb[:, 3] - pb[:, 1]) + (gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1])
                       - inter)
    obj_t = torch.zeros(2, len(pts), dtype=torch.float64)
    obj_t[0, idx] = iou.clamp(0, 1).float().double()  # deepglass keeps the target in float32
    l_obj = TF.binary_cross_entropy_with_logits(t[..., 4], obj_t, reduction="sum") / P
    cls_t = TF.one_hot(torch.tensor(targets[0]["labels"][m[idx]]), 3).double()
    l_cls = TF.binary_cross_entropy_with_logits(t[0, idx, 5:], cls_t, reduction="sum") / P
    want = 5 * l_box + l_obj + l_cls
    want.backward()
    assert parts["positives"] == P > 0
    np.testing.assert_allclose(loss.item(), want.item(), rtol=1e-5)
    np.testing.assert_allclose(pred.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_postprocess_filters_suppresses_per_class_and_caps():
    pts = np.array([[10.0, 10.0], [11.0, 10.0], [40.0, 40.0]], np.float32)
    st = np.ones(3, np.float32)
    inv_softplus = np.log(np.expm1(5.0))  # distances of 5 px
    raw = np.full((1, 3, 7), -20.0)
    raw[0, :, :4] = inv_softplus
    raw[0, :, 4] = [5.0, 4.0, 3.0]  # objectness
    raw[0, 0, 5] = raw[0, 1, 5] = 5.0  # loc 0 and 1: class 0 (overlapping boxes)
    raw[0, 1, 6] = 4.0  # loc 1 also class 1: a different class is not suppressed
    raw[0, 2, 5] = -2.0  # loc 2 scores sigmoid(3)·sigmoid(-2) ≈ 0.11
    out = postprocess(raw, pts, st, conf_threshold=0.2, iou_threshold=0.5)[0]
    assert out["labels"].tolist() == [0, 1]
    np.testing.assert_allclose(out["boxes"][0], [5, 5, 15, 15], atol=1e-4)
    assert np.all(np.diff(out["scores"]) <= 0)
    low = postprocess(raw, pts, st, conf_threshold=0.05, iou_threshold=0.5)[0]
    assert low["labels"].tolist() == [0, 1, 0]
    assert len(postprocess(raw, pts, st, conf_threshold=0.05, max_detections=2)[0]["scores"]) == 2
