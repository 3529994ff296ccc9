"""RMSprop: divide each step by a running root-mean-square of the gradients."""
from __future__ import annotations

from ..backend import array_module_of
from .optimizer import Optimizer, check_nonneg, check_torch_flags, fused_add, fused_addcmul_, lerp_


class RMSprop(Optimizer):
    r"""RMSprop (PyTorch's update rule).

    - g_t ← g_t + λ θ_{t−1}
    - v_t = α v_{t−1} + (1 − α) g_t²
    - ``centered``: ḡ_t = α ḡ_{t−1} + (1 − α) g_t and the denominator is √(v_t − ḡ_t²) + ε,
      otherwise √v_t + ε
    - without momentum: θ_t = θ_{t−1} − η g_t / denom;
      with momentum μ: b_t = μ b_{t−1} + g_t / denom, θ_t = θ_{t−1} − η b_t

    Args:
        params: Tensors or parameter-group dicts.
        lr: η (default 1e-2).
        alpha: α, smoothing constant (default 0.99).
        eps: ε (default 1e-8).
        weight_decay: λ (default 0).
        momentum: μ (default 0).
        centered: normalise by the gradient's estimated variance.
        maximize: ascend instead of descend.

    Shape:
        State ``square_avg`` (and ``momentum_buffer``, ``grad_avg``) have the parameter's shape.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.RMSprop(model.parameters(), lr=1e-3, momentum=0.9, centered=True)
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum: float = 0.0, centered: bool = False, capturable: bool = False, foreach=None,
                 maximize: bool = False, differentiable: bool = False):
        check_torch_flags(foreach=foreach, capturable=capturable, differentiable=differentiable)
        check_nonneg("learning rate", lr)
        check_nonneg("epsilon value", eps)
        check_nonneg("momentum value", momentum)
        check_nonneg("weight_decay value", weight_decay)
        check_nonneg("alpha value", alpha)
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize))

    def _init_state(self, p, group):
        xp = array_module_of(p)
        s = {"step": 0, "square_avg": xp.zeros_like(p)}
        if group["momentum"] > 0:
            s["momentum_buffer"] = xp.zeros_like(p)
        if group["centered"]:
            s["grad_avg"] = xp.zeros_like(p)
        return s

    def _update(self, group, params, grads, states):
        lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
        mom, centered, maximize = group["momentum"], group["centered"], group["maximize"]
        for p, g, s in zip(params, grads, states):
            xp = array_module_of(p)
            s["step"] += 1
            if maximize:
                g = -g
            if wd != 0:
                g = fused_add(xp, g, wd, p)
            v = s["square_avg"]
            v *= alpha
            fused_addcmul_(xp, v, 1 - alpha, g, g)
            if centered:
                ga = s["grad_avg"]
                lerp_(xp, ga, g, 1 - alpha)
                avg = xp.sqrt(fused_addcmul_(xp, v.copy(), -1, ga, ga))
            else:
                avg = xp.sqrt(v)
            avg += eps
            if mom > 0:
                buf = s["momentum_buffer"]
                buf *= mom
                buf += g / avg
                fused_add(xp, p, -lr, buf, out=p)
            else:
                p += (-lr * g) / avg


__all__ = ["RMSprop"]
