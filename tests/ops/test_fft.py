"""deepglass.fft against torch.fft (values, dtypes, gradients with real losses) and finite differences."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg

RNG = np.random.default_rng(0)
_X = RNG.standard_normal((3, 6))
_Z = RNG.standard_normal((3, 5)) + 1j * RNG.standard_normal((3, 5))
_Y = RNG.standard_normal((2, 3, 4))
_ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
_N_D = ["fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn", "irfftn", "hfft2", "ihfft2", "hfftn", "ihfftn"]
_REAL_ONLY = ("rfft", "ihfft")


def _np(t):
    return t.detach().resolve_conj().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy()


def _loss(T, out, w):
    """A real loss of a real or complex output: Σ w0·Re + w1·Im."""
    if out.is_complex():
        view = torch.view_as_real(out.resolve_conj()) if T is torch else dg.view_as_real(out)
        return (view * T.tensor(w)).sum()
    return (out * T.tensor(w[..., 0])).sum()


def _check(name, a, **kw):
    ta, da = torch.tensor(a, requires_grad=True), dg.tensor(a, requires_grad=True)
    to, do = getattr(torch.fft, name)(ta, **kw), getattr(dg.fft, name)(da, **kw)
    assert str(do.dtype) == str(to.dtype).replace("torch.", ""), (name, kw)
    np.testing.assert_allclose(_np(do), _np(to), rtol=1e-10, atol=1e-10, err_msg=f"{name} {kw}")
    w = RNG.standard_normal(tuple(to.shape) + (2,))
    (tg,) = torch.autograd.grad(_loss(torch, to, w), ta)
    _loss(dg, do, w).backward()
    assert da.grad.dtype == da.dtype
    np.testing.assert_allclose(_np(da.grad), _np(tg), rtol=1e-9, atol=1e-10, err_msg=f"{name} {kw} grad")


@pytest.mark.parametrize("name", _ONE_D)
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_one_dimensional_transforms_match_torch(name, norm):
    for a in ([_X] if name in _REAL_ONLY else [_X, _Z]):
        for n in (None, 4, 7, 8):        # shorter, odd, even, longer than the signal
            _check(name, a, n=n, norm=norm)
        _check(name, a, dim=0, norm=norm)


@pytest.mark.parametrize("name", _N_D)
@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_n_dimensional_transforms_match_torch(name, norm):
    real = name.startswith(("rfft", "ihfft"))
    for a in ([_X] if real else [_X, _Z]):
        for s in (None, (4, 7), (2, 3)):
            _check(name, a, s=s, norm=norm)
    if name.endswith("n"):
        a = _Y if real else _Y + 1j * _Y[::-1]
        _check(name, a, norm=norm)
        _check(name, a, dim=(2, 0), s=(5, 3), norm=norm)
        _check(name, a, s=(3,), norm=norm)


@pytest.mark.parametrize("name,n", [("rfft", 6), ("rfft", 5), ("irfft", 6), ("irfft", 5), ("hfft", 6), ("hfft", 7),
                                    ("ihfft", 5), ("fft", 4), ("ifft", 6)])
def test_gradients_match_finite_differences(name, n):
    """The doubled bins of irfft/hfft and the dropped bins of rfft, checked with no reference framework."""
    complex_in = name not in _REAL_ONLY
    x0 = RNG.standard_normal((2, 4, 2) if complex_in else (2, 5))

    def f(x):
        z = dg.view_as_complex(x) if complex_in else x
        out = getattr(dg.fft, name)(z, n=n, norm="ortho")
        return dg.view_as_real(out) if out.is_complex() else out

    assert dg.autograd.gradcheck(f, (dg.tensor(x0, requires_grad=True),), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_dtypes_follow_torch():
    assert dg.fft.fft(dg.ones(4)).dtype == dg.complex64
    assert dg.fft.fft(dg.arange(4)).dtype == dg.complex64
    assert dg.fft.fft(dg.ones(4, dtype=dg.float64)).dtype == dg.complex128
    assert dg.fft.irfft(dg.ones(3, dtype=dg.complex64)).dtype == dg.float32
    assert dg.fft.irfft(dg.ones(3)).dtype == dg.float32          # a real input of a c2r transform
    assert dg.fft.rfft(dg.ones(4)).dtype == dg.complex64
    np.testing.assert_allclose(dg.fft.fft(dg.ones(4)).numpy(), torch.fft.fft(torch.ones(4)).numpy())


@pytest.mark.parametrize("call", [
    lambda T: T.fft.fft(T.ones(4), norm="foo"), lambda T: T.fft.fft(T.ones(4), n=0),
    lambda T: T.fft.rfft(T.ones(4, dtype=T.complex64)), lambda T: T.fft.ihfft(T.ones(4, dtype=T.complex64)),
    lambda T: T.fft.fft(T.ones(4, dtype=T.float16)), lambda T: T.fft.fftn(T.ones(2, 2), dim=(0, 0)),
    lambda T: T.fft.fftn(T.ones(2, 2), s=(2,), dim=(0, 1)), lambda T: T.fft.irfft(T.ones(1, dtype=T.complex64)),
    lambda T: T.fft.fft(T.ones(4), dim=3), lambda T: T.fft.fft(T.tensor(1.0)),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as th:
        call(torch)
    with pytest.raises(type(th.value)):
        call(dg)


def test_frequencies_and_shifts_match_torch():
    for n, d in ((5, 1.0), (6, 0.25), (1, 2.0)):
        np.testing.assert_allclose(dg.fft.fftfreq(n, d).numpy(), torch.fft.fftfreq(n, d).numpy())
        np.testing.assert_allclose(dg.fft.rfftfreq(n, d).numpy(), torch.fft.rfftfreq(n, d).numpy())
    assert dg.fft.fftfreq(4, dtype=dg.float64).dtype == dg.float64
    assert dg.fft.rfftfreq(4).dtype == dg.float32
    for dim in (None, 0, (0, -1), 1):
        for shift in ("fftshift", "ifftshift"):
            x = RNG.standard_normal((3, 5))
            tx, dx = torch.tensor(x, requires_grad=True), dg.tensor(x, requires_grad=True)
            to, do = getattr(torch.fft, shift)(tx, dim=dim), getattr(dg.fft, shift)(dx, dim=dim)
            np.testing.assert_array_equal(do.detach().numpy(), to.detach().numpy())
            w = RNG.standard_normal((3, 5))
            (to * torch.tensor(w)).sum().backward()
            (do * dg.tensor(w)).sum().backward()
            np.testing.assert_array_equal(dx.grad.numpy(), tx.grad.numpy())


def test_round_trips():
    x = dg.tensor(_X)
    np.testing.assert_allclose(dg.fft.ifft(dg.fft.fft(x)).real.numpy(), _X, atol=1e-12)
    np.testing.assert_allclose(dg.fft.irfft(dg.fft.rfft(x), n=6).numpy(), _X, atol=1e-12)
    np.testing.assert_allclose(dg.fft.irfftn(dg.fft.rfftn(dg.tensor(_Y)), s=_Y.shape).numpy(), _Y, atol=1e-12)
    np.testing.assert_allclose(dg.fft.hfft(dg.fft.ihfft(x), n=6).numpy(), _X, atol=1e-12)


# ---------------------------------------------------------------- stft / istft

_STFT_CASES = [
    dict(n_fft=8), dict(n_fft=8, hop_length=3), dict(n_fft=10, hop_length=3, win_length=7),
    dict(n_fft=8, hop_length=2, center=False), dict(n_fft=8, hop_length=2, normalized=True, pad_mode="constant"),
    dict(n_fft=8, hop_length=2, onesided=False), dict(n_fft=9, hop_length=2),
]


@pytest.mark.parametrize("kw", _STFT_CASES, ids=[str(k) for k in _STFT_CASES])
@pytest.mark.parametrize("batched", [False, True])
def test_stft_and_istft_match_torch(kw, batched):
    x = RNG.standard_normal((2, 37) if batched else 40)
    win = np.hanning(kw.get("win_length", kw["n_fft"])) + 0.1
    tx, dx = torch.tensor(x, requires_grad=True), dg.tensor(x, requires_grad=True)
    tw, dw = torch.tensor(win, requires_grad=True), dg.tensor(win, requires_grad=True)
    to = torch.stft(tx, window=tw, return_complex=True, **kw)
    do = dg.stft(dx, window=dw, return_complex=True, **kw)
    np.testing.assert_allclose(do.detach().numpy(), to.detach().numpy(), atol=1e-10)
    w = RNG.standard_normal(tuple(to.shape) + (2,))
    tgx, tgw = torch.autograd.grad(_loss(torch, to, w), (tx, tw))
    _loss(dg, do, w).backward()
    np.testing.assert_allclose(dx.grad.numpy(), tgx.numpy(), atol=1e-9)
    np.testing.assert_allclose(dw.grad.numpy(), tgw.numpy(), atol=1e-9)

    ikw = {k: v for k, v in kw.items() if k != "pad_mode"}
    spec = to.detach().numpy() + 0.3j * RNG.standard_normal(tuple(to.shape))    # not an exact spectrogram
    ts, ds = torch.tensor(spec, requires_grad=True), dg.tensor(spec, requires_grad=True)
    ti = torch.istft(ts, window=tw.detach(), **ikw)
    di = dg.istft(ds, window=dw.detach(), **ikw)
    np.testing.assert_allclose(di.detach().numpy(), ti.detach().numpy(), atol=1e-9)
    g = RNG.standard_normal(tuple(ti.shape))
    (tgs,) = torch.autograd.grad((ti * torch.tensor(g)).sum(), ts)
    (di * dg.tensor(g)).sum().backward()
    np.testing.assert_allclose(ds.grad.numpy(), tgs.resolve_conj().numpy(), atol=1e-9)


def test_istft_inverts_stft_and_pads_to_length():
    x = dg.tensor(RNG.standard_normal(30))
    w = dg.tensor(np.hanning(8) + 0.1)
    spec = dg.stft(x, 8, hop_length=2, window=w, return_complex=True)
    np.testing.assert_allclose(dg.istft(spec, 8, hop_length=2, window=w).numpy(), x.numpy(), atol=1e-12)
    assert dg.istft(spec, 8, hop_length=2, window=w, length=40).shape == (40,)


def test_istft_window_gradient_matches_finite_differences():
    spec = RNG.standard_normal((3, 5, 6)) + 1j * RNG.standard_normal((3, 5, 6))
    g = RNG.standard_normal((3, 10))
    w0 = RNG.uniform(0.5, 1.5, 8)

    def loss(w):
        return float((dg.istft(dg.tensor(spec), 8, window=dg.tensor(w)) * dg.tensor(g)).sum())

    wt = dg.tensor(w0, requires_grad=True)
    (dg.istft(dg.tensor(spec), 8, window=wt) * dg.tensor(g)).sum().backward()
    fd = np.array([(loss(w0 + 1e-6 * e) - loss(w0 - 1e-6 * e)) / 2e-6 for e in np.eye(8)])
    np.testing.assert_allclose(wt.grad.numpy(), fd, atol=1e-7)


@pytest.mark.parametrize("call", [
    lambda T: T.stft(T.ones(16), 8),                                               # return_complex missing
    lambda T: T.stft(T.ones(6), 16, center=False, return_complex=True),            # n_fft longer than the signal
    lambda T: T.stft(T.ones(16), 8, window=T.ones(5), return_complex=True),        # window size
    lambda T: T.istft(T.ones(5, 4, dtype=T.complex64), 8, window=T.zeros(8)),      # NOLA fails
    lambda T: T.istft(T.ones(5, 4), 8),                                            # a real spectrogram
])
def test_stft_errors_match_torch(call):
    with pytest.raises(Exception) as th:
        call(torch)
    with pytest.raises(type(th.value)):
        call(dg)
