"""Transformer classes against PyTorch's own: a PyTorch state dict loads with strict=True, outputs,
input gradients and every parameter gradient match, in train (dropout 0) and eval mode."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import deepglass
from deepglass import nn

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

E, H, FF = 8, 2, 16


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, deepglass.Tensor) else t.detach().numpy()


def _load(dg_mod, th_mod):
    dg_mod.load_state_dict({k: v.detach().numpy().copy() for k, v in th_mod.state_dict().items()}, strict=True)


def _pair(a):
    return (deepglass.tensor(a.astype(np.float32), requires_grad=True),
            torch.tensor(a.astype(np.float32), requires_grad=True))


def _compare(dg_mod, th_mod, d_out, t_out, inputs, rtol=1e-4, atol=2e-5):
    np.testing.assert_allclose(_np(d_out), t_out.detach().numpy(), rtol=rtol, atol=atol)
    s = np.random.default_rng(7).standard_normal(tuple(t_out.shape)).astype(np.float32)
    (d_out * deepglass.tensor(s)).sum().backward()
    (t_out * torch.tensor(s)).sum().backward()
    tp, dp = dict(th_mod.named_parameters()), dict(dg_mod.named_parameters())
    assert set(tp) == set(dp)
    for name, p in tp.items():
        assert dp[name].grad is not None, name
        np.testing.assert_allclose(_np(dp[name].grad), p.grad.numpy(), rtol=rtol, atol=atol, err_msg=name)
    for d, t in inputs:
        np.testing.assert_allclose(_np(d.grad), t.grad.numpy(), rtol=rtol, atol=atol)


def _masks(rng, n, length, batch_first):
    causal = np.triu(np.full((length, length), -np.inf, dtype=np.float32), 1)
    kpm = np.zeros((n, length), dtype=bool)
    kpm[0, -2:] = True
    return causal, kpm


LAYER_CASES = [
    dict(),
    dict(norm_first=True),
    dict(activation="gelu", batch_first=True),
    dict(norm_first=True, batch_first=True, bias=False),
]


def _ids(c):
    return ",".join(f"{k}={v}" for k, v in c.items()) or "default"


@pytest.mark.parametrize("cfg", LAYER_CASES, ids=_ids)
@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("masked", [False, True])
def test_encoder_layer_matches_torch(cfg, mode, masked):
    torch.manual_seed(0)
    th = torch.nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, **cfg)
    dg = nn.TransformerEncoderLayer(E, H, FF, dropout=0.0, **cfg)
    _load(dg, th)
    getattr(th, mode)(), getattr(dg, mode)()
    rng = np.random.default_rng(1)
    bf = cfg.get("batch_first", False)
    n, s = 2, 5
    dx, tx = _pair(rng.standard_normal((n, s, E) if bf else (s, n, E)))
    kw_d, kw_t = {}, {}
    if masked:
        causal, kpm = _masks(rng, n, s, bf)
        kw_d = dict(src_mask=deepglass.tensor(causal), src_key_padding_mask=deepglass.tensor(kpm))
        kw_t = dict(src_mask=torch.tensor(causal), src_key_padding_mask=torch.tensor(kpm))
    _compare(dg, th, dg(dx, **kw_d), th(tx, **kw_t), [(dx, tx)])


@pytest.mark.parametrize("cfg", LAYER_CASES, ids=_ids)
@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("masked", [False, True])
def test_decoder_layer_matches_torch(cfg, mode, masked):
    torch.manual_seed(0)
    th = torch.nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, **cfg)
    dg = nn.TransformerDecoderLayer(E, H, FF, dropout=0.0, **cfg)
    _load(dg, th)
    getattr(th, mode)(), getattr(dg, mode)()
    rng = np.random.default_rng(2)
    bf = cfg.get("batch_first", False)
    n, t, s = 2, 4, 5
    dt_, tt_ = _pair(rng.standard_normal((n, t, E) if bf else (t, n, E)))
    dm, tm = _pair(rng.standard_normal((n, s, E) if bf else (s, n, E)))
    kw_d, kw_t = {}, {}
    if masked:
        causal, tkpm = _masks(rng, n, t, bf)
        mkpm = np.zeros((n, s), dtype=bool)
        mkpm[1, 0] = True
        kw_d = dict(tgt_mask=deepglass.tensor(causal), tgt_key_padding_mask=deepglass.tensor(tkpm),
                    memory_key_padding_mask=deepglass.tensor(mkpm))
        kw_t = dict(tgt_mask=torch.tensor(causal), tgt_key_padding_mask=torch.tensor(tkpm),
                    memory_key_padding_mask=torch.tensor(mkpm))
    _compare(dg, th, dg(dt_, dm, **kw_d), th(tt_, tm, **kw_t), [(dt_, tt_), (dm, tm)])


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_encoder_and_decoder_stacks_match_torch(mode):
    torch.manual_seed(0)
    th_enc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, FF, dropout=0.0), 2,
                                         norm=torch.nn.LayerNorm(E), enable_nested_tensor=False)
    dg_enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, FF, dropout=0.0), 2, norm=nn.LayerNorm(E))
    th_dec = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(E, H, FF, dropout=0.0), 2,
                                         norm=torch.nn.LayerNorm(E))
    dg_dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, FF, dropout=0.0), 2, norm=nn.LayerNorm(E))
    # clones own separate storage: perturbing one layer leaves the other unchanged
    with deepglass.no_grad():
        dg_enc.layers[0].linear1.weight.fill_(0.0)
    assert np.any(_np(dg_enc.layers[1].linear1.weight) != 0)
    for d, t in ((dg_enc, th_enc), (dg_dec, th_dec)):
        _load(d, t)
        getattr(t, mode)(), getattr(d, mode)()
    rng = np.random.default_rng(3)
    dx, tx = _pair(rng.standard_normal((5, 2, E)))
    _compare(dg_enc, th_enc, dg_enc(dx), th_enc(tx), [(dx, tx)])
    dt_, tt_ = _pair(rng.standard_normal((4, 2, E)))
    dm, tm = _pair(rng.standard_normal((5, 2, E)))
    causal = np.triu(np.full((4, 4), -np.inf, dtype=np.float32), 1)
    _compare(dg_dec, th_dec, dg_dec(dt_, dm, tgt_mask=deepglass.tensor(causal)),
             th_dec(tt_, tm, tgt_mask=torch.tensor(causal)), [(dt_, tt_), (dm, tm)])


@pytest.mark.parametrize("cfg", [dict(), dict(batch_first=True, norm_first=True)], ids=_ids)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_transformer_matches_torch(cfg, mode):
    torch.manual_seed(0)
    kw = dict(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=FF, dropout=0.0, **cfg)
    th = torch.nn.Transformer(**kw)
    dg = nn.Transformer(**kw)
    assert list(dg.state_dict()) == list(th.state_dict())
    _load(dg, th)
    getattr(th, mode)(), getattr(dg, mode)()
    rng = np.random.default_rng(4)
    bf = cfg.get("batch_first", False)
    n, s, t = 2, 5, 4
    ds, ts = _pair(rng.standard_normal((n, s, E) if bf else (s, n, E)))
    dt_, tt_ = _pair(rng.standard_normal((n, t, E) if bf else (t, n, E)))
    mask_t = torch.nn.Transformer.generate_square_subsequent_mask(t)
    mask_d = nn.Transformer.generate_square_subsequent_mask(t)
    np.testing.assert_array_equal(_np(mask_d), mask_t.numpy())
    skpm = np.zeros((n, s), dtype=bool)
    skpm[1, -1] = True
    d_out = dg(ds, dt_, tgt_mask=mask_d, src_key_padding_mask=deepglass.tensor(skpm),
               memory_key_padding_mask=deepglass.tensor(skpm))
    t_out = th(ts, tt_, tgt_mask=mask_t, src_key_padding_mask=torch.tensor(skpm),
               memory_key_padding_mask=torch.tensor(skpm))
    _compare(dg, th, d_out, t_out, [(ds, ts), (dt_, tt_)])


def test_transformer_init_is_xavier_and_dropout_is_active():
    model = nn.Transformer(d_model=32, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=64)
    w = _np(model.encoder.layers[0].linear1.weight)   # (64, 32)
    bound = math.sqrt(6 / (32 + 64))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    src, tgt = deepglass.randn(6, 2, 32), deepglass.randn(5, 2, 32)
    model.eval()
    a = _np(model(src, tgt))
    model.train()
    b = _np(model(src, tgt))
    assert not np.allclose(a, b)
    with pytest.raises(RuntimeError, match="d_model"):
        model(deepglass.randn(6, 2, 16), tgt)


def test_positional_encoding_matches_the_formula():
    d, n = 6, 7
    pe = nn.PositionalEncoding(d, dropout=0.0, max_len=50)
    x = deepglass.zeros(n, 2, d)
    out = _np(pe(x))
    pos = np.arange(n)[:, None]
    i = np.arange(0, d, 2)[None, :]
    np.testing.assert_allclose(out[:, 0, 0::2], np.sin(pos / 10000 ** (i / d)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[:, 1, 1::2], np.cos(pos / 10000 ** (i / d)), rtol=1e-5, atol=1e-6)
    bf = nn.PositionalEncoding(d, dropout=0.0, max_len=50, batch_first=True)
    np.testing.assert_allclose(_np(bf(deepglass.zeros(2, n, d)))[1], out[:, 0], rtol=1e-6)
    assert nn.PositionalEncoding(5, dropout=0.0)(deepglass.zeros(3, 1, 5)).shape == (3, 1, 5)   # odd width
    with pytest.raises(ValueError, match="max_len"):
        pe(deepglass.zeros(51, 1, d))
