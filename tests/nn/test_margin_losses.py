"""The margin / ranking / embedding losses and the Poisson / Gaussian NLL: modules against torch.nn
(values, gradients, state dicts, legacy flags), gradients at the hinges, extreme inputs, dtypes, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass as dg
from deepglass import nn
from deepglass.nn import functional as F

RNG = np.random.default_rng(0)
REDS = ["none", "mean", "sum"]


def _f(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _pm(*shape):
    return RNG.choice([-1.0, 1.0], shape).astype(np.float32)


def _check(dmod, tmod, *args, grads=None, rtol=1e-5, atol=1e-6):
    """Run both modules on the same arrays (floats require grad unless ``grads`` lists the positions)."""
    def wrap(lib, a, i):
        if not isinstance(a, np.ndarray):
            return a
        req = a.dtype.kind == "f" and (grads is None or i in grads)
        return lib.tensor(a, requires_grad=req)

    da = [wrap(dg, a, i) for i, a in enumerate(args)]
    ta = [wrap(torch, a, i) for i, a in enumerate(args)]
    ld, lt = dmod(*da), tmod(*ta)
    assert tuple(ld.shape) == tuple(lt.shape) and str(ld.dtype) == str(lt.dtype).replace("torch.", "")
    np.testing.assert_allclose(ld.detach().numpy(), lt.detach().numpy(), rtol=rtol, atol=atol)
    seed = RNG.standard_normal(tuple(lt.shape)).astype(np.float32)
    (ld * dg.tensor(seed)).sum().backward()
    (lt * torch.tensor(seed)).sum().backward()
    for d, t in zip(da, ta):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert d.grad is None or not np.any(d.grad.numpy())
            else:
                np.testing.assert_allclose(d.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)
    assert list(dmod.state_dict()) == list(tmod.state_dict())


@pytest.mark.parametrize("reduction", REDS)
def test_pair_modules(reduction):
    x1, x2, y = _f(6), _f(6), _pm(6)
    _check(nn.MarginRankingLoss(0.3, reduction=reduction), torch.nn.MarginRankingLoss(0.3, reduction=reduction),
           x1, x2, y)
    _check(nn.HingeEmbeddingLoss(0.7, reduction=reduction), torch.nn.HingeEmbeddingLoss(0.7, reduction=reduction),
           np.abs(_f(3, 4)), _pm(3, 4))
    _check(nn.SoftMarginLoss(reduction=reduction), torch.nn.SoftMarginLoss(reduction=reduction), 3 * _f(3, 4),
           _pm(3, 4), grads=(0,))
    _check(nn.CosineEmbeddingLoss(0.2, reduction=reduction), torch.nn.CosineEmbeddingLoss(0.2, reduction=reduction),
           _f(4, 5), _f(4, 5), _pm(4))


@pytest.mark.parametrize("reduction", REDS)
def test_triplet_modules(reduction):
    a, p, n = _f(4, 5), _f(4, 5), _f(4, 5)
    for kw in [{}, dict(margin=2.0, p=1.0, swap=True), dict(margin=0.5, p=3.0, eps=1e-3)]:
        _check(nn.TripletMarginLoss(reduction=reduction, **kw), torch.nn.TripletMarginLoss(reduction=reduction, **kw),
               a, p, n)
    _check(nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True, reduction=reduction),
           torch.nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True, reduction=reduction), a, p, n)

    def cos_dist(x, y):
        return 1 - (x * y).sum(-1) / ((x * x).sum(-1) * (y * y).sum(-1)).sqrt()

    _check(nn.TripletMarginWithDistanceLoss(distance_function=cos_dist, margin=0.5, reduction=reduction),
           torch.nn.TripletMarginWithDistanceLoss(distance_function=cos_dist, margin=0.5, reduction=reduction), a, p, n)


@pytest.mark.parametrize("reduction", REDS)
def test_classification_modules(reduction):
    x, t = _f(5, 4), RNG.integers(0, 4, 5)
    w = RNG.uniform(0.5, 2.0, 4).astype(np.float32)
    for kw in [{}, dict(p=2, margin=0.6)]:
        _check(nn.MultiMarginLoss(reduction=reduction, **kw), torch.nn.MultiMarginLoss(reduction=reduction, **kw), x, t)
        _check(nn.MultiMarginLoss(weight=dg.tensor(w), reduction=reduction, **kw),
               torch.nn.MultiMarginLoss(weight=torch.tensor(w), reduction=reduction, **kw), x, t)
    tl = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 0, 0, 0], [2, 2, -1, 3], [0, -1, 1, 1]])
    _check(nn.MultiLabelMarginLoss(reduction=reduction), torch.nn.MultiLabelMarginLoss(reduction=reduction), x, tl)
    y = (RNG.uniform(0, 1, (5, 4)) > 0.5).astype(np.float32)
    _check(nn.MultiLabelSoftMarginLoss(reduction=reduction), torch.nn.MultiLabelSoftMarginLoss(reduction=reduction),
           x, y)
    _check(nn.MultiLabelSoftMarginLoss(weight=dg.tensor(w), reduction=reduction),
           torch.nn.MultiLabelSoftMarginLoss(weight=torch.tensor(w), reduction=reduction), x, y)


@pytest.mark.parametrize("reduction", REDS)
def test_likelihood_modules(reduction):
    x, t = _f(3, 4), RNG.uniform(0.5, 5.0, (3, 4)).astype(np.float32)
    _check(nn.PoissonNLLLoss(reduction=reduction), torch.nn.PoissonNLLLoss(reduction=reduction), x, t)
    _check(nn.PoissonNLLLoss(log_input=False, full=True, eps=1e-4, reduction=reduction),
           torch.nn.PoissonNLLLoss(log_input=False, full=True, eps=1e-4, reduction=reduction), np.abs(x) + 0.1, t)
    v = RNG.uniform(0.2, 2.0, (3, 4)).astype(np.float32)
    for var in (v, v[:, 0], v[:, :1], v[:1]):
        _check(nn.GaussianNLLLoss(reduction=reduction), torch.nn.GaussianNLLLoss(reduction=reduction), x, _f(3, 4),
               var)
    _check(nn.GaussianNLLLoss(full=True, eps=1e-3, reduction=reduction),
           torch.nn.GaussianNLLLoss(full=True, eps=1e-3, reduction=reduction), x, _f(3, 4), 0.5)


@pytest.mark.filterwarnings("ignore:size_average and reduce args:UserWarning")
def test_legacy_flags_and_weight_buffers():
    for cls in ("MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
                "PoissonNLLLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss"):
        for kw in (dict(size_average=False), dict(reduce=False), dict(size_average=True, reduce=True)):
            assert getattr(nn, cls)(**kw).reduction == getattr(torch.nn, cls)(**kw).reduction, (cls, kw)
    m = nn.MultiMarginLoss(weight=dg.ones(3)).double()
    assert m.weight.dtype == np.float64 and list(m.state_dict()) == ["weight"]
    assert list(nn.MultiLabelSoftMarginLoss(weight=dg.ones(3)).state_dict()) == ["weight"]
    for cls in ("MarginRankingLoss", "GaussianNLLLoss", "TripletMarginLoss", "MultiMarginLoss", "PoissonNLLLoss",
                "CosineEmbeddingLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss"):
        assert repr(getattr(nn, cls)()) == repr(getattr(torch.nn, cls)()), cls
    # deepglass's losses print a non-default reduction (PyTorch prints none)
    assert repr(nn.SoftMarginLoss(reduction="sum")) == "SoftMarginLoss(reduction='sum')"


# ------------------------------------------------------------------- kinks


def _grad_pair(fn_d, fn_t, arrays, grads):
    da = [dg.tensor(a, requires_grad=i in grads) if isinstance(a, np.ndarray) else a for i, a in enumerate(arrays)]
    ta = [torch.tensor(a, requires_grad=i in grads) if isinstance(a, np.ndarray) else a for i, a in enumerate(arrays)]
    yd, yt = fn_d(*da), fn_t(*ta)
    yd.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(yd.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-15)
    for i in grads:
        np.testing.assert_allclose(da[i].grad.numpy(), ta[i].grad.numpy(), rtol=1e-12, atol=0)
    return [da[i].grad.numpy() for i in grads]


def test_gradients_at_the_hinges_are_torchs():
    f64 = np.float64
    # max(0, z) at z = 0 passes the gradient (clamp_min), as PyTorch
    g1, _, _ = _grad_pair(lambda *a: F.margin_ranking_loss(*a, margin=0.5, reduction="none"),
                              lambda *a: TF.margin_ranking_loss(*a, margin=0.5, reduction="none"),
                              [np.array([0.5, 0.0, 1.0], f64), np.array([0.0, 0.5, 0.0], f64),
                               np.array([1.0, -1.0, -1.0], f64)], (0, 1, 2))
    assert g1.tolist() == [-1.0, 1.0, 1.0]
    _grad_pair(lambda *a: F.hinge_embedding_loss(*a, margin=1.0, reduction="none"),
               lambda *a: TF.hinge_embedding_loss(*a, margin=1.0, reduction="none"),
               [np.array([1.0, 0.0, 2.0], f64), np.array([-1.0, -1.0, 1.0], f64)], (0,))
    # triplet: d(a, p) − d(a, n) + margin = 0 exactly
    a, p, n = np.zeros((1, 2)), np.array([[3.0, 4.0]]), np.array([[6.0, 8.0]])
    _grad_pair(lambda *t: F.triplet_margin_loss(*t, margin=5.0, eps=0.0),
               lambda *t: TF.triplet_margin_loss(*t, margin=5.0, eps=0.0), [a, p, n], (0, 1, 2))
    # multi-class / multi-label hinges: PyTorch counts only z > 0 (strict), in value and gradient
    x = np.array([[1.0, 0.0, 0.5, 2.0]])
    (g,) = _grad_pair(F.multi_margin_loss, TF.multi_margin_loss, [x, np.array([0])], (0,))
    assert g[0, 1] == 0.0  # z = 1 − 1 + 0 = 0
    (g,) = _grad_pair(F.multilabel_margin_loss, TF.multilabel_margin_loss, [x, np.array([[0, -1, 0, 0]])], (0,))
    assert g[0, 1] == 0.0
    # cosine_embedding_loss where cos = margin
    _grad_pair(lambda *t: F.cosine_embedding_loss(*t, margin=0.0, reduction="none"),
               lambda *t: TF.cosine_embedding_loss(*t, margin=0.0, reduction="none"),
               [np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([-1.0])], (0, 1))


# ----------------------------------------------------------------- extremes


def test_soft_margin_is_finite_where_torch_overflows():
    x = dg.tensor(np.array([-1000.0, 1000.0, -100.0, 100.0, 0.0], np.float32), requires_grad=True)
    y = dg.tensor([1.0, -1.0, -1.0, 1.0, 1.0])
    loss = F.soft_margin_loss(x, y, reduction="none")
    loss.sum().backward()
    np.testing.assert_allclose(loss.detach().numpy(), [1000.0, 1000.0, 0.0, 0.0, np.log(2)], rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(x.grad.numpy(), [-1.0, 1.0, 0.0, 0.0, -0.5], atol=1e-30)
    assert np.isinf(TF.soft_margin_loss(torch.tensor([-1000.0]), torch.tensor([1.0])).item())  # PyTorch's log1p(exp)


def test_multilabel_soft_margin_extremes_match_torch():
    x = np.array([[-1000.0, 1000.0, -50.0, 50.0]], np.float32)
    y = np.array([[1.0, 0.0, 0.0, 1.0]], np.float32)
    xd, xt = dg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ld, lt = F.multilabel_soft_margin_loss(xd, dg.tensor(y)), TF.multilabel_soft_margin_loss(xt, torch.tensor(y))
    ld.backward()
    lt.backward()
    assert np.isfinite(ld.item())
    np.testing.assert_allclose(ld.item(), lt.item(), rtol=1e-6)
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_cosine_zero_vectors_match_torch():
    a = np.zeros((3, 4), np.float32)
    a[2] = _f(4)
    b = _f(3, 4)
    b[1] = 0.0
    y = np.array([1.0, -1.0, 1.0], np.float32)
    ad, bd = dg.tensor(a, requires_grad=True), dg.tensor(b, requires_grad=True)
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ld = F.cosine_embedding_loss(ad, bd, dg.tensor(y), reduction="none")
    lt = TF.cosine_embedding_loss(at, bt, torch.tensor(y), reduction="none")
    ld.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(ld.detach().numpy(), lt.detach().numpy(), rtol=1e-6)
    assert ld.tolist()[:2] == [1.0, 0.0]  # cos(0, b) = 0
    np.testing.assert_allclose(ad.grad.numpy(), at.grad.numpy(), rtol=1e-5)  # ~1e6: PyTorch's 1e-12 epsilon
    np.testing.assert_allclose(bd.grad.numpy(), bt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_gaussian_var_clamp_passes_the_gradient_like_torch():
    v = np.array([0.0, 1e-7, 2.0], np.float32)
    vd, vt = dg.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    x = np.array([1.0, 2.0, 3.0], np.float32)
    ld = F.gaussian_nll_loss(dg.tensor(x), dg.zeros(3), vd, reduction="sum")
    lt = TF.gaussian_nll_loss(torch.tensor(x), torch.zeros(3), vt, reduction="sum")
    ld.backward()
    lt.backward()
    np.testing.assert_allclose(ld.item(), lt.item(), rtol=1e-6)
    np.testing.assert_allclose(vd.grad.numpy(), vt.grad.numpy(), rtol=1e-6)
    assert vd.grad.numpy()[0] == pytest.approx(0.5 * (1e6 - 1e12), rel=1e-5)


def test_poisson_full_target_gradient_is_finite_at_zero():
    t = dg.tensor([0.0, 0.5, 3.0], requires_grad=True)
    F.poisson_nll_loss(dg.tensor([0.5, 0.2, 1.0]), t, full=True, reduction="sum").backward()
    tt = torch.tensor([0.0, 0.5, 3.0], requires_grad=True)
    TF.poisson_nll_loss(torch.tensor([0.5, 0.2, 1.0]), tt, full=True, reduction="sum").backward()
    assert np.isnan(tt.grad[0].item())          # PyTorch: 0 · log 0 under the mask
    assert t.grad.tolist()[0] == -0.5           # deepglass: dℓ/dy = −x where the Stirling term is masked
    np.testing.assert_allclose(t.grad.numpy()[1:], tt.grad.numpy()[1:], rtol=1e-6)


def test_multilabel_margin_handles_many_classes_in_blocks():
    from deepglass.ops import margin_loss

    x, t = _f(9, 40), RNG.integers(-1, 40, (9, 40))
    want = TF.multilabel_margin_loss(torch.tensor(x), torch.tensor(t), reduction="none").numpy()
    old = margin_loss._CHUNK
    margin_loss._CHUNK = 40 * 40 * 2  # two rows per block
    try:
        xd = dg.tensor(x, requires_grad=True)
        got = F.multilabel_margin_loss(xd, dg.tensor(t), reduction="none")
        got.sum().backward()
    finally:
        margin_loss._CHUNK = old
    xt = torch.tensor(x, requires_grad=True)
    TF.multilabel_margin_loss(xt, torch.tensor(t), reduction="sum").backward()
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-5)
    np.testing.assert_allclose(xd.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------------- dtypes


def test_dtypes_follow_torch():
    x64, x32 = _f(3, 4).astype(np.float64), _f(3, 4)
    t = _pm(3, 4)
    cases = [
        ("margin_ranking_loss", (x64[0], x32[0], t[0])),
        ("hinge_embedding_loss", (x32, t.astype(np.float64))),
        ("soft_margin_loss", (x32, t.astype(np.float64))),   # PyTorch casts the target to the input's dtype
        ("soft_margin_loss", (x64, t)),
        ("cosine_embedding_loss", (x64, x32, t[:, 0])),
        ("triplet_margin_loss", (x64, x32, x32)),
        ("multilabel_soft_margin_loss", (x32, t.astype(np.float64))),
        ("poisson_nll_loss", (x32, np.abs(t).astype(np.float64))),
        ("poisson_nll_loss", (x64, np.array([[1, 2, 3, 4]] * 3))),
        ("gaussian_nll_loss", (x64, x32, np.ones(3, np.float32))),
        ("margin_ranking_loss", (x32[0], x32[1], np.array([1, -1, 1, 1]))),
    ]
    for name, arrays in cases:
        d = getattr(F, name)(*[dg.tensor(a) for a in arrays])
        th = getattr(TF, name)(*[torch.tensor(a) for a in arrays])
        assert str(d.dtype) == str(th.dtype).replace("torch.", ""), name
        np.testing.assert_allclose(d.numpy(), th.numpy(), rtol=1e-5, err_msg=name)
    ints = dg.tensor([[1, 2], [3, 4]])
    assert F.triplet_margin_loss(ints, ints, ints).dtype == np.float32
    assert F.cosine_embedding_loss(ints, ints, dg.tensor([1, -1])).dtype == np.float32


# -------------------------------------------------------------------- errors


def test_bad_reduction_strings():
    x, y = dg.randn(4), dg.tensor([1.0, -1.0, 1.0, -1.0])
    calls = [lambda r: F.margin_ranking_loss(x, x, y, reduction=r), lambda r: F.hinge_embedding_loss(x, y, reduction=r),
             lambda r: F.soft_margin_loss(x, y, reduction=r),
             lambda r: F.cosine_embedding_loss(x[None], x[None], y[:1], reduction=r),
             lambda r: F.triplet_margin_loss(x, x, x, reduction=r),
             lambda r: F.triplet_margin_with_distance_loss(x, x, x, reduction=r),
             lambda r: F.multi_margin_loss(x, dg.tensor(1), reduction=r),
             lambda r: F.multilabel_margin_loss(x, dg.tensor([1, -1, 0, 0]), reduction=r),
             lambda r: F.multilabel_soft_margin_loss(x, y, reduction=r),
             lambda r: F.poisson_nll_loss(x, y.abs(), reduction=r),
             lambda r: F.gaussian_nll_loss(x, x, dg.ones(4), reduction=r)]
    for call in calls:
        with pytest.raises(ValueError, match="reduction must be one of 'none', 'mean', 'sum', got 'avg'"):
            call("avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.MarginRankingLoss(reduction="batchmean")(x, x, y)


def test_shape_and_argument_errors():
    x = dg.randn(3, 4)
    y3 = dg.tensor([1.0, -1.0, 1.0])
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        F.margin_ranking_loss(dg.randn(3), dg.randn(3, 1), y3)
    with pytest.raises(ValueError, match="broadcast"):
        F.margin_ranking_loss(dg.randn(3), dg.randn(4), y3)
    with pytest.raises(RuntimeError, match="cannot be broadcast to the input's shape"):
        F.soft_margin_loss(dg.randn(3, 1), dg.ones(4))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected"):
        F.cosine_embedding_loss(x, x, dg.ones(3, 1))
    with pytest.raises(RuntimeError, match="1D target tensor expects 2D input tensors"):
        F.cosine_embedding_loss(dg.randn(4), dg.randn(4), y3)
    with pytest.raises(RuntimeError, match="0D target tensor expects 1D input tensors"):
        F.cosine_embedding_loss(x, x, dg.tensor(1.0))
    with pytest.raises(ValueError, match="margin must be greater than 0, got 0"):
        F.triplet_margin_loss(x, x, x, margin=0)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_with_distance_loss(x, x, x, margin=-1.0)
    with pytest.raises(RuntimeError, match="anchor 2D, positive 1D, and negative 2D"):
        F.triplet_margin_loss(x, dg.randn(4), x)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginWithDistanceLoss(margin=0.0)


def test_class_index_errors():
    x, t = dg.randn(3, 4), dg.tensor([0, 1, 3])
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(x, t, p=3)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="weight must be one-dimensional"):
        F.multi_margin_loss(x, t, weight=dg.ones(4, 1))
    with pytest.raises(ValueError, match="expected weight to be None or 1D tensor, got 2D"):
        nn.MultiMarginLoss(weight=dg.ones(4, 1))
    with pytest.raises(RuntimeError, match="inconsistent weight size, expected 4 but got \\[3\\]"):
        F.multi_margin_loss(x, t, weight=dg.ones(3))
    with pytest.raises(RuntimeError, match="Expected target size \\[3\\], but got \\[2\\]"):
        F.multi_margin_loss(x, dg.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="target out of range"):
        F.multi_margin_loss(x, dg.tensor([0, 1, 4]))
    with pytest.raises(RuntimeError, match="target out of range"):
        F.multi_margin_loss(x, dg.tensor([0, -1, 2]))
    with pytest.raises(RuntimeError, match="integer .* class indices"):
        F.multi_margin_loss(x, dg.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(RuntimeError, match="non-empty vector .* or matrix"):
        F.multi_margin_loss(dg.randn(3, 4, 2), t)
    with pytest.raises(RuntimeError, match="non-empty vector"):
        F.multi_margin_loss(dg.randn(3, 0), t)
    with pytest.raises(RuntimeError, match="single class index"):
        F.multi_margin_loss(dg.randn(4), dg.tensor([0, 1]))
    with pytest.raises(RuntimeError, match="inconsistent target size: \\[3, 3\\] for input of size: \\[3, 4\\]"):
        F.multilabel_margin_loss(x, dg.zeros(3, 3, dtype=dg.int64))
    with pytest.raises(RuntimeError, match="target index out of range"):
        F.multilabel_margin_loss(x, dg.tensor([[0, -1, 7, 1]] * 3))  # checked after the -1 too, as PyTorch
    with pytest.raises(RuntimeError, match="target index out of range"):
        F.multilabel_margin_loss(x, dg.tensor([[-2, 0, 0, 0]] * 3))
    with pytest.raises(RuntimeError, match="integer"):
        F.multilabel_margin_loss(x, dg.zeros(3, 4))
    with pytest.raises(IndexError, match="class dimension"):
        F.multilabel_soft_margin_loss(dg.tensor(1.0), dg.tensor(1.0))


def test_gaussian_var_errors():
    x = dg.randn(3, 4)
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(x, x, -dg.ones(3, 4))
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(x, x, -0.5)
    for bad in (dg.ones(2, 4), dg.ones(1, 1), dg.ones(1, 3, 4), dg.ones(4)):
        with pytest.raises(ValueError, match="var is of incorrect size"):
            F.gaussian_nll_loss(x, x, bad)
    with pytest.raises(TypeError, match="var must be"):
        F.gaussian_nll_loss(x, x, "1")
    # an int variance is taken as a number (PyTorch accepts only a float there)
    np.testing.assert_allclose(F.gaussian_nll_loss(x, x, 2).item(), F.gaussian_nll_loss(x, x, 2.0).item())


def test_empty_batches():
    out = F.multi_margin_loss(dg.randn(0, 4), dg.zeros(0, dtype=dg.int64), reduction="none")
    assert out.shape == (0,)
    assert F.multilabel_margin_loss(dg.randn(0, 4), dg.zeros(0, 4, dtype=dg.int64), reduction="sum").item() == 0.0
