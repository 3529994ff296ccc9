"""Activation checkpointing (PyTorch's ``torch.utils.checkpoint``).

``checkpoint(f, x)`` returns ``f(x)`` but keeps none of ``f``'s intermediate arrays: the backward
pass runs ``f`` again (with the random state of the forward, so dropout draws the same mask) and
back-propagates through that recomputation. Memory for activations drops to the segment
boundaries, at the cost of one more forward per segment::

    h = checkpoint(block1, x, use_reentrant=False)
    h = checkpoint(block2, h, use_reentrant=False)
    loss = head(h).sum()
    loss.backward()        # block1 and block2 run again here

Gradients equal the non-checkpointed ones for the inputs and for every tensor ``f`` reaches
(module parameters included), also with ``autograd.grad`` and ``backward(inputs=...)``.
"""
from __future__ import annotations

import contextlib

from .. import random as _random
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Function


def noop_context_fn():
    """The default ``context_fn``: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _flatten(obj, out: list):
    """Tensors of a (nested tuple/list/dict) output, in order, and a spec to rebuild it."""
    if isinstance(obj, Tensor):
        out.append(obj)
        return ("T",)
    if isinstance(obj, (tuple, list)) and type(obj) in (tuple, list):
        return (type(obj), [_flatten(o, out) for o in obj])
    if type(obj) is dict:
        return (dict, [(k, _flatten(v, out)) for k, v in obj.items()])
    return ("C", obj)


def _unflatten(spec, it):
    if spec[0] == "T":
        return next(it)
    if spec[0] == "C":
        return spec[1]
    if spec[0] is dict:
        return {k: _unflatten(s, it) for k, s in spec[1]}
    return spec[0](_unflatten(s, it) for s in spec[1])


def _graph_leaves(roots, stop: set) -> list:
    """Leaf tensors requiring grad that ``roots``' graph reaches (not those with ids in ``stop``)."""
    leaves, seen_t, seen_n = [], set(), set()
    stack = [t.grad_fn for t in roots if t.grad_fn is not None]
    for t in roots:
        if t.grad_fn is None and t.requires_grad and id(t) not in stop:
            seen_t.add(id(t))
            leaves.append(t)
    while stack:
        node = stack.pop()
        if id(node) in seen_n:
            continue
        seen_n.add(id(node))
        for a in node.__dict__.get("_inputs", ()):
            if not isinstance(a, Tensor) or not a.requires_grad:
                continue
            if a.grad_fn is None:
                if id(a) not in stop and id(a) not in seen_t:
                    seen_t.add(id(a))
                    leaves.append(a)
            else:
                stack.append(a.grad_fn)
    return leaves


class _Spec:
    """What the backward needs to recompute: no array of the forward's graph is kept."""


