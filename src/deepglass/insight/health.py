"""Training health: per-layer activation and gradient statistics recorded with hooks.

The notes explain why deep nets train or fail: a sigmoid saturates and its gradient
(at most 1/4) shrinks layer after layer towards the input — *vanishing gradients*; ReLU
eases that, but a unit whose input stays negative outputs 0 for every sample, gets no
gradient and never recovers — a *dead unit* (LeakyReLU, PReLU and ELU keep a slope
below zero); and the learning rate sets the size of each step. :class:`HealthMonitor`
makes these visible while a model trains.

Every ``every`` training steps (the *recording* steps) it records, per layer:

- activation mean and standard deviation (output of every leaf module that has
  parameters or is an activation),
- the fraction of **dead** units of a ReLU: units (a feature of a linear layer, a
  channel of a convolution) that are exactly 0 for every sample (and every position)
  of the batch,
- the fraction of **saturated** sigmoid/tanh outputs: σ(x) < 0.01 or > 0.99,
  |tanh(x)| > 0.99, where the derivative is below 0.01,
- the gradient norm ‖∂L/∂W‖ of each weight (read after ``backward``),
- the update-to-weight ratio ‖ΔW‖/‖W‖ of each weight over the optimizer step (a rule of
  thumb puts a healthy ratio near 1e-3).

Between recording steps the hooks return at once (one Python call per module), so the
cost is a small fraction of a step (``bench/insight_health.py`` measures it).

Usage::

    monitor = HealthMonitor(model, every=20)
    for x, y in loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        monitor.step()                  # after optimizer.step(): reads gradients and updates
    print(monitor.verdict())            # findings in the notes' terms
    monitor.markdown(); monitor.plot_gradients("gradients.png")

The weight snapshot for ‖ΔW‖ is taken when the recording step's forward pass starts,
so ``step()`` must come after ``optimizer.step()`` and before the next forward pass. Only
training-mode forwards are recorded (validation in ``eval()`` is not); a module called
several times in one step (a shared ReLU) is recorded at its first call.
"""
from __future__ import annotations

import math

import numpy as np

from .verdict import Finding, diagnose_health, health_markdown, plot_gradients

__all__ = ["HealthMonitor", "Finding"]

_RELU = ("ReLU", "ReLU6")
_SIGMOID = ("Sigmoid", "Hardsigmoid")
_TANH = ("Tanh", "Hardtanh")
_ACTIVATIONS = _RELU + _SIGMOID + _TANH + ("LeakyReLU", "PReLU", "ELU", "GELU", "SiLU", "SELU", "CELU", "Mish",
                                           "Softplus", "RReLU", "Hardswish")


def _xp(arr):
    from ..ops._util import xp_of

    return xp_of(arr)


def _norm(arr) -> float:
    arr = arr.astype("float64", copy=False) if arr.dtype.kind == "f" and arr.dtype.itemsize < 8 else arr
    return float(_xp(arr).sqrt((arr * arr).sum()))


def _dead_fraction(out) -> float:
    """Fraction of units (axis 1, the feature or channel) that are 0 for every sample and position."""
    if out.ndim < 2:
        return float((out == 0).all())
    axes = (0,) + tuple(range(2, out.ndim))
    alive = (out != 0).any(axis=axes)
    return 1.0 - float(alive.mean())


def _saturated_fraction(kind: str, out) -> float:
    if kind == "sigmoid":
        return float(((out < 0.01) | (out > 0.99)).mean())
    return float((abs(out) > 0.99).mean())


