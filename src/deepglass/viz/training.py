"""Training curves: loss and accuracy per epoch (the pictures the notes' epoch advice is read from)."""
from __future__ import annotations

import math

__all__ = ["plot_history"]


def _column(history, key):
    if hasattr(history, "records"):
        rows = history.records
    else:
        rows = list(history)
    xs, ys = [], []
    for i, r in enumerate(rows):
        v = r.get(key)
        if isinstance(v, (int, float)) and math.isfinite(v):
            xs.append(r.get("epoch", i + 1))
            ys.append(float(v))
    return xs, ys


def plot_history(history, *, title: str | None = None, best: str | None = "val_loss", path=None):
    """Loss, accuracy/F1 and learning-rate curves of a training run.

    Panels: (1) training and validation loss, (2) training and validation
    accuracy and validation macro-F1 (when recorded), (3) the learning rate
    (when it changes). The epoch with the best ``best`` column is marked.

    Args:
        history: a :class:`deepglass.train.History` or a list of per-epoch dicts
            (keys such as ``epoch``, ``train_loss``, ``val_loss``, ``val_accuracy``, ``lr``).
        title: the figure's title.
        best: the column whose best epoch is marked (min for names with "loss",
            else max); None for no mark.
        path: save a PNG there.

    Returns:
        matplotlib ``Figure``.

    Example:
        >>> fig = plot_history([{"epoch": 1, "train_loss": 1.0, "val_loss": 1.1},
        ...                     {"epoch": 2, "train_loss": 0.5, "val_loss": 0.7}])
    """
    from matplotlib.figure import Figure

    _, lrs = _column(history, "lr")
    show_lr = len(set(lrs)) > 1
    acc_keys = [k for k in ("train_accuracy", "val_accuracy", "val_f1_macro") if _column(history, k)[1]]
    panels = 1 + bool(acc_keys) + show_lr
    fig = Figure(figsize=(4.6 * panels, 4.0), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    best_epoch = None
    if best is not None:
        xs, ys = _column(history, best)
        if ys:
            pick = min if "loss" in best else max
            i = ys.index(pick(ys))
            best_epoch = xs[i]
    style = {"train": "-", "val": "--"}
    ax = axes[0]
    for key, label in (("train_loss", "train loss"), ("val_loss", "validation loss")):
        xs, ys = _column(history, key)
        if ys:
            ax.plot(xs, ys, style[key.split("_")[0]], marker="o", markersize=3, label=label)
    ax.set_ylabel("loss")
    ax.set_title("Loss")
    k = 1
    if acc_keys:
        ax2 = axes[k]
        k += 1
        names = {"train_accuracy": "train accuracy", "val_accuracy": "validation accuracy",
                 "val_f1_macro": "validation macro-F1"}
        for key in acc_keys:
            xs, ys = _column(history, key)
            ax2.plot(xs, ys, ":" if key == "val_f1_macro" else style[key.split("_")[0]], marker="o", markersize=3,
                     label=names[key])
        ax2.set_ylabel("score")
        ax2.set_title("Accuracy / F1")
    if show_lr:
        ax3 = axes[k]
        xs, ys = _column(history, "lr")
        ax3.plot(xs, ys, marker="o", markersize=3, color="tab:purple", label="learning rate")
        ax3.set_ylabel("learning rate")
        ax3.set_title("Learning rate")
        if min(ys) > 0 and max(ys) / min(ys) > 20:
            ax3.set_yscale("log")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        if best_epoch is not None:
            ax.axvline(best_epoch, color="gray", linestyle=":", alpha=0.8, label=f"best {best} (epoch {best_epoch})")
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig
