"""``Parameter``: a tensor that a ``Module`` registers as learnable."""
from __future__ import annotations

from .._tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad (by default) and is found by ``Module.parameters()``.

    Example:
        >>> w = Parameter(deepglass.zeros(3, 4))
        >>> w.requires_grad
        True
    """

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            from ..creation import empty

            data = empty(0)
        super().__init__(data._array if isinstance(data, Tensor) else data, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol):  # no pickling of deepglass objects
        raise TypeError("deepglass does not pickle tensors; save state dicts with deepglass.save (safetensors)")
