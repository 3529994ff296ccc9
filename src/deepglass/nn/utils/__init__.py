"""Gradient utilities (PyTorch's ``torch.nn.utils``): clipping and flattening parameters.

Clipping bounds the update when a loss spike produces a huge gradient (a common
cure for exploding gradients in RNNs and transformers)::

    loss.backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
"""
from __future__ import annotations

import math

import numpy as np

from ... import backend
from ..._tensor import Tensor, bump_version, from_array


def _params(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach=None) -> Tensor:
    r"""Rescale the gradients so that their joint norm is at most ``max_norm`` (in place).

    ‖g‖ = (Σ_params ‖g_p‖_q^q)^{1/q} over all gradients viewed as one vector (q = ``norm_type``,
    ``inf`` for the max-abs); every gradient is multiplied by min(1, max_norm / (‖g‖ + 1e-6)).

    Args:
        parameters: Tensors (or one Tensor) whose ``.grad`` is clipped; ``None`` grads are skipped.
        max_norm: the largest allowed norm.
        norm_type: q of the q-norm (2.0 by default; ``float("inf")`` allowed).
        error_if_nonfinite: raise when the total norm is nan or inf.

    Shape:
        Gradients of any shapes; returns a 0-d tensor.

    Returns:
        The total norm of the gradients before clipping, as a 0-d Tensor.

    Raises:
        RuntimeError: with ``error_if_nonfinite`` and a nan/inf total norm.

    Example:
        >>> total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    """
    grads = [p.grad._array for p in _params(parameters) if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return from_array(np.asarray(0.0, dtype=np.float32))
    xp = backend.array_module_of(grads[0])
    if norm_type == math.inf:
        norms = [xp.abs(g).max() if g.size else xp.zeros((), g.dtype) for g in grads]
        total = xp.max(xp.stack([xp.asarray(n, dtype=grads[0].dtype) for n in norms]))
    else:
        norms = [_qnorm(xp, g, norm_type) for g in grads]
        total = _qnorm(xp, xp.stack([xp.asarray(n, dtype=grads[0].dtype) for n in norms]), norm_type)
    total = xp.asarray(total, dtype=grads[0].dtype)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    coef = xp.minimum(float(max_norm) / (total + 1e-6), 1.0)
    for g in grads:
        g *= coef.astype(g.dtype)
    return from_array(total)


def _qnorm(xp, g, q):
    if q == 2.0:
        return xp.sqrt((g * g).sum())
    if q == 1.0:
        return xp.abs(g).sum()
    if q == 0.0:
        return xp.asarray((g != 0).sum(), dtype=g.dtype)
    return (xp.abs(g) ** q).sum() ** (1.0 / q)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient element to [−clip_value, clip_value] in place.

    Args:
        parameters: Tensors (or one Tensor); ``None`` grads are skipped.
        clip_value: the bound (≥ 0).

    Example:
        >>> nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)
    """
    clip_value = float(clip_value)
    for p in _params(parameters):
        if p.grad is not None:
            g = p.grad._array
            backend.array_module_of(g).clip(g, -clip_value, clip_value, out=g)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """The q-norm of all ``tensors`` viewed as one vector (PyTorch's ``nn.utils.get_total_norm``)."""
    tensors = _params(tensors)
    if not tensors:
        return from_array(np.asarray(0.0, dtype=np.float32))
    xp = backend.array_module_of(tensors[0]._array)
    flat = xp.concatenate([t._array.reshape(-1) for t in tensors])
    total = xp.abs(flat).max() if float(norm_type) == math.inf else _qnorm(xp, flat, float(norm_type))
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError("the total norm is non-finite")
    return from_array(xp.asarray(total))


def parameters_to_vector(parameters) -> Tensor:
    """Flatten parameters into one 1-D tensor (differentiable concatenation of their views).

    Example:
        >>> vec = nn.utils.parameters_to_vector(model.parameters())
    """
    from ...ops.shape import cat

    return cat([p.reshape(-1) for p in _params(parameters)])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters (in place).

    Raises:
        TypeError: ``vec`` is not a Tensor.
        ValueError: ``vec`` has fewer elements than the parameters together.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected vec to be a Tensor, but got {type(vec).__name__}")
    params = _params(parameters)
    need = sum(p.numel() for p in params)
    if vec.numel() != need:
        raise ValueError(f"vec has {vec.numel()} elements, the parameters need {need}")
    data = vec._array.reshape(-1)
    i = 0
    for p in params:
        n = p.numel()
        backend.array_module_of(p._array).copyto(p._array, data[i:i + n].reshape(p.shape), casting="unsafe")
        bump_version(p)
        i += n


__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "parameters_to_vector", "vector_to_parameters"]

from . import parametrizations, parametrize, rnn  # noqa: E402  (torch.nn.utils.<submodule>)
from .weight_norm import remove_weight_norm, weight_norm  # noqa: E402  (the legacy hook)

__all__ += ["parametrizations", "parametrize", "remove_weight_norm", "rnn", "weight_norm"]
