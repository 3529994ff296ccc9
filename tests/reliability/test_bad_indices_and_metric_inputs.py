"""Finding 4: negative indices, bad targets and bad metric inputs raise as PyTorch / scikit-learn / pycocotools do."""
from __future__ import annotations

import pytest
import torch

import deepglass as dg
import deepglass.nn.functional as F
from deepglass import nn
from deepglass.metrics import roc_auc_score

CASES = {
    "F.embedding": (lambda m, F_: F_.embedding(m.tensor([0, -1]), m.ones(3, 2))),
    "nn.Embedding": (lambda m, F_: m.nn.Embedding(3, 2)(m.tensor([[1, -3]]))),
    "gather": (lambda m, F_: m.gather(m.ones(3), 0, m.tensor([-1]))),
    "index_select": (lambda m, F_: m.index_select(m.ones(3, 2), 0, m.tensor([-1, 0]))),
    "gather past the end": (lambda m, F_: m.gather(m.ones(3), 0, m.tensor([3]))),
    "index_select past the end": (lambda m, F_: m.index_select(m.ones(3), 0, m.tensor([3]))),
    "binary_cross_entropy target 2": (lambda m, F_: F_.binary_cross_entropy(m.tensor([0.5]), m.tensor([2.0]))),
    "binary_cross_entropy target -1": (lambda m, F_: F_.binary_cross_entropy(m.tensor([0.5]), m.tensor([-1.0]))),
}


@pytest.mark.parametrize("name", list(CASES))
def test_raises_as_pytorch(name):
    fn = CASES[name]
    with pytest.raises(Exception) as want:
        fn(torch, torch.nn.functional)
    with pytest.raises(type(want.value)) as got:  # the same class: silently wrapping was the old behaviour
        fn(dg, F)
    assert "out of" in str(got.value) or "between 0 and 1" in str(got.value)


def test_valid_indices_still_work():
    w = dg.arange(6.0).reshape(3, 2)
    assert F.embedding(dg.tensor([2, 0]), w).tolist() == [[4.0, 5.0], [0.0, 1.0]]
    assert dg.gather(dg.arange(3.0), 0, dg.tensor([2, 2])).tolist() == [2.0, 2.0]
    assert nn.Embedding(3, 2, padding_idx=-1).padding_idx == 2  # padding_idx may count from the end, as in PyTorch


@pytest.mark.parametrize("y_true, y_score, needle", [
    ([], [], "0 sample"),
    ([0.1, 0.5, 0.7], [0.2, 0.3, 0.4], "continuous format is not supported"),
    ([0, 1, float("nan")], [0.2, 0.3, 0.4], "NaN"),
])
def test_roc_auc_score_rejects_what_scikit_learn_rejects(y_true, y_score, needle):
    from sklearn.metrics import roc_auc_score as sk

    with pytest.raises(ValueError):
        sk(y_true, y_score)
    with pytest.raises(ValueError, match=needle):
        roc_auc_score(y_true, y_score)


def _gt():
    return {"images": [{"id": 1}, {"id": 2}], "categories": [{"id": 1, "name": "a"}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]}]}


@pytest.mark.parametrize("image_id", [1.7, 2 ** 70, "1", True])
def test_coco_image_id_must_be_an_integer(image_id):
    from deepglass.metrics.detection import coco_evaluate

    dt = [{"image_id": image_id, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9}]
    with pytest.raises(ValueError, match="image_id' must be an integer id"):
        coco_evaluate(_gt(), dt)


def test_coco_integral_float_ids_are_accepted_as_pycocotools_does():
    from deepglass.metrics.detection import coco_evaluate

    dt = [{"image_id": 1.0, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.9}]
    coco_evaluate(_gt(), dt)
