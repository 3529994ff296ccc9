"""Registry entries for the ``deepglass.linalg`` namespace, named ``linalg.<name>``.

``tests/test_op_registry.py`` requires an entry ``linalg.X`` for every name in
``deepglass.linalg.__all__``. Many of these functions are the same objects as
ops covered elsewhere (``linalg.inv`` is ``ops.linalg_solve.inv``); the entries
here call them through the namespace against ``torch.linalg`` with the keyword
arguments only the ``torch.linalg`` spelling has (``left=False``, ``upper=True``,
``UPLO``, ``dim`` of ``linalg.cross``), batched inputs and vector right-hand
sides. ``linalg.norm``, ``linalg.matrix_norm`` and ``linalg.diagonal`` live in
``core_linalg.py``.
"""
from __future__ import annotations

import numpy as np
import torch

import deepglass as dg

from . import OpInfo, Sample


def _x(rng, *shape):
    return rng.standard_normal(shape)


def _well(rng, *batch, n=3):
    """A well-conditioned square matrix (diagonally dominated): inverses and solves stay accurate in float32."""
    return rng.standard_normal(batch + (n, n)) + 3 * np.eye(n)


def _spd(rng, *batch, n=3):
    m = rng.standard_normal(batch + (n, n))
    return m @ np.swapaxes(m, -1, -2) + n * np.eye(n)


def _tri(rng, *batch, n=3, upper=False):
    a = _well(rng, *batch, n=n)
    return np.triu(a) if upper else np.tril(a)


_SYM = "reads one triangle of a symmetric matrix; the symmetric gradient (PyTorch's) differs from one-sided differences"


def _vector_norm(rng):
    return [Sample(_x(rng, 3, 4)), Sample(_x(rng, 2, 3, 4), 1, dim=(0, 2), keepdim=True),
            Sample(_x(rng, 5), float("inf")), Sample(_x(rng, 2, 5), -float("inf"), dim=1), Sample(_x(rng, 4, 3), 3.5, 0)]


def _matmul(rng):
    return [Sample(_x(rng, 2, 1, 3, 4), _x(rng, 3, 4, 2)), Sample(_x(rng, 4), _x(rng, 2, 4, 3))]


def _multi_dot(rng):
    return [Sample([_x(rng, 3, 4), _x(rng, 4, 5), _x(rng, 5, 2)]),
            Sample([_x(rng, 4), _x(rng, 4, 3), _x(rng, 3, 5), _x(rng, 5)]),      # 1-D at both ends: a scalar
            Sample([_x(rng, 2, 3), _x(rng, 3)])]


def _cross(rng):
    return [Sample(_x(rng, 4, 3), _x(rng, 4, 3)), Sample(_x(rng, 1, 3), _x(rng, 5, 3)),   # broadcast
            Sample(_x(rng, 3, 4), _x(rng, 3, 4), dim=0), Sample(_x(rng, 2, 3, 2), _x(rng, 2, 3, 2), dim=-2)]


def _vecdot(rng):
    return [Sample(_x(rng, 3, 4), _x(rng, 4)), Sample(_x(rng, 3, 4), _x(rng, 3, 1), dim=0),
            Sample(_x(rng, 2, 1, 5), _x(rng, 3, 5), dim=-1)]


ENTRIES = [
    OpInfo("linalg.vector_norm", dg.linalg.vector_norm, torch.linalg.vector_norm, _vector_norm, atol=1e-5),
    OpInfo("linalg.matmul", dg.linalg.matmul, torch.linalg.matmul, _matmul, atol=1e-5),
    OpInfo("linalg.multi_dot", dg.linalg.multi_dot, torch.linalg.multi_dot, _multi_dot, rtol=1e-4, atol=1e-5),
    OpInfo("linalg.cross", dg.linalg.cross, torch.linalg.cross, _cross),
    OpInfo("linalg.vecdot", dg.linalg.vecdot, torch.linalg.vecdot, _vecdot, atol=1e-5),
    OpInfo("linalg.inv", dg.linalg.inv, torch.linalg.inv, lambda rng: [Sample(_well(rng, 2, 2)), Sample(_well(rng, n=1))],
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.inv_ex", dg.linalg.inv_ex, torch.linalg.inv_ex, lambda rng: [Sample(_well(rng, 2))],
           rtol=1e-4, atol=1e-5, note="(inverse, info): info is an int32 zero per matrix"),
    OpInfo("linalg.det", dg.linalg.det, torch.linalg.det, lambda rng: [Sample(_well(rng, 2, 2)), Sample(_well(rng, n=1))],
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.slogdet", dg.linalg.slogdet, torch.linalg.slogdet,
           lambda rng: [Sample(_well(rng)), Sample(-_well(rng, 2))], rtol=1e-4, atol=1e-5),
    OpInfo("linalg.solve", dg.linalg.solve, torch.linalg.solve,
           lambda rng: [Sample(_well(rng, 2), _x(rng, 3)),                          # batched A, vector b
                        Sample(_well(rng, 2), _x(rng, 2, 4, 3), left=False),         # X A = B
                        Sample(_well(rng), _x(rng, 2, 3, 2))],                       # A broadcast over B's batch
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.solve_ex", dg.linalg.solve_ex, torch.linalg.solve_ex,
           lambda rng: [Sample(_well(rng, 2), _x(rng, 2, 3, 2)), Sample(_well(rng), _x(rng, 2, 3), left=False)],
           rtol=1e-4, atol=1e-5, note="(result, info): info is an int32 zero per matrix"),
    OpInfo("linalg.solve_triangular", dg.linalg.solve_triangular, torch.linalg.solve_triangular,
           lambda rng: [Sample(_tri(rng, 2), _x(rng, 2, 3, 2), upper=False),
                        Sample(_tri(rng, upper=True), _x(rng, 2, 3), upper=True, left=False),
                        Sample(_tri(rng, upper=True), _x(rng, 3, 4), upper=True, unitriangular=True)],
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.cholesky", dg.linalg.cholesky, torch.linalg.cholesky,
           lambda rng: [Sample(_spd(rng, 2)), Sample(_spd(rng), upper=True)], rtol=1e-4, atol=1e-5,
           gradcheck=False, note=_SYM),
    OpInfo("linalg.cholesky_ex", dg.linalg.cholesky_ex, torch.linalg.cholesky_ex,
           lambda rng: [Sample(_spd(rng, 2)), Sample(_spd(rng), upper=True)], rtol=1e-4, atol=1e-5,
           gradcheck=False, note=_SYM + "; (L, info): info is an int32 zero per matrix"),
    OpInfo("linalg.eigvalsh", dg.linalg.eigvalsh, torch.linalg.eigvalsh,
           lambda rng: [Sample(_spd(rng, 2)), Sample(_spd(rng, n=4), UPLO="U")], rtol=1e-4, atol=1e-5,
           gradcheck=False, note=_SYM),
    OpInfo("linalg.matrix_power", dg.linalg.matrix_power, torch.linalg.matrix_power,
           lambda rng: [Sample(_well(rng, 2), 2), Sample(_well(rng), -1), Sample(_well(rng, 2), 1)],
           rtol=1e-4, atol=1e-5),
    OpInfo("linalg.vander", dg.linalg.vander, torch.linalg.vander,
           lambda rng: [Sample(_x(rng, 3)), Sample(_x(rng, 2, 4), N=2)], atol=1e-5),
]
