"""deepglass.onnx.export: errors, file handling, modes, the missing extra, and `deepglass export` of a trained run."""
from __future__ import annotations

import io
import os
import sys

import numpy as np
import pytest

import deepglass
from deepglass import nn


class Odd(nn.Module):
    def forward(self, x):
        return deepglass.atan2(x, x + 2)  # no ONNX mapping


class WithOdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), Odd())

    def forward(self, x):
        return self.body(x)


def test_import_without_extra_and_export_says_which_extra(monkeypatch):
    """``import deepglass.onnx`` needs nothing; export without onnx names the extra to install."""
    import deepglass.onnx

    assert deepglass.onnx.is_in_onnx_export() is False
    monkeypatch.setitem(sys.modules, "onnx", None)  # as if onnx were not installed
    for name in [m for m in sys.modules if m.startswith("deepglass.onnx._")]:
        monkeypatch.delitem(sys.modules, name)
        monkeypatch.delattr(deepglass.onnx, name.rsplit(".", 1)[1], raising=False)
    with pytest.raises(ImportError, match=r"deepglass\[onnx\]"):
        deepglass.onnx.export(nn.Linear(2, 2), deepglass.randn(1, 2), io.BytesIO())


onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def test_unsupported_op_names_op_and_module_path(tmp_path):
    path = tmp_path / "m.onnx"
    with pytest.raises(deepglass.onnx.UnsupportedOperatorError) as e:
        deepglass.onnx.export(WithOdd(), deepglass.randn(2, 4), str(path))
    msg = str(e.value)
    assert "Atan2" in msg and "'body.1'" in msg and "Odd" in msg
    assert isinstance(e.value, RuntimeError)
    assert os.listdir(tmp_path) == []  # nothing written, no temporary left behind


class SignGate(nn.Module):
    def forward(self, x):
        return x * deepglass.signbit(x)  # signbit is computed outside the traced ops


def test_value_computed_outside_traced_ops_is_an_error_not_a_constant():
    with pytest.raises(RuntimeError, match="outside the traced ops"):
        deepglass.onnx.export(SignGate(), deepglass.randn(2, 3), io.BytesIO())


class ItemIndex(nn.Module):
    def forward(self, x):
        return x[:, : int(x[0, 0].abs().item() * 3) + 1]  # a slice bound read from the values


def test_integer_read_from_the_values_is_an_error():
    x = deepglass.tensor([[0.9, 0.1, 0.2, 0.3, 0.4]])
    with pytest.raises(RuntimeError, match="depends on the input's values"):
        deepglass.onnx.export(ItemIndex(), x, io.BytesIO())


def test_path_and_file_object_give_the_same_model(tmp_path):
    deepglass.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 4 * 4, 3), nn.Softmax(dim=1))
    x = deepglass.randn(2, 1, 6, 6)
    path = tmp_path / "m.onnx"
    deepglass.onnx.export(model, (x,), path, dynamic_axes={"input": [0]})
    buf = io.BytesIO()
    deepglass.onnx.export(model, (x,), buf, dynamic_axes={"input": [0]})
    assert path.read_bytes() == buf.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["m.onnx"]
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x5 = deepglass.randn(5, 1, 6, 6)
    (got,) = sess.run(None, {"input": x5.numpy()})
    with deepglass.no_grad():
        np.testing.assert_allclose(got, model(x5).numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="binary"):
        deepglass.onnx.export(model, x, io.StringIO())


def test_eval_mode_export_restores_the_training_mode():
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    model.train()
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append((self.training, deepglass.onnx.is_in_onnx_export()))
            return x

    model.append(Probe())
    deepglass.onnx.export(model, deepglass.randn(3, 4), io.BytesIO())
    assert all(s == (False, True) for s in seen) and seen
    assert model.training and model[2].training and not deepglass.onnx.is_in_onnx_export()


@pytest.mark.parametrize("layer", [nn.Dropout(0.5), nn.BatchNorm1d(4)])
def test_training_mode_layers_are_refused_with_the_fix(layer):
    model = nn.Sequential(nn.Linear(4, 4), layer)
    with pytest.raises(deepglass.onnx.UnsupportedOperatorError, match=r"TrainingMode.EVAL.*|'1'") as e:
        deepglass.onnx.export(model, deepglass.randn(3, 4), io.BytesIO(), training=deepglass.onnx.TrainingMode.TRAINING)
    assert "'1'" in str(e.value) and "TrainingMode.EVAL" in str(e.value)
    assert model.training  # restored


