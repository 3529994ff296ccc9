"""ASGD: averaged stochastic gradient descent (Polyak–Juditsky averaging)."""
from __future__ import annotations

from ..backend import array_module_of
from .optimizer import Optimizer, check_nonneg, check_torch_flags, fused_add, scalar_state


class ASGD(Optimizer):
    r"""Averaged SGD (PyTorch's update rule): SGD with a decaying step, plus a running average of the iterates.

    - g_t ← g_t + λ_wd θ_{t−1}
    - θ_t = θ_{t−1}(1 − λ η_{t−1}) − η_{t−1} g_t          (SGD with a λ decay term; η_0 = ``lr``)
    - θ̄_t = θ̄_{t−1} + μ_{t−1}(θ_t − θ̄_{t−1})   (``ax``; while μ = 1 it simply copies θ_t)
    - η_t = η / (1 + λ η t)^α,   μ_t = 1 / max(1, t − t₀)

    Before step t₀ the average is just the last iterate; after it θ̄ is the mean of the
    iterates since t₀, which converges faster than θ itself under SGD noise. The optimizer
    updates θ as above; evaluate with ``ax`` (``opt.state[p]["ax"]``) to use the average.
    ``eta`` and ``mu`` are kept as numbers rounded like PyTorch's float32 scalar tensors.

    Args:
        params: Tensors or parameter-group dicts.
        lr: η (default 1e-2).
        lambd: λ, the decay term (default 1e-4).
        alpha: α, the power of the η decay (default 0.75).
        t0: t₀, the step at which averaging starts (default 1e6).
        weight_decay: λ_wd, L2 penalty (default 0).
        foreach, fused, capturable: accepted for PyTorch compatibility (no effect); differentiable=True raises.
        maximize: ascend instead of descend.

    Shape:
        State ``ax`` has the parameter's shape; ``step``, ``eta`` and ``mu`` are numbers.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.ASGD(model.parameters(), lr=0.01, t0=1000)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
        >>> averaged = {p: opt.state[p]["ax"] for p in model.parameters()}
    """

    _scalar_state = Optimizer._scalar_state + ("eta", "mu")

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0.0, foreach=None, maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False):
        check_torch_flags(foreach=foreach, capturable=capturable, differentiable=differentiable)
        check_nonneg("learning rate", lr)
        check_nonneg("weight_decay value", weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      maximize=maximize))

    def _init_state(self, p, group):
        xp = array_module_of(p)
        return {"step": 0, "eta": scalar_state(group["lr"]), "mu": 1.0, "ax": xp.zeros_like(p)}

    def _update(self, group, params, grads, states):
        lr, lambd, alpha, t0, wd = group["lr"], group["lambd"], group["alpha"], group["t0"], group["weight_decay"]
        maximize = group["maximize"]
        for p, g, s in zip(params, grads, states):
            xp = array_module_of(p)
            s["step"] = step = s["step"] + 1
            if maximize:
                g = -g
            if wd != 0:
                g = fused_add(xp, g, wd, p)
            eta, mu, ax = s["eta"], s["mu"], s["ax"]
            p *= 1 - lambd * eta
            fused_add(xp, p, -eta, g, out=p)
            if mu != 1:
                d = p - ax
                d *= mu
                ax += d
            else:
                ax[...] = p
            s["eta"] = scalar_state(lr / ((1 + lambd * lr * step) ** alpha))
            s["mu"] = scalar_state(1 / max(1, step - t0))


__all__ = ["ASGD"]
