"""``deepglass.nn.functional``: the stateless layer functions, PyTorch's names and signatures.

Everything here is implemented in :mod:`deepglass.ops`, one file per family;
this module only gathers the names in one place.
"""
from __future__ import annotations

import importlib

from ..ops.activation import *  # noqa: F401,F403
from ..ops.attention import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.linalg import linear
from ..ops.cross_entropy import *  # noqa: F401,F403
from ..ops.loss import *  # noqa: F401,F403
from ..ops.norm import *  # noqa: F401,F403
from ..ops.pool import *  # noqa: F401,F403
from ..ops.sampling import *  # noqa: F401,F403
from ..ops.shape import one_hot, pad

from ..ops import activation as _activation
from ..ops import attention as _attention
from ..ops import conv as _conv
from ..ops import dropout as _dropout
from ..ops import cross_entropy as _cross_entropy
from ..ops import loss as _loss
_norm = importlib.import_module("deepglass.ops.norm")  # `ops.norm` the attribute is the norm() function
from ..ops import pool as _pool
from ..ops import sampling as _sampling

__all__ = sorted(
    set(["linear", "one_hot", "pad"])
    | set(_activation.__all__) | set(_attention.__all__) | set(_conv.__all__) | set(_dropout.__all__)
    | set(_loss.__all__) | set(_cross_entropy.__all__) | set(_norm.__all__) | set(_pool.__all__) | set(_sampling.__all__)
)
