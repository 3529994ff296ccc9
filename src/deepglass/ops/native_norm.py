"""PyTorch's ``torch.native_batch_norm`` / ``native_layer_norm`` / ``native_group_norm``.

Each returns ``(output, mean, rstd)``: the normalised output (computed by
``nn.functional.batch_norm`` / ``layer_norm`` / ``group_norm``) and the statistics
it used, with ``rstd = 1/√(var + eps)`` (biased variance):

- batch norm: mean and rstd per channel ``(C,)`` in training (the running statistics
  are updated in place as ``batch_norm`` does); two empty ``(0,)`` tensors in eval;
- layer norm: ``input.shape[:axis] + (1,)·len(normalized_shape)``;
- group norm: ``(N, group)``.

As in PyTorch, the statistics of batch and layer norm do not require grad; those of
group norm do.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from .._tensor import from_array
from .reduce import mean as _mean
from .reduce import var as _var


def _empty(like):
    return from_array(backend.to_device(np.zeros((0,), like.dtype), like.device))


def _norm_ops():
    # imported on use: importing ops/norm.py from here, before ops/__init__ binds it, would leave the name
    # ``deepglass.ops.norm`` to reduce.norm (the function) for the modules that import the norm module by it
    import importlib

    return importlib.import_module(f"{__package__}.norm")


def native_batch_norm(input, weight, bias, running_mean, running_var, training: bool, momentum: float, eps: float):
    """``(batch_norm(...), save_mean, save_invstd)`` (the statistics are empty in eval mode).

    Example:
        >>> import deepglass as dg
        >>> out, m, rstd = dg.native_batch_norm(dg.tensor([[1.], [3.]]), None, None, None, None, True, 0.1, 0.)
        >>> m.tolist(), rstd.tolist()
        ([2.0], [1.0])
    """
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    if training:
        dims = tuple(d for d in range(input.ndim) if d != 1)
        x = input.detach()
        m = _mean(x, dims)
        rstd = (_var(x, dims, correction=0) + eps).rsqrt()
    out = _norm_ops().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        return out, _empty(input), _empty(input)
    return out, m, rstd


def native_layer_norm(input, normalized_shape, weight, bias, eps: float):
    """``(layer_norm(...), mean, rstd)``, the statistics over the last ``len(normalized_shape)`` dims (kept).

    Example:
        >>> import deepglass as dg
        >>> out, m, rstd = dg.native_layer_norm(dg.tensor([[1., 3.]]), (2,), None, None, 0.)
        >>> m.tolist(), rstd.tolist()
        ([[2.0]], [[1.0]])
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    out = _norm_ops().layer_norm(input, shape, weight, bias, eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    x = input.detach()
    if x.numel() == 0:
        stat = from_array(backend.to_device(np.zeros(input.shape[:input.ndim - len(shape)] + (1,) * len(shape),
                                                     input.dtype), input.device))
        return out, stat, stat.clone()
    m = _mean(x, dims, keepdim=True)
    rstd = (_var(x, dims, keepdim=True, correction=0) + eps).rsqrt()
    return out, m, rstd


def native_group_norm(input, weight, bias, N: int, C: int, HxW: int, group: int, eps: float):
    """``(group_norm(...), mean, rstd)`` with statistics of shape ``(N, group)`` (differentiable).

    Example:
        >>> import deepglass as dg
        >>> out, m, rstd = dg.native_group_norm(dg.tensor([[[1.], [3.]]]), None, None, 1, 2, 1, 1, 0.)
        >>> m.tolist(), rstd.tolist()
        ([[2.0]], [[1.0]])
    """
    if tuple(input.shape[:2]) != (N, C) or int(np.prod(input.shape[2:], dtype=np.int64)) != HxW:
        raise RuntimeError(f"Expected input of shape (N={N}, C={C}, *) with HxW={HxW} elements per channel, got "
                           f"{tuple(input.shape)}")
    out = _norm_ops().group_norm(input, group, weight, bias, eps)
    grouped = input.reshape(N, group, (C // group) * HxW)
    m = _mean(grouped, 2)
    rstd = (_var(grouped, 2, correction=0) + eps).rsqrt()
    return out, m, rstd


__all__ = ["native_batch_norm", "native_layer_norm", "native_group_norm"]
