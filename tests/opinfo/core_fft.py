"""Registry entries for deepglass.fft (named ``fft.<name>``).

Complex values cross the registry as real arrays: a complex input is a float array of shape
``(*, 2)`` read through ``view_as_complex``, and a complex output is compared (and differentiated,
with real losses) through ``view_as_real``. PyTorch's ``view_as_real`` needs a resolved conjugate.
"""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _out_dg(o):
    return dg.view_as_real(o) if o.is_complex() else o


def _out_torch(o):
    return torch.view_as_real(o.resolve_conj()) if o.is_complex() else o


def _real_in(name):
    """An entry whose input is a real array."""
    return (lambda x, **kw: _out_dg(getattr(dg.fft, name)(x, **kw)),
            lambda x, **kw: _out_torch(getattr(torch.fft, name)(x, **kw)))


def _complex_in(name):
    """An entry whose input is a (*, 2) real array seen as complex."""
    return (lambda x, **kw: _out_dg(getattr(dg.fft, name)(dg.view_as_complex(x), **kw)),
            lambda x, **kw: _out_torch(getattr(torch.fft, name)(torch.view_as_complex(x), **kw)))


def _one_d(rng):
    return [Sample(rng.standard_normal((3, 6))), Sample(rng.standard_normal((2, 5)), n=8, norm="ortho"),
            Sample(rng.standard_normal((5, 4)), n=3, dim=0, norm="forward")]


def _one_d_c(rng):
    return [Sample(rng.standard_normal((3, 6, 2))), Sample(rng.standard_normal((2, 5, 2)), n=8, norm="ortho"),
            Sample(rng.standard_normal((5, 4, 2)), n=3, dim=0, norm="forward"),
            Sample(rng.standard_normal((4, 5, 2)), n=7, norm="backward")]


def _n_d(rng):
    return [Sample(rng.standard_normal((3, 4))), Sample(rng.standard_normal((2, 3, 4)), s=(5, 6), norm="ortho"),
            Sample(rng.standard_normal((2, 3, 4)), s=(3, 3), dim=(2, 0), norm="forward")]


def _n_d_c(rng):
    return [Sample(rng.standard_normal((3, 4, 2))), Sample(rng.standard_normal((2, 3, 4, 2)), s=(5, 6), norm="ortho"),
            Sample(rng.standard_normal((2, 3, 4, 2)), s=(3, 5), dim=(2, 0), norm="forward")]


def _entries():
    out = []
    for name in ("fft", "ifft", "hfft", "irfft"):
        out.append(OpInfo(f"fft.{name}", *_complex_in(name), _one_d_c, rtol=1e-4, atol=1e-5))
    for name in ("rfft", "ihfft"):
        out.append(OpInfo(f"fft.{name}", *_real_in(name), _one_d, rtol=1e-4, atol=1e-5))
    for name in ("fft2", "ifft2", "hfft2", "irfft2"):
        out.append(OpInfo(f"fft.{name}", *_complex_in(name), _n_d_c, rtol=1e-4, atol=1e-5))
    for name in ("rfft2", "ihfft2"):
        out.append(OpInfo(f"fft.{name}", *_real_in(name), _n_d, rtol=1e-4, atol=1e-5))
    for name in ("fftn", "ifftn", "hfftn", "irfftn"):
        out.append(OpInfo(f"fft.{name}", *_complex_in(name),
                          lambda rng: [*_n_d_c(rng), Sample(rng.standard_normal((2, 3, 4, 2)))], rtol=1e-4, atol=1e-5))
    for name in ("rfftn", "ihfftn"):
        out.append(OpInfo(f"fft.{name}", *_real_in(name),
                          lambda rng: [*_n_d(rng), Sample(rng.standard_normal((2, 3, 4)))], rtol=1e-4, atol=1e-5))
    return out


ENTRIES = [
    *_entries(),
    OpInfo("fft.fftfreq", dg.fft.fftfreq, torch.fft.fftfreq,
           lambda rng: [Sample(5), Sample(6, 0.5), Sample(4, d=2.0)], grad=False),
    OpInfo("fft.rfftfreq", dg.fft.rfftfreq, torch.fft.rfftfreq,
           lambda rng: [Sample(5), Sample(6, 0.5), Sample(1)], grad=False),
    OpInfo("fft.fftshift", dg.fft.fftshift, torch.fft.fftshift,
           lambda rng: [Sample(rng.standard_normal((3, 4))), Sample(rng.standard_normal((5, 4)), dim=0),
                        Sample(rng.standard_normal((3, 5, 2)), dim=(0, -1))]),
    OpInfo("fft.ifftshift", dg.fft.ifftshift, torch.fft.ifftshift,
           lambda rng: [Sample(rng.standard_normal((3, 4))), Sample(rng.standard_normal((5, 3)), dim=(1,))]),
]

_ = np  # the samples' arrays are NumPy's


# ---------------------------------------------------------------- stft / istft (ops/spectral.py)

def _stft_dg(x, n_fft, window=None, **kw):
    w = None if window is None else dg.tensor(window, dtype=x.dtype)
    return dg.view_as_real(dg.stft(x, n_fft, window=w, return_complex=True, **kw))


def _stft_torch(x, n_fft, window=None, **kw):
    w = None if window is None else torch.tensor(window, dtype=x.dtype)
    return torch.view_as_real(torch.stft(x, n_fft, window=w, return_complex=True, **kw))


def _istft_dg(s, n_fft, window=None, **kw):
    w = None if window is None else dg.tensor(window, dtype=s.dtype)
    return dg.istft(dg.view_as_complex(s), n_fft, window=w, **kw)


def _istft_torch(s, n_fft, window=None, **kw):
    w = None if window is None else torch.tensor(window, dtype=s.dtype)
    return torch.istft(torch.view_as_complex(s), n_fft, window=w, **kw)


_HANN = (np.hanning(8) + 0.1).tolist()

ENTRIES += [
    OpInfo("stft", _stft_dg, _stft_torch,
           lambda rng: [Sample(rng.standard_normal(20), 8, window=_HANN, hop_length=2),
                        Sample(rng.standard_normal((2, 17)), 6, hop_length=3, center=False),
                        Sample(rng.standard_normal(16), 8, window=_HANN[:7], win_length=7, normalized=True,
                               pad_mode="constant")], rtol=1e-4, atol=1e-5),
    OpInfo("istft", _istft_dg, _istft_torch,
           lambda rng: [Sample(rng.standard_normal((5, 6, 2)), 8, window=_HANN, hop_length=2),
                        Sample(rng.standard_normal((2, 4, 7, 2)), 6, hop_length=3, length=20),
                        Sample(rng.standard_normal((5, 9, 2)), 8, hop_length=2, center=False)], rtol=1e-4, atol=1e-5),
]
