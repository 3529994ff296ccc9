"""Guards of a training run: non-finite numbers and data-derived sizes are caught before they do harm.

* :func:`nonfinite` names the gradients, parameters, buffers or optimizer
  states holding NaN/inf, so the trainer stops *before* such a state is
  written over a good checkpoint.
* :func:`class_names` turns integer targets into class names, refusing label
  sets whose size would be absurd (a label of 10¹² would otherwise start
  building 10¹² names; ``{3, 1000}`` would become 1,001 classes).

Example:
    >>> import numpy as np
    >>> class_names(np.array([0, 2, 1, 2]))
    ['0', '1', '2']
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend

#: the most classes a classification run accepts (the report and the model's last layer grow with it)
MAX_CLASSES = 10_000
#: labels 0..max may leave at most this many (or as many as occur) classes without a sample
_MAX_ABSENT = 10


def _finite_flags(arrays):
    """One bool per array (a single device sync on the GPU)."""
    if not arrays:
        return []
    xp = backend.array_module_of(arrays[0])
    flags = xp.stack([xp.isfinite(a).all() if a.dtype.kind in "fc" else xp.asarray(True) for a in arrays])
    return [bool(f) for f in backend.to_numpy(flags)]


def nonfinite(named) -> list[str]:
    """The names of the arrays holding NaN or inf, from ``{name: Tensor or array}`` (None values skipped).

    Example:
        >>> import numpy as np
        >>> nonfinite({"w": np.ones(2), "b": np.array([1.0, np.inf]), "g": None})
        ['b']
    """
    names, arrays = [], []
    for name, v in named.items():
        if v is None:
            continue
        a = getattr(v, "_array", v)
        if not hasattr(a, "dtype"):
            continue
        names.append(name)
        arrays.append(a)
    # arrays on different devices can't be stacked together: group them by array module
    bad = []
    groups: dict = {}
    for n, a in zip(names, arrays):
        groups.setdefault(backend.array_module_of(a), []).append((n, a))
    for items in groups.values():
        bad += [n for (n, _), ok in zip(items, _finite_flags([a for _, a in items])) if not ok]
    return bad


def model_state(model, optimizer=None, grads: bool = False) -> dict:
    """``{what: array}`` of a model's parameters and buffers (and optimizer state, or only gradients)."""
    if grads:
        return {f"gradient of {n}": p.grad for n, p in model.named_parameters()}
    out = {f"parameter {n}": p for n, p in model.named_parameters()}
    out.update({f"buffer {n}": b for n, b in model.named_buffers()})
    if optimizer is not None:
        names = {id(p): n for n, p in model.named_parameters()}
        for p, s in optimizer.state.items():
            for k, v in (s or {}).items():
                if hasattr(v, "dtype"):
                    out[f"optimizer state {k} of {names.get(id(p), '?')}"] = v
    return out


def describe(bad: list[str], limit: int = 3) -> str:
    """``"parameter fc.weight, buffer bn.running_var"`` (the first ``limit`` of them)."""
    more = f" and {len(bad) - limit} more" if len(bad) > limit else ""
    return ", ".join(bad[:limit]) + more


def class_names(targets, what: str = "the targets") -> list[str]:
    """``["0", …, "C-1"]`` for integer class labels, after checking they make sense as classes.

    Raises:
        ValueError: labels that are not integers, negative, or so large or sparse
            that ``max + 1`` classes would be mostly empty (names the labels and the fix).

    Example:
        >>> class_names([3, 1000])
        Traceback (most recent call last):
        ...
        ValueError: the targets' class labels run up to 1000 (1001 classes) but only 2 distinct labels occur (3, 1000); integer labels must number the classes 0..C-1: renumber them, or write the column as text so each value becomes a class name
    """
    t = np.asarray(targets)
    if t.size == 0:
        return []
    if t.dtype.kind == "f":
        if not np.isfinite(t).all():
            raise ValueError(f"{what} hold NaN or inf; every target must be a class label (an integer >= 0)")
        if not (t == np.round(t)).all():
            raise ValueError(f"{what} are not integers (e.g. {t[t != np.round(t)][0].item()!r}); class labels must be "
                             "integers 0..C-1 (for regression targets use a regression model and loss)")
    elif t.dtype.kind not in "iub":
        raise ValueError(f"{what} must be integer class labels, got dtype {t.dtype}")
    lo, hi = t.min().item(), t.max().item()
    if lo < 0:
        raise ValueError(f"{what} hold a negative class label ({lo!r}); class labels must be integers 0..C-1")
    if not math.isfinite(float(hi)) or hi >= MAX_CLASSES:
        raise ValueError(f"{what} hold a class label of {hi!r}: more than {MAX_CLASSES:,} classes is not supported; "
                         "class labels must number the classes 0..C-1 — renumber them")
    n = int(hi) + 1
    distinct = np.unique(t)
    if n - len(distinct) > max(_MAX_ABSENT, len(distinct)):
        shown = ", ".join(str(int(v)) for v in distinct[:5]) + (", ..." if len(distinct) > 5 else "")
        raise ValueError(f"{what}' class labels run up to {int(hi)} ({n} classes) but only {len(distinct)} distinct "
                         f"labels occur ({shown}); integer labels must number the classes 0..C-1: renumber them, "
                         "or write the column as text so each value becomes a class name")
    return [str(i) for i in range(n)]
