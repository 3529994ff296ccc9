"""``deepglass.hub``: absent on purpose — deepglass never touches the network.

``torch.hub`` downloads code and weights from GitHub; deepglass does no network
access by design (and never unpickles downloaded files). Every function here
raises ``RuntimeError`` saying so and how to load local weights instead.

Example:
    >>> import deepglass.hub
    >>> deepglass.hub.load("pytorch/vision", "resnet18")
    Traceback (most recent call last):
    ...
    RuntimeError: deepglass.hub.load is not available: deepglass never downloads code or weights (no network by design). Build the model from deepglass.models and load a local safetensors file: model.load_state_dict(deepglass.load('weights.safetensors'))
"""
from __future__ import annotations

__all__ = ["load", "list", "help", "load_state_dict_from_url", "download_url_to_file", "get_dir", "set_dir"]


def _refuse(name: str):
    def refused(*args, **kwargs):
        raise RuntimeError(
            f"deepglass.hub.{name} is not available: deepglass never downloads code or weights "
            "(no network by design). Build the model from deepglass.models and load a local safetensors file: "
            "model.load_state_dict(deepglass.load('weights.safetensors'))"
        )

    refused.__name__ = name
    refused.__doc__ = f"PyTorch's ``torch.hub.{name}``; always raises ``RuntimeError`` (no network by design)."
    return refused


load = _refuse("load")
list = _refuse("list")  # noqa: A001 - PyTorch's name
help = _refuse("help")  # noqa: A001 - PyTorch's name
load_state_dict_from_url = _refuse("load_state_dict_from_url")
download_url_to_file = _refuse("download_url_to_file")
get_dir = _refuse("get_dir")
set_dir = _refuse("set_dir")

