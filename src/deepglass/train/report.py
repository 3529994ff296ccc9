"""The run report: test metrics, figures, ``metrics.json``, ``summary.txt`` and ``report.md``.

:func:`classification_report` turns logits and labels into the notes' metrics
(accuracy, macro precision/recall/F1, per-class numbers, confusion matrix,
ROC-AUC, average precision, the best F1-confidence threshold);
:func:`write_figures` draws them; :func:`write_report` ties a run folder together.
"""
from __future__ import annotations

import json
import math
import os
import warnings

import numpy as np

from ..io import atomic_write

FIGURES = {"history": "history.png", "confusion_matrix": "confusion_matrix.png", "pr_curves": "pr_curves.png",
           "roc_curves": "roc_curves.png", "f1_confidence": "f1_confidence.png"}
_MAX_CLASS_CURVES = 10  # PR and ROC figures draw at most this many classes


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax (stable: the row maximum is subtracted first)."""
    z = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _finite(x):
    x = float(x)
    return x if math.isfinite(x) else None


def _curves(targets: np.ndarray, probs: np.ndarray, classes):
    """Per-class one-vs-rest PR and ROC curves (classes present in ``targets``) and the mean F1-confidence curve."""
    from ..metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    pr, roc = {}, {}
    for c, name in enumerate(classes):
        y = (targets == c).astype(np.int64)
        if y.sum() == 0 or y.sum() == len(y):
            continue
        s = probs[:, c]
        p, r, _ = precision_recall_curve(y, s)
        pr[name] = (p, r, float(average_precision_score(y, s)))
        fpr, tpr, _ = roc_curve(y, s)
        roc[name] = (fpr, tpr, float(roc_auc_score(y, s)))
    return pr, roc, mean_f1_confidence(targets, probs)


def mean_f1_confidence(targets: np.ndarray, probs: np.ndarray, points: int = 101):
    """YOLO's "all classes" F1-confidence curve: the mean over classes of one-vs-rest F1 at each threshold.

    At threshold ``t`` class ``c`` predicts positive where ``probs[:, c] >= t``.

    Returns:
        ``(thresholds, mean_f1)`` on ``linspace(0, 1, points)``.
    """
    thr = np.linspace(0.0, 1.0, points)
    n_cls = probs.shape[1]
    truth = targets[:, None] == np.arange(n_cls)[None, :]
    n_pos = truth.sum(axis=0)
    present = n_pos > 0
    f1 = np.zeros(points)
    for i, t in enumerate(thr):
        pred = probs >= t
        tp = (pred & truth).sum(axis=0)
        den = pred.sum(axis=0) + n_pos
        f = np.divide(2.0 * tp, den, out=np.zeros(n_cls), where=den > 0)
        f1[i] = f[present].mean() if present.any() else 0.0
    return thr, f1


def classification_report(logits, targets, classes=None) -> dict:
    """Everything the report shows, as JSON-ready data.

    Args:
        logits: ``N×C`` model outputs (scores; softmax gives the probabilities).
        targets: ``N`` integer labels.
        classes: class names (default ``"0"…"C-1"``).

    Returns:
        ``{"accuracy", "precision_macro", "recall_macro", "f1_macro", "roc_auc_macro",
        "average_precision_macro", "best_f1_threshold", "best_f1", "per_class": [...],
        "confusion_matrix": [[...]], "classes": [...], "num_samples"}``.
    """
    from ..metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
    from ..viz.metrics_plots import top_confusions

    logits, targets = np.asarray(logits), np.asarray(targets).astype(np.int64)
    n_cls = logits.shape[1]
    classes = [str(c) for c in (classes if classes is not None else range(n_cls))]
    if len(classes) != n_cls:
        classes = [str(c) for c in range(n_cls)]
    probs = softmax(logits)
    pred = probs.argmax(axis=1)
    labels = np.arange(n_cls)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, s = precision_recall_fscore_support(targets, pred, labels=labels, zero_division=0)
        pm, rm, fm, _ = precision_recall_fscore_support(targets, pred, labels=labels, average="macro",
                                                        zero_division=0)
        pr, roc, micro = _curves(targets, probs, classes)
    best = int(len(micro[1]) - 1 - np.argmax(micro[1][::-1]))  # the highest threshold with the best mean F1
    auc = [v[2] for v in roc.values()]
    ap = [v[2] for v in pr.values()]
    cm = confusion_matrix(targets, pred, labels=labels)
    return {
        "num_samples": int(len(targets)), "classes": classes,
        "accuracy": float(accuracy_score(targets, pred)),
        "precision_macro": float(pm), "recall_macro": float(rm), "f1_macro": float(fm),
        "roc_auc_macro": _finite(np.mean(auc)) if auc else None,
        "average_precision_macro": _finite(np.mean(ap)) if ap else None,
        "best_f1_threshold": _finite(micro[0][best]), "best_f1": _finite(micro[1][best]),
        "per_class": [{"class": classes[i], "precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                       "support": int(s[i]), "roc_auc": _finite(roc[classes[i]][2]) if classes[i] in roc else None,
                       "average_precision": _finite(pr[classes[i]][2]) if classes[i] in pr else None}
                      for i in range(n_cls)],
        "confusion_matrix": cm.tolist(),
        "top_confusions": [{"true": t, "predicted": p_, "count": int(c)}
                           for t, p_, c in top_confusions(cm, classes, k=10)],
    }


def write_figures(folder, logits, targets, classes, history=None, title: str = "") -> dict:
    """Draw the confusion matrix, PR, ROC and F1-confidence curves (and the training curves).

    Returns:
        ``{figure_key: path}`` of the PNGs written into ``folder``.
    """
    from ..metrics import confusion_matrix
    from ..viz import plot_confusion_matrix, plot_f1_confidence, plot_history, plot_pr_curve, plot_roc_curve

    os.makedirs(folder, exist_ok=True)
    logits, targets = np.asarray(logits), np.asarray(targets).astype(np.int64)
    classes = [str(c) for c in classes]
    probs = softmax(logits)
    out = {}

    def path(key):
        out[key] = os.path.join(folder, FIGURES[key])
        return out[key]

    if history is not None and len(history):
        plot_history(history, title=f"Training curves {title}".strip(), path=path("history"))
    cm = confusion_matrix(targets, probs.argmax(axis=1), labels=np.arange(len(classes)))
    # many classes: no per-cell numbers, a bounded figure (viz's limits); the report lists the top confusions
    plot_confusion_matrix(cm, classes, title=f"Confusion matrix {title}".strip(), path=path("confusion_matrix"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pr, roc, micro = _curves(targets, probs, classes)
    few = len(classes) <= _MAX_CLASS_CURVES
    which = "per class" if few else f"(first {_MAX_CLASS_CURVES} classes)"
    plot_pr_curve(dict(list(pr.items())[:_MAX_CLASS_CURVES]), title=f"Precision-Recall {which} {title}".strip(),
                  path=path("pr_curves"))
    plot_roc_curve(dict(list(roc.items())[:_MAX_CLASS_CURVES]), title=f"ROC {which} {title}".strip(),
                   path=path("roc_curves"))
    plot_f1_confidence({"all classes (mean F1)": micro}, title=f"F1-Confidence {title}".strip(),
                       path=path("f1_confidence"))
    return out


def write_json(path, data) -> None:
    """JSON, atomically, non-finite numbers as null."""
    def clean(x):
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [clean(v) for v in x]
        if isinstance(x, (float, np.floating)):
            return _finite(x)
        if isinstance(x, np.integer):
            return int(x)
        return x

    with atomic_write(path, "w") as f:
        json.dump(clean(data), f, indent=2)
        f.write("\n")


def model_summary(model, input_shape) -> str:
    """The analysis table of ``deepglass.analysis.summary`` (parameters, MACs, memory per layer)."""
    try:
        from ..analysis import summary
    except ImportError:  # pragma: no cover - analysis is part of deepglass
        return _param_table(model)
    try:
        return str(summary(model, (1, *input_shape)))
    except Exception as e:  # a layer the analyser does not know: fall back to parameter counts
        return f"(analysis.summary failed: {e})\n" + _param_table(model)


def _param_table(model) -> str:
    rows = [(name, tuple(p.shape), int(np.prod(p.shape))) for name, p in model.named_parameters()]
    width = max([len(r[0]) for r in rows] + [9])
    lines = [f"{'parameter':<{width}}  {'shape':<18} {'count':>10}"]
    lines += [f"{n:<{width}}  {str(s):<18} {c:>10,}" for n, s, c in rows]
    lines.append(f"{'total':<{width}}  {'':<18} {sum(r[2] for r in rows):>10,}")
    return "\n".join(lines)


def _pct(x):
    return "—" if x is None else f"{100 * x:.2f}%"


def _num(x, fmt=".4f"):
    return "—" if x is None else format(x, fmt)


def render_markdown(run_name: str, cfg: dict, test: dict, history, diagnosis, figures: dict, summary_text: str,
                    extra: dict) -> str:
    """The text of ``report.md``."""
    lines = [f"# Run report: {run_name}", ""]
    lines += ["## Result", "",
              f"- **Test accuracy: {_pct(test['accuracy'])}** on {test['num_samples']} test samples "
              f"(macro-F1 {_num(test['f1_macro'])}, macro precision {_num(test['precision_macro'])}, "
              f"macro recall {_num(test['recall_macro'])})",
              f"- ROC-AUC (macro, one-vs-rest) {_num(test['roc_auc_macro'])}; average precision (macro) "
              f"{_num(test['average_precision_macro'])}",
              f"- Best F1 over the confidence threshold (mean over classes): {_num(test['best_f1'])} at "
              f"confidence {_num(test['best_f1_threshold'], '.3f')}"]
    if extra.get("best_epoch") is not None:
        lines.append(f"- Weights: the best epoch by {extra.get('monitor')} (epoch {extra['best_epoch']} of "
                     f"{extra.get('epochs_run')}), in `model.safetensors`")
    if extra.get("train_seconds") is not None:
        lines.append(f"- Training time: {extra['train_seconds']:.1f} s on {cfg.get('device', 'cpu')}")
    if diagnosis is not None:
        lines += ["", "## Diagnosis", "", f"{diagnosis.message}.", "", f"Advice: {diagnosis.advice}."]
    lines += ["", "## Configuration", "", "| key | value |", "|---|---|"]
    for k in ("model", "data", "data_dir", "epochs", "batch_size", "optimizer", "lr", "weight_decay", "scheduler",
              "seed", "device", "val_split"):
        lines.append(f"| {k} | `{cfg.get(k)}` |")
    if history is not None and len(history):
        lines += ["", "## Training history", "", "| epoch | train loss | val loss | val accuracy | val macro-F1 | lr "
                  "| seconds |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in history:
            lines.append(f"| {r['epoch']} | {_num(r.get('train_loss'))} | {_num(r.get('val_loss'))} | "
                         f"{_pct(r.get('val_accuracy'))} | {_num(r.get('val_f1_macro'))} | {_num(r.get('lr'), '.3g')} "
                         f"| {_num(r.get('seconds'), '.1f')} |")
    titles = {"history": "Loss and accuracy per epoch", "confusion_matrix": "Confusion matrix (test set)",
              "pr_curves": "Precision-recall curves per class (test set)",
              "roc_curves": "ROC curves per class (test set)", "f1_confidence": "F1 against the confidence threshold"}
    lines += ["", "## Figures", ""]
    for key, p in figures.items():
        lines += [f"### {titles.get(key, key)}", "", f"![{key}]({p})", ""]
    if test.get("top_confusions") and len(test["classes"]) > 10:
        lines += ["## Most frequent confusions (test set)", "", "| true | predicted | count |", "|---|---|---:|"]
        lines += [f"| {c['true']} | {c['predicted']} | {c['count']} |" for c in test["top_confusions"]]
        lines.append("")
    lines += ["## Per-class results (test set)", "", "| class | precision | recall | F1 | support | ROC-AUC | AP |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for c in test["per_class"]:
        lines.append(f"| {c['class']} | {c['precision']:.4f} | {c['recall']:.4f} | {c['f1']:.4f} | {c['support']} | "
                     f"{_num(c['roc_auc'])} | {_num(c['average_precision'])} |")
    lines += ["", "## Model", "", "```", summary_text, "```", "",
              "## Files", "",
              "- `model.safetensors` — the weights (best epoch); `config.json` — everything to rebuild and resume",
              "- `checkpoints/last.safetensors`, `checkpoints/best.safetensors` — full training state "
              "(`deepglass train --resume <run>`)",
              "- `history.csv`, `history.json` — one row per epoch; `tensorboard/` — `tensorboard --logdir` it",
              "- `metrics.json` — the numbers above; `summary.txt` — the model table; "
              "`figures/` — the pictures", ""]
    return "\n".join(lines)


def write_report(run_dir, run_name: str, cfg: dict, model, logits, targets, classes, input_shape, history=None,
                 diagnosis=None, extra=None) -> dict:
    """Write ``metrics.json``, ``summary.txt``, ``figures/*.png`` and ``report.md`` into ``run_dir``.

    Returns:
        The test metrics (:func:`classification_report`).
    """
    extra = dict(extra or {})
    test = classification_report(logits, targets, classes)
    figs = write_figures(os.path.join(run_dir, "figures"), logits, targets, classes, history, title="")
    rel = {k: os.path.relpath(p, run_dir) for k, p in figs.items()}
    summary_text = model_summary(model, input_shape)
    with atomic_write(os.path.join(run_dir, "summary.txt"), "w") as f:
        f.write(summary_text + "\n")
    write_json(os.path.join(run_dir, "metrics.json"),
               {"test": test, **extra, "diagnosis": diagnosis.as_dict() if diagnosis is not None else None,
                "figures": rel})
    text = render_markdown(run_name, cfg, test, history, diagnosis, rel, summary_text, extra)
    with atomic_write(os.path.join(run_dir, "report.md"), "w") as f:
        f.write(text)
    return test
