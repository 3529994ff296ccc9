"""Linear layers: ``Identity`` and ``Linear`` (y = x·Wᵀ + b); the parameter-free ``CosineSimilarity`` and
``PairwiseDistance`` (PyTorch keeps these two in ``torch/nn/modules/distance.py``)."""
from __future__ import annotations

from ...creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "CosineSimilarity", "PairwiseDistance"]


class Identity(Module):
    """Returns its input unchanged (a placeholder; arguments are accepted and ignored).

    Example:
        >>> Identity()(deepglass.ones(2)).tolist()
        [1.0, 1.0]
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """Fully connected layer: y = x·Wᵀ + b.

    Parameters: in·out weights (+ out biases) — the notes: "模型里面最费参数的就是全连接层".
    Initialised as PyTorch: W ~ U(−1/√in, 1/√in) (kaiming_uniform_ with a = √5), b likewise.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias.
        device, dtype: where and in which float type to create the parameters.

    Shape:
        ``(*, in_features)`` → ``(*, out_features)``.

    Example:
        >>> Linear(20, 30)(deepglass.randn(128, 20)).shape
        (128, 30)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(empty(self.out_features, self.in_features, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(self.out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._default_layer_init(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class CosineSimilarity(Module):
    """cos θ between ``x1`` and ``x2`` along ``dim``: x1·x2 / (max(‖x1‖, ε) · max(‖x2‖, ε)).

    See :func:`deepglass.nn.functional.cosine_similarity` (each norm clamped to ``eps`` on its own).

    Shape:
        ``x1``, ``x2`` broadcastable → the broadcast shape without ``dim``.

    Example:
        >>> CosineSimilarity(dim=1)(deepglass.randn(100, 128), deepglass.randn(100, 128)).shape
        (100,)
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """‖x1 − x2 + ε‖_p over the last dimension, row by row.

    See :func:`deepglass.nn.functional.pairwise_distance`.

    Shape:
        ``(N, D)`` and ``(N, D)`` (or broadcastable) → ``(N,)`` (``(N, 1)`` with ``keepdim``).

    Example:
        >>> PairwiseDistance(p=2)(deepglass.randn(100, 128), deepglass.randn(100, 128)).shape
        (100,)
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
