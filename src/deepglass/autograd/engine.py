"""The backward engine: the chain rule over the recorded graph, without recursion.

1. Collect the nodes reachable from the outputs with an explicit stack and order
   them so that each node comes after every node that consumes its output
   (reverse post-order of a depth-first search).
2. Walk that order once. Each node receives the sum of the gradients of its
   output (fan-out adds up), calls its ``backward``, and hands one gradient to
   each input: a leaf accumulates it into ``.grad``; a non-leaf adds it to its
   node's pending gradient.
3. Gradients of broadcast inputs are summed back to the input's shape here, in
   one place (``sum_to_shape``), so no op has to.
4. Without ``retain_graph`` each node drops its saved arrays once used; a second
   backward through it raises an error that says so.
5. The contract of ``backward`` is checked here: one gradient per input, each of
   the input's shape or one that broadcasting reduces to it (PyTorch's errors).
6. A node with several outputs (a multi-output ``Function``) collects one pending
   gradient per output; those that did not flow arrive as zeros (or ``None``
   after ``ctx.set_materialize_grads(False)``).
"""
from __future__ import annotations

from .. import backend
from .._tensor import Tensor, from_array
from . import grad_mode


def sum_to_shape(grad, shape: tuple):
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach it from ``shape``.

    ``shape`` must broadcast to ``grad.shape`` (see :func:`expandable`).
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    if lead:
        grad = grad.reshape(shape)
    return grad


def expandable(shape: tuple, target: tuple) -> bool:
    """Whether an array of ``shape`` broadcasts to ``target`` (PyTorch's ``is_expandable_to``)."""
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(target)))


def _topological_order(roots):
    """Nodes reachable from ``roots``, each after all nodes that use its output."""
    order = []
    visited = set()
    stack = [(node, False) for node in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for inp, v in zip(node._inputs, node._versions):
            if type(inp) is Tensor or isinstance(inp, Tensor):
                fn = inp.grad_fn
                if fn is not None and fn._since > v:  # changed in place since this node used it
                    fn = _inplace.node_at(inp, v)
                if fn is not None and fn is not _inplace.NO_GRAD and fn not in visited:
                    stack.append((fn, False))
    order.reverse()
    return order


def _freed_error(node):
    return RuntimeError(
        f"trying to backward through the graph a second time (node {node.name}): its saved arrays were "
        "freed after the first backward; pass retain_graph=True to the first backward() if you need two"
    )


def _initial_grad(t: Tensor, g):
    if g is None:
        if t._array.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs, got shape {tuple(t.shape)}; "
                "pass backward(gradient=...) with the output's shape"
            )
        xp = backend.array_module_of(t._array)
        return xp.ones(t.shape, dtype=t.dtype)
    g = g._array if isinstance(g, Tensor) else backend.to_device(
        backend.array_module_of(t._array).asarray(g, dtype=t.dtype), t.device
    )
    if g.shape != t.shape:
        raise RuntimeError(f"gradient has shape {tuple(g.shape)} but the output has shape {tuple(t.shape)}")
    return g


def _run_hooks(t: Tensor, g):
    for hook in t._hooks:
        r = hook(from_array(g))
        if r is not None:
            g = r._array if isinstance(r, Tensor) else r
    return g


def _output_index(node, t) -> int:
    """Which output of the multi-output ``node`` the tensor ``t`` is."""
    for i, r in enumerate(node._out_refs):
        if r is not None and r() is t:
            return i
    raise RuntimeError(f"{node.name}: tensor is not an output of this node")  # pragma: no cover - internal


def _add_pending(pending, fn, t, g):
    """Add ``g`` (the gradient of ``t``) to what ``t``'s node will receive."""
    if fn._out_refs is None:
        pending[fn] = pending[fn] + g if fn in pending else g
        return
    slots = pending.get(fn)
    if slots is None:
        slots = pending[fn] = [None] * len(fn._out_refs)
    i = _output_index(fn, t)
    slots[i] = g if slots[i] is None else slots[i] + g


