"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter)."""
from __future__ import annotations

from .adam import Adam
from .optimizer import check_torch_flags


class AdamW(Adam):
    r"""AdamW (PyTorch's update rule): weight decay shrinks θ directly instead of entering the moments.

    - θ_{t−1} ← θ_{t−1} (1 − η λ)
    - m_t, v_t, m̂_t, v̂_t as in :class:`Adam`;  θ_t = θ_{t−1} − η m̂_t / (√v̂_t + ε)

    Args:
        params: Tensors or parameter-group dicts.
        lr: η (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: λ (default 1e-2).
        amsgrad: use the running maximum of v_t.
        maximize: ascend instead of descend.

    Shape:
        State as :class:`Adam`.

    Returns:
        ``step()`` returns the closure's loss or ``None``.

    Example:
        >>> opt = deepglass.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.05)
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 amsgrad: bool = False, *, maximize: bool = False, foreach=None, capturable: bool = False,
                 differentiable: bool = False, fused=None):
        check_torch_flags(foreach=foreach, fused=fused, capturable=capturable, differentiable=differentiable)
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)


__all__ = ["AdamW"]
