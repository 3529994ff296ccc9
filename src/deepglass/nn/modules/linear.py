"""Linear layers: ``Identity``, ``Linear`` (y = x·Wᵀ + b) and ``Bilinear`` (y = x1ᵀ·A·x2 + b)."""
from __future__ import annotations

import math

from ...creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear"]


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


class Bilinear(Module):
    """Bilinear layer: y_k = x1ᵀ·A_k·x2 + b_k.

    Initialised as PyTorch: A and b ~ U(−1/√in1_features, 1/√in1_features).

    Args:
        in1_features, in2_features: sizes of the two inputs. out_features: size of the output.
        bias: learn an additive bias. device, dtype: of the parameters.

    Shape:
        ``(*, in1_features)``, ``(*, in2_features)`` → ``(*, out_features)``; weight
        ``(out_features, in1_features, in2_features)``.

    Example:
        >>> Bilinear(20, 30, 40)(deepglass.randn(128, 20), deepglass.randn(128, 30)).shape
        (128, 40)
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features, self.in2_features = int(in1_features), int(in2_features)
        self.out_features = int(out_features)
        self.weight = Parameter(empty(self.out_features, self.in1_features, self.in2_features, dtype=dtype,
                                      device=device))
        if bias:
            self.bias = Parameter(empty(self.out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1]) if self.weight.shape[1] > 0 else 0.0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
