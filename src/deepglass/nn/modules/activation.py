"""Activation layers (the notes' 激活函数 table), PyTorch's names and defaults.

Each wraps the function of the same name in :mod:`deepglass.nn.functional`;
see there for the formulas. Without a non-linearity between them, a stack of
linear layers collapses into a single linear map.
"""
from __future__ import annotations

from ...creation import full
from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = ["Softmax", "LogSoftmax", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "ELU", "GELU", "SiLU",
           "ReLU6", "Hardswish", "Softplus"]


class _Inplace(Module):
    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softmax(Module):
    """softmax(x_i) = e^{x_i}/Σ_j e^{x_j} along ``dim``: non-negative, sums to 1 (a classifier's last layer).

    Example:
        >>> Softmax(dim=1)(deepglass.randn(2, 3)).sum(1).tolist()  # doctest: +SKIP
        [1.0, 1.0]
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along ``dim``, computed stably (pairs with NLLLoss).

    Example:
        >>> LogSoftmax(dim=1)(deepglass.randn(2, 3)).shape
        (2, 3)
    """

    def forward(self, input):
        return F.log_softmax(input, self.dim)


class Sigmoid(Module):
    """σ(x) = 1/(1 + e^{−x}) ∈ (0, 1) (binary classification; softmax's two-class special case).

    Its derivative is at most 1/4, so stacks of sigmoids make gradients vanish.

    Example:
        >>> Sigmoid()(deepglass.zeros(1)).tolist()
        [0.5]
    """

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """tanh(x) = (1 − e^{−2x})/(1 + e^{−2x}) ∈ (−1, 1), zero-centred sigmoid shape (LSTM).

    Example:
        >>> Tanh()(deepglass.zeros(1)).tolist()
        [0.0]
    """

    def forward(self, input):
        return F.tanh(input)


class ReLU(_Inplace):
    """ReLU(x) = max(x, 0): gradient exactly 1 for active units, easing vanishing gradients.

    Example:
        >>> ReLU()(deepglass.tensor([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    def forward(self, input):
        return F.relu(input)


class LeakyReLU(Module):
    """LeakyReLU(x) = max(αx, x), α = 0.01: the small negative slope keeps "dead" units learning.

    Example:
        >>> LeakyReLU(0.1)(deepglass.tensor([-1.0])).tolist()
        [-0.1]
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """PReLU(x) = max(0, x) + a·min(0, x) with learnable a (one, or one per channel), initialised to 0.25.

    Example:
        >>> PReLU(3)(deepglass.randn(2, 3, 4)).shape
        (2, 3, 4)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters, self.init = int(num_parameters), init
        self.weight = Parameter(full((self.num_parameters,), init, dtype=dtype, device=device))

    def reset_parameters(self) -> None:
        from .. import init as _init

        _init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """ELU(x) = x (x > 0), α(eˣ − 1) otherwise: negative outputs pull the mean activation toward zero.

    Example:
        >>> ELU()(deepglass.tensor([1.0])).tolist()
        [1.0]
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """GELU(x) = x·Φ(x) (``approximate='tanh'``: the tanh formula).

    Example:
        >>> GELU(approximate="tanh")(deepglass.randn(3)).shape
        (3,)
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Inplace):
    """SiLU(x) = x·σ(x) ("swish").

    Example:
        >>> SiLU()(deepglass.zeros(1)).tolist()
        [0.0]
    """

    def forward(self, input):
        return F.silu(input)


class ReLU6(_Inplace):
    """ReLU6(x) = min(max(0, x), 6).

    Example:
        >>> ReLU6()(deepglass.tensor([7.0])).tolist()
        [6.0]
    """

    def forward(self, input):
        return F.relu6(input)


class Hardswish(_Inplace):
    """Hardswish(x) = x·ReLU6(x + 3)/6.

    Example:
        >>> Hardswish()(deepglass.tensor([4.0])).tolist()
        [4.0]
    """

    def forward(self, input):
        return F.hardswish(input)


class Softplus(Module):
    """Softplus(x) = (1/β)·log(1 + e^{βx}), linear above βx > threshold.

    Example:
        >>> Softplus(beta=2.0)(deepglass.randn(3)).shape
        (3,)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"
