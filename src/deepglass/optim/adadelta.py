"""AdaDelta: AdaGrad with decaying averages and unit-consistent steps (no learning rate needed)."""
from __future__ import annotations

from .optimizer import Optimizer, check_nonneg, check_torch_flags, fused_add, fused_addcmul_


class Adadelta(Optimizer):
    r"""AdaDelta (PyTorch's update rule).

    - g_t ← g_t + λ θ_{t−1}
    - v_t = ρ v_{t−1} + (1 − ρ) g_t²                (``square_avg``)
    - Δ_t = √(u_{t−1} + ε) / √(v_t + ε) · g_t        (RMS of past steps over RMS of gradients)
    - u_t = ρ u_{t−1} + (1 − ρ) Δ_t²                (``acc_delta``)
    - θ_t = θ_{t−1} − η Δ_t                          (η = ``lr`` = 1.0 in the paper)

    Args:
        params: Tensors or parameter-group dicts.
        lr: η, a scale on Δ (default 1.0).
        rho: ρ (default 0.9).
        eps: ε (default 1e-6).
        weight_decay: λ (default 0).
        maximize: ascend instead of descend.

    Shape:
        State ``square_avg`` and ``acc_delta`` have the parameter's shape.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.Adadelta(model.parameters())
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0,
                 foreach=None, *, capturable: bool = False, maximize: bool = False, differentiable: bool = False):
        check_torch_flags(foreach=foreach, capturable=capturable, differentiable=differentiable)
        check_nonneg("learning rate", lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg("epsilon value", eps)
        check_nonneg("weight_decay value", weight_decay)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _init_state(self, p, group):
        from ..backend import array_module_of

        xp = array_module_of(p)
        return {"step": 0, "square_avg": xp.zeros_like(p), "acc_delta": xp.zeros_like(p)}

    def _update(self, group, params, grads, states):
        lr, rho, eps, wd, maximize = group["lr"], group["rho"], group["eps"], group["weight_decay"], group["maximize"]
        from ..backend import array_module_of

        for p, g, s in zip(params, grads, states):
            xp = array_module_of(p)
            s["step"] += 1
            if maximize:
                g = -g
            if wd != 0:
                g = fused_add(xp, g, wd, p)
            sq, acc = s["square_avg"], s["acc_delta"]
            sq *= rho
            fused_addcmul_(xp, sq, 1 - rho, g, g)
            std = xp.sqrt(sq + eps)
            delta = xp.sqrt(acc + eps)
            delta /= std
            delta *= g
            acc *= rho
            fused_addcmul_(xp, acc, 1 - rho, delta, delta)
            fused_add(xp, p, -lr, delta, out=p)


__all__ = ["Adadelta"]