class _CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, *arrays, spec):
        ctx.spec = spec
        flat = spec.flat
        spec.flat = None  # the node owns the output array from here on
        return flat

    @staticmethod
    def backward(ctx, grad):
        spec = ctx.spec
        from ..autograd.engine import run_backward

        detached = []
        for a in spec.args:
            if isinstance(a, Tensor):
                a = a.detach().requires_grad_(a.requires_grad)
            detached.append(a)
        current_rng = _random.get_rng_state() if spec.rng_state is not None else None
        try:
            if spec.rng_state is not None:
                _random.set_rng_state(spec.rng_state)
            with grad_mode.enable_grad(), spec.recompute_ctx:
                out = spec.function(*detached, **spec.kwargs)
        finally:
            if current_rng is not None:
                _random.set_rng_state(current_rng)
        tensors = []
        _flatten(out, tensors)
        if len(tensors) != spec.n_outputs:
            raise RuntimeError("checkpoint: the recomputed function returned a different number of tensors "
                               f"({len(tensors)} instead of {spec.n_outputs}); it must be deterministic")
        outs, grads = [], []
        for i, (start, stop, shape, dtype) in zip(spec.diff_idx, spec.pieces):
            t = tensors[i]
            if not t.requires_grad:
                continue
            if tuple(t.shape) != shape:
                raise RuntimeError(f"checkpoint: the recomputed output {i} has shape {tuple(t.shape)}, the "
                                   f"forward's had {shape}")
            g = grad if spec.single else grad[start:stop].reshape(shape)
            outs.append(t)
            grads.append(g.astype(dtype, copy=False))
        targets = [d for d, a in zip(detached, spec.args) if isinstance(a, Tensor) and a.requires_grad]
        targets += spec.leaves
        capture = {"tensors": targets, "grads": {id(t): None for t in targets}}
        if outs:
            # retain_graph: a tensor that f closes over may link the recomputed graph to the outer
            # one, which the outer pass still has to traverse
            run_backward(outs, grads, True, capture=capture)
        return tuple(capture["grads"][id(t)] for t in targets)


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=noop_context_fn,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True, **kwargs):
    """Run ``function(*args, **kwargs)`` without storing its activations; recompute them in backward.

    Args:
        function: the segment to run (a module or any callable); it must compute the same thing twice.
        *args: its positional arguments; tensors among them get gradients as usual.
        use_reentrant: accepted for PyTorch compatibility. Both variants are served by one
            implementation with the non-reentrant semantics (keyword arguments allowed, gradients
            for every tensor reached, ``autograd.grad`` supported); ``True`` keeps PyTorch's refusal of
            keyword arguments. ``None`` (PyTorch's default, which warns there) acts as ``False``.
        context_fn: returns two context managers, entered around the forward and the recomputation.
        determinism_check: ``"default"`` (the number and shapes of the recomputed tensors are checked)
            or ``"none"``.
        debug, early_stop: accepted for PyTorch compatibility (no effect).
        preserve_rng_state (keyword): restore the random state of the forward for the recomputation
            (default ``True``: dropout draws the same mask twice).
        **kwargs: further keyword arguments of ``function``.

    Returns:
        What ``function`` returns (tensors, or tuples/lists/dicts of them and other values).

    Raises:
        ValueError: keyword arguments with ``use_reentrant=True``, or an unknown ``determinism_check``.

    Example:
        >>> y = checkpoint(block, x, use_reentrant=False)
        >>> y.sum().backward()  # block runs again here
    """
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if determinism_check not in ("default", "none"):
        raise ValueError("determinism_check should be one of ['default', 'none'], but got "
                         f"{determinism_check}")
    forward_ctx, recompute_ctx = context_fn()
    if not grad_mode.is_grad_enabled():
        with forward_ctx:
            return function(*args, **kwargs)
    rng_state = _random.get_rng_state() if preserve else None
    detached = [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a for a in args]
    # the forward records its graph only long enough to see which tensors it reaches; the graph is
    # dropped at the end of this call, the backward rebuilds it
    with forward_ctx:
        out = function(*detached, **kwargs)
    tensors = []
    structure = _flatten(out, tensors)
    diff_idx = [i for i, t in enumerate(tensors) if t.requires_grad]
    if not diff_idx:
        return out
    leaves = _graph_leaves([tensors[i] for i in diff_idx], stop={id(d) for d in detached})
    from .. import backend

    xp = backend.array_module_of(tensors[diff_idx[0]]._array)
    spec = _Spec()
    spec.function, spec.args, spec.kwargs = function, tuple(args), kwargs
    spec.rng_state, spec.recompute_ctx = rng_state, recompute_ctx
    spec.n_outputs, spec.diff_idx, spec.leaves = len(tensors), diff_idx, leaves
    spec.single = len(diff_idx) == 1
    pieces, start = [], 0
    for i in diff_idx:
        t = tensors[i]
        pieces.append((start, start + t._array.size, tuple(t.shape), t.dtype))
        start += t._array.size
    spec.pieces = pieces
    if spec.single:
        spec.flat = tensors[diff_idx[0]]._array
    else:
        dtype = xp.result_type(*[tensors[i]._array for i in diff_idx])
        spec.flat = xp.concatenate([tensors[i]._array.reshape(-1).astype(dtype, copy=False) for i in diff_idx])
    inputs = [a for a in args if isinstance(a, Tensor) and a.requires_grad] + leaves
    flat = _CheckpointFunction.apply(*inputs, spec=spec)
    results = [t.detach() for t in tensors]
    if spec.single:
        results[diff_idx[0]] = flat
    else:
        for i, (a, b, shape, dtype) in zip(diff_idx, pieces):
            piece = flat[a:b].reshape(shape)
            results[i] = piece if piece.dtype == dtype else piece.to(dtype)
    del out, tensors
    return _unflatten(structure, iter(results))


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None, **kwargs):
    """Run a sequence of modules in ``segments`` checkpointed chunks (the last chunk is not checkpointed).

    Args:
        functions: a ``Sequential`` or a list of modules/functions run one after another.
        segments: the number of chunks.
        input: the input of the first function.
        use_reentrant: as :func:`checkpoint`.
        preserve_rng_state (keyword): as :func:`checkpoint`.

    Example:
        >>> y = checkpoint_sequential(model, 2, x, use_reentrant=False)
    """
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn.modules.container import Sequential

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    functions = list(functions)

    def run_function(start, end, fns):
        def forward(x):
            for j in range(start, end + 1):
                x = fns[j](x)
            return x
        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)


__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn"]
