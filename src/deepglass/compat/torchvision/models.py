"""``torchvision.models`` under the hook: the deepglass zoo; ``weights=None`` only (no pretrained weights)."""
from __future__ import annotations

import functools

from ... import models as _zoo


def _builder(fn):
    @functools.wraps(fn)
    def build(*args, weights=None, progress: bool = True, pretrained: bool = False, **kwargs):
        if weights is not None or pretrained:
            raise RuntimeError(
                f"deepglass has no pretrained weights for {fn.__name__} (it never downloads): build it with "
                f"weights=None, then load weights converted from torchvision's with model.load_state_dict(...)")
        return fn(*args, **kwargs)

    return build


for _name in _zoo.list_models():
    globals()[_name] = _builder(getattr(_zoo, _name) if hasattr(_zoo, _name) else _zoo._REGISTRY[_name])

from ...models import VGG, AlexNet, MobileNetV2, ResNet, VisionTransformer  # noqa: E402,F401

get_model = _builder(_zoo.get_model)
list_models = _zoo.list_models

__all__ = [*_zoo.list_models(), "get_model", "list_models", "ResNet", "VGG", "AlexNet", "MobileNetV2",
           "VisionTransformer"]