def test_export_params_false_makes_parameters_inputs():
    model = nn.Linear(3, 2)
    buf = io.BytesIO()
    deepglass.onnx.export(model, deepglass.randn(1, 3), buf, export_params=False)
    proto = onnx.load_from_string(buf.getvalue())
    assert [i.name for i in proto.graph.input] == ["input", "weight", "bias"]
    assert len(proto.graph.initializer) == 0
    kept = deepglass.onnx.export(model, deepglass.randn(1, 3), None, keep_initializers_as_inputs=True, dynamo=False)
    assert [i.name for i in kept.graph.input] == ["input", "weight", "bias"]
    assert sorted(t.name for t in kept.graph.initializer) == ["bias", "weight"]
    with pytest.raises(ValueError, match="dynamic_axes"):
        deepglass.onnx.export(model, deepglass.randn(1, 3), None, dynamic_shapes={"x": {0: "n"}})
    x = deepglass.randn(1, 3)
    (got,) = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"]).run(
        None, {"input": x.numpy(), "weight": model.weight.detach().numpy(), "bias": model.bias.detach().numpy()})
    with deepglass.no_grad():
        np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-6, atol=1e-6)


def test_reshape_with_batch_size_is_computed_in_the_graph():
    """``x.view(x.shape[0], -1)`` and ``expand(n, ...)`` follow the batch: no baked-in size."""

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.token = nn.Parameter(deepglass.randn(1, 1, 4))

        def forward(self, x):
            n = x.shape[0]
            t = self.token.expand(n, -1, -1).reshape(n, 4)
            return x.reshape(n, 2, 4).sum(1) + t

    model = Net()
    buf = io.BytesIO()
    deepglass.onnx.export(model, deepglass.randn(2, 8), buf, dynamic_axes={"input": {0: "n"}})
    proto = onnx.load_from_string(buf.getvalue())
    assert "Shape" in {n.op_type for n in proto.graph.node}
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for n in (1, 2, 7):
        x = deepglass.randn(n, 8)
        (got,) = sess.run(None, {"input": x.numpy()})
        with deepglass.no_grad():
            np.testing.assert_allclose(got, model(x).numpy(), rtol=1e-6, atol=1e-6)


def test_cli_export_of_a_trained_digits_run_classifies_the_test_set_as_deepglass(tmp_path):
    from deepglass.cli import main
    from deepglass.data import DataLoader
    from deepglass.train import config as C
    from deepglass.train.run import load_model

    run = str(tmp_path / "run")
    assert main(["train", "--epochs", "1", "--out", run, "--quiet"]) == 0
    out = str(tmp_path / "digits.onnx")
    assert main(["export", run, "--format", "onnx", "--out", out, "--dynamic-batch"]) == 0
    model, cfg = load_model(run)
    data_cfg = C.resolve({k: cfg.get(k) for k in C.DEFAULTS if k in cfg})
    _, _, test, _ = C.build_datasets(data_cfg)
    sess = ort.InferenceSession(out, providers=["CPUExecutionProvider"])
    n = 0
    for x, _ in DataLoader(test, batch_size=128):
        with deepglass.no_grad():
            want = model(x).numpy()
        (got,) = sess.run(None, {"input": x.numpy().astype(np.float32)})
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
        assert (got.argmax(1) == want.argmax(1)).all()
        n += len(want)
    assert n == len(test) and n > 100
    assert main(["export", run]) == 0  # default: model.onnx in the run folder, batch 1
    proto = onnx.load(os.path.join(run, "model.onnx"))
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim] == [1, 1, 8, 8]


def test_constant_folding_and_several_inputs_and_outputs():
    """Two inputs, a tuple of outputs with the given names; folding turns the weight transpose into an initializer."""

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(deepglass.randn(3, 4))

        def forward(self, a, b):
            return a @ self.w.t(), (a.sum(1, keepdim=True) * b).relu()

    model = Two()
    a, b = deepglass.randn(2, 4), deepglass.randn(2, 5)
    types = {}
    for fold in (True, False):
        buf = io.BytesIO()
        deepglass.onnx.export(model, (a, b), buf, input_names=["a", "b"], output_names=["y", "z"],
                              dynamic_axes={"a": {0: "n"}, "b": {0: "n"}, "y": {0: "n"}}, do_constant_folding=fold)
        proto = onnx.load_from_string(buf.getvalue())
        types[fold] = [n.op_type for n in proto.graph.node]
        assert [o.name for o in proto.graph.output] == ["y", "z"]
        assert proto.graph.output[1].type.tensor_type.shape.dim[0].dim_param == "n"  # found by the trace
        sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
        a3, b3 = deepglass.randn(3, 4), deepglass.randn(3, 5)
        y, z = sess.run(None, {"a": a3.numpy(), "b": b3.numpy()})
        with deepglass.no_grad():
            wy, wz = model(a3, b3)
        np.testing.assert_allclose(y, wy.numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(z, wz.numpy(), rtol=1e-5, atol=1e-6)
    assert "Transpose" not in types[True] and "Transpose" in types[False]
