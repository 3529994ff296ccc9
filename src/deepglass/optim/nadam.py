"""NAdam: Adam with Nesterov momentum (Dozat), the last link of the notes' chain."""
from __future__ import annotations

import numpy as np

from ..backend import array_module_of
from .adam import _check_adam
from .optimizer import Optimizer, adam_moments_, check_nonneg, check_torch_flags, weight_decay_


class NAdam(Optimizer):
    r"""NAdam (PyTorch's update rule): Adam whose momentum term looks one step ahead, like NAG.

    - g_t ← g_t + λ θ_{t−1}  (or θ_{t−1} ← θ_{t−1}(1 − ηλ) with ``decoupled_weight_decay``)
    - μ_t = β₁ (1 − ½ · 0.96^{t ψ}),  μ_{t+1} = β₁ (1 − ½ · 0.96^{(t+1) ψ})   (ψ = ``momentum_decay``)
    - m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t²,   v̂_t = v_t / (1 − β₂^t)
    - θ_t = θ_{t−1} − η (1 − μ_t) / (1 − Π_{i≤t} μ_i) · g_t / (√v̂_t + ε)
      − η μ_{t+1} / (1 − Π_{i≤t+1} μ_i) · m_t / (√v̂_t + ε)

    The second term is the look-ahead: the momentum of the *next* step is applied now.

    Args:
        params: Tensors or parameter-group dicts.
        lr: η (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        momentum_decay: ψ (default 4e-3).
        decoupled_weight_decay: AdamW-style decay (NAdamW).
        maximize: ascend instead of descend.

    Shape:
        State ``exp_avg``, ``exp_avg_sq`` have the parameter's shape; ``mu_product`` and ``step`` are numbers.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False):
        check_torch_flags(foreach=foreach, capturable=capturable, differentiable=differentiable)
        _check_adam(lr, betas, eps, weight_decay)
        check_nonneg("momentum_decay value", momentum_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _init_state(self, p, group):
        xp = array_module_of(p)
        return {"step": 0, "mu_product": 1.0, "exp_avg": xp.zeros_like(p), "exp_avg_sq": xp.zeros_like(p)}

    def _update(self, group, params, grads, states):
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        psi, decoupled, maximize = group["momentum_decay"], group["decoupled_weight_decay"], group["maximize"]
        for p, g, s in zip(params, grads, states):
            xp = array_module_of(p)
            s["step"] = step = s["step"] + 1
            if maximize:
                g = -g
            bias_correction2 = 1 - beta2 ** step
            g = weight_decay_(xp, p, g, lr, wd, decoupled)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
            # PyTorch keeps the running product in a float32 scalar tensor
            s["mu_product"] = mu_product = float(np.float32(s["mu_product"]) * np.float32(mu))
            m, v = s["exp_avg"], s["exp_avg_sq"]
            adam_moments_(xp, m, v, g, beta1, beta2)
            denom = xp.sqrt(v / bias_correction2)
            denom += eps
            mu_product_next = mu_product * mu_next
            p += (-lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
            p += ((-lr * mu_next) / (1.0 - mu_product_next)) * m / denom


__all__ = ["NAdam"]
