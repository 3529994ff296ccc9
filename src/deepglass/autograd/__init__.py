"""Reverse-mode automatic differentiation (the notes' 反向传播).

- :class:`Function` — base of every primitive op (forward and backward side by side; several
  outputs, ``ctx.mark_non_differentiable``, ``ctx.set_materialize_grads``)
- :func:`apply_hook` / :class:`FunctionHook` — see (and run or replace) every ``Function.apply``
  of this thread: the tracing hook of analysis and export
- :func:`grad` — gradients of outputs with respect to chosen inputs
- :func:`gradcheck` — compare autograd with finite differences (float64); ``fast_mode=True``
  checks one random direction (two forward evaluations per input) for large inputs
- ``no_grad``, ``enable_grad``, ``set_grad_enabled`` — switch graph recording
- :mod:`deepglass.autograd.functional` — ``jacobian`` and ``vjp``
"""
from __future__ import annotations

from .function import Function, FunctionHook, apply_hook
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into the leaves' ``.grad``."""
    from .engine import run_backward

    tensors = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    elif not isinstance(grad_tensors, (list, tuple)):
        grad_tensors = [grad_tensors]
    run_backward(tensors, list(grad_tensors), bool(retain_graph), inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False):
    """Gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.

    Returns:
        A tuple with one tensor per input (``None`` for an unused input when
        ``allow_unused=True``).

    Example:
        >>> x = deepglass.tensor([3.0], requires_grad=True)
        >>> deepglass.autograd.grad((x ** 2).sum(), x)
        (tensor([6.]),)
    """
    from .._tensor import Tensor, from_array
    from .engine import run_backward

    if create_graph:
        raise NotImplementedError("deepglass has no double backward (create_graph=True)")
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    single = not isinstance(inputs, (list, tuple))
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("one of the inputs does not require grad; set requires_grad=True on it")
    capture = {"tensors": inputs, "grads": {id(t): None for t in inputs}}
    run_backward(outputs, list(grad_outputs), bool(retain_graph), capture=capture)
    result = []
    for t in inputs:
        g = capture["grads"][id(t)]
        if g is None and not allow_unused:
            raise RuntimeError(
                "one of the inputs was not used to compute the outputs; pass allow_unused=True to get None for it"
            )
        result.append(None if g is None else from_array(g))
    return tuple(result)


def Variable(data, requires_grad: bool = False, volatile: bool = False):
    """PyTorch's legacy ``torch.autograd.Variable``: since PyTorch 0.4 a Variable *is* a Tensor.

    ``Variable(t)`` returns ``t`` itself (``requires_grad=True`` sets it on a leaf), as PyTorch does.

    Example:
        >>> v = deepglass.autograd.Variable(deepglass.ones(2), requires_grad=True)
        >>> v.requires_grad, type(v).__name__
        (True, 'Tensor')
    """
    from .._tensor import Tensor

    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    if requires_grad:
        data.requires_grad_(True)
    return data


from . import functional  # noqa: E402

__all__ = [
    "functional", "Function", "Variable", "FunctionHook", "apply_hook", "grad", "backward", "gradcheck", "GradcheckError",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
]
