"""Registry entries for deepglass.ops.linalg_solve (issue 14's inverses, determinants, solves)."""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _well(rng, *batch, n=3):
    return rng.standard_normal(batch + (n, n)) + 3 * np.eye(n)


def _spd(rng, *batch, n=3):
    m = rng.standard_normal(batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def _signed(w, v):
    return w, v * (v[..., :1, :] > 0).to(v.dtype).mul(2).sub(1)


_SYM = "reads one triangle of a symmetric matrix; the symmetric gradient (PyTorch's) differs from one-sided differences"

ENTRIES = [
    OpInfo("inv", dg.linalg.inv, torch.linalg.inv, lambda rng: [Sample(_well(rng)), Sample(_well(rng, 2))]),
    OpInfo("inv_ex", lambda a: dg.linalg.inv_ex(a).inverse, lambda a: torch.linalg.inv_ex(a).inverse,
           lambda rng: [Sample(_well(rng))]),
    OpInfo("det", dg.linalg.det, torch.linalg.det, lambda rng: [Sample(_well(rng)), Sample(_well(rng, 2))]),
    OpInfo("slogdet", dg.linalg.slogdet, torch.linalg.slogdet, lambda rng: [Sample(_well(rng, 2))]),
    OpInfo("logdet", dg.logdet, torch.logdet, lambda rng: [Sample(_spd(rng)), Sample(_well(rng, 2))]),
    OpInfo("solve", dg.linalg.solve, torch.linalg.solve,
           lambda rng: [Sample(_well(rng), rng.standard_normal((3, 2))), Sample(_well(rng, 2), rng.standard_normal((2, 3))),
                        Sample(_well(rng), rng.standard_normal((2, 3)), left=False)]),
    OpInfo("solve_ex", lambda a, b: dg.linalg.solve_ex(a, b).result, lambda a, b: torch.linalg.solve_ex(a, b).result,
           lambda rng: [Sample(_well(rng), rng.standard_normal((3,)))]),
    OpInfo("solve_triangular", dg.linalg.solve_triangular, torch.linalg.solve_triangular,
           lambda rng: [Sample(_well(rng), rng.standard_normal((3, 2)), upper=True),
                        Sample(_well(rng), rng.standard_normal((3, 2)), upper=False, unitriangular=True)]),
    OpInfo("cholesky", dg.linalg.cholesky, torch.linalg.cholesky,
           lambda rng: [Sample(_spd(rng)), Sample(_spd(rng, 2), upper=True)], gradcheck=False, note=_SYM),
    OpInfo("cholesky_ex", lambda a: dg.linalg.cholesky_ex(a).L, lambda a: torch.linalg.cholesky_ex(a).L,
           lambda rng: [Sample(_spd(rng))], gradcheck=False, note=_SYM),
    OpInfo("eigvalsh", dg.linalg.eigvalsh, torch.linalg.eigvalsh, lambda rng: [Sample(_spd(rng)), Sample(_spd(rng, 2))],
           gradcheck=False, note=_SYM),
    OpInfo("eigh", lambda a: _signed(*dg.linalg.eigh(a)), lambda a: _signed(*torch.linalg.eigh(a)),
           lambda rng: [Sample(_spd(rng)), Sample(_spd(rng, 2))], aliases=("linalg.eigh",),
           gradcheck=False, rtol=1e-4, atol=1e-5, grad_rtol=1e-3, grad_atol=1e-4,
           note=_SYM + "; eigenvectors compared with their first row made positive (signs are arbitrary)"),
    OpInfo("svdvals", dg.linalg.svdvals, torch.linalg.svdvals, aliases=("linalg.svdvals",),
           samples=lambda rng: [Sample(rng.standard_normal((3, 4))), Sample(rng.standard_normal((2, 4, 3)))]),
    OpInfo("matrix_power", dg.linalg.matrix_power, torch.linalg.matrix_power,
           lambda rng: [Sample(_well(rng), 3), Sample(_well(rng, 2), -2), Sample(_well(rng), 0)]),
    OpInfo("vander", dg.linalg.vander, torch.linalg.vander,
           lambda rng: [Sample(rng.standard_normal(4)), Sample(rng.standard_normal((2, 3)), N=4)]),
]
