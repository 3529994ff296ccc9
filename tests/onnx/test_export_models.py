"""deepglass.onnx.export: ONNX Runtime's outputs equal deepglass's eval-mode outputs on the zoo and more.

Every model is exported with a dynamic batch axis from a batch of 2, and run by ONNX
Runtime at batch 2 and at batch 3 on fresh random inputs; the outputs must equal
deepglass's eval-mode outputs within 1e-4. Batch-norm buffers are randomised so
that the running statistics matter, and zero-initialised layers (the ViT head) are
randomised so that the outputs are not trivially zero.
"""
from __future__ import annotations

import io

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import deepglass  # noqa: E402
from deepglass import models, nn  # noqa: E402


def randomize(model, scale=None):
    """Random running statistics for every batch norm (and random parameters when ``scale`` is given)."""
    g = np.random.default_rng(0)
    with deepglass.no_grad():
        for name, b in model.named_buffers():
            if name.endswith("running_var"):
                b.copy_(deepglass.tensor(g.uniform(0.5, 1.5, b.shape).astype(np.float32)))
            elif name.endswith("running_mean"):
                b.copy_(deepglass.tensor(g.normal(0, 0.1, b.shape).astype(np.float32)))
        if scale is not None:
            for p in model.parameters():
                p.copy_(deepglass.tensor(g.normal(0, scale, p.shape).astype(np.float32)))
    return model


def export_and_compare(model, shape, *, batches=(2, 3), opset=17, input_dtype=np.float32):
    """Export with a dynamic batch from batch ``batches[0]``; compare ONNX Runtime with deepglass at every batch."""
    model.eval()
    rng = np.random.default_rng(1)
    example = deepglass.tensor(rng.standard_normal((batches[0],) + shape).astype(input_dtype))
    buf = io.BytesIO()
    deepglass.onnx.export(model, (example,), buf, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=opset)
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto, full_check=True)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for n in batches:
        x = rng.standard_normal((n,) + shape).astype(input_dtype)
        with deepglass.no_grad():
            want = model(deepglass.tensor(x)).numpy()
        (got,) = sess.run(None, {"input": x})
        assert got.shape == want.shape
        assert np.abs(want).max() > 1e-3, "a test on all-zero outputs proves nothing"
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    return proto


def op_types(proto):
    return {n.op_type for n in proto.graph.node}


def test_lenet5():
    proto = export_and_compare(models.lenet5(), (1, 28, 28))
    assert {"Conv", "Gemm"} <= op_types(proto)


def test_cifar_net():
    export_and_compare(models.cifar_net(), (3, 32, 32))


def test_digits_cnn():
    export_and_compare(randomize(models.digits_cnn()), (1, 8, 8))


def test_resnet18():
    proto = export_and_compare(randomize(models.resnet18(num_classes=10)), (3, 16, 16))
    assert {"Conv", "BatchNormalization", "MaxPool", "GlobalAveragePool", "Relu", "Add"} <= op_types(proto)
    names = {t.name for t in proto.graph.initializer}
    assert "layer1.0.conv1.weight" in names and "bn1.running_mean" in names  # state-dict names


@pytest.mark.parametrize("attention", ["se", "cbam"])
def test_resnet18_attention(attention):
    export_and_compare(randomize(models.resnet18(num_classes=10, attention=attention)), (3, 16, 16))


def test_mobilenet_v2():
    export_and_compare(randomize(models.mobilenet_v2(num_classes=10)), (3, 16, 16))


def test_vit():
    model = models.vit(image_size=16, patch_size=4, dim=32, depth=2, heads=4, mlp_dim=64, num_classes=5)
    proto = export_and_compare(randomize(model, scale=0.2), (3, 16, 16))
    assert {"LayerNormalization", "Softmax", "MatMul", "Erf"} <= op_types(proto)


@pytest.mark.slow
def test_alexnet():
    export_and_compare(models.alexnet(num_classes=10), (3, 63, 63), batches=(1, 2))


@pytest.mark.slow
def test_vgg11():
    export_and_compare(models.vgg11(num_classes=10), (3, 32, 32), batches=(1, 2))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet34", "resnet50"])
@pytest.mark.parametrize("attention", [None, "se", "cbam"])
def test_deep_resnets(name, attention):
    kw = {} if attention is None else {"attention": attention}
    export_and_compare(randomize(models.get_model(name, num_classes=10, **kw)), (3, 16, 16), batches=(2, 3))


class TransformerClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(6, 16)
        layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.1, batch_first=True, activation="gelu")
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.encoder(self.proj(x)).mean(1))


def test_transformer_encoder_classifier():
    export_and_compare(TransformerClassifier(), (5, 6))


class LSTMClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(6, 8, num_layers=2, batch_first=True)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def test_lstm_classifier_unrolled():
    """The LSTM exports unrolled over the traced length: the batch is dynamic, the zero initial state too."""
    proto = export_and_compare(LSTMClassifier(), (5, 6))
    assert "ConstantOfShape" in op_types(proto)  # h0/c0 of the batch's size, built in the graph


