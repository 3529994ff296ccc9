"""Learning-rate schedules (PyTorch's ``torch.optim.lr_scheduler``, same sequences).

A scheduler rewrites ``group["lr"]`` of its optimizer's parameter groups each
time ``scheduler.step()`` is called (once per epoch or per batch, after
``optimizer.step()``). The recurrences are PyTorch's own (chainable forms), so
the learning-rate sequences are equal to PyTorch's, float for float.

Typical use — warm-up then cosine decay::

    warm = LinearLR(opt, start_factor=0.1, total_iters=5)
    cos = CosineAnnealingLR(opt, T_max=95)
    sched = SequentialLR(opt, [warm, cos], milestones=[5])
    for epoch in range(100):
        train_one_epoch(); sched.step()
"""
from __future__ import annotations

from ._base import *  # noqa: F401,F403
from .combine import *  # noqa: F401,F403
from .cyclic import *  # noqa: F401,F403
from .decay import *  # noqa: F401,F403
from .plateau import *  # noqa: F401,F403

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "ExponentialLR",
           "CosineAnnealingLR", "LinearLR", "PolynomialLR", "SequentialLR", "ChainedScheduler", "CyclicLR",
           "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau"]
