"""The model zoo: torchvision's architectures and state-dict keys, plus the notes' small CNNs.

``list_models()`` names every model; ``get_model(name, **kw)`` builds one (the
command line's ``--model``). Every zoo constructor takes ``num_classes`` and
``in_channels``, so e.g. ``get_model("resnet18", num_classes=10, in_channels=1)``
trains on 1×8×8 digits. Smallest inputs: resnet*, mobilenet_v2, vit (its
``image_size``) — any size; vgg* ≥ 32×32; alexnet ≥ 63×63.

Example:
    >>> from deepglass import models
    >>> "resnet18" in models.list_models()
    True
    >>> models.get_model("resnet18", num_classes=10, in_channels=1)(deepglass.randn(2, 1, 8, 8)).shape
    (2, 10)
"""
from __future__ import annotations

from .alexnet import AlexNet, alexnet  # noqa: F401
from .detector import TinyDetector, tiny_detector  # noqa: F401  (detection: not in the classifier registry)
from .mobilenet import MobileNetV2, mobilenet_v2  # noqa: F401
from .resnet import ResNet, resnet18, resnet34, resnet50  # noqa: F401
from .small import cifar_net, lenet5  # noqa: F401
from .vgg import VGG, vgg11, vgg13, vgg16, vgg16_bn, vgg19  # noqa: F401
from .vit import VisionTransformer, vit, vit_b_16  # noqa: F401

_REGISTRY = {
    "alexnet": alexnet,
    "cifar_net": cifar_net,
    "lenet5": lenet5,
    "mobilenet_v2": mobilenet_v2,
    "resnet18": resnet18,
    "resnet34": resnet34,
    "resnet50": resnet50,
    "vgg11": vgg11,
    "vgg13": vgg13,
    "vgg16": vgg16,
    "vgg16_bn": vgg16_bn,
    "vgg19": vgg19,
    "vit": vit,
    "vit_b_16": vit_b_16,
}

from .digits import digits_cnn, mlp  # noqa: E402  (the trainer's default networks)

_REGISTRY["digits_cnn"] = digits_cnn
_REGISTRY["mlp"] = mlp


def list_models() -> list:
    """Sorted names accepted by :func:`get_model`."""
    return sorted(_REGISTRY)


def get_model(name: str, **kwargs):
    """Build the model called ``name`` with the constructor's keyword arguments.

    Args:
        name: one of :func:`list_models` (case, ``-`` and ``_`` are ignored: ``ResNet-18`` works).
        **kwargs: e.g. ``num_classes=10, in_channels=1``.

    Raises:
        ValueError: for an unknown name (the message lists the known ones).
        TypeError: for a keyword the constructor does not take (the message names it).
    """
    norm = name.lower().replace("-", "").replace("_", "")
    key = next((k for k in _REGISTRY if k.replace("_", "") == norm), None)
    if key is None:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(list_models())}")
    try:
        return _REGISTRY[key](**kwargs)
    except TypeError as e:
        raise TypeError(f"get_model({name!r}): {e}; check the keyword arguments of deepglass.models.{key}") from e


def register_model(name: str, fn) -> None:
    """Add a constructor to the registry (``get_model(name)`` then calls ``fn(**kw)``)."""
    _REGISTRY[name] = fn


__all__ = ["list_models", "get_model", "register_model", "cifar_net", "lenet5", "alexnet", "mobilenet_v2",
           "resnet18", "resnet34", "resnet50", "vgg11", "vgg13", "vgg16", "vgg16_bn", "vgg19", "vit", "vit_b_16",
           "ResNet", "VGG", "AlexNet", "MobileNetV2", "VisionTransformer", "TinyDetector", "tiny_detector"]
