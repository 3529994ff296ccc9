"""``deepglass.nn.functional``: the stateless layer functions, PyTorch's names and signatures.

Everything here is implemented in :mod:`deepglass.ops`, one file per family;
this module only gathers the names in one place.
"""
from __future__ import annotations

from ..ops import FUNCTIONAL_MODULES as _FAMILIES
from ..ops.activation import *  # noqa: F401,F403
from ..ops.activation_more import *  # noqa: F401,F403
from ..ops.adaptive_pool import *  # noqa: F401,F403
from ..ops.attention import *  # noqa: F401,F403
from ..ops.box_loss import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.conv3d import *  # noqa: F401,F403
from ..ops.conv_transpose import *  # noqa: F401,F403
from ..ops.cross_entropy import *  # noqa: F401,F403
from ..ops.ctc import *  # noqa: F401,F403
from ..ops.distance import cosine_similarity, normalize, pairwise_distance, pdist
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.embedding_bag import *  # noqa: F401,F403
from ..ops.fold import *  # noqa: F401,F403
from ..ops.fractional_pool import *  # noqa: F401,F403
from ..ops.layout import *  # noqa: F401,F403
from ..ops.linalg import bilinear, linear
from ..ops.loss import *  # noqa: F401,F403
from ..ops.margin_loss import *  # noqa: F401,F403
from ..ops.mha import multi_head_attention_forward
from ..ops.norm import *  # noqa: F401,F403
from ..ops.pool import *  # noqa: F401,F403
from ..ops.pool3d import *  # noqa: F401,F403
from ..ops.sampling import *  # noqa: F401,F403
from ..ops.shape import one_hot
from ..ops.unpool import *  # noqa: F401,F403
from ..ops.upsample import *  # noqa: F401,F403

_FROM_OTHER_FAMILIES = {"linear", "bilinear", "normalize", "cosine_similarity", "pairwise_distance", "one_hot", "pdist",
                        "multi_head_attention_forward"}
__all__ = sorted(_FROM_OTHER_FAMILIES.union(*(family.__all__ for family in _FAMILIES)))
