"""F.multi_head_attention_forward (ops/mha.py) against PyTorch: op_db's dropout-free samples, gradients, options."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass
import deepglass.nn.functional as F

pytest.importorskip("expecttest")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import test_op_db  # noqa: E402


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_op_db_samples_without_dropout(dtype):
    op = next(o for o in test_op_db.op_db() if o.name == "nn.functional.multi_head_attention_forward")
    fn = test_op_db.dg_callable(op)
    samples = [s for s in op.sample_inputs("cpu", dtype, requires_grad=False) if s.args[9] == 0]
    assert len(samples) >= 90
    for s in samples:
        if dtype == torch.float32:       # op_db's values reach |x| ~ 9: float32 scores of ~1e3, summed in another order
            test_op_db.TOLERANCE[(test_op_db.key_of(op), "float32")] = (1e-4, 1e-3)
        try:
            test_op_db.run_sample(op, fn, s, dtype, test_op_db.key_of(op), grads=False)
        finally:
            test_op_db.TOLERANCE.pop((test_op_db.key_of(op), "float32"), None)


def _args(rng, e=4, h=2, L=3, S=5, n=2, batched=True, separate=False, bias_kv=False):
    r = lambda *s: rng.standard_normal(s) * 0.5  # noqa: E731
    q, k, v = (r(L, n, e), r(S, n, e), r(S, n, e)) if batched else (r(L, e), r(S, e), r(S, e))
    args = [q, k, v, e, h, None if separate else r(3 * e, e), r(3 * e), r(1, 1, e) if bias_kv else None,
            r(1, 1, e) if bias_kv else None, False, 0.0, r(e, e), r(e)]
    kw = {"use_separate_proj_weight": separate}
    if separate:
        kw.update(q_proj_weight=r(e, e), k_proj_weight=r(e, e), v_proj_weight=r(e, e))
    return args, kw


def _run(lib, args, kw):
    conv = (lambda a: torch.tensor(a, requires_grad=True)) if lib is torch else \
        (lambda a: deepglass.tensor(a, requires_grad=True))
    a = [conv(x) if isinstance(x, np.ndarray) else x for x in args]
    k = {n: conv(x) if isinstance(x, np.ndarray) else x for n, x in kw.items()}
    fn = TF.multi_head_attention_forward if lib is torch else F.multi_head_attention_forward
    out, w = fn(*a, **k)
    leaves = [x for x in a + list(k.values()) if hasattr(x, "requires_grad") and x.requires_grad]
    return out, w, leaves


@pytest.mark.parametrize("case", [
    {}, {"batched": False}, {"separate": True}, {"bias_kv": True},
    {"extra": {"add_zero_attn": True}}, {"extra": {"need_weights": False}},
    {"extra": {"average_attn_weights": False}}, {"mask": "kpm"}, {"mask": "causal"}, {"mask": "static"},
])
def test_values_and_gradients_match_torch(case):
    rng = np.random.default_rng(0)
    args, kw = _args(rng, batched=case.get("batched", True), separate=case.get("separate", False),
                     bias_kv=case.get("bias_kv", False))
    extra = dict(case.get("extra", {}))
    if extra.pop("add_zero_attn", False):
        args[9] = True
    tkw, dkw = dict(kw, **extra), dict(kw, **extra)
    if case.get("mask") == "kpm":
        m = np.zeros((2, 5), bool)
        m[1, 3:] = True
        tkw["key_padding_mask"], dkw["key_padding_mask"] = torch.tensor(m), deepglass.tensor(m)
    elif case.get("mask") == "causal":
        m = np.triu(np.ones((3, 5), bool), 1)
        tkw.update(attn_mask=torch.tensor(m), is_causal=True)
        dkw.update(attn_mask=deepglass.tensor(m), is_causal=True)
    elif case.get("mask") == "static":
        sk = rng.standard_normal((4, 6, 2))
        sv = rng.standard_normal((4, 6, 2))
        tkw.update(static_k=torch.tensor(sk), static_v=torch.tensor(sv))
        dkw.update(static_k=deepglass.tensor(sk), static_v=deepglass.tensor(sv))
    ot, wt, lt = _run(torch, args, tkw)
    od, wd, ld = _run(deepglass, args, dkw)
    np.testing.assert_allclose(od.detach().numpy(), ot.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert (wt is None) == (wd is None)
    if wt is not None:
        np.testing.assert_allclose(wd.detach().numpy(), wt.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(tuple(ot.shape))
    (ot * torch.tensor(g)).sum().backward()
    (od * deepglass.tensor(g)).sum().backward()
    for a, b in zip(ld, lt):     # an unused input (key/value beside static_k/v) has no gradient or zeros
        ga = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
        gb = np.zeros(tuple(b.shape)) if b.grad is None else b.grad.numpy()
        np.testing.assert_allclose(ga, gb, rtol=1e-9, atol=1e-11)


def test_errors_as_torch():
    rng = np.random.default_rng(1)
    args, kw = _args(rng)
    for lib, conv in ((torch, torch.tensor), (deepglass, deepglass.tensor)):
        fn = TF.multi_head_attention_forward if lib is torch else F.multi_head_attention_forward
        a = [conv(x) if isinstance(x, np.ndarray) else x for x in args]
        with pytest.raises(RuntimeError, match="Need attn_mask"):
            fn(*a, is_causal=True)
        bad = list(a)
        bad[3] = 8
        with pytest.raises(AssertionError, match="expecting embedding dimension"):
            fn(*bad)
