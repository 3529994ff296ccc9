"""Helpers shared by workloads: the deepglass cross-entropy and SGD step, whichever exist."""
from __future__ import annotations


def dg_cross_entropy(logits, target):
    import deepglass.nn.functional as F

    if hasattr(F, "cross_entropy"):
        return F.cross_entropy(logits, target)
    import deepglass as dg

    logp = F.log_softmax(logits, dim=1)
    return -logp[dg.arange(logits.shape[0]), target].mean()


def dg_sgd(params, lr=0.01, momentum=0.9):
    """deepglass.optim.SGD if present, else the same update written out."""
    import deepglass as dg

    params = list(params)
    try:
        from deepglass.optim import SGD

        return SGD(params, lr=lr, momentum=momentum)
    except ImportError:
        pass

    class _SGD:
        def __init__(self):
            self.buf = [None] * len(params)

        def zero_grad(self):
            for p in params:
                p.grad = None

        def step(self):
            with dg.no_grad():
                for i, p in enumerate(params):
                    g = p.grad._array
                    if self.buf[i] is None:
                        self.buf[i] = g.copy()
                    else:
                        self.buf[i] *= momentum
                        self.buf[i] += g
                    p._array -= lr * self.buf[i]

    return _SGD()
