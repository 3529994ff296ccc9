"""Numerical gradient checks: autograd against central finite differences.

Full mode (the default): for f: R^n -> R^m every input element x_i is nudged by
±eps and the Jacobian column (f(x + eps e_i) − f(x − eps e_i)) / 2eps is compared
with what backward gives for each output element: 2n forward evaluations and m
backward passes, so only small inputs are affordable.

Fast mode (``fast_mode=True``, PyTorch's name): one random unit direction v per
input and one random unit vector u per output. The central difference along v,
uᵀ(f(x + eps v) − f(x − eps v)) / 2eps ≈ uᵀJv, is compared with the analytic
(Jᵀu)·v, where Jᵀu is one backward pass with ``u`` as the output gradient: two
forward evaluations per input whatever its size. A wrong backward almost surely
changes (Jᵀu)·v for random u, v. Use float64.
"""
from __future__ import annotations

import numpy as np

from .. import backend
from .._tensor import Tensor, from_array
from . import grad_mode


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, *, fast_mode: bool = False,
              seed: int = 0) -> bool:
    """Check ``fn``'s analytical gradients against finite differences.

    Args:
        fn: function of ``inputs`` returning a tensor or a tuple of tensors.
        inputs: a tensor or tuple of tensors; those with ``requires_grad`` are checked.
            They should be float64: float32 differences are too coarse.
        eps: finite-difference step.
        atol, rtol: tolerance of ``|analytical − numerical| <= atol + rtol·|numerical|``.
        fast_mode: check one random direction per input (uᵀJv, see the module) instead of
            the whole Jacobian: two forward evaluations per input, for inputs of any size.
        seed: the seed of the random directions of ``fast_mode`` (the check is reproducible).

    Returns:
        True, or raises ``GradcheckError`` (``raise_exception=True``) naming the
        input, the element and both values.

    Example:
        >>> x = deepglass.randn(3, dtype=deepglass.float64, requires_grad=True)
        >>> gradcheck(deepglass.tanh, (x,))
        True
        >>> y = deepglass.randn(64, 64, dtype=deepglass.float64, requires_grad=True)
        >>> gradcheck(lambda a: a @ a.tanh(), (y,), fast_mode=True)
        True
    """
    inputs = _as_tuple(inputs)
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad and t.dtype != np.float64:
            import warnings

            warnings.warn(f"gradcheck input {i} is {t.dtype}, not float64: the check may be inaccurate", stacklevel=2)

    def evaluate():
        with grad_mode.no_grad():
            outs = _as_tuple(fn(*inputs))
        return [backend.to_numpy(o._array).astype(np.float64).copy() for o in outs if isinstance(o, Tensor)]

    with grad_mode.enable_grad():
        outs = [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor)]
    diff_outs = [o for o in outs if o.requires_grad]
    checked = [(i, t) for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if fast_mode:
        return _fast_check(outs, checked, evaluate, eps, atol, rtol, raise_exception, seed)
    base = evaluate()

    for i, t in checked:
        flat = t._array.reshape(-1)  # a view when contiguous; we restore values after nudging
        if not t._array.flags.c_contiguous:
            raise ValueError(f"gradcheck input {i} must be contiguous")
        n = flat.size
        numerical = [np.zeros((n, o.size)) for o in base]
        for k in range(n):
            old = flat[k].item()
            flat[k] = old + eps
            plus = evaluate()
            flat[k] = old - eps
            minus = evaluate()
            flat[k] = old
            for j in range(len(base)):
                numerical[j][k] = ((plus[j] - minus[j]) / (2 * eps)).reshape(-1)
        for j, o in enumerate(outs):
            if not o.requires_grad:
                if np.any(numerical[j] != 0):
                    return _fail(raise_exception, f"output {j} does not require grad but depends on input {i}")
                continue
            m = o._array.size
            xp = backend.array_module_of(o._array)
            for r in range(m):
                seed = xp.zeros(o.shape, dtype=o.dtype)
                seed.reshape(-1)[r] = 1
                from .engine import run_backward

                capture = {"tensors": [t], "grads": {id(t): None}}
                run_backward([o], [from_array(seed)], retain_graph=True, capture=capture)
                g = capture["grads"][id(t)]
                analytic = np.zeros(n) if g is None else backend.to_numpy(g).astype(np.float64).reshape(-1)
                num = numerical[j][:, r]
                bad = np.abs(analytic - num) > atol + rtol * np.abs(num)
                if np.any(bad):
                    k = int(np.argmax(bad))
                    return _fail(
                        raise_exception,
                        f"gradient mismatch for input {i}, element {k}, output {j} element {r}: "
                        f"analytical {analytic[k]!r} vs numerical {num[k]!r}",
                    )
    del diff_outs
    return True


def _unit(rng, shape):
    v = rng.standard_normal(shape)
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def _fast_check(outs, checked, evaluate, eps, atol, rtol, raise_exception, seed) -> bool:
    """uᵀJv by central differences along v against (Jᵀu)·v by one backward per output."""
    from .engine import run_backward

    rng = np.random.default_rng(seed)
    us = [_unit(rng, o.shape) for o in outs]
    vs = {i: _unit(rng, t.shape) for i, t in checked}
    leaves = [t for _, t in checked]
    # analytic: Jᵀu for every (input, output) pair, one backward pass per differentiable output
    analytic = {}
    for j, (o, u) in enumerate(zip(outs, us)):
        if not o.requires_grad:
            continue
        xp = backend.array_module_of(o._array)
        capture = {"tensors": leaves, "grads": {id(t): None for t in leaves}}
        seed_grad = from_array(backend.to_device(xp.asarray(u, dtype=o.dtype), o.device))
        run_backward([o], [seed_grad], retain_graph=True, capture=capture)
        for i, t in checked:
            g = capture["grads"][id(t)]
            analytic[i, j] = 0.0 if g is None else float(np.sum(backend.to_numpy(g).astype(np.float64) * vs[i]))
    # numerical: uᵀ(f(x + eps v) − f(x − eps v)) / 2eps, one input at a time
    for i, t in checked:
        x0 = t._array.copy()
        step = backend.to_device(backend.array_module_of(x0).asarray(eps * vs[i], dtype=x0.dtype), t.device)
        try:
            t._array[...] = x0 + step
            plus = evaluate()
            t._array[...] = x0 - step
            minus = evaluate()
        finally:
            t._array[...] = x0
        for j, o in enumerate(outs):
            num = float(np.sum(us[j] * (plus[j] - minus[j]))) / (2 * eps)
            if not o.requires_grad:
                if np.any(plus[j] != minus[j]):
                    return _fail(raise_exception, f"output {j} does not require grad but depends on input {i}")
                continue
            ana = analytic[i, j]
            if not abs(ana - num) <= atol + rtol * abs(num):
                return _fail(
                    raise_exception,
                    f"gradient mismatch for input {i}, output {j} (fast mode, one random direction, seed {seed}): "
                    f"analytical uᵀJv {ana!r} vs numerical {num!r}; rerun with fast_mode=False on a small input "
                    "to find the element",
                )
    return True


class GradcheckError(RuntimeError):
    pass


def _fail(raise_exception: bool, msg: str) -> bool:
    if raise_exception:
        raise GradcheckError(msg)
    return False
