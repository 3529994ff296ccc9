"""Rprop: resilient backpropagation, steps of a learned size in the direction of the gradient's sign."""
from __future__ import annotations

from ..backend import array_module_of
from .optimizer import Optimizer, check_nonneg, check_torch_flags


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun, 1993), PyTorch's variant (iRprop⁻): only the gradient's *sign* is used.

    Each coordinate i keeps its own step size η^i (``step_size``, started at ``lr``) and the
    previous (possibly zeroed) gradient g_prev (``prev``):

    - g^i_prev · g^i_t > 0 (same sign):   η^i_t = min(η^i_{t−1} η₊, Γ_max)
    - g^i_prev · g^i_t < 0 (sign change):  η^i_t = max(η^i_{t−1} η₋, Γ_min) and g^i_t ← 0
    - otherwise (a zero product):          η^i_t = η^i_{t−1}
    - θ_t = θ_{t−1} − η_t · sign(g_t),   g_prev ← g_t

    A sign change means the last step jumped over a minimum: the step shrinks, that
    coordinate stays put this step, and since g_prev is now 0 the next step neither
    grows nor shrinks η^i — it just moves by the reduced size. The product is taken in
    the parameter's dtype, so one that underflows to 0 counts as "no sign information"
    (exactly as in PyTorch). Full-batch method: mini-batch noise flips signs at random.
    No weight decay (PyTorch's Rprop has none).

    Args:
        params: Tensors or parameter-group dicts.
        lr: initial step size η₀ of every coordinate (default 1e-2); used only when a
            parameter's state is created.
        etas: (η₋, η₊), the decrease and increase factors, 0 < η₋ < 1 < η₊ (default (0.5, 1.2)).
        step_sizes: (Γ_min, Γ_max), bounds on the step sizes (default (1e-6, 50)).
        foreach, fused, capturable: accepted for PyTorch compatibility (no effect); differentiable=True raises.
        maximize: ascend instead of descend.

    Shape:
        State ``prev`` and ``step_size`` have the parameter's shape; ``step`` is a number.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.Rprop(model.parameters(), lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable: bool = False, foreach=None, maximize: bool = False, differentiable: bool = False):
        check_torch_flags(foreach=foreach, capturable=capturable, differentiable=differentiable)
        check_nonneg("learning rate", lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), maximize=maximize))

    def _init_state(self, p, group):
        xp = array_module_of(p)
        return {"step": 0, "prev": xp.zeros_like(p), "step_size": xp.full_like(p, group["lr"])}

    def _update(self, group, params, grads, states):
        (etaminus, etaplus), (step_min, step_max) = group["etas"], group["step_sizes"]
        maximize = group["maximize"]
        for p, g, s in zip(params, grads, states):
            xp = array_module_of(p)
            s["step"] += 1
            if maximize:
                g = -g
            prev, step_size = s["prev"], s["step_size"]
            sign = xp.sign(g * prev)  # in p's dtype: an underflowing product is 0; NaN stays NaN
            sign[sign > 0] = etaplus
            sign[sign < 0] = etaminus
            sign[sign == 0] = 1
            step_size *= sign
            xp.clip(step_size, step_min, step_max, out=step_size)
            g = g.copy()
            g[sign == sign.dtype.type(etaminus)] = 0  # sign changed: no move, and no sign for the next step
            p -= xp.sign(g) * step_size  # PyTorch's addcmul_(sign(g), step_size, value=-1)
            prev[...] = g


__all__ = ["Rprop"]
