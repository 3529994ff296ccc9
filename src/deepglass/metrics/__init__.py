"""Evaluation metrics (the concept notes' "Metrics 评估" chapter).

Classification and ranking functions carry scikit-learn's names, signatures and
results, for binary, multiclass and multilabel-indicator targets;
``deepglass.metrics.detection`` holds COCO-equal detection metrics; streaming
accumulators (``ConfusionMatrix``, ``Accuracy``, ...) serve training loops.
Inputs may be NumPy arrays, lists or deepglass Tensors.
"""
from . import detection
from ._utils import UndefinedMetricWarning
from .classification import (
    accuracy_score,
    confusion_matrix,
    multilabel_confusion_matrix,
    top_k_accuracy_score,
)
from .precision_recall import (
    f1_score,
    fbeta_score,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from .ranking import (
    F1ConfidenceCurve,
    auc,
    average_precision_score,
    f1_confidence_curve,
    interpolated_average_precision,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from .streaming import (
    ROCAUC,
    Accuracy,
    AveragePrecision,
    ConfusionMatrix,
    Mean,
    PrecisionRecallF1,
    TopKAccuracy,
)

__all__ = [
    "UndefinedMetricWarning",
    "accuracy_score", "confusion_matrix", "f1_score", "fbeta_score", "multilabel_confusion_matrix",
    "precision_recall_fscore_support", "precision_score", "recall_score", "top_k_accuracy_score",
    "F1ConfidenceCurve", "auc", "average_precision_score", "f1_confidence_curve",
    "interpolated_average_precision", "precision_recall_curve", "roc_auc_score", "roc_curve",
    "ConfusionMatrix", "Accuracy", "TopKAccuracy", "PrecisionRecallF1", "AveragePrecision", "ROCAUC", "Mean",
    "detection",
]