def _output_grads(node, slots, capture, capture_nodes):
    """Hooks, retained grads and captures per output of a multi-output node; then zeros for the missing."""
    for i, r in enumerate(node._out_refs):
        t = r() if r is not None else None
        if t is None or slots[i] is None:
            continue
        if t._hooks:
            slots[i] = _run_hooks(t, slots[i])
        if t._retains_grad:
            t.grad = from_array(slots[i].copy() if t.grad is None else t.grad._array + slots[i])
        if capture is not None and id(t) in capture["grads"] and t in capture_nodes.get(node, ()):
            capture["grads"][id(t)] = slots[i]
    if node._materialize:
        xp = backend.array_module_of(next(g for g in slots if g is not None))
        slots = [xp.zeros(*node._out_meta[i]) if g is None and node._out_meta[i] is not None else g
                 for i, g in enumerate(slots)]
    return slots


def _count_error(node, expected: int, got: int):
    return RuntimeError(
        f"function {node.name} returned an incorrect number of gradients (expected {expected}, got {got}); "
        "backward must return one gradient per positional input of apply (None for inputs without one)"
    )


def _shape_error(node, index: int, got: tuple, shape: tuple):
    return RuntimeError(
        f"Function {node.name} returned an invalid gradient at index {index} - got {list(got)} but expected "
        f"shape compatible with {list(shape)}; return a gradient of the input's shape (or one it broadcasts to)"
    )


def _touches_complex(node, g) -> bool:
    if getattr(g, "dtype", None) is not None and g.dtype.kind == "c":
        return True
    return any(isinstance(a, Tensor) and a._array.dtype.kind == "c" for a in node._inputs)


def _complex_error(node):
    return RuntimeError(
        f"{node.name}: deepglass has no gradient through this op for complex tensors yet (its backward is not "
        "checked against PyTorch's complex convention); compute with real tensors (view_as_real, real, imag), or set "
        "complex_grad = True on a custom Function whose backward returns grad_output * conj(df/dz)"
    )


def _checked_count(node, grads: tuple) -> tuple:
    """The gradients of ``node``'s inputs, or PyTorch's error when there are too few or too many.

    Extra trailing ``None`` s are dropped (as PyTorch does). deepglass lets ``backward``
    omit the gradients of trailing non-Tensor arguments (the options after the last
    Tensor input: an axis, a flag); every Tensor input must get one.
    """
    n = len(node._inputs)
    if len(grads) > n:
        if all(x is None for x in grads[n:]):
            return grads[:n]
        raise _count_error(node, n, len(grads))
    last_tensor = max((i for i, a in enumerate(node._inputs) if isinstance(a, Tensor)), default=-1)
    if len(grads) <= last_tensor:
        raise _count_error(node, n, len(grads))
    return grads


