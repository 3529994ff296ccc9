"""deepglass: a deep-learning framework you can see through.

NumPy on the CPU, CuPy on the GPU, PyTorch's names and semantics::

    import deepglass as dg
    x = dg.randn(4, 3, requires_grad=True)
    loss = (x @ dg.ones(3, 1)).relu().sum()
    loss.backward()
"""
from __future__ import annotations

from . import (
    autograd,
    backend,
    cuda,
    dtypes,
    kernels,
    linalg,
    masked,
    ops,  # binds the operators and methods onto Tensor
    special,
)
from ._legacy import (  # noqa: F401  (PyTorch's legacy constructors)
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._memory_format import channels_last, channels_last_3d, contiguous_format, memory_format, preserve_format
from ._repr import set_printoptions
from ._size import Size
from ._tensor import Tensor
from ._version import __version__
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .backend import Device as device
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from .kernels import use_reference_kernels
from .ops.activation import log_softmax, relu, softmax
from .ops.arrange import *  # noqa: F401,F403
from .ops.blas import *  # noqa: F401,F403
from .ops.compare import *  # noqa: F401,F403
from .ops.complex import *  # noqa: F401,F403
from .ops.copies import *  # noqa: F401,F403
from .ops.distance import *  # noqa: F401,F403
from .ops.elementwise import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.linalg_decomp import *  # noqa: F401,F403
from .ops.linalg_lstsq import *  # noqa: F401,F403
from .ops.linalg_lu import *  # noqa: F401,F403
from .ops.linalg_solve import cholesky, det, logdet, matrix_power, slogdet  # noqa: F401
from .ops.linalg_solve import inv as inverse  # noqa: F401
from .ops.matrix import *  # noqa: F401,F403
from .ops.native_norm import *  # noqa: F401,F403
from .ops.pointwise import *  # noqa: F401,F403
from .ops.random_draws import *  # noqa: F401,F403
from .ops.reduce import *  # noqa: F401,F403
from .ops.reduce import values_indices
from .ops.scan import *  # noqa: F401,F403
from .ops.scatter_views import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.special import *  # noqa: F401,F403
from .ops.spectral import istft, stft  # noqa: F401
from .ops.stats import *  # noqa: F401,F403
from .ops.strided import *  # noqa: F401,F403
from .parallel import get_num_threads, set_num_threads
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state

kernels.load_all()  # the fast tier registers itself over the reference ops


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def __getattr__(name):
    # heavier sub-packages load on first use
    import importlib

    if name in ("nn", "optim", "data", "metrics", "analysis", "io", "train", "viz", "models", "utils"):
        return importlib.import_module(f"{__name__}.{name}")
    if name == "fft":
        return importlib.import_module(f"{__name__}.fft")
    if name in ("accelerator", "backends", "distributions", "onnx", "hub", "sparse", "distributed"):  # issues 13, 18
        return importlib.import_module(f"{__name__}.{name}")
    if name in ("sparse_coo_tensor", "spmm"):
        return getattr(importlib.import_module(f"{__name__}.ops.sparse"), name)
    if name in ("save", "load"):
        return getattr(importlib.import_module(f"{__name__}.io"), name)
    raise AttributeError(f"module 'deepglass' has no attribute {name!r}")
