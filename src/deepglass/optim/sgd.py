"""Stochastic gradient descent: plain SGD, SGD with momentum (SGDM) and Nesterov (NAG)."""
from __future__ import annotations

from functools import partial

from ..backend import array_module_of
from .optimizer import Optimizer, check_torch_flags, fused_add, update_in_slices


class SGD(Optimizer):
    r"""SGD → SGDM → NAG, the first links of the notes' optimizer chain (PyTorch's update rule).

    With gradient g_t (negated when ``maximize``) and weight decay λ:

    - g_t ← g_t + λ θ_{t−1}
    - SGD:  θ_t = θ_{t−1} − η g_t
    - SGDM (``momentum`` μ > 0): b_1 = g_1, b_t = μ b_{t−1} + (1 − τ) g_t (τ = ``dampening``),
      θ_t = θ_{t−1} − η b_t
    - NAG (``nesterov=True``): the look-ahead step uses g_t + μ b_t instead of b_t —
      the gradient is taken where momentum is about to carry the parameters,
      θ_t = θ_{t−1} − η (g_t + μ b_t).

    Args:
        params: Tensors or parameter-group dicts.
        lr: learning rate η (default 1e-3).
        momentum: μ (default 0).
        dampening: τ (default 0).
        weight_decay: L2 penalty λ (default 0).
        nesterov: Nesterov momentum (needs μ > 0 and τ = 0).
        maximize: ascend instead of descend.

    Shape:
        Parameters of any shape; the state holds ``momentum_buffer`` (the parameter's shape) when μ > 0.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False, foreach=None,
                 differentiable: bool = False, fused=None):
        check_torch_flags(foreach=foreach, fused=fused, differentiable=differentiable)
        if lr < 0.0:  # PyTorch's SGD tests ``< 0`` (a NaN passes), unlike the adaptive methods
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    def _init_state(self, p, group):
        return {}

    def _update(self, group, params, grads, states):
        options = {k: group[k] for k in ("lr", "weight_decay", "momentum", "dampening", "nesterov", "maximize")}
        for p, g, s in zip(params, grads, states):
            if options["momentum"] == 0:
                update_in_slices(partial(_sgd_update, buf=None, first=False, **options), p, g)
                continue
            buf = s.get("momentum_buffer")
            first = buf is None
            if first:  # b_1 = g_1, written by the update
                buf = s["momentum_buffer"] = array_module_of(g).empty_like(g)
            update_in_slices(partial(_sgd_update, first=first, **options), p, g, buf)


def _sgd_update(p, g, buf, *, first, lr, weight_decay, momentum, dampening, nesterov, maximize):
    """One SGD step of one parameter in place (``buf``: its momentum buffer, or None without momentum)."""
    xp = array_module_of(p)
    if maximize:
        g = -g
    if weight_decay != 0:
        g = fused_add(xp, g, weight_decay, p)
    if buf is not None:
        if first:
            buf[...] = g
        else:
            buf *= momentum
            fused_add(xp, buf, 1 - dampening, g, out=buf)
        g = fused_add(xp, g, momentum, buf) if nesterov else buf
    fused_add(xp, p, -lr, g, out=p)


__all__ = ["SGD"]
