"""nn.RNN / LSTM / GRU and their cells: weight-for-weight parity with PyTorch 2.13 in float64."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepglass
from deepglass import nn

RTOL, ATOL = 1e-10, 1e-12


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, deepglass.Tensor) else t.detach().numpy()


def _pair(cls_name, *args, **kwargs):
    th = getattr(torch.nn, cls_name)(*args, **kwargs).double()
    dg = getattr(nn, cls_name)(*args, **kwargs, dtype="float64")
    assert list(dg.state_dict().keys()) == list(th.state_dict().keys())
    for (kd, vd), (_kt, vt) in zip(dg.state_dict().items(), th.state_dict().items()):
        assert tuple(vd.shape) == tuple(vt.shape), kd
    dg.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    return dg, th


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return [y for o in out for y in _flatten(o)]
    return [out]


def _compare(dg, th, x, hx=None, seed=0):
    """Forward with the same input/hx, compare every output, then backward a random weighting of all of them."""
    rng = np.random.default_rng(seed)
    xd = deepglass.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    hd = ht = None
    if hx is not None:
        if isinstance(hx, tuple):
            hd = tuple(deepglass.tensor(h, requires_grad=True) for h in hx)
            ht = tuple(torch.tensor(h, requires_grad=True) for h in hx)
        else:
            hd, ht = deepglass.tensor(hx, requires_grad=True), torch.tensor(hx, requires_grad=True)
    od = dg(xd) if hx is None else dg(xd, hd)
    ot = th(xt) if hx is None else th(xt, ht)
    fd, ft = _flatten(od), _flatten(ot)
    assert len(fd) == len(ft)
    loss_d, loss_t = 0, 0
    for a, b in zip(fd, ft):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL)
        s = rng.standard_normal(tuple(b.shape))
        loss_d = loss_d + (a * deepglass.tensor(s)).sum()
        loss_t = loss_t + (b * torch.tensor(s)).sum()
    loss_d.backward()
    loss_t.backward()
    np.testing.assert_allclose(_np(xd.grad), xt.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg="dx")
    if hx is not None:
        for a, b in zip(_flatten(hd), _flatten(ht)):
            np.testing.assert_allclose(_np(a.grad), b.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg="dhx")
    tp = dict(th.named_parameters())
    names = [n for n, _ in dg.named_parameters()]
    assert names == list(tp)
    for name, p in dg.named_parameters():
        assert p.grad is not None, name
        np.testing.assert_allclose(_np(p.grad), tp[name].grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)
    return od


LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
LAYER_IDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]


def _hx(cls, shape, rng):
    h = rng.standard_normal(shape)
    return (h, rng.standard_normal(shape)) if cls == "LSTM" else h


@pytest.mark.parametrize("cls,kw", LAYERS, ids=LAYER_IDS)
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("given_hx", [False, True])
def test_layer_parity(cls, kw, num_layers, bidirectional, batch_first, given_hx):
    torch.manual_seed(0)
    rng = np.random.default_rng(1)
    dg, th = _pair(cls, 3, 4, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, **kw)
    T, B = 5, 2
    x = rng.standard_normal((B, T, 3) if batch_first else (T, B, 3))
    D = 2 if bidirectional else 1
    hx = _hx(cls, (num_layers * D, B, 4), rng) if given_hx else None
    out = _compare(dg, th, x, hx)
    assert tuple(out[0].shape) == ((B, T, 4 * D) if batch_first else (T, B, 4 * D))


@pytest.mark.parametrize("cls,kw", LAYERS, ids=LAYER_IDS)
@pytest.mark.parametrize("bias", [True, False])
def test_layer_no_bias_and_default(cls, kw, bias):
    torch.manual_seed(1)
    dg, th = _pair(cls, 3, 5, bias=bias, **kw)
    assert len(list(dg.parameters())) == (4 if bias else 2)
    _compare(dg, th, np.random.default_rng(2).standard_normal((4, 3, 3)))


@pytest.mark.parametrize("cls,kw", LAYERS, ids=LAYER_IDS)
@pytest.mark.parametrize("given_hx", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_unbatched(cls, kw, given_hx, bidirectional):
    torch.manual_seed(2)
    rng = np.random.default_rng(3)
    dg, th = _pair(cls, 3, 4, num_layers=2, bidirectional=bidirectional, **kw)
    D = 2 if bidirectional else 1
    hx = _hx(cls, (2 * D, 4), rng) if given_hx else None
    out = _compare(dg, th, rng.standard_normal((6, 3)), hx)
    assert tuple(out[0].shape) == (6, 4 * D)


CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}), ("GRUCell", {})]
CELL_IDS = ["rnncell_tanh", "rnncell_relu", "lstmcell", "grucell"]


@pytest.mark.parametrize("cls,kw", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("given_hx", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_parity(cls, kw, batched, given_hx, bias):
    torch.manual_seed(3)
    rng = np.random.default_rng(4)
    dg, th = _pair(cls, 3, 4, bias=bias, **kw)
    x = rng.standard_normal((2, 3) if batched else (3,))
    hshape = (2, 4) if batched else (4,)
    hx = _hx("LSTM" if cls == "LSTMCell" else cls, hshape, rng) if given_hx else None
    _compare(dg, th, x, hx)


def test_parameter_names_shapes_and_init():
    m = nn.LSTM(3, 8, num_layers=2, bidirectional=True)
    shapes = {k: tuple(v.shape) for k, v in m.state_dict().items()}
    assert shapes["weight_ih_l0"] == (32, 3) and shapes["weight_hh_l0"] == (32, 8)
    assert shapes["weight_ih_l1_reverse"] == (32, 16) and shapes["bias_hh_l1_reverse"] == (32,)
    t = torch.nn.LSTM(3, 8, num_layers=2, bidirectional=True)
    assert list(shapes) == list(t.state_dict())
    bound = 1 / math.sqrt(8)
    vals = np.concatenate([_np(p).ravel() for p in m.parameters()])
    assert vals.min() >= -bound and vals.max() <= bound and vals.std() > bound / 3
    assert tuple(nn.GRU(3, 5).weight_ih_l0.shape) == (15, 3)
    assert tuple(nn.GRUCell(3, 5).weight_hh.shape) == (15, 5)
    assert nn.LSTM(2, 3, dtype="float64").weight_ih_l0.dtype == np.float64


@pytest.mark.parametrize("cls,args,kw", [
    ("RNN", (3, 4), {}), ("RNN", (3, 4), {"nonlinearity": "relu", "num_layers": 2}),
    ("LSTM", (3, 4), {"num_layers": 3, "bias": False, "batch_first": True, "dropout": 0.5,
                      "bidirectional": True}),
    ("GRU", (10, 20), {"dropout": 0.25, "num_layers": 2}),
    ("RNNCell", (3, 4), {}), ("RNNCell", (3, 4), {"nonlinearity": "relu", "bias": False}),
    ("LSTMCell", (3, 4), {}), ("GRUCell", (3, 4), {"bias": False}),
])
def test_repr_matches_torch(cls, args, kw):
    assert repr(getattr(nn, cls)(*args, **kw)) == repr(getattr(torch.nn, cls)(*args, **kw))


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_dropout_eval_and_p0(cls):
    torch.manual_seed(4)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 2, 3))
    dg, th = _pair(cls, 3, 4, num_layers=3, dropout=0.5)
    dg.eval(), th.eval()
    _compare(dg, th, x)
    dg0, th0 = _pair(cls, 3, 4, num_layers=3, dropout=0.0)
    dg0.train(), th0.train()
    _compare(dg0, th0, x)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_dropout_training_is_random(cls):
    deepglass.manual_seed(0) if hasattr(deepglass, "manual_seed") else None
    m = getattr(nn, cls)(3, 16, num_layers=2, dropout=0.5, dtype="float64")
    x = deepglass.tensor(np.random.default_rng(6).standard_normal((4, 8, 3)))
    m.eval()
    ref = _np(m(x)[0])
    m.train()
    outs = [_np(m(x)[0]) for _ in range(3)]
    for o in outs:
        assert o.shape == ref.shape == (4, 8, 16)
        assert np.all(np.isfinite(o))
        assert not np.allclose(o, ref)
    assert not np.allclose(outs[0], outs[1])
    # the last layer gets no dropout: a 1-layer model with dropout is deterministic in training
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        one = getattr(nn, cls)(3, 16, dropout=0.5, dtype="float64")
    one.train()
    np.testing.assert_array_equal(_np(one(x)[0]), _np(one(x)[0]))


def test_dropout_masks_about_half_between_layers():
    # with p=0.5 about half of layer 0's (tanh, so non-zero) outputs are zeroed, survivors scaled by 2
    m = nn.RNN(3, 200, num_layers=2, dropout=0.5, dtype="float64")
    seen = {}

    import deepglass.nn.functional as F
    orig = F.dropout

    def spy(inp, p, training):
        out = orig(inp, p, training)
        seen["frac"] = float((_np(out) == 0).mean() - (_np(inp) == 0).mean())
        kept = _np(out)[_np(out) != 0]
        seen["scale_ok"] = np.allclose(kept, 2 * _np(inp)[_np(out) != 0])
        return out

    F.dropout = spy
    try:
        m.train()
        m(deepglass.tensor(np.random.default_rng(7).standard_normal((6, 4, 3))))
    finally:
        F.dropout = orig
    assert 0.35 < seen["frac"] < 0.65 and seen["scale_ok"]


def test_input_and_hidden_errors():
    m = nn.LSTM(3, 4, num_layers=2)
    x = deepglass.randn(5, 2, 3)
    with pytest.raises(RuntimeError, match=r"input.size\(-1\) must be equal to input_size. Expected 3, got 7"):
        m(deepglass.randn(5, 2, 7))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D"):
        m(deepglass.randn(5, 2, 3, 1))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \[2, 2, 4\], got \[1, 2, 4\]"):
        m(x, (deepglass.zeros(1, 2, 4), deepglass.zeros(2, 2, 4)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \[2, 2, 4\], got \[2, 3, 4\]"):
        m(x, (deepglass.zeros(2, 2, 4), deepglass.zeros(2, 3, 4)))
    with pytest.raises(RuntimeError, match=r"hx and cx should also be 3-D but got \(2-D, 3-D\)"):
        m(x, (deepglass.zeros(2, 4), deepglass.zeros(2, 2, 4)))
    g = nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \[1, 2, 4\], got \[1, 2, 5\]"):
        g(x, deepglass.zeros(1, 2, 5))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D but got 2-D"):
        g(x, deepglass.zeros(2, 4))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx should also be 2-D but got 3-D"):
        nn.RNN(3, 4)(deepglass.randn(5, 3), deepglass.zeros(1, 1, 4))
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 5 expected 3"):
        nn.GRUCell(3, 4)(deepglass.randn(2, 5))
    with pytest.raises(RuntimeError, match="hidden has inconsistent shape"):
        nn.RNNCell(3, 4)(deepglass.randn(2, 3), deepglass.zeros(2, 5))
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D"):
        nn.LSTMCell(3, 4)(deepglass.randn(1, 2, 3))


def test_constructor_errors():
    with pytest.raises(ValueError, match="Unknown nonlinearity 'gelu'"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.GRU(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.LSTM(3, 0)
    with pytest.raises(TypeError, match="input_size should be of type int"):
        nn.LSTM(3.0, 4)
    with pytest.raises(ValueError, match="proj_size should be a positive integer or zero"):
        nn.LSTM(3, 4, proj_size=-1)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)


def test_packed_sequence_rejected():
    from collections import namedtuple

    PackedSequence = namedtuple("PackedSequence", "data batch_sizes sorted_indices unsorted_indices")
    packed = PackedSequence(deepglass.randn(6, 3), deepglass.tensor([3, 2, 1]), None, None)
    for m in (nn.RNN(3, 4), nn.LSTM(3, 4), nn.GRU(3, 4)):
        with pytest.raises(TypeError, match="PackedSequence"):
            m(packed)


def test_float32_default_and_training_step():
    m = nn.LSTM(3, 4, batch_first=True)
    assert m.weight_ih_l0.dtype == np.float32
    out, (h, c) = m(deepglass.randn(2, 5, 3))
    assert out.dtype == np.float32 and tuple(h.shape) == (1, 2, 4) and tuple(c.shape) == (1, 2, 4)
    np.testing.assert_allclose(_np(out)[:, -1], _np(h)[0], rtol=1e-6)
    out.sum().backward()
    assert all(p.grad is not None for p in m.parameters())


class _Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out)


def test_analysis_summary_does_not_crash_on_lstm():
    from deepglass import analysis

    s = analysis.summary(_Tagger(), (2, 5, 8))
    text = str(s)
    assert "LSTM" in text or "lstm" in text


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("given_hx", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_lstm_proj_size_parity(num_layers, bidirectional, given_hx, batched):
    torch.manual_seed(5)
    rng = np.random.default_rng(8)
    dg, th = _pair("LSTM", 3, 5, num_layers=num_layers, bidirectional=bidirectional, proj_size=2)
    assert tuple(dg.weight_hr_l0.shape) == (2, 5) and tuple(dg.weight_hh_l0.shape) == (20, 2)
    D = 2 if bidirectional else 1
    B = (2,) if batched else ()
    hx = ((rng.standard_normal((num_layers * D, *B, 2)), rng.standard_normal((num_layers * D, *B, 5)))
          if given_hx else None)
    out = _compare(dg, th, rng.standard_normal((4, *B, 3)), hx)
    assert tuple(out[0].shape) == (4, *B, 2 * D) and tuple(out[1][1].shape) == (num_layers * D, *B, 5)


def test_lstm_proj_size_repr_and_errors():
    assert repr(nn.LSTM(3, 5, proj_size=2, num_layers=2)) == repr(torch.nn.LSTM(3, 5, proj_size=2, num_layers=2))
    m = nn.LSTM(3, 5, proj_size=2)
    x = deepglass.randn(4, 2, 3)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \[1, 2, 2\], got \[1, 2, 5\]"):
        m(x, (deepglass.zeros(1, 2, 5), deepglass.zeros(1, 2, 5)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \[1, 2, 5\], got \[1, 2, 2\]"):
        m(x, (deepglass.zeros(1, 2, 2), deepglass.zeros(1, 2, 2)))
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.modules.rnn.RNNBase("GRU", 3, 5, proj_size=2)
