"""``DataParallel``: PyTorch's single-process wrapper, on one device.

PyTorch's ``DataParallel`` scatters a batch across the listed GPUs, runs a
replica of the module on each and gathers the outputs on ``output_device``.
deepglass runs the wrapped module once, on the one device it lives on: the
outputs, gradients and state dict are what PyTorch gives with one device. The
state-dict keys carry the ``module.`` prefix, as PyTorch's, so checkpoints saved
from a wrapped model load into either framework's wrapped model.
"""
from __future__ import annotations

from ... import backend
from ..._tensor import Tensor
from ..modules.module import Module


def _to_device(obj, device):
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, tuple | list):
        return type(obj)(_to_device(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    return obj


class DataParallel(Module):
    """Wrap ``module`` so that ``DataParallel(model)(x) == model(x)``, on one device.

    Args:
        module: the module to run.
        device_ids: CUDA device indices. Default: every visible CUDA device, none
            without a GPU (as PyTorch). deepglass uses only the first one.
        output_device: where outputs go. Default ``device_ids[0]``; only that one is supported.
        dim: the batch dimension PyTorch would scatter along (kept for its signature).

    With a GPU, tensor inputs are moved to ``cuda:device_ids[0]`` (PyTorch's
    scatter with one device), where the module's parameters must already be.
    Without one, the module is called directly, as PyTorch does on a CPU-only machine.

    Example:
        >>> import deepglass as dg
        >>> model = dg.nn.DataParallel(dg.nn.Linear(2, 3))
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
        >>> model(dg.ones(4, 2)).shape
        (4, 3)
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module
        if device_ids is None:
            device_ids = list(range(backend.cuda_device_count()))
        self.device_ids = [d.index if isinstance(d, backend.Device) else int(d) for d in device_ids]
        if output_device is None and self.device_ids:
            output_device = self.device_ids[0]
        if isinstance(output_device, backend.Device):
            output_device = output_device.index
        if self.device_ids and output_device != self.device_ids[0]:
            raise ValueError(
                f"deepglass's DataParallel runs on one device: output_device={output_device} must be "
                f"device_ids[0]={self.device_ids[0]}"
            )
        self.output_device = output_device
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        device = backend.Device(f"cuda:{self.device_ids[0]}")
        for name, t in list(self.module.named_parameters()) + list(self.module.named_buffers()):
            if t.device != device:
                raise RuntimeError(
                    f"module must have its parameters and buffers on device {device} (device_ids[0]) "
                    f"but found one of them on device: {t.device} ({name}); call module.to('{device}') first"
                )
        return self.module(*_to_device(inputs, device), **_to_device(kwargs, device))
