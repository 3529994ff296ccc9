"""Batches through a model: moving them to a device, splitting ``(x, y)``, running a model over a loader,
classification metrics of its outputs (helpers of :class:`~deepglass.train.Trainer` and the CLI)."""
from __future__ import annotations

import numpy as np

from .. import backend
from .._tensor import Tensor, from_array
from ..autograd import no_grad


def _to_device(obj, device):
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, np.ndarray):
        return from_array(backend.to_device(obj, device))
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_device(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    return obj


def _split_batch(batch):
    """``(inputs, targets)`` from a batch: a ``(x, y)`` pair, or inputs alone (targets None)."""
    if isinstance(batch, (list, tuple)):
        if len(batch) == 2:
            return batch[0], batch[1]
        if len(batch) == 1:
            return batch[0], None
        raise ValueError(f"a batch should be (inputs, targets); got a {type(batch).__name__} of {len(batch)} items. "
                         "Return (x, y) from the dataset or pass a collate_fn that does")
    return batch, None


def _numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy() if isinstance(t, Tensor) else np.asarray(t)  # CuPy → host


def _batch_size(x) -> int:
    while isinstance(x, (list, tuple)):
        x = x[0]
    return int(x.shape[0])


def classification_metrics(logits: np.ndarray, targets: np.ndarray) -> dict:
    """Accuracy and macro precision/recall/F1 of ``argmax(logits)`` against integer ``targets``."""
    from ..metrics import accuracy_score, precision_recall_fscore_support

    pred = logits.argmax(axis=1)
    labels = np.arange(logits.shape[1])
    p, r, f, _ = precision_recall_fscore_support(targets, pred, labels=labels, average="macro", zero_division=0)
    return {"accuracy": float(accuracy_score(targets, pred)), "precision_macro": float(p),
            "recall_macro": float(r), "f1_macro": float(f)}


def _is_classification(out: np.ndarray, y) -> bool:
    return y is not None and out.ndim == 2 and y.ndim == 1 and y.dtype.kind in "iu"


def run_model(model, loader, device="cpu", loss_fn=None):
    """The model's outputs over ``loader`` in eval mode, without gradients.

    Returns:
        ``(outputs, targets, mean_loss)``: NumPy arrays (``targets`` None when the
        batches hold inputs only; ``mean_loss`` None then or without ``loss_fn``).
    """
    device = backend.as_device(device)
    was_training = model.training
    model.eval()
    outs, targs = [], []
    loss_sum, seen = 0.0, 0
    try:
        with no_grad():
            for batch in loader:
                x, y = _split_batch(batch)
                x, y = _to_device(x, device), _to_device(y, device)
                out = model(x)
                if y is not None:
                    if loss_fn is not None:
                        n = _batch_size(x)
                        loss_sum += float(loss_fn(out, y).item()) * n
                        seen += n
                    targs.append(_numpy(y))
                outs.append(_numpy(out))
    finally:
        model.train(was_training)
    if not outs:
        raise ValueError("the loader gave no batches; is the dataset empty?")
    outputs = np.concatenate(outs)
    targets = np.concatenate(targs) if targs else None
    return outputs, targets, (loss_sum / seen if seen else None)
