"""Activation layers (the notes' 激活函数 table), PyTorch's names and defaults.

Each wraps the function of the same name in :mod:`deepglass.nn.functional`;
see there for the formulas. Without a non-linearity between them, a stack of
linear layers collapses into a single linear map.
"""
from __future__ import annotations

import warnings

from ...creation import full
from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = ["Softmax", "LogSoftmax", "Softmin", "Softmax2d", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "RReLU",
           "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "ReLU6", "Hardtanh", "Hardswish", "Hardsigmoid", "Softplus",
           "Softsign", "LogSigmoid", "Tanhshrink", "Hardshrink", "Softshrink", "Threshold", "GLU"]


def _act(module, fn, input, *args):
    """``fn(input, *args)``; with ``inplace=True`` written into ``input``'s memory and returned (as PyTorch)."""
    if module.inplace:
        return input._inplace(fn, *args)
    return fn(input, *args)


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


class Softmin(Softmax):
    """softmin(x) = softmax(−x) along ``dim``: the smallest entries get the largest probabilities.

    Example:
        >>> Softmin(dim=0)(deepglass.tensor([0.0, 0.0])).tolist()
        [0.5, 0.5]
    """

    def forward(self, input):
        return F.softmin(input, self.dim)


class Softmax2d(Module):
    """Softmax over the channels at every spatial location: ``(N, C, H, W)`` or ``(C, H, W)``.

    Example:
        >>> Softmax2d()(deepglass.randn(2, 3, 4, 4)).sum(1).shape
        (2, 4, 4)
    """

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D (C, H, W) or 4D (N, C, H, W), got {input.ndim}D "
                             "instead")
        return F.softmax(input, -3)


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
        return _act(self, F.relu, input)


class LeakyReLU(Module):
    """LeakyReLU(x) = max(αx, x), α = 0.01: the small negative slope keeps "dead" units learning.

    Example:
        >>> LeakyReLU(0.1)(deepglass.tensor([-1.0]))
        tensor([-0.1000])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return _act(self, F.leaky_relu, input, self.negative_slope)

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
        return _act(self, F.elu, input, self.alpha)

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
        return _act(self, F.silu, input)


class ReLU6(_Inplace):
    """ReLU6(x) = min(max(0, x), 6).

    Example:
        >>> ReLU6()(deepglass.tensor([7.0])).tolist()
        [6.0]
    """

    def forward(self, input):
        return _act(self, F.relu6, input)


class Hardswish(_Inplace):
    """Hardswish(x) = x·ReLU6(x + 3)/6.

    Example:
        >>> Hardswish()(deepglass.tensor([4.0])).tolist()
        [4.0]
    """

    def forward(self, input):
        return _act(self, F.hardswish, input)


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


class RReLU(Module):
    """Randomized leaky ReLU: slope a ~ U(lower, upper) per element for x ≤ 0 in training, (lower + upper)/2 in eval.

    Example:
        >>> RReLU(0.1, 0.3).eval()(deepglass.tensor([-1.0])).tolist()  # doctest: +ELLIPSIS
        [-0.2...]
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return _act(self, F.rrelu, input, self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class SELU(_Inplace):
    """SELU(x) = scale·ELU(x, α) with α ≈ 1.6733, scale ≈ 1.0507 (self-normalising networks).

    Example:
        >>> SELU()(deepglass.zeros(1)).tolist()
        [0.0]
    """

    def forward(self, input):
        return _act(self, F.selu, input)


class CELU(Module):
    """CELU(x) = max(0, x) + min(0, α(e^{x/α} − 1)).

    Example:
        >>> CELU(alpha=2.0)(deepglass.tensor([1.0])).tolist()
        [1.0]
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return _act(self, F.celu, input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Mish(_Inplace):
    """Mish(x) = x·tanh(softplus(x)).

    Example:
        >>> Mish()(deepglass.zeros(1)).tolist()
        [0.0]
    """

    def forward(self, input):
        return _act(self, F.mish, input)


class Hardtanh(Module):
    """HardTanh(x) = min(max(x, min_val), max_val) (defaults −1, 1).

    ``min_value``/``max_value`` are PyTorch's deprecated spellings (a FutureWarning).

    Example:
        >>> Hardtanh(-2.0, 2.0)(deepglass.tensor([-3.0, 1.0])).tolist()
        [-2.0, 1.0]
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False, min_value=None,
                 max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`", FutureWarning,
                          stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`", FutureWarning,
                          stacklevel=2)
            max_val = max_value
        if max_val <= min_val:
            raise AssertionError(f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return _act(self, F.hardtanh, input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class Hardsigmoid(Module):
    """Hardsigmoid(x) = ReLU6(x + 3)/6 (PyTorch prints no arguments for it, ``inplace`` included).

    Example:
        >>> Hardsigmoid()(deepglass.tensor([0.0])).tolist()
        [0.5]
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return _act(self, F.hardsigmoid, input)


class Softsign(Module):
    """SoftSign(x) = x/(1 + |x|).

    Example:
        >>> Softsign()(deepglass.tensor([1.0])).tolist()
        [0.5]
    """

    def forward(self, input):
        return F.softsign(input)


class LogSigmoid(Module):
    """LogSigmoid(x) = log σ(x), stable for any x.

    Example:
        >>> LogSigmoid()(deepglass.tensor([-1000.0])).tolist()
        [-1000.0]
    """

    def forward(self, input):
        return F.logsigmoid(input)


class Tanhshrink(Module):
    """TanhShrink(x) = x − tanh(x).

    Example:
        >>> Tanhshrink()(deepglass.zeros(1)).tolist()
        [0.0]
    """

    def forward(self, input):
        return F.tanhshrink(input)


class _Shrink(Module):
    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Hardshrink(_Shrink):
    """HardShrink(x) = x if |x| > λ else 0 (λ = ``lambd``, 0.5).

    Example:
        >>> Hardshrink()(deepglass.tensor([0.3, 1.0])).tolist()
        [0.0, 1.0]
    """

    def forward(self, input):
        return F.hardshrink(input, self.lambd)


class Softshrink(_Shrink):
    """SoftShrink(x) = x − λ·sign(x) if |x| > λ else 0 (λ = ``lambd``, 0.5).

    Example:
        >>> Softshrink()(deepglass.tensor([0.3, 1.0])).tolist()
        [0.0, 0.5]
    """

    def forward(self, input):
        return F.softshrink(input, self.lambd)


class Threshold(Module):
    """Threshold(x) = x if x > ``threshold`` else ``value``.

    Example:
        >>> Threshold(0.1, 20.0)(deepglass.tensor([0.0, 1.0])).tolist()
        [20.0, 1.0]
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return _act(self, F.threshold, input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class GLU(Module):
    """GLU(a, b) = a ⊗ σ(b), the input halved along ``dim`` (default −1).

    Example:
        >>> GLU()(deepglass.randn(4, 6)).shape
        (4, 3)
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
