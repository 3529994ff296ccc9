"""``deepglass.nn.init``: parameter initialisation, PyTorch's functions and rules.

Every function fills ``tensor`` in place (its ``data``, under ``no_grad``) and
returns it. Random values come from deepglass's seeded default generator
(``deepglass.manual_seed``), or from ``generator`` when given.

The scaled initialisations keep the variance of activations (and of
gradients) about constant from layer to layer, so deep stacks neither blow up
nor vanish: Xavier/Glorot uses Var(w) = gain²·2/(fan_in + fan_out) (tanh,
sigmoid), Kaiming/He Var(w) = gain²/fan (ReLU family, gain √2).
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend, random
from .._tensor import Tensor, bump_version
from ..autograd import grad_mode

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"]


def _fill(tensor: Tensor, values) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init expects a deepglass Tensor, got {type(tensor).__name__}")
    with grad_mode.no_grad():
        arr = np.asarray(values, dtype=tensor.dtype) if not backend.is_cuda_array(values) else values
        arr = backend.to_device(arr, tensor.device)
        backend.array_module_of(tensor._array).copyto(tensor._array, arr, casting="unsafe")
        bump_version(tensor)
    return tensor


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended gain for a non-linearity (PyTorch's table).

    linear/conv/sigmoid: 1, tanh: 5/3, relu: √2, leaky_relu: √(2/(1 + slope²)) (slope 0.01 by default),
    selu: 3/4.

    Example:
        >>> calculate_gain("relu")
        1.4142135623730951
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
    if nonlinearity in linear or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor):
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
                         f"(got shape {tuple(tensor.shape)})")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with values drawn from U(a, b).

    Example:
        >>> w = uniform_(deepglass.empty(3, 5), -0.1, 0.1)
    """
    rng = random.numpy_generator(generator)
    if tensor.dtype == np.float32:  # draw in float32 directly: half the memory and time of float64 (VGG: 138M)
        values = rng.random(tensor.shape, dtype=np.float32)
        values *= np.float32(b - a)
        values += np.float32(a)
        return _fill(tensor, values)
    return _fill(tensor, rng.uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with values drawn from N(mean, std²).

    Example:
        >>> w = normal_(deepglass.empty(3, 5), std=0.02)
    """
    rng = random.numpy_generator(generator)
    if tensor.dtype == np.float32:
        values = rng.standard_normal(tensor.shape, dtype=np.float32)
        values *= np.float32(std)
        values += np.float32(mean)
        return _fill(tensor, values)
    return _fill(tensor, rng.normal(mean, std, tensor.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None) -> Tensor:
    """Fill with N(mean, std²) values redrawn until they lie in [a, b] (a truncated normal; ViT init).

    Example:
        >>> w = trunc_normal_(deepglass.empty(3, 5), std=0.02, a=-0.04, b=0.04)
    """
    if a >= b:
        raise ValueError(f"trunc_normal_: need a < b, got a={a}, b={b}")
    rng = random.numpy_generator(generator)
    out = rng.normal(mean, std, tensor.shape)
    bad = (out < a) | (out > b)
    for _ in range(1000):
        n = int(bad.sum())
        if n == 0:
            break
        out[bad] = rng.normal(mean, std, n)
        bad = (out < a) | (out > b)
    else:  # [a, b] far in a tail: clip the rest
        out = np.clip(out, a, b)
    return _fill(tensor, out)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the constant ``val``."""
    return _fill(tensor, np.full(tensor.shape, val))


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return constant_(tensor, 0.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity (a Linear layer that starts as the identity map)."""
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape {tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Xavier/Glorot uniform: U(−a, a) with a = gain·√(6/(fan_in + fan_out)).

    Example:
        >>> w = xavier_uniform_(deepglass.empty(3, 5), gain=calculate_gain("tanh"))
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Xavier/Glorot normal: N(0, std²) with std = gain·√(2/(fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None) -> Tensor:
    """Kaiming/He uniform: U(−bound, bound) with bound = gain·√(3/fan), gain = calculate_gain(nonlinearity, a).

    PyTorch's default for Linear and Conv weights is ``kaiming_uniform_(w, a=√5)``, i.e. bound = 1/√fan_in.

    Example:
        >>> w = kaiming_uniform_(deepglass.empty(8, 4), nonlinearity="relu")
    """
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None) -> Tensor:
    """Kaiming/He normal: N(0, std²) with std = gain/√fan."""
    if 0 in tensor.shape:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain`` (Saxe et al. 2013), as PyTorch does.

    The tensor is viewed as ``rows × cols`` (``rows = size(0)``); a Gaussian matrix of that shape
    (transposed when ``rows < cols``) is QR-factorised, ``Q`` is multiplied by ``sign(diag(R))``
    so the result is uniformly distributed, then scaled: ``W Wᵀ = gain²·I`` (rows ≤ cols) or
    ``Wᵀ W = gain²·I`` (rows ≥ cols).

    Example:
        >>> w = orthogonal_(deepglass.empty(3, 5))
        >>> bool(abs((w @ w.T) - deepglass.eye(3)).max() < 1e-5)
        True
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = random.numpy_generator(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def _default_layer_init(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's Linear/Conv reset_parameters: kaiming_uniform_(w, a=√5), bias U(±1/√fan_in)."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
