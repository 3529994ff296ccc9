"""One small model per op family: ONNX Runtime equals deepglass at batches 2 and 3 (dynamic batch axis)."""
from __future__ import annotations

import io

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import deepglass  # noqa: E402
from deepglass import nn  # noqa: E402

F = nn.functional


class Fn(nn.Module):
    def __init__(self, fn, *layers):
        super().__init__()
        self.fn = fn
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        return self.fn(x, *self.layers)


# name -> (fn(x, *layers), layers, per-sample input shape)
CASES = {
    "activations": (lambda x: F.elu(x) + F.selu(x) + F.celu(x, 0.7) + F.gelu(x, approximate="tanh") + F.gelu(x)
                    + F.silu(x) + F.hardswish(x) + F.hardsigmoid(x) + F.softplus(x, beta=2.0) + F.leaky_relu(x, 0.2)
                    + F.mish(x) + F.relu6(x) + deepglass.sigmoid(x) + deepglass.tanh(x) + F.logsigmoid(x), (), (4, 5)),
    "softmax": (lambda x: F.log_softmax(x, -1) + F.softmax(x, 1).transpose(1, 2).reshape(x.shape[0], 4, 5), (), (4, 5)),
    "prelu_groupnorm_instancenorm": (lambda x, p, g, i: p(i(g(x))), (nn.PReLU(4), nn.GroupNorm(2, 4),
                                                                    nn.InstanceNorm2d(4, affine=True)), (4, 5, 5)),
    "layernorm_rmsnorm": (lambda x, a, b: a(x) + b(x), (nn.LayerNorm([5]), nn.RMSNorm(5)), (4, 5)),
    "pools": (lambda x: deepglass.cat([t.flatten(1) for t in (
        F.max_pool2d(x, 3, 2, padding=1, ceil_mode=True), F.max_pool2d(x, 2), F.avg_pool2d(x, 3, 1, padding=1),
        F.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True, count_include_pad=False), F.adaptive_max_pool2d(x, 1),
        F.adaptive_avg_pool2d(x, 3))], 1), (), (2, 6, 6)),
    "uneven_adaptive_avg": (lambda x: F.adaptive_avg_pool2d(x, (4, 3)), (), (2, 7, 5)),
    "reductions": (lambda x: x.var(dim=(1, 2), keepdim=True) + x.std(1, keepdim=True) + x.amax(2, keepdim=True)
                   + x.amin(1, keepdim=True) + x.logsumexp(2, keepdim=True) + x.norm(dim=2, keepdim=True)
                   + x.cumsum(-1) + x.prod(1, keepdim=True) + x.sum() * 0.01, (), (3, 4)),
    "elementwise": (lambda x: deepglass.clamp(x, -1, 1) + deepglass.maximum(x, x.flip(1)) + deepglass.minimum(x, 0.3)
                    + x.abs().sqrt() + x.exp() / 10 + (x * x + 1).log() + x ** 2 - 1 / (x.abs() + 1)
                    + x.sin() * x.cos() + x.clamp(min=-0.5) + (2 - x) * 3, (), (3, 4)),
    "rounding": (lambda x: (x * 3).floor() + (x * 3).ceil() + (x * 3).round() + (x * 3).trunc() + x.sign()
                 + (x * 3).round(decimals=1), (), (3, 4)),
    "comparisons": (lambda x: deepglass.where(x > 0, x, x * 0.5) + (-x).masked_fill(x < -1, 0.25)
                    + ((x >= 0.5) | (x <= -0.5)).float() + ((x != x.flip(1)) & (0.2 < x)).float()
                    + deepglass.eq(x, x.flip(1)).float(), (), (3, 4)),
    "constant_masks": (lambda x: deepglass.where(deepglass.eye(4, dtype=deepglass.bool), x, x * 0.5)
                       + x.masked_fill(deepglass.tensor([True, False, False, True]), 0.25), (), (4, 4)),
    "indexing": (lambda x: deepglass.cat(list(reversed(x.chunk(2, dim=1))), 1) + x[:, [3, 1, 2, 0]]
                 + deepglass.take_along_dim(x, deepglass.tensor([[[1], [0], [2], [3]]]).expand(x.shape[0], 4, 1), 2)
                 + x[:, None, :, 1:2].squeeze(1) + x[..., -1:] + x.unsqueeze(0).squeeze(0)[:, ::2].repeat(1, 2, 1),
                 (), (4, 3)),
    "conv1d_depthwise_dilated": (lambda x, a, b: b(a(x)), (nn.Conv1d(4, 4, 3, padding=2, dilation=2, groups=4),
                                                          nn.ConvTranspose1d(4, 2, 3, stride=2)), (4, 9)),
    "pad_modes": (lambda x: F.pad(x, (1, 2, 0, 1)) + 0 * F.pad(x, (1, 2, 0, 1), value=2.0)
                  + F.pad(x, (1, 2, 0, 1), mode="reflect") + F.pad(x, (1, 2, 0, 1), mode="replicate"), (), (2, 4, 4)),
    "attention_mha": (lambda x, m: m(x, x, x)[0], (nn.MultiheadAttention(8, 2, batch_first=True),), (5, 8)),
    "bilinear_grid_sample": (lambda x: F.grid_sample(
        x, F.affine_grid(deepglass.tensor([[[0.9, 0.1, 0.05], [-0.1, 1.1, 0.0]]]).expand(x.shape[0], 2, 3),
                         (x.shape[0], 2, 5, 5), align_corners=False), align_corners=False), (), (2, 6, 6)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_family(name):
    fn, layers, shape = CASES[name]
    model = Fn(fn, *layers).eval()
    rng = np.random.default_rng(0)
    with deepglass.no_grad():  # non-trivial affine parameters
        for p in model.parameters():
            p.copy_(deepglass.tensor(rng.normal(0.5, 0.3, p.shape).astype(np.float32)))
    buf = io.BytesIO()
    deepglass.onnx.export(model, deepglass.tensor(rng.standard_normal((2,) + shape).astype(np.float32)), buf,
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    onnx.checker.check_model(onnx.load_from_string(buf.getvalue()), full_check=True)
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for n in (2, 3):
        x = rng.standard_normal((n,) + shape).astype(np.float32)
        with deepglass.no_grad():
            want = model(deepglass.tensor(x)).numpy()
        (got,) = sess.run(None, {"input": x})
        assert np.abs(want).max() > 1e-3
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
