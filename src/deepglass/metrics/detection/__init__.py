"""Object-detection metrics: box utilities, COCO evaluation, mAP on arrays.

``coco_evaluate`` equals pycocotools' ``COCOeval`` (bbox); ``mean_average_precision``
works on in-memory per-image arrays; ``detection_confusion_matrix`` is the
YOLO-style matrix with a background class.
"""
from .boxes import (
    batched_nms,
    box_area,
    box_convert,
    box_iou,
    complete_box_iou,
    distance_box_iou,
    generalized_box_iou,
    nms,
)
from .coco import COCOEvalResult, coco_evaluate
from .mean_ap import DetectionConfusionMatrix, detection_confusion_matrix, mean_average_precision
from .yolo import load_yolo_labels, yolo_to_coco

__all__ = [
    "box_convert", "box_area", "box_iou", "generalized_box_iou", "distance_box_iou",
    "complete_box_iou", "nms", "batched_nms", "coco_evaluate", "COCOEvalResult",
    "mean_average_precision", "detection_confusion_matrix", "DetectionConfusionMatrix",
    "load_yolo_labels", "yolo_to_coco",
]
