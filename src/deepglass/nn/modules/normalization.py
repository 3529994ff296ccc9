"""Normalisation layers: ``BatchNorm1d/2d/3d``, ``InstanceNorm1d/2d/3d``, ``LayerNorm``, ``GroupNorm``, ``RMSNorm``,
``LocalResponseNorm``.

y = γ·(x − μ)/√(σ² + ε) + β; the layers differ in what μ and σ² are taken over
(see :mod:`deepglass.ops.norm`).
"""
from __future__ import annotations

import warnings

import numpy as np

from ..._tensor import bump_version
from ...creation import empty, ones, tensor, zeros
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
           "LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm"]


class _NormBase(Module):
    """Parameters (γ, β), running statistics and ``num_batches_tracked`` shared by batch and instance norm."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.use_bias = bool(affine and bias)
        if affine:
            self.weight = Parameter(empty(self.num_features, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(empty(self.num_features, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(self.num_features, dtype=dtype, device=device))
            self.register_buffer("running_var", ones(self.num_features, dtype=dtype, device=device))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=np.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            self.num_batches_tracked._array[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):  # pragma: no cover - overridden
        pass

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, bias={self.use_bias}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            raise RuntimeError(f"{type(self).__name__}: expected input with {self.num_features} channels (dim 1), "
                               f"got {input.shape[1]} (input shape {tuple(input.shape)}); check num_features")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._array[...] += 1
            bump_version(self.num_batches_tracked)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked._array)
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_stats = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if use_stats else None, self.running_var if use_stats else None,
                            self.weight, self.bias, bn_training, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` inputs, per channel over the batch (and length).

    Args:
        num_features: C. eps: added to σ². momentum: running-statistics update weight (None: cumulative average).
        affine: learn γ (ones) and β (zeros). track_running_stats: keep running mean/var for evaluation.
        bias: (keyword) learn β when affine.

    Shape:
        ``(N, C)`` or ``(N, C, L)``, unchanged.

    Example:
        >>> BatchNorm1d(100)(deepglass.randn(20, 100)).shape
        (20, 100)
    """

    def _check_input_dim(self, input):
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` inputs, per channel over the batch and spatial positions.

    Training uses the batch's μ, σ² and updates running = (1 − momentum)·running + momentum·batch
    (σ² unbiased); ``eval()`` uses the running statistics.

    Args:
        num_features: C; eps, momentum, affine, track_running_stats: as BatchNorm1d.

    Shape:
        ``(N, C, H, W)``, unchanged.

    Example:
        >>> BatchNorm2d(32)(deepglass.randn(4, 32, 8, 8)).shape
        (4, 32, 8, 8)
    """

    def _check_input_dim(self, input):
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of ``(N, C, D, H, W)`` inputs, per channel over the batch and the volume.

    Args:
        num_features: C; eps, momentum, affine, track_running_stats: as BatchNorm1d.

    Shape:
        ``(N, C, D, H, W)``, unchanged.

    Example:
        >>> BatchNorm3d(4)(deepglass.randn(2, 4, 3, 5, 5)).shape
        (2, 4, 3, 5, 5)
    """

    def _check_input_dim(self, input):
        if input.ndim != 5:
            raise ValueError(f"expected 5D input (got {input.ndim}D input)")


class _InstanceNorm(_NormBase):
    _no_batch_dim = 2  # input dimensions without the batch axis

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def _check_input_dim(self, input):
        n = self._no_batch_dim
        if input.ndim not in (n, n + 1):
            raise ValueError(f"expected {n}D or {n + 1}D input (got {input.ndim}D input)")

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.ndim - self._no_batch_dim
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match num_features"
                                 f" ({self.num_features}), but got: {input.shape[feature_dim]}.")
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You can silence this "
                          "warning by not passing in num_features, which is not used because affine=False",
                          stacklevel=2)
        batched = input.ndim != self._no_batch_dim
        x = input if batched else input.unsqueeze(0)
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            self.momentum if self.momentum is not None else 0.0, self.eps)
        return y if batched else y.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of ``(N, C, L)`` or unbatched ``(C, L)`` inputs: each channel of each sample over L.

    Args:
        num_features: C (only checked when affine; a mismatch otherwise warns). eps: added to σ².
        momentum: running-statistics update weight (None: no update). affine: learn γ (ones), β (zeros).
        track_running_stats: keep running mean/var (batch averages of the instance statistics) and normalise
            with them in ``eval()``. bias: (keyword) learn β when affine.

    Shape:
        ``(N, C, L)`` or ``(C, L)``, unchanged.

    Example:
        >>> InstanceNorm1d(100)(deepglass.randn(20, 100, 40)).shape
        (20, 100, 40)
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of ``(N, C, H, W)`` or unbatched ``(C, H, W)`` inputs, per sample and channel.

    Args:
        num_features, eps, momentum, affine, track_running_stats: as InstanceNorm1d.

    Shape:
        ``(N, C, H, W)`` or ``(C, H, W)``, unchanged.

    Example:
        >>> InstanceNorm2d(3)(deepglass.randn(2, 3, 8, 8)).shape
        (2, 3, 8, 8)
    """

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)`` inputs, per sample and channel.

    Args:
        num_features, eps, momentum, affine, track_running_stats: as InstanceNorm1d.

    Shape:
        ``(N, C, D, H, W)`` or ``(C, D, H, W)``, unchanged.

    Example:
        >>> InstanceNorm3d(3)(deepglass.randn(2, 3, 4, 4, 4)).shape
        (2, 3, 4, 4, 4)
    """

    _no_batch_dim = 4


class LayerNorm(Module):
    """Layer normalisation over the trailing ``normalized_shape`` of each sample.

    Args:
        normalized_shape: int or tuple. eps: added to σ².
        elementwise_affine: learn γ (ones) and β (zeros) of shape ``normalized_shape``. bias: learn β.

    Shape:
        ``(*, *normalized_shape)``, unchanged.

    Example:
        >>> LayerNorm(10)(deepglass.randn(2, 5, 10)).shape
        (2, 5, 10)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = ns, eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(tuple(ns), dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(zeros(tuple(ns), dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalisation: channels in ``num_groups`` groups, each standardised per sample.

    Args:
        num_groups: divides num_channels. num_channels: C. eps: added to σ². affine: learn γ, β per channel.
        bias: (keyword) learn β when affine.

    Shape:
        ``(N, C, *)``, unchanged.

    Example:
        >>> GroupNorm(3, 6)(deepglass.randn(20, 6, 10, 10)).shape
        (20, 6, 10, 10)
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = int(num_groups), int(num_channels), eps, affine
        if affine:
            self.weight = Parameter(ones(self.num_channels, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(zeros(self.num_channels, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square normalisation over the trailing ``normalized_shape``: y = γ·x/√(mean(x²) + ε).

    Args:
        normalized_shape: int or tuple. eps: added to the mean square (None: the input dtype's machine epsilon).
        elementwise_affine: learn γ (ones) of shape ``normalized_shape`` (no β).

    Shape:
        ``(*, *normalized_shape)``, unchanged.

    Example:
        >>> RMSNorm(8)(deepglass.randn(2, 5, 8)).shape
        (2, 5, 8)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = ns, eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(tuple(ns), dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """Local response normalisation across channels: y_c = x_c/(k + α/n·Σ_window x²)^β (AlexNet).

    Args:
        size: channels in the window (n). alpha, beta, k: the formula's constants.

    Shape:
        ``(N, C, *)`` (at least 3-D), unchanged.

    Example:
        >>> LocalResponseNorm(2)(deepglass.randn(32, 5, 24, 24)).shape
        (32, 5, 24, 24)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
