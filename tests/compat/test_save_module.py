"""Whole modules saved without pickle: round trips, and refusal unless the caller opts in (as PyTorch >= 2.6)."""
import io
import json
import sys

import numpy as np
import pytest
import torch

import deepglass
from deepglass import models, nn, serialization
from deepglass.io.safetensors_io import read_file, serialize


class TwoLayer(nn.Module):
    """A user-defined module with positional, keyword, tuple and module arguments."""

    def __init__(self, sizes, act=None, *, scale=2.0, dtype=deepglass.float32):
        super().__init__()
        self.fc1 = nn.Linear(sizes[0], sizes[1], dtype=dtype)
        self.act = act if act is not None else nn.ReLU()
        self.fc2 = nn.Linear(sizes[1], sizes[2], dtype=dtype)
        self.scale = scale

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


@pytest.fixture(autouse=True)
def _clean_allow_list():
    serialization.clear_safe_globals()
    yield
    serialization.clear_safe_globals()


def _roundtrip(m, **kw):
    buf = io.BytesIO()
    deepglass.save(m, buf)
    return deepglass.load(io.BytesIO(buf.getvalue()), **kw), buf.getvalue()


def _same(a, b, x):
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        np.testing.assert_array_equal(sa[k].numpy(), sb[k].numpy())


def test_zoo_model_round_trip_with_a_replaced_head(tmp_path):
    deepglass.manual_seed(0)
    m = models.resnet18(num_classes=10, in_channels=1)
    m.fc = nn.Linear(512, 3)  # replaced after construction: must come back in its place
    m2, _ = _roundtrip(m, weights_only=False)
    assert type(m2) is type(m) and m2.fc.out_features == 3
    assert [n for n, _ in m2.named_children()] == [n for n, _ in m.named_children()]
    _same(m, m2, deepglass.randn(2, 1, 16, 16))
    path = tmp_path / "m.pt"
    deepglass.save(m, path)
    _same(m, deepglass.load(path, weights_only=False), deepglass.randn(1, 1, 8, 8))


def test_user_module_round_trip_and_safe_globals():
    deepglass.manual_seed(1)
    m = TwoLayer((4, 5, 2), nn.Tanh(), scale=0.5, dtype=deepglass.float64)
    m2, raw = _roundtrip(m, weights_only=False)
    assert isinstance(m2.act, nn.Tanh) and m2.scale == 0.5 and m2.fc1.weight.dtype == deepglass.float64
    _same(m, m2, deepglass.randn(3, 4, dtype=deepglass.float64))
    with serialization.safe_globals([TwoLayer, nn.Linear, nn.Tanh]):
        _same(m, deepglass.load(io.BytesIO(raw)), deepglass.randn(3, 4, dtype=deepglass.float64))
    serialization.add_safe_globals([TwoLayer, nn.Linear, (nn.Tanh, "x.Tanh")])
    assert serialization.get_safe_globals() == [TwoLayer, nn.Linear, nn.Tanh]
    assert isinstance(deepglass.load(io.BytesIO(raw)), TwoLayer)


def test_default_refuses_and_says_how_to_load():
    _, raw = _roundtrip(nn.Sequential(nn.Linear(2, 2)), weights_only=False)
    with pytest.raises(RuntimeError, match=r"whole module .*weights_only=False.*add_safe_globals") as e:
        deepglass.load(io.BytesIO(raw))
    assert "deepglass.nn.modules.linear.Linear" in str(e.value)
    with serialization.safe_globals([nn.Linear]):  # one class missing: still refused, naming it
        with pytest.raises(RuntimeError, match=r"not: deepglass\.nn\.modules\.container\.Sequential\."):
            deepglass.load(io.BytesIO(raw))
    with pytest.raises(RuntimeError, match="not allow-listed|these are not"):  # the context manager restored
        deepglass.load(io.BytesIO(raw))


def test_pytorch_refuses_the_same_case():
    """The oracle: PyTorch 2.6+ also refuses a whole module under the default weights_only=True."""
    buf = io.BytesIO()
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)), buf)
    buf.seek(0)
    with pytest.raises(Exception, match="weights_only"):
        torch.load(buf)
    buf.seek(0)
    assert isinstance(torch.load(buf, weights_only=False), torch.nn.Sequential)


def _forged(class_path):
    tree = {"class": class_path, "args": ["echo pwned"], "kwargs": {}, "children": {}}
    return serialize({}, {"deepglass.format": "deepglass.module", "deepglass.version": "1",
                          "deepglass.module": json.dumps(tree)})


def test_never_calls_anything_but_module_subclasses():
    with pytest.raises(RuntimeError, match="not a deepglass.nn.Module subclass"):
        deepglass.load(io.BytesIO(_forged("os.system")), weights_only=False)
    with pytest.raises(RuntimeError, match="not a deepglass.nn.Module subclass"):
        deepglass.load(io.BytesIO(_forged("builtins.eval")), weights_only=False)


def test_not_allow_listed_modules_are_not_even_imported():
    name = "deepglass_test_never_imported_mod"
    with pytest.raises(RuntimeError, match=name):
        deepglass.load(io.BytesIO(_forged(f"{name}.Evil")))
    assert name not in sys.modules


def test_unsaveable_constructor_argument_names_it_and_the_fix():
    m = TwoLayer((2, 3, 1))
    m.__dict__["_init_args"] = (((2, 3, 1),), {"act": lambda x: x})
    with pytest.raises(TypeError, match=r"TwoLayer\(act=\.\.\.\).*state_dict\(\)"):
        deepglass.save(m, io.BytesIO())


def test_state_dicts_still_load_as_before():
    sd = nn.Linear(3, 2).state_dict()
    buf = io.BytesIO()
    deepglass.save(sd, buf)
    out = deepglass.load(io.BytesIO(buf.getvalue()))
    assert list(out) == ["weight", "bias"]
    arrays, meta = read_file(io.BytesIO(buf.getvalue()))
    assert "deepglass.module" not in meta


def test_the_file_is_plain_safetensors_with_the_state_dict():
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2))
    _, raw = _roundtrip(m, weights_only=False)
    arrays, meta = read_file(io.BytesIO(raw))
    assert set(arrays) == set(m.state_dict())
    assert json.loads(meta["deepglass.module"])["class"] == "deepglass.nn.modules.container.Sequential"


def test_init_args_records_the_outermost_call_only():
    m = TwoLayer((1, 2, 3), scale=3.0)
    assert m._init_args == (((1, 2, 3),), {"scale": 3.0})
    assert m.fc1._init_args == ((1, 2), {"dtype": deepglass.float32})