def run_backward(outputs, grad_outputs, retain_graph: bool, inputs=None, capture=None):
    """Back-propagate ``grad_outputs`` from ``outputs``.

    With ``capture`` (``{"tensors": [...], "grads": {id(tensor): None}}``), the
    gradients of those tensors are stored in ``capture["grads"]`` instead of being
    accumulated into ``.grad`` (this is ``autograd.grad``).
    """
    only = None if inputs is None else {id(t) for t in (inputs if isinstance(inputs, (list, tuple)) else [inputs])}
    pending = {}
    roots = []
    for t, g in zip(outputs, grad_outputs):
        if not t.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn: "
                "the output was computed from tensors without requires_grad=True (or under no_grad)"
            )
        g = _initial_grad(t, g)
        if t.grad_fn is None:
            _deliver_to_leaf(t, g, capture, only, fresh=False)
            continue
        if t.grad_fn._freed:
            raise _freed_error(t.grad_fn)
        node = t.grad_fn
        _add_pending(pending, node, t, g)
        roots.append(node)

    # capture of non-leaf tensors: map their node to the tensor(s)
    capture_nodes = {}
    if capture is not None:
        for t in capture["tensors"]:
            if t.grad_fn is not None:
                if t.grad_fn._out_refs is None:
                    capture_nodes[t.grad_fn] = t
                else:
                    capture_nodes.setdefault(t.grad_fn, []).append(t)

    with grad_mode.set_grad_enabled(False):
        for node in _topological_order(roots):
            if node._freed:
                raise _freed_error(node)
            g = pending.pop(node, None)
            if g is None:
                continue
            _check_versions(node)
            if not node.complex_grad and _touches_complex(node, g):
                raise _complex_error(node)
            if node._out_refs is None:
                watched = node.__dict__.get("_watched")  # the output tensor, when it has hooks or retains grad
                if watched is not None:
                    if watched._hooks:
                        g = _run_hooks(watched, g)
                    if watched._retains_grad:
                        watched.grad = from_array(g.copy() if watched.grad is None else watched.grad._array + g)
                if node in capture_nodes:
                    capture["grads"][id(capture_nodes[node])] = g
                grads = node.backward(node, g)
                incoming = (g,)
            else:
                incoming = _output_grads(node, g, capture, capture_nodes)
                grads = node.backward(node, *incoming)
            if type(grads) is not tuple:
                grads = (grads,)
            if len(grads) != len(node._inputs):
                grads = _checked_count(node, grads)
            for i, (inp, gi) in enumerate(zip(node._inputs, grads)):
                if gi is None or not isinstance(inp, Tensor) or not inp.requires_grad:
                    continue
                fn = inp.grad_fn
                if fn is not None and fn._since > node._versions[i]:  # changed in place since this node used it
                    fn = _inplace.node_at(inp, node._versions[i])
                    if fn is _inplace.NO_GRAD:
                        continue
                shape = inp._array.shape
                if gi.shape != shape:
                    if not expandable(shape, gi.shape):
                        raise _shape_error(node, i, gi.shape, shape)
                    gi = sum_to_shape(gi, shape)
                if gi.dtype != inp._array.dtype:
                    if gi.dtype.kind == "c" and inp._array.dtype.kind != "c":
                        gi = gi.real  # a real input's gradient is the real part (PyTorch's convention)
                    gi = gi.astype(inp._array.dtype)
                if fn is None:
                    _deliver_to_leaf(inp, gi, capture, only,
                                     fresh=gi.base is None and all(gi is not x for x in incoming))
                elif fn._out_refs is None:
                    pending[fn] = pending[fn] + gi if fn in pending else gi
                else:
                    _add_pending(pending, fn, inp, gi)
            if not retain_graph:
                node._release()


def _check_versions(node):
    """PyTorch's check: fail when an array this node saved for backward was changed in place since."""
    bad = node.__dict__.get("_overwritten")
    if bad is not None:
        raise _inplace.version_error(node, f"its output is at version {bad[1]}; expected version {bad[0]}")
    for inp, v in zip(node._inputs, node._versions):
        # the input's version read inline (Tensor._version), as Function.apply records it: once per node here
        if isinstance(inp, Tensor) and (0 if inp._vc is None else inp._vc[0]) != v \
                and _inplace.saves_memory_of(node, inp._array):
            raise _inplace.version_error(node, f"an input of shape {list(inp.shape)} is at version "
                                               f"{inp._version}; expected version {v}")


def _deliver_to_leaf(t: Tensor, g, capture, only, fresh: bool):
    if t._hooks:
        g = _run_hooks(t, g)
        fresh = False
    if capture is not None:
        if id(t) in capture["grads"]:
            prev = capture["grads"][id(t)]
            capture["grads"][id(t)] = g if prev is None else prev + g
        return
    if only is not None and id(t) not in only:
        return
    if t.grad is None:
        # the stored gradient must own its memory: callers update it in place
        t.grad = from_array(g if fresh else g.copy())
    else:
        t.grad._array += g


from .. import _inplace  # noqa: E402  (it imports this package's Function)