class HealthMonitor:
    """Record per-layer activation and gradient health of ``model`` every ``every`` steps.

    Args:
        model: the network (a ``deepglass.nn.Module``); hooks are added to its leaf modules.
        every: record on steps 0, every, 2·every, ... (counted by :meth:`step`).
        writer: a ``tensorboardX.SummaryWriter`` (or anything with ``add_scalar`` and
            ``add_histogram``): the statistics go to TensorBoard under ``health/``.
        histograms: also send activation and gradient histograms to the writer (costlier).

    Attributes:
        history: ``{layer: {metric: [(step, value), ...]}}`` with metrics ``act_mean``,
            ``act_std``, ``dead_frac``, ``saturated_frac``, ``grad_norm``, ``update_ratio``.
        layers: layer names in forward order (the first recording's call order).
        types: ``{layer: module class name}``.

    Example:
        >>> import deepglass
        >>> from deepglass import nn
        >>> from deepglass.insight.health import HealthMonitor
        >>> _ = deepglass.manual_seed(0)
        >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
        >>> opt = deepglass.optim.SGD(net.parameters(), lr=0.1)
        >>> mon = HealthMonitor(net, every=1)
        >>> for _ in range(3):
        ...     loss = net(deepglass.randn(16, 4)).pow(2).mean()
        ...     opt.zero_grad(); loss.backward(); opt.step(); mon.step()
        >>> mon.layers
        ['0', '1', '2']
        >>> sorted(mon.history['0'])
        ['act_mean', 'act_std', 'grad_norm', 'update_ratio']
        >>> len(mon.history['2']['grad_norm'])
        3
        >>> mon.remove()
    """

    def __init__(self, model, every: int = 20, writer=None, histograms: bool = False):
        if int(every) < 1:
            raise ValueError(f"HealthMonitor: every must be >= 1, got {every}")
        self.model, self.every, self.writer, self.histograms = model, int(every), writer, bool(histograms)
        self.history: dict = {}
        self.layers: list = []
        self.steps: list = []   # the recorded steps
        self.global_step = 0
        self._active = False
        self._snapshot: dict = {}
        self._handles = []
        self._watched = []       # (name, module, kind) of the hooked leaves
        self.types: dict = {}    # layer name -> module class name
        for name, m in model.named_modules():
            if any(True for _ in m.children()):
                continue
            cls = type(m).__name__
            has_params = any(True for _ in m.parameters(recurse=False))
            if not has_params and cls not in _ACTIVATIONS:
                continue
            kind = ("relu" if cls in _RELU else "sigmoid" if cls in _SIGMOID else "tanh" if cls in _TANH
                    else "act" if cls in _ACTIVATIONS else "param")
            name = name or cls
            self.types[name] = cls
            self._watched.append((name, m, kind))
            self._handles.append(m.register_forward_hook(self._make_hook(name, kind)))
        self._handles.append(model.register_forward_pre_hook(self._pre_forward))

    # ------------------------------------------------------------------ hooks
    def _recording(self) -> bool:
        return self.global_step % self.every == 0

    def _pre_forward(self, module, args):
        # the first training forward of a recording step: switch the hooks on and snapshot the weights
        if module.training and self._recording() and not self._active and self.global_step not in self._snapshot:
            self._active = True
            self._snapshot = {self.global_step: {id(p): p._array.copy() for _, m, _ in self._watched
                                                 for p in m.parameters(recurse=False)}}
        return None

    def _make_hook(self, name, kind):
        def hook(module, args, out):
            if not self._active or not hasattr(out, "_array"):
                return None
            if name not in self.layers:
                self.layers.append(name)
            arr = out._array
            step = self.global_step
            self._put(name, "act_mean", step, float(arr.mean()))
            self._put(name, "act_std", step, float(arr.std()))
            if kind == "relu":
                self._put(name, "dead_frac", step, _dead_fraction(arr))
            elif kind in ("sigmoid", "tanh"):
                self._put(name, "saturated_frac", step, _saturated_fraction(kind, arr))
            if self.writer is not None and self.histograms:
                self.writer.add_histogram(f"health/{name}/activation", _to_numpy(arr), step)
            return None
        return hook

    def _put(self, layer, metric, step, value) -> None:
        series = self.history.setdefault(layer, {}).setdefault(metric, [])
        if series and series[-1][0] == step:  # a module called twice in one step: keep the first call
            return
        series.append((step, value))
        if self.writer is not None and math.isfinite(value):
            self.writer.add_scalar(f"health/{layer}/{metric}", value, step)

    # ------------------------------------------------------------------ public
    def step(self) -> None:
        """Close a training step: on a recording step read gradient norms and update ratios, then count it.

        Call it after ``optimizer.step()`` (gradients must still be there: call ``zero_grad``
        before ``backward``, as usual, not between ``optimizer.step()`` and this).
        """
        step = self.global_step
        if self._active:
            self._active = False
            before = self._snapshot.pop(step, {})
            for name, m, _ in self._watched:
                w = getattr(m, "weight", None)
                params = [w] if w is not None and hasattr(w, "_array") else list(m.parameters(recurse=False))
                if not params:
                    continue
                p = params[0]
                if name not in self.layers:
                    self.layers.append(name)
                if p.grad is not None:
                    self._put(name, "grad_norm", step, _norm(p.grad._array))
                    if self.writer is not None and self.histograms:
                        self.writer.add_histogram(f"health/{name}/grad", _to_numpy(p.grad._array), step)
                old = before.get(id(p))
                if old is not None:
                    wn = _norm(old)
                    dn = _norm(p._array - old)
                    self._put(name, "update_ratio", step, dn / wn if wn > 0 else float("inf") if dn > 0 else 0.0)
            self.steps.append(step)
        self._snapshot = {}
        self.global_step += 1

    def series(self, metric: str) -> dict:
        """``{layer: (steps, values)}`` for one metric, layers in forward order."""
        out = {}
        for layer in self.layers:
            s = self.history.get(layer, {}).get(metric)
            if s:
                out[layer] = (np.array([a for a, _ in s]), np.array([b for _, b in s], dtype=np.float64))
        return out

    def latest(self, metric: str, last: int = 3) -> dict:
        """``{layer: value}``: the median of the last ``last`` recordings of ``metric`` per layer."""
        return {k: float(np.median(v[-last:])) for k, (_, v) in self.series(metric).items()}

    def verdict(self) -> list:
        """The findings (:class:`Finding`), most severe first; an empty list means no alarm."""
        return diagnose_health(self)

    def markdown(self, figure: str | None = None) -> str:
        """A ``## Training health`` section: the verdict and a per-layer table (and the figure's link)."""
        return health_markdown(self, figure)

    def plot_gradients(self, path=None):
        """Gradient norm per layer over training (log scale), saved to ``path`` when given; returns the figure."""
        return plot_gradients(self, path)

    def as_dict(self) -> dict:
        """JSON-ready: the layers, recorded steps, the history and the findings."""
        return {"every": self.every, "layers": list(self.layers), "steps": list(self.steps),
                "history": {k: {m: [[int(s), float(v)] for s, v in vals] for m, vals in d.items()}
                            for k, d in self.history.items()},
                "findings": [f.as_dict() for f in self.verdict()]}

    def remove(self) -> None:
        """Remove the hooks (the history stays)."""
        for h in self._handles:
            h.remove()
        self._handles = []
        self._active = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _to_numpy(arr):
    from ..backend import to_numpy

    return to_numpy(arr)
