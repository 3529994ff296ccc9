"""Higher-level autograd functions (PyTorch's ``torch.autograd.functional``).

- :func:`vjp` — outputs of ``func`` and the vector-Jacobian product vᵀJ (one backward pass)
- :func:`jacobian` — the full Jacobian, one backward pass per output element

Structure follows PyTorch: a Tensor input/output gives Tensors, a tuple gives tuples; the
Jacobian of output ``i`` with respect to input ``j`` has shape ``out_i.shape + in_j.shape``
(``jac[i][j]`` when both are tuples).

``create_graph=True`` and :func:`hessian`, :func:`jvp`, :func:`hvp`, :func:`vhp` need
differentiating a backward pass (double backward), which deepglass's engine does not record:
they raise ``NotImplementedError``. There is no forward-mode AD either
(``strategy="forward-mode"``).

Example:
    >>> x = deepglass.tensor([1.0, 2.0])
    >>> jacobian(lambda t: t ** 2, x)
    tensor([[2., 0.],
            [0., 4.]])
"""
from __future__ import annotations

from .._tensor import Tensor
from . import grad_mode

_NO_DOUBLE_BACKWARD = ("deepglass has no double backward: its backward passes run on raw arrays and record "
                       "no graph")


def _no_create_graph(fn_name: str) -> None:
    raise NotImplementedError(f"{fn_name}(create_graph=True) needs a differentiable backward pass; "
                              f"{_NO_DOUBLE_BACKWARD}. Use create_graph=False.")


def _as_tuple(inp, arg_name: str, fn_name: str):
    is_inp_tuple = True
    if not isinstance(inp, tuple):
        inp = (inp,)
        is_inp_tuple = False
    for i, el in enumerate(inp):
        if not isinstance(el, Tensor):
            if is_inp_tuple:
                raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                                f"but the value at index {i} has type {type(el)}.")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                            f"but the given {arg_name} has type {type(el)}.")
    return is_inp_tuple, inp


def _tuple_postprocess(res, to_unpack):
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _validate_v(v, other, is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (el_v, el_other) in enumerate(zip(v, other)):
        if tuple(el_v.shape) != tuple(el_other.shape):
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(f"{prepend}v has invalid size: should be {tuple(el_other.shape)} but got "
                               f"{tuple(el_v.shape)}.")


def _check_outputs_require_grad(outputs, strict: bool) -> None:
    if not strict:
        return
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. The outputs "
                               "must be computed in a differentiable manner from the input when running in strict "
                               "mode.")