class RecurrentClassifier(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.rnn = getattr(nn, kind)(6, 8, num_layers=2, bidirectional=True)  # time-major (L, N, in)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[-1])


@pytest.mark.parametrize("kind", ["GRU", "RNN"])
def test_bidirectional_gru_and_rnn_with_batch_on_axis_1(kind):
    model = RecurrentClassifier(kind).eval()
    buf = io.BytesIO()
    deepglass.onnx.export(model, deepglass.randn(5, 2, 6), buf, dynamic_axes={"input": {1: "batch"}})
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for n in (2, 4):
        x = deepglass.randn(5, n, 6)
        with deepglass.no_grad():
            want = model(x).numpy()
        np.testing.assert_allclose(sess.run(None, {"input": x.numpy()})[0], want, rtol=1e-4, atol=1e-4)


def test_recurrent_sequence_axis_cannot_be_dynamic():
    """The documented refusal: a recurrent layer exports unrolled, so its sequence length is fixed."""
    with pytest.raises(RuntimeError, match="runs different ops"):
        deepglass.onnx.export(RecurrentClassifier("LSTM"), deepglass.randn(5, 2, 6), io.BytesIO(),
                              dynamic_axes={"input": {0: "seq", 1: "batch"}})


class STNClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.stn = nn.SpatialTransformer(1)
        self.fc = nn.Linear(144, 4)

    def forward(self, x):
        return self.fc(self.stn(x).flatten(1))


def test_spatial_transformer():
    model = STNClassifier()
    g = np.random.default_rng(3)
    with deepglass.no_grad():  # a non-identity warp (the localisation net starts at the identity)
        for p in model.stn.parameters():
            p.copy_(deepglass.tensor(g.normal(0, 0.1, p.shape).astype(np.float32)))
    proto = export_and_compare(model, (1, 12, 12))
    assert "GridSample" in op_types(proto)


def test_static_batch_and_opset_18():
    """Without dynamic_axes the shapes are fixed; opset 18 takes reduction axes as inputs."""
    model = randomize(models.resnet18(num_classes=4, attention="cbam")).eval()
    x = deepglass.randn(2, 3, 16, 16)
    buf = io.BytesIO()
    deepglass.onnx.export(model, x, buf, opset_version=18)
    proto = onnx.load_from_string(buf.getvalue())
    assert proto.opset_import[0].version == 18
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim] == [2, 3, 16, 16]
    (got,) = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"]).run(None, {"input": x.numpy()})
    with deepglass.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-4, atol=1e-4)


class TokenTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(20, 16)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.encoder(self.emb(x)).mean(1))


def test_token_transformer_with_dynamic_batch_and_sequence():
    """Integer tokens through an embedding; both the batch and the sequence length stay free."""
    model = TokenTransformer().eval()
    buf = io.BytesIO()
    deepglass.onnx.export(model, deepglass.randint(0, 20, (2, 5)), buf,
                          dynamic_axes={"input": {0: "batch", 1: "seq"}, "output": {0: "batch"}})
    proto = onnx.load_from_string(buf.getvalue())
    assert [d.dim_param for d in proto.graph.input[0].type.tensor_type.shape.dim] == ["batch", "seq"]
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for shape in [(2, 5), (3, 7), (1, 2)]:
        x = deepglass.randint(0, 20, shape)
        with deepglass.no_grad():
            want = model(x).numpy()
        (got,) = sess.run(None, {"input": x.numpy()})
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


class Decoder(nn.Module):
    """ConvTranspose, bilinear Upsample, nearest interpolate, reflect padding, repeat and slicing."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, padding=1)
        self.up = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)
        self.resize = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.sizes = nn.ModuleList([nn.Upsample(size=(24, 24), mode="nearest"),
                                    nn.Upsample(scale_factor=2.0, mode="bicubic", align_corners=True),
                                    nn.Upsample(size=24, mode="bilinear", align_corners=True)])

    def forward(self, x):
        y = self.up(nn.functional.relu(self.conv(x)))
        padded = nn.functional.pad(y, (1, 1, 2, 0), mode="reflect")[..., 2:, 1:-1]
        out = self.resize(y) + nn.functional.interpolate(y, scale_factor=2, mode="nearest") + padded.repeat(1, 1, 2, 2)
        return out + sum(m(y) for m in self.sizes) + nn.functional.interpolate(y, scale_factor=1.5, mode="bilinear")[
            ..., :1, :1]


def test_decoder_upsampling():
    """nn.Upsample becomes ONNX Resize; F.interpolate exports as deepglass computes it (matrix products)."""
    proto = export_and_compare(Decoder(), (2, 6, 6))
    assert {"ConvTranspose", "Pad", "Tile", "Slice", "Resize"} <= op_types(proto)
    assert sum(n.op_type == "Resize" for n in proto.graph.node) == 4
