"""AdaGrad: per-coordinate learning rates from the running sum of squared gradients."""
from __future__ import annotations

from .optimizer import Optimizer, check_nonneg, check_torch_flags, fused_add, fused_addcmul_


class Adagrad(Optimizer):
    r"""AdaGrad (PyTorch's update rule): large accumulated gradients shrink a coordinate's step.

    - g_t ← g_t + λ θ_{t−1};  η̃_t = η / (1 + (t − 1)·``lr_decay``)
    - G_t = G_{t−1} + g_t²   (G_0 = ``initial_accumulator_value``)
    - θ_t = θ_{t−1} − η̃_t · g_t / (√G_t + ε)

    Its weakness, which AdaDelta fixes: G only grows, so steps decay towards zero.

    Args:
        params: Tensors or parameter-group dicts.
        lr: η (default 1e-2).
        lr_decay: learning-rate decay (default 0).
        weight_decay: λ (default 0).
        initial_accumulator_value: G_0 (default 0).
        eps: ε (default 1e-10).
        maximize: ascend instead of descend.

    Shape:
        State ``sum`` has the parameter's shape; ``step`` is a number.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.Adagrad(model.parameters(), lr=0.1)
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, foreach=None, *,
                 maximize: bool = False, differentiable: bool = False, fused=None):
        check_torch_flags(foreach=foreach, fused=fused, differentiable=differentiable)
        check_nonneg("learning rate", lr)
        check_nonneg("lr_decay value", lr_decay)
        check_nonneg("weight_decay value", weight_decay)
        check_nonneg("initial_accumulator_value value", initial_accumulator_value)
        check_nonneg("epsilon value", eps)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize))

    def _init_state(self, p, group):
        from ..backend import array_module_of

        return {"step": 0, "sum": array_module_of(p).full_like(p, group["initial_accumulator_value"])}

    def _update(self, group, params, grads, states):
        lr, wd, lr_decay, eps, maximize = group["lr"], group["weight_decay"], group["lr_decay"], group["eps"], \
            group["maximize"]
        from ..backend import array_module_of

        for p, g, s in zip(params, grads, states):
            xp = array_module_of(p)
            s["step"] = step = s["step"] + 1
            if maximize:
                g = -g
            if wd != 0:
                g = fused_add(xp, g, wd, p)
            clr = lr / (1 + (step - 1) * lr_decay)
            acc = s["sum"]
            fused_addcmul_(xp, acc, 1, g, g)
            std = xp.sqrt(acc)
            std += eps
            p += (-clr * g) / std


__all__ = ["Adagrad"]