def _autograd_grad(outputs, inputs, grad_outputs, retain_graph: bool):
    from . import grad as _grad

    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return _grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs], retain_graph=retain_graph,
                 allow_unused=True)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``func(*inputs)`` and the vector-Jacobian product ``vᵀ·J`` (the gradient of ``Σ v·func(inputs)``).

    Args:
        func: takes the input tensor(s), returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors.
        v: the vector(s) with the outputs' shapes; may be ``None`` only for a one-element output.
        create_graph: must be ``False`` (no double backward in deepglass).
        strict: raise when an output does not depend differentiably on the inputs, instead of
            returning zeros.

    Returns:
        ``(outputs, vjp)``: the detached outputs (Tensor or tuple, as ``func`` returns) and the
        products (Tensor or tuple, as ``inputs``).

    Raises:
        NotImplementedError: ``create_graph=True``.
        RuntimeError: a wrongly shaped ``v``, a missing ``v`` for a non-scalar output, or a
            ``strict`` violation.

    Example:
        >>> out, g = vjp(lambda t: t ** 2, deepglass.tensor([1.0, 2.0]), deepglass.ones(2))
        >>> g
        tensor([2., 4.])
    """
    if create_graph:
        _no_create_graph("vjp")
    with grad_mode.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = tuple(t.detach().requires_grad_(True) for t in inputs)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        _check_outputs_require_grad(outputs, strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = tuple(t.detach() for t in v)
            _validate_v(v, outputs, is_outputs_tuple)
        else:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                                   "Tensor with a single element.")
            v = (None,)
        grads = _autograd_grad(outputs, inputs, v, retain_graph=False)
    from ..creation import zeros_like

    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This is "
                                   "not allowed in strict mode.")
            g = zeros_like(inputs[i])
        res.append(g.detach())
    outputs = tuple(o.detach() for o in outputs)
    return _tuple_postprocess(outputs, is_outputs_tuple), _tuple_postprocess(tuple(res), is_inputs_tuple)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``, by one backward pass per output element.

    Args:
        func: takes the input tensor(s), returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of Tensors.
        create_graph: must be ``False`` (no double backward in deepglass).
        strict: raise when an output is independent of an input instead of returning zeros.
        vectorize: accepted for PyTorch compatibility (same result; the passes run one by one).
        strategy: ``"reverse-mode"`` (``"forward-mode"`` needs forward-mode AD: NotImplementedError).

    Returns:
        One Tensor of shape ``out.shape + in.shape`` for a Tensor in and out; a tuple over inputs
        for tuple inputs; a tuple over outputs for tuple outputs; ``jac[i][j]`` for both.

    Raises:
        NotImplementedError: ``create_graph=True`` or ``strategy="forward-mode"``.
        ValueError: an unknown ``strategy``.
        RuntimeError: ``strict`` violations, ``strict`` with ``vectorize``.

    Example:
        >>> jacobian(lambda a, b: a * b, (deepglass.ones(2), deepglass.ones(2)))[0].shape
        (2, 2)
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function '
                         'has a single output and many inputs, the default "reverse-mode" is faster.')
    if strategy == "forward-mode":
        raise NotImplementedError("jacobian(strategy='forward-mode') needs forward-mode automatic differentiation, "
                                  "which deepglass does not have; use strategy='reverse-mode'.")
    if create_graph:
        _no_create_graph("jacobian")
    from ..creation import zeros_like
    from ..ops.shape import stack

    with grad_mode.enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = tuple(t.detach().requires_grad_(True) for t in inputs)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jacobian")
        _check_outputs_require_grad(outputs, strict)
        if vectorize and strict:
            raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
                               "supported together. Please either set `strict=False` or `vectorize=False`.")
        jac = []
        for i, out in enumerate(outputs):
            cols = [[] for _ in inputs]
            n = out.numel()
            for j in range(n):
                onehot = zeros_like(out.detach())
                onehot._array.reshape(-1)[j] = 1
                vj = _autograd_grad((out,), inputs, (onehot,), retain_graph=True)
                for k, (col, g, inp) in enumerate(zip(cols, vj, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is independent of input "
                                               f"{k}. This is not allowed in strict mode.")
                        g = zeros_like(inp.detach())
                    col.append(g.detach())
            row = []
            for col, inp in zip(cols, inputs):
                shape = tuple(out.shape) + tuple(inp.shape)
                if col:
                    row.append(stack(col, 0).reshape(shape))
                else:
                    from ..creation import zeros

                    row.append(zeros(shape, dtype=inp.dtype, device=inp.device))
            jac.append(tuple(row))
    return _tuple_postprocess(tuple(jac), (is_outputs_tuple, is_inputs_tuple))


def _needs_double_backward(name: str):
    def fn(*args, **kwargs):
        raise NotImplementedError(
            f"autograd.functional.{name} differentiates a backward pass (double backward); "
            f"{_NO_DOUBLE_BACKWARD}. jacobian() and vjp() (reverse mode, create_graph=False) are available.")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Not available in deepglass: ``{name}`` needs double backward (raises NotImplementedError)."
    return fn


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """Not available: the Hessian differentiates the gradient (double backward). Raises NotImplementedError."""
    _needs_double_backward("hessian")()


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Not available: PyTorch's jvp is the double-backward trick. Raises NotImplementedError."""
    _needs_double_backward("jvp")()


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Not available: a Hessian-vector product needs double backward. Raises NotImplementedError."""
    _needs_double_backward("hvp")()


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """Not available: a vector-Hessian product needs double backward. Raises NotImplementedError."""
    _needs_double_backward("vhp")()


__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]
