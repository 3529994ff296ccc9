"""Registry entries for deepglass.ops.complex (complex tensors: parts, modulus, phase, real <-> complex views).

As in core_fft.py, complex values cross the registry as real ``(*, 2)`` arrays (``view_as_complex`` in,
``view_as_real`` out), so both frameworks are compared and differentiated with real losses.
"""
from __future__ import annotations

import torch

import deepglass as dg

from . import OpInfo, Sample


def _c_in_dg(fn):
    return lambda x, *a: fn(dg.view_as_complex(x), *a)


def _c_in_torch(fn):
    return lambda x, *a: fn(torch.view_as_complex(x), *a)


def _pairs(rng):
    return [Sample(rng.standard_normal((3, 4, 2))), Sample(rng.standard_normal((2,))[None].repeat(3, 0))]


def _same(d, t):
    assert d == t, f"{d} != torch {t}"


ENTRIES = [
    OpInfo("real", _c_in_dg(dg.real), _c_in_torch(torch.real), _pairs),
    OpInfo("imag", _c_in_dg(dg.imag), _c_in_torch(torch.imag), _pairs),
    OpInfo("angle", lambda x: dg.angle(dg.view_as_complex(x) if x.ndim > 1 else x),
           lambda x: torch.angle(torch.view_as_complex(x) if x.ndim > 1 else x),
           lambda rng: [*_pairs(rng), Sample(rng.standard_normal((5,)), grad=())],
           note="a real sample (0 or π) is compared without gradient: the complex entries hold it"),
    OpInfo("view_as_real", lambda x: dg.view_as_real(dg.view_as_complex(x) * (1 + 2j)),
           lambda x: torch.view_as_real(torch.view_as_complex(x) * (1 + 2j)), _pairs),
    OpInfo("view_as_complex", lambda x: dg.view_as_complex(x).abs(), lambda x: torch.view_as_complex(x).abs(),
           _pairs),
    OpInfo("complex", lambda a, b: dg.view_as_real(dg.complex(a, b)), lambda a, b: torch.view_as_real(torch.complex(a, b)),
           lambda rng: [Sample(rng.standard_normal((3, 4)), rng.standard_normal((3, 4))),
                        Sample(rng.standard_normal((4,)), rng.standard_normal((2, 4)))]),
    OpInfo("polar", lambda a, b: dg.view_as_real(dg.polar(a, b)), lambda a, b: torch.view_as_real(torch.polar(a, b)),
           lambda rng: [Sample(rng.uniform(0.5, 2, (3, 4)), rng.standard_normal((3, 4))),
                        Sample(rng.uniform(0.5, 2, (4,)), rng.standard_normal((2, 4)))]),
    OpInfo("is_complex", lambda x: (dg.is_complex(x), dg.is_complex(dg.view_as_complex(x))),
           lambda x: (torch.is_complex(x), torch.is_complex(torch.view_as_complex(x))),
           lambda rng: [Sample(rng.standard_normal((3, 2)))], grad=False, compare=_same),
    OpInfo("is_conj", lambda x: dg.is_conj(dg.view_as_complex(x).conj_physical()),
           lambda x: torch.is_conj(torch.view_as_complex(x).conj_physical()),
           lambda rng: [Sample(rng.standard_normal((3, 2)))], grad=False, compare=_same,
           note="conj_physical: PyTorch's lazy conj() sets a bit that deepglass never sets"),
]
