"""Adamax: Adam whose second moment is an infinity norm (a decaying running maximum of |g|)."""
from __future__ import annotations

from ..backend import array_module_of
from .adam import _check_adam
from .optimizer import Optimizer, check_torch_flags, fused_add, lerp_


class Adamax(Optimizer):
    r"""Adamax (PyTorch's update rule): Adam with the L² scaling replaced by an L^∞ one.

    - g_t ← g_t + λ θ_{t−1}
    - m_t = β₁ m_{t−1} + (1 − β₁) g_t
    - u_t = max(β₂ u_{t−1}, |g_t| + ε)         (``exp_inf``; ε sits inside the max, as in PyTorch)
    - θ_t = θ_{t−1} − η / (1 − β₁^t) · m_t / u_t

    u_t needs no bias correction: a maximum is not pulled towards its zero start the way
    an average is. As in Adam, the step per coordinate is bounded by about η.

    Args:
        params: Tensors or parameter-group dicts.
        lr: η (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        foreach, fused, capturable: accepted for PyTorch compatibility (no effect); differentiable=True raises.
        maximize: ascend instead of descend.

    Shape:
        State ``exp_avg`` and ``exp_inf`` have the parameter's shape; ``step`` is a number.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.Adamax(model.parameters(), lr=2e-3)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 foreach=None, *, maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        check_torch_flags(foreach=foreach, capturable=capturable, differentiable=differentiable)
        _check_adam(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _init_state(self, p, group):
        xp = array_module_of(p)
        return {"step": 0, "exp_avg": xp.zeros_like(p), "exp_inf": xp.zeros_like(p)}

    def _update(self, group, params, grads, states):
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        maximize = group["maximize"]
        for p, g, s in zip(params, grads, states):
            xp = array_module_of(p)
            s["step"] = step = s["step"] + 1
            if maximize:
                g = -g
            if wd != 0:
                g = fused_add(xp, g, wd, p)
            m, u = s["exp_avg"], s["exp_inf"]
            lerp_(xp, m, g, 1 - beta1)
            u *= beta2
            a = xp.abs(g)
            a += eps
            xp.maximum(u, a, out=u)
            clr = lr / (1 - beta1 ** step)
            p += (-clr * m) / u  # PyTorch's addcdiv_(m, u, value=-clr): (value·m)/u


__all__ = ["Adamax"]
