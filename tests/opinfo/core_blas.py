"""Registry entries for deepglass.ops.blas (issue 14's BLAS-style products)."""
from __future__ import annotations

import torch

import deepglass as dg

from . import OpInfo, Sample


def _n(rng, *shape):
    return rng.standard_normal(shape)


ENTRIES = [
    OpInfo("addmm", dg.addmm, torch.addmm,
           lambda rng: [Sample(_n(rng, 2, 4), _n(rng, 2, 3), _n(rng, 3, 4)),
                        Sample(_n(rng, 4), _n(rng, 2, 3), _n(rng, 3, 4), beta=0.5, alpha=2.0),
                        Sample(_n(rng, 2, 4), _n(rng, 2, 3), _n(rng, 3, 4), beta=0)]),
    OpInfo("addmv", dg.addmv, torch.addmv,
           lambda rng: [Sample(_n(rng, 2), _n(rng, 2, 3), _n(rng, 3)), Sample(_n(rng), _n(rng, 2, 3), _n(rng, 3), alpha=3)]),
    OpInfo("addr", dg.addr, torch.addr, lambda rng: [Sample(_n(rng, 2, 3), _n(rng, 2), _n(rng, 3), beta=2.0)]),
    OpInfo("baddbmm", dg.baddbmm, torch.baddbmm,
           lambda rng: [Sample(_n(rng, 2, 3, 4), _n(rng, 2, 3, 5), _n(rng, 2, 5, 4), alpha=0.5)]),
    OpInfo("addbmm", dg.addbmm, torch.addbmm, lambda rng: [Sample(_n(rng, 3, 4), _n(rng, 2, 3, 5), _n(rng, 2, 5, 4))]),
    OpInfo("addcmul", dg.addcmul, torch.addcmul,
           lambda rng: [Sample(_n(rng, 3, 4), _n(rng, 3, 1), _n(rng, 4), value=0.5)]),
    OpInfo("addcdiv", dg.addcdiv, torch.addcdiv,
           lambda rng: [Sample(_n(rng, 3, 4), _n(rng, 3, 4), abs(_n(rng, 4)) + 0.5, value=2)]),
    OpInfo("mv", dg.mv, torch.mv, lambda rng: [Sample(_n(rng, 3, 4), _n(rng, 4))]),
    OpInfo("vdot", dg.vdot, torch.vdot, lambda rng: [Sample(_n(rng, 5), _n(rng, 5))]),
    OpInfo("inner", dg.inner, torch.inner,
           lambda rng: [Sample(_n(rng, 2, 3), _n(rng, 4, 3)), Sample(_n(rng), _n(rng, 2, 3))]),
    OpInfo("tensordot", dg.tensordot, torch.tensordot,
           lambda rng: [Sample(_n(rng, 2, 3, 4), _n(rng, 3, 4, 5)), Sample(_n(rng, 2, 3), _n(rng, 3, 2), dims=([0, 1], [1, 0])),
                        Sample(_n(rng, 2, 3), _n(rng, 4), dims=0)]),
    OpInfo("kron", dg.kron, torch.kron, lambda rng: [Sample(_n(rng, 2, 3), _n(rng, 2, 2)), Sample(_n(rng, 3), _n(rng, 2, 2))]),
    OpInfo("cross", dg.cross, torch.cross,
           lambda rng: [Sample(_n(rng, 4, 3), _n(rng, 4, 3), dim=1), Sample(_n(rng, 3, 2), _n(rng, 3, 1), dim=0)]),
    OpInfo("cartesian_prod", dg.cartesian_prod, torch.cartesian_prod,
           lambda rng: [Sample(_n(rng, 2), _n(rng, 3)), Sample(_n(rng, 4))]),
    OpInfo("block_diag", lambda *t: dg.block_diag(*t), lambda *t: torch.block_diag(*t),
           lambda rng: [Sample(_n(rng, 2, 2), _n(rng, 3), _n(rng))]),
    OpInfo("chain_matmul", dg.chain_matmul, lambda *m: torch.linalg.multi_dot(m),
           lambda rng: [Sample(_n(rng, 2, 3), _n(rng, 3, 5), _n(rng, 5, 2))]),
]
