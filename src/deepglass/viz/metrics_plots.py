"""Figures of the notes' metrics chapter: confusion matrix, PR, ROC, F1-confidence.

Each function returns a ``matplotlib.figure.Figure`` (built without pyplot, so
it works headless) and saves a PNG when ``path`` is given. matplotlib is
imported only when a function is called.
"""
from __future__ import annotations

import numpy as np

__all__ = ["plot_confusion_matrix", "plot_pr_curve", "plot_roc_curve", "plot_f1_confidence", "top_confusions"]

#: a confusion matrix with more classes than this gets no numbers in its cells, and the figure stops growing
MAX_CELL_TEXT = 30
#: ... and no class names on its axes beyond this many classes
MAX_TICK_LABELS = 60


def top_confusions(cm, class_names=None, k: int = 10) -> list:
    """The ``k`` largest off-diagonal cells of a confusion matrix: ``[(true, predicted, count), ...]``.

    For many classes this list says more than the picture does.

    Example:
        >>> top_confusions([[5, 2, 0], [0, 4, 1], [3, 0, 6]], ["a", "b", "c"], k=2)
        [('c', 'a', 3), ('a', 'b', 2)]
    """
    m = np.asarray(cm)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"cm must be a square matrix, got shape {m.shape}.")
    n = m.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(n))]
    off = m.astype(np.float64).copy()
    np.fill_diagonal(off, 0)
    flat = np.flatnonzero(off)
    order = flat[np.argsort(-off.ravel()[flat], kind="stable")][:k]
    return [(names[i // n], names[i % n], m.ravel()[i].item()) for i in order]


def _figure(figsize):
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _save(fig, path):
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def _curves(curves):
    """Accept ``(x, y)``, ``{name: (x, y, ...)}`` or a list of tuples -> list of (name, parts)."""
    if isinstance(curves, dict):
        return list(curves.items())
    if isinstance(curves, tuple):
        return [(None, curves)]
    return [(None, c) for c in curves]


def plot_confusion_matrix(cm, class_names=None, *, normalize=None, true_on_x: bool = False,
                          title=None, cmap="Blues", path=None):
    """Draw a confusion matrix with counts (or fractions) in the cells.

    Args:
        cm: square matrix, rows = true, columns = predicted (scikit-learn's
            orientation, as :func:`deepglass.metrics.confusion_matrix` returns).
            Beyond ``MAX_CELL_TEXT`` (30) classes the cells get no numbers and the
            figure keeps its size; beyond ``MAX_TICK_LABELS`` (60) the axes get no
            class names (see :func:`top_confusions` for the largest mistakes).
        class_names: tick labels.
        normalize: ``None``, ``"true"`` (rows sum to 1), ``"pred"`` or ``"all"``.
        true_on_x: draw the transpose, true class on the x-axis and predicted on
            the y-axis (the notes' and YOLO's picture).
        title: figure title.
        cmap: colour map.
        path: save a PNG there.

    Returns:
        matplotlib ``Figure``.
    """
    m = np.asarray(cm, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"cm must be a square matrix, got shape {m.shape}.")
    if normalize is not None:
        axis = {"true": 1, "pred": 0, "all": None}.get(normalize, "bad")
        if axis == "bad":
            raise ValueError(f"normalize must be None, 'true', 'pred' or 'all'; got {normalize!r}.")
        with np.errstate(all="ignore"):
            m = np.nan_to_num(m / m.sum(axis=axis, keepdims=axis is not None))
    n = m.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(n))]
    if len(names) != n:
        raise ValueError(f"{len(names)} class names for a {n}x{n} matrix.")
    shown = m.T if true_on_x else m
    side = 0.55 * min(n, MAX_CELL_TEXT)  # the figure stops growing with the classes (memory grows with its area)
    fig = _figure((1.2 + side + 1.5, 1.0 + side + 1.0))
    ax = fig.add_subplot()
    im = ax.imshow(shown, cmap=cmap, vmin=0, interpolation="nearest")
    fig.colorbar(im, ax=ax, fraction=0.046)
    if n <= MAX_TICK_LABELS:
        ax.set_xticks(range(n), names, rotation=45, ha="right")
        ax.set_yticks(range(n), names)
    ax.set_xlabel("True" if true_on_x else "Predicted")
    ax.set_ylabel("Predicted" if true_on_x else "True")
    hi = shown.max() if shown.size else 0
    if n <= MAX_CELL_TEXT:  # beyond that the numbers would be unreadable: the colours tell the story
        for i in range(n):
            for j in range(n):
                v = shown[i, j]
                text = f"{v:.2f}" if normalize is not None else f"{v:g}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if hi and v > hi / 2 else "black")
    ax.set_title(title or ("Confusion matrix" + (f" (normalised by {normalize})" if normalize else "")))
    return _save(fig, path)


def plot_pr_curve(curves, *, title="Precision-Recall", path=None):
    """Precision-recall curves, one per class, AP in the legend.

    Args:
        curves: ``{name: (precision, recall)}`` or ``{name: (precision, recall, ap)}``
            (as from :func:`deepglass.metrics.precision_recall_curve`; AP is
            computed step-wise when not given), or a single tuple.
        title: figure title.
        path: save a PNG there.

    Returns:
        matplotlib ``Figure``.
    """
    fig = _figure((6, 5))
    ax = fig.add_subplot()
    for name, parts in _curves(curves):
        p, r = np.asarray(parts[0], float), np.asarray(parts[1], float)
        ap = parts[2] if len(parts) > 2 else float(max(0.0, -np.sum(np.diff(r) * p[:-1])))
        label = f"{name + ' ' if name is not None else ''}AP={ap:.3f}"
        ax.step(r, p, where="post", label=label)
    ax.set_xlabel("Recall")
    ax.set_ylabel("Precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_roc_curve(curves, *, title="ROC", path=None):
    """ROC curves with AUC in the legend and the chance diagonal.

    Args:
        curves: ``{name: (fpr, tpr)}`` or ``{name: (fpr, tpr, auc)}`` (as from
            :func:`deepglass.metrics.roc_curve`), or a single tuple.
        title: figure title.
        path: save a PNG there.

    Returns:
        matplotlib ``Figure``.
    """
    fig = _figure((6, 5))
    ax = fig.add_subplot()
    for name, parts in _curves(curves):
        fpr, tpr = np.asarray(parts[0], float), np.asarray(parts[1], float)
        area = parts[2] if len(parts) > 2 else float(np.trapezoid(tpr, fpr))
        ax.plot(fpr, tpr, label=f"{name + ' ' if name is not None else ''}AUC={area:.3f}")
    ax.plot([0, 1], [0, 1], linestyle="--", color="gray", label="chance")
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def plot_f1_confidence(curves, *, title="F1-Confidence", path=None):
    """F1 against the confidence threshold, the best threshold marked.

    Args:
        curves: an :class:`deepglass.metrics.F1ConfidenceCurve`, a
            ``(thresholds, f1)`` tuple, or ``{name: either}``.
        title: figure title.
        path: save a PNG there.

    Returns:
        matplotlib ``Figure``.
    """
    if hasattr(curves, "f1") and hasattr(curves, "thresholds"):
        curves = {None: curves}
    fig = _figure((6, 5))
    ax = fig.add_subplot()
    for name, c in _curves(curves):
        if hasattr(c, "f1"):
            thr, f1 = np.asarray(c.thresholds, float), np.asarray(c.f1, float)
        else:
            thr, f1 = np.asarray(c[0], float), np.asarray(c[1], float)
        if len(f1) == 0:
            continue
        i = int(len(f1) - 1 - np.argmax(f1[::-1]))  # highest threshold with the best F1
        line, = ax.plot(thr, f1, label=f"{name + ' ' if name is not None else ''}best F1={f1[i]:.3f} @ {thr[i]:.3f}")
        ax.plot([thr[i]], [f1[i]], "o", color=line.get_color())
        ax.axvline(thr[i], color=line.get_color(), linestyle=":", alpha=0.6)
    ax.set_xlabel("Confidence")
    ax.set_ylabel("F1")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)
