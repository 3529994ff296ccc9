"""The legacy weight normalisation hook (PyTorch's ``torch.nn.utils.weight_norm``).

``weight_norm(module)`` replaces the parameter ``weight`` by ``weight_g`` (the norms) and ``weight_v``
(the direction), recomputing ``module.weight = g · v / ‖v‖`` before every forward (a forward pre-hook).
State-dict keys ``weight_g`` / ``weight_v``, as PyTorch. New code should prefer
:func:`deepglass.nn.utils.parametrizations.weight_norm`.
"""
from __future__ import annotations

from ..modules.module import Module
from ..parameter import Parameter
from .parametrizations import _norm_except_dim


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name: str, dim: int) -> None:
        if dim is None:
            dim = -1
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))

    @staticmethod
    def apply(module: Module, name: str, dim: int) -> WeightNorm:
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        if name not in module._parameters or module._parameters[name] is None:
            raise ValueError(f"Module '{type(module).__name__}' has no parameter named {name!r}")
        weight = module._parameters[name]
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight.detach(), fn.dim)))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Split the parameter ``name`` into ``name_g`` (norms over every dim but ``dim``) and ``name_v``.

    Args:
        module: the module to change in place.
        name: the parameter's name.
        dim: the dimension kept by the norm (``None``: one norm over the whole tensor).

    Returns:
        ``module``.

    Raises:
        RuntimeError: weight norm already applied to ``name``.

    Example:
        >>> m = weight_norm(nn.Linear(20, 40), name="weight")
        >>> m.weight_g.shape
        (40, 1)
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`weight_norm`: ``name`` becomes one Parameter again (with the current value).

    Raises:
        ValueError: no weight norm on ``name``.
    """
    for k, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")


__all__ = ["remove_weight_norm", "weight_norm"]
