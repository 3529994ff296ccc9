"""Adam: momentum (first moment) + RMSprop scaling (second moment), both bias-corrected."""
from __future__ import annotations

from ..backend import array_module_of
from .optimizer import Optimizer, adam_moments_, check_nonneg, check_torch_flags, weight_decay_


def _check_adam(lr, betas, eps, weight_decay):
    check_nonneg("learning rate", lr)
    check_nonneg("epsilon value", eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    check_nonneg("weight_decay value", weight_decay)


class Adam(Optimizer):
    r"""Adam (PyTorch's update rule), the notes' chain after AdaDelta.

    - g_t ← g_t + λ θ_{t−1}  (or, with ``decoupled_weight_decay``, θ_{t−1} ← θ_{t−1}(1 − ηλ): AdamW)
    - m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t²
    - m̂_t = m_t / (1 − β₁^t),   v̂_t = v_t / (1 − β₂^t)   (``amsgrad``: v̂_t uses max(v_1..v_t))
    - θ_t = θ_{t−1} − η m̂_t / (√v̂_t + ε)

    Args:
        params: Tensors or parameter-group dicts.
        lr: η (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        amsgrad: use the running maximum of v_t.
        maximize: ascend instead of descend.
        decoupled_weight_decay: apply λ to θ directly (AdamW) instead of adding it to g.

    Shape:
        State ``exp_avg``, ``exp_avg_sq`` (and ``max_exp_avg_sq``) have the parameter's shape.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 amsgrad: bool = False, *, foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused=None, decoupled_weight_decay: bool = False):
        check_torch_flags(foreach=foreach, fused=fused, capturable=capturable, differentiable=differentiable)
        _check_adam(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _init_state(self, p, group):
        xp = array_module_of(p)
        s = {"step": 0, "exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}
        if group["amsgrad"]:
            s["max_exp_avg_sq"] = xp.zeros_like(p)
        return s

    def _update(self, group, params, grads, states):
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        amsgrad, maximize, decoupled = group["amsgrad"], group["maximize"], group["decoupled_weight_decay"]
        for p, g, s in zip(params, grads, states):
            xp = array_module_of(p)
            s["step"] = step = s["step"] + 1
            if maximize:
                g = -g
            g = weight_decay_(xp, p, g, lr, wd, decoupled)
            m, v = s["exp_avg"], s["exp_avg_sq"]
            adam_moments_(xp, m, v, g, beta1, beta2)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            step_size = lr / bias_correction1
            bc2_sqrt = bias_correction2 ** 0.5
            if amsgrad:
                vmax = s["max_exp_avg_sq"]
                xp.maximum(vmax, v, out=vmax)
                denom = xp.sqrt(vmax)
            else:
                denom = xp.sqrt(v)
            denom /= bc2_sqrt
            denom += eps
            p += (-step_size * m) / denom


__all__ = ["Adam"]
