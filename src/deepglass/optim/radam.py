"""RAdam: Adam with its adaptive step switched on only once the variance estimate is reliable."""
from __future__ import annotations

from ..backend import array_module_of
from .adam import _check_adam
from .optimizer import Optimizer, adam_moments_, check_torch_flags, weight_decay_


class RAdam(Optimizer):
    r"""Rectified Adam (Liu et al., 2019; PyTorch's update rule).

    Early on v_t averages only a few squared gradients, so Adam's 1/√v̂_t is noisy; a
    warm-up usually hides that. RAdam measures it instead:

    - g_t ← g_t + λ θ_{t−1}  (or θ_{t−1} ← θ_{t−1}(1 − ηλ) with ``decoupled_weight_decay``: RAdamW)
    - m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t²,   m̂_t = m_t / (1 − β₁^t)
    - ρ_∞ = 2 / (1 − β₂) − 1,   ρ_t = ρ_∞ − 2 t β₂^t / (1 − β₂^t)   (length of the approximated SMA)
    - if ρ_t > 5:  r_t = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t)),
      l_t = √(1 − β₂^t) / (√v_t + ε),   θ_t = θ_{t−1} − η m̂_t l_t r_t   (rectified Adam)
    - else:  θ_t = θ_{t−1} − η m̂_t   (SGD with bias-corrected momentum)

    With the default β₂ = 0.999 the first 5 steps are momentum-SGD steps.

    Args:
        params: Tensors or parameter-group dicts.
        lr: η (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        decoupled_weight_decay: apply λ to θ directly (as AdamW) instead of adding it to g.
        foreach, fused, capturable: accepted for PyTorch compatibility (no effect); differentiable=True raises.
        maximize: ascend instead of descend.

    Shape:
        State ``exp_avg`` and ``exp_avg_sq`` have the parameter's shape; ``step`` is a number.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.RAdam(model.parameters(), lr=1e-3, weight_decay=1e-2, decoupled_weight_decay=True)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False):
        check_torch_flags(foreach=foreach, capturable=capturable, differentiable=differentiable)
        _check_adam(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, decoupled_weight_decay=decoupled_weight_decay))

    def _init_state(self, p, group):
        xp = array_module_of(p)
        return {"step": 0, "exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}

    def _update(self, group, params, grads, states):
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        maximize, decoupled = group["maximize"], group["decoupled_weight_decay"]
        rho_inf = 2 / (1 - beta2) - 1
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
            m_hat = m / bias_correction1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                denom = xp.sqrt(v)
                denom += eps
                adaptive = (bias_correction2 ** 0.5) / denom
                # PyTorch's order of the products: ((m̂·η)·l_t)·r_t
                m_hat *= lr
                m_hat *= adaptive
                m_hat *= rect
                p -= m_hat
            else:
                m_hat *= lr
                p -= m_hat


__all__ = ["RAdam"]
