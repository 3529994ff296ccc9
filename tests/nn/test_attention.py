"""Attention modules against PyTorch: MultiheadAttention (PyTorch's own class), and SE, CBAM and the
spatial transformer against small references written here from the papers' definitions."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass
from deepglass import nn
from deepglass.nn import functional as F


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, deepglass.Tensor) else t.detach().numpy()


def _load(dg_mod, th_mod):
    dg_mod.load_state_dict({k: v.detach().numpy().copy() for k, v in th_mod.state_dict().items()}, strict=True)


def _pair(a, requires_grad=True):
    return (deepglass.tensor(a.astype(np.float32), requires_grad=requires_grad),
            torch.tensor(a.astype(np.float32), requires_grad=requires_grad))


def _backward_both(d_outs, t_outs, seed=1):
    rng = np.random.default_rng(seed)
    d_total, t_total = None, None
    for d, t in zip(d_outs, t_outs):
        s = rng.standard_normal(tuple(t.shape)).astype(np.float32)
        dd = (d * deepglass.tensor(s)).sum()
        tt = (t * torch.tensor(s)).sum()
        d_total = dd if d_total is None else d_total + dd
        t_total = tt if t_total is None else t_total + tt
    d_total.backward()
    t_total.backward()


def _check_param_grads(dg_mod, th_mod, rtol=1e-4, atol=1e-5):
    th_params = dict(th_mod.named_parameters())
    dg_params = dict(dg_mod.named_parameters())
    assert set(th_params) == set(dg_params)
    for name, tp in th_params.items():
        dp = dg_params[name]
        if tp.grad is None:
            assert dp.grad is None or np.allclose(_np(dp.grad), 0), name
            continue
        assert dp.grad is not None, f"no gradient for {name}"
        np.testing.assert_allclose(_np(dp.grad), tp.grad.numpy(), rtol=rtol, atol=atol, err_msg=name)


# ------------------------------------------------------------------ MultiheadAttention

MHA_CASES = [
    dict(),
    dict(batch_first=True),
    dict(bias=False),
    dict(kdim=5, vdim=3),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True, batch_first=True),
    dict(add_bias_kv=True, add_zero_attn=True, kdim=6),
]


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("cfg", MHA_CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_multihead_attention_matches_torch(cfg, need_weights, mode):
    E, H, L, S, N = 8, 2, 3, 4, 2
    torch.manual_seed(0)
    th = torch.nn.MultiheadAttention(E, H, dropout=0.0, **cfg)
    dg = nn.MultiheadAttention(E, H, dropout=0.0, **cfg)
    _load(dg, th)
    getattr(th, mode)()
    getattr(dg, mode)()
    rng = np.random.default_rng(0)
    bf = cfg.get("batch_first", False)
    shape = lambda n, d: (N, n, d) if bf else (n, N, d)  # noqa: E731
    dq, tq = _pair(rng.standard_normal(shape(L, E)))
    dk, tk = _pair(rng.standard_normal(shape(S, cfg.get("kdim", E))))
    dv, tv = _pair(rng.standard_normal(shape(S, cfg.get("vdim", E))))
    kpm = np.zeros((N, S), dtype=bool)
    kpm[0, -1] = True
    am = rng.standard_normal((L, S)).astype(np.float32)
    kw_d = dict(key_padding_mask=deepglass.tensor(kpm), attn_mask=deepglass.tensor(am), need_weights=need_weights)
    kw_t = dict(key_padding_mask=torch.tensor(kpm), attn_mask=torch.tensor(am), need_weights=need_weights)
    d_out, d_w = dg(dq, dk, dv, **kw_d)
    t_out, t_w = th(tq, tk, tv, **kw_t)
    np.testing.assert_allclose(_np(d_out), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    if need_weights:
        np.testing.assert_allclose(_np(d_w), t_w.detach().numpy(), rtol=1e-4, atol=1e-5)
        _backward_both([d_out, d_w], [t_out, t_w])
    else:
        assert d_w is None and t_w is None
        _backward_both([d_out], [t_out])
    _check_param_grads(dg, th)
    for d, t in ((dq, tq), (dk, tk), (dv, tv)):
        np.testing.assert_allclose(_np(d.grad), t.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("variant", ["self_bool_mask", "per_head_mask", "unbatched", "causal", "heads_weights"])
def test_multihead_attention_masks_and_layouts(variant):
    E, H, L, N = 8, 2, 4, 2
    torch.manual_seed(1)
    th = torch.nn.MultiheadAttention(E, H, batch_first=True)
    dg = nn.MultiheadAttention(E, H, batch_first=True)
    _load(dg, th)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((L, E) if variant == "unbatched" else (N, L, E))
    dx, tx = _pair(x)
    kw_d, kw_t = {}, {}
    if variant == "self_bool_mask":
        m = np.triu(np.ones((L, L), dtype=bool), 1)  # True = not allowed
        kw_d["attn_mask"], kw_t["attn_mask"] = deepglass.tensor(m), torch.tensor(m)
    elif variant == "per_head_mask":
        m = rng.standard_normal((N * H, L, L)).astype(np.float32)
        kw_d["attn_mask"], kw_t["attn_mask"] = deepglass.tensor(m), torch.tensor(m)
    elif variant == "causal":
        m = torch.nn.Transformer.generate_square_subsequent_mask(L)
        kw_d.update(is_causal=True, need_weights=False)   # deepglass builds the mask itself
        kw_t.update(attn_mask=m, is_causal=True, need_weights=False)
    elif variant == "heads_weights":
        kw_d["average_attn_weights"] = kw_t["average_attn_weights"] = False
    d_out, d_w = dg(dx, dx, dx, **kw_d)
    t_out, t_w = th(tx, tx, tx, **kw_t)
    np.testing.assert_allclose(_np(d_out), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    outs = ([d_out], [t_out])
    if t_w is not None:
        np.testing.assert_allclose(_np(d_w), t_w.detach().numpy(), rtol=1e-4, atol=1e-5)
        outs = ([d_out, d_w], [t_out, t_w])
    _backward_both(*outs)
    _check_param_grads(dg, th)
    np.testing.assert_allclose(_np(dx.grad), tx.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_multihead_attention_state_dict_keys_and_init():
    th = torch.nn.MultiheadAttention(8, 2, kdim=4, vdim=4, add_bias_kv=True)
    dg = nn.MultiheadAttention(8, 2, kdim=4, vdim=4, add_bias_kv=True)
    assert set(dg.state_dict()) == set(th.state_dict())
    dg = nn.MultiheadAttention(64, 4)
    w = _np(dg.in_proj_weight)
    bound = np.sqrt(6 / (64 + 192))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound   # xavier-uniform
    assert np.all(_np(dg.in_proj_bias) == 0) and np.all(_np(dg.out_proj.bias) == 0)
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(10, 3)


def test_multihead_attention_dropout_is_active_in_train_only():
    mha = nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True)
    x = deepglass.randn(2, 6, 8)
    mha.eval()
    a, _ = mha(x, x, x)
    b, _ = mha(x, x, x)
    assert np.array_equal(_np(a), _np(b))
    mha.train()
    c, _ = mha(x, x, x, need_weights=False)
    assert not np.allclose(_np(a), _np(c))


# ------------------------------------------------------------------ SDPA dropout (not comparable to PyTorch's RNG)

def test_sdpa_dropout_is_seeded_unbiased_and_differentiable():
    rng = np.random.default_rng(0)
    q, k, v = (deepglass.tensor(rng.standard_normal((1, 1, 3, 2)), requires_grad=True) for _ in range(3))

    def f(q, k, v):
        deepglass.manual_seed(5)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)

    assert np.array_equal(_np(f(q, k, v)), _np(f(q, k, v)))
    assert deepglass.autograd.gradcheck(f, (q, k, v), eps=1e-6, atol=1e-5, rtol=1e-3)
    # E[dropout(P)] = P: average many draws of a wide attention
    qq, kk = deepglass.randn(1, 1, 4, 8), deepglass.randn(1, 1, 64, 8)
    vv = deepglass.ones(1, 1, 64, 1)
    outs = [_np(F.scaled_dot_product_attention(qq, kk, vv, dropout_p=0.3)) for _ in range(200)]
    np.testing.assert_allclose(np.mean(outs, axis=0), 1.0, atol=0.05)
    assert np.all(_np(F.scaled_dot_product_attention(qq, kk, vv, dropout_p=1.0)) == 0)


def test_sdpa_errors_name_the_fix():
    q = deepglass.randn(2, 3, 4)
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=deepglass.ones(3, 3, dtype=deepglass.bool), is_causal=True)
    with pytest.raises(ValueError, match="width"):
        F.scaled_dot_product_attention(q, deepglass.randn(2, 3, 5), q)


# ------------------------------------------------------------------ SE, CBAM, spatial transformer


def _torch_params(dg_mod):
    return {k: torch.tensor(_np(v), requires_grad=True) for k, v in dg_mod.named_parameters()}


def _se_reference(x, p):
    """Hu et al. 2017: z = GAP(x); s = σ(W₂ δ(W₁ z + b₁) + b₂); y = s ⊙ x."""
    z = x.mean(dim=(2, 3))
    h = torch.relu(z @ p["fc1.weight"].flatten(1).T + p["fc1.bias"])
    s = torch.sigmoid(h @ p["fc2.weight"].flatten(1).T + p["fc2.bias"])
    return x * s[:, :, None, None]


def _cbam_reference(x, p):
    """Woo et al. 2018: M_c = σ(MLP(avg) + MLP(max)); M_s = σ(conv7×7([mean_c; max_c]))."""
    w1, w2 = p["channel_attention.mlp.0.weight"].flatten(1), p["channel_attention.mlp.2.weight"].flatten(1)
    mlp = lambda d: torch.relu(d @ w1.T) @ w2.T  # noqa: E731
    mc = torch.sigmoid(mlp(x.mean(dim=(2, 3))) + mlp(x.amax(dim=(2, 3))))
    x = x * mc[:, :, None, None]
    desc = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
    ms = torch.sigmoid(TF.conv2d(desc, p["spatial_attention.conv.weight"], padding=3))
    return x * ms


@pytest.mark.parametrize("name", ["se", "cbam"])
def test_channel_attention_blocks_match_paper_reference(name):
    dg = nn.SqueezeExcitation(16, reduction=4) if name == "se" else nn.CBAM(16, reduction=4)
    ref = _se_reference if name == "se" else _cbam_reference
    if name == "se":
        assert dg.fc1.weight.shape == (4, 16, 1, 1)
    rng = np.random.default_rng(3)
    dx, tx = _pair(rng.standard_normal((2, 16, 5, 6)))
    p = _torch_params(dg)
    d_out, t_out = dg(dx), ref(tx, p)
    np.testing.assert_allclose(_np(d_out), t_out.detach().numpy(), rtol=1e-5, atol=1e-6)
    _backward_both([d_out], [t_out])
    np.testing.assert_allclose(_np(dx.grad), tx.grad.numpy(), rtol=1e-4, atol=1e-6)
    for k, v in dg.named_parameters():
        np.testing.assert_allclose(_np(v.grad), p[k].grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=k)


def test_spatial_transformer_identity_then_matches_reference():
    stn = nn.SpatialTransformer(2)
    x = deepglass.randn(3, 2, 8, 8)
    np.testing.assert_allclose(_np(stn(x)), _np(x), atol=1e-6)
    # perturb θ's layer so the warp is not the identity, then compare with a PyTorch reference
    with deepglass.no_grad():
        stn.fc_loc[2].weight.normal_(0, 0.1)
    p = _torch_params(stn)

    def ref(x):
        h = TF.relu(TF.conv2d(x, p["localization.0.weight"], p["localization.0.bias"], padding=1))
        h = TF.adaptive_avg_pool2d(h, 4)
        h = TF.relu(TF.conv2d(h, p["localization.3.weight"], p["localization.3.bias"], padding=1))
        h = TF.adaptive_avg_pool2d(h, 2).flatten(1)
        h = TF.relu(h @ p["fc_loc.0.weight"].T + p["fc_loc.0.bias"])
        theta = (h @ p["fc_loc.2.weight"].T + p["fc_loc.2.bias"]).view(-1, 2, 3)
        grid = TF.affine_grid(theta, x.shape, align_corners=False)
        return TF.grid_sample(x, grid, align_corners=False)

    dx, tx = _pair(np.random.default_rng(4).standard_normal((3, 2, 8, 8)))
    d_out, t_out = stn(dx), ref(tx)
    np.testing.assert_allclose(_np(d_out), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    _backward_both([d_out], [t_out])
    np.testing.assert_allclose(_np(dx.grad), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    for k, v in stn.named_parameters():
        np.testing.assert_allclose(_np(v.grad), p[k].grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=k)


def test_spatial_transformer_output_size_and_custom_localization():
    loc = nn.Sequential(nn.AdaptiveAvgPool2d(2), nn.Flatten())
    stn = nn.SpatialTransformer(3, localization=loc, loc_features=12, output_size=(4, 5))
    assert stn(deepglass.randn(2, 3, 9, 9)).shape == (2, 3, 4, 5)
    with pytest.raises(ValueError, match="loc_features"):
        nn.SpatialTransformer(3, localization=loc)


def test_small_cnn_with_cbam_learns_a_toy_task():
    rng = np.random.default_rng(0)
    n = 64
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 1, 8, 8)).astype(np.float32) * 0.5
    for i in range(n):  # a 3×3 blob somewhere: bright for class 1, dark for class 0
        r, c = rng.integers(0, 6, 2)
        x[i, 0, r:r + 3, c:c + 3] += 2.0 if y[i] else -2.0
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.CBAM(8, reduction=2),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))
    params = list(model.parameters())
    vel = [np.zeros(p.shape, np.float32) for p in params]
    xt, yt = deepglass.tensor(x), deepglass.tensor(y)
    losses = []
    for _ in range(40):
        loss = F.cross_entropy(model(xt), yt)
        for p in params:
            p.grad = None
        loss.backward()
        losses.append(loss.item())
        with deepglass.no_grad():
            for p, v in zip(params, vel):
                v *= 0.9
                v += _np(p.grad)
                p -= deepglass.tensor(0.1 * v)
    assert losses[-1] < 0.5 * losses[0], losses
