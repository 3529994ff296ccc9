"""Layers, one file per family (PyTorch's ``torch/nn/modules`` layout)."""
from . import (
               activation,
               attention,
               container,
               conv,
               distance,
               dropout,
               flatten,
               fractional_pooling,
               linear,
               loss,
               module,
               normalization,
               padding,
               pixelshuffle,
               pooling,
               rnn,
               sparse,
               sync_batchnorm,
               transformer,
               unpooling,
               upsampling,
)
from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .fractional_pooling import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .sync_batchnorm import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .unpooling import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

FAMILIES = [activation, attention, container, conv, distance, dropout, flatten, fractional_pooling, linear, loss, module, normalization,
            padding, pixelshuffle, pooling, rnn, sparse, sync_batchnorm, transformer, unpooling, upsampling]
__all__ = sorted({name for fam in FAMILIES for name in fam.__all__})
