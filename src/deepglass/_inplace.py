"""In-place ops inside an autograd graph, as PyTorch allows them.

``x.relu_()``, ``x.add_(y)``, ``x[idx] = v`` or ``x += y`` on a tensor that is
part of a graph (a non-leaf, or with an operand that requires grad) write the
new values into ``x``'s memory and make ``x`` stand for the new value:

1. the op runs out of place on a copy of the old value (``old``), so whatever
   its backward saves stays intact, and its result is written into ``x``'s memory;
2. ``x``'s version counter is bumped (views share it with their base), and
   ``x.grad_fn`` becomes the op's node. Nodes recorded *before* the change still
   reach the old node: the engine routes an input recorded at version ``v`` to
   the node that was current then (``node._since`` / ``node._prev``);
3. an in-place op on a view (``x[0].mul_(2)``, ``x.view(-1).add_(1)``) also
   rebases its base: the base's new node writes the view's new values into the
   old base (``WriteView``) and the view becomes a view of the new base
   (``ViewAt``), so gradients through either are PyTorch's;
4. a node whose saved arrays were overwritten fails at backward with PyTorch's
   error ("one of the variables needed for gradient computation has been
   modified by an inplace operation"); nodes that saved nothing that changed
   keep working.

A leaf that requires grad (or a view of one) may not be changed in place while
grad mode is on, as in PyTorch; optimizers update parameters under ``no_grad``.
"""
from __future__ import annotations

from . import backend
from ._tensor import Tensor, bump_version, from_array
from .autograd import grad_mode
from .autograd.function import Function

_HINT = (" (update it under `with deepglass.no_grad():`, as optimizers do, or use the out-of-place form, "
         "e.g. x = x + y)")
LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation." + _HINT
VIEW_LEAF_ERROR = "a view of a leaf Variable that requires grad is being used in an in-place operation." + _HINT
NO_GRAD = "no-grad"  # ``node._prev`` when the tensor did not require grad before the change


def needs_graph(self: Tensor, args) -> bool:
    """Whether an in-place op on ``self`` with operands ``args`` must be recorded."""
    if not grad_mode._state.enabled:
        return False
    if self.requires_grad:
        return True
    return any(isinstance(a, Tensor) and a.requires_grad for a in args)


def check_shape(self: Tensor, shape: tuple) -> None:
    """An in-place result must fit ``self`` without broadcasting ``self`` (PyTorch's message)."""
    if tuple(shape) != tuple(self._array.shape):
        raise RuntimeError(
            f"output with shape {list(self._array.shape)} doesn't match the broadcast shape {list(shape)}; "
            "an in-place op cannot change the tensor's shape (use the out-of-place form)"
        )


def inplace(self: Tensor, fn, *args, **kwargs) -> Tensor:
    """Replace ``self``'s values by ``fn(self, *args, **kwargs)``, recording it when a graph needs it."""
    if not needs_graph(self, args):
        out = fn(self.detach(), *args, **kwargs)
        check_shape(self, out._array.shape)
        return self._assign(out._array)
    if self.grad_fn is None and self.requires_grad:
        raise RuntimeError(LEAF_ERROR)
    base = getattr(self, "_base", None)
    if base is not None and base.grad_fn is None and base.requires_grad:
        raise RuntimeError(VIEW_LEAF_ERROR)
    old = from_array(self._array.copy(), self.grad_fn)  # the old value; what fn's backward may save
    out = fn(old, *args, **kwargs)
    check_shape(self, out._array.shape)
    mark_overwritten(self)
    backend.array_module_of(self._array).copyto(self._array, out._array, casting="unsafe")
    bump_version(self)
    if out.grad_fn is not None and out._array.dtype == self._array.dtype:  # what the node saved of its result now lives in self's memory, as in PyTorch
        _retarget(out.grad_fn, out._array, self._array)
    if base is None:
        rebind(self, out.grad_fn)
    else:
        _rebase_view(self, base, out)
    return self


def _retarget(node, old, new) -> None:
    for k, v in node.__dict__.items():
        if v is old:
            setattr(node, k, new)
        elif type(v) is tuple and any(a is old for a in v):
            setattr(node, k, tuple(new if a is old else a for a in v))


def rebind(t: Tensor, node) -> None:
    """Make ``t`` stand for its new value, produced by ``node`` (None: it no longer requires grad)."""
    if node is not None:
        node._since, node._counter = t._version, t._vc
        node._prev = t.grad_fn if t.requires_grad else NO_GRAD
    t.grad_fn = node
    t.requires_grad = node is not None


def node_at(t: Tensor, version: int):
    """The node that produced ``t`` when it was at ``version`` (follows ``_prev`` back from its current one)."""
    node = t.grad_fn
    while node is not None and node is not NO_GRAD and node._since > version and node._counter is t._vc:
        node = node._prev
    return node


def saved_arrays(node) -> list:
    """The arrays a node keeps for its backward: ``save_for_backward``, and arrays or Tensors held by ctx
    attributes (one level into plain objects, such as checkpoint's recompute spec)."""
    out = []
    for k, v in node.__dict__.items():
        if k not in ("_inputs", "_versions", "_prev", "_counter", "_watched", "_out_refs", "_out_meta"):
            _collect(v, out, depth=1)
    return out


def _collect(v, out: list, depth: int) -> None:
    if isinstance(v, Tensor):
        out.append(v._array)
    elif hasattr(v, "__array_interface__") or backend.is_cuda_array(v):
        out.append(v)
    elif isinstance(v, (tuple, list)):
        for a in v:
            _collect(a, out, depth)
    elif depth and hasattr(v, "__dict__") and not callable(v):
        for a in vars(v).values():
            _collect(a, out, depth - 1)


def saves_memory_of(node, array) -> bool:
    """Whether ``node`` saved an array that overlaps ``array``'s memory."""
    xp = backend.array_module_of(array)
    for s in saved_arrays(node):
        if type(s) is type(array) and xp.may_share_memory(s, array):
            return True
    return False


def mark_overwritten(t: Tensor) -> None:
    """Flag the nodes that produced ``t`` (or its base) and saved that memory: their backward must fail."""
    for owner in (t, getattr(t, "_base", None)):
        node = None if owner is None else owner.grad_fn
        if node is not None and node is not NO_GRAD and saves_memory_of(node, t._array):
            node._overwritten = (owner._version, owner._version + 1)


def version_error(node, detail: str) -> RuntimeError:
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"{detail}, needed by {node.name}. Hint: use the out-of-place form (x = x.relu() instead of "
        "x.relu_()) or clone() the tensor before changing it in place"
    )


# ---------------------------------------------------------------------------------- views
def _ptr(a) -> int:
    return a.__array_interface__["data"][0] if hasattr(a, "__array_interface__") else a.data.ptr


def _offsets(xp, shape, strides, itemsize):
    off = xp.zeros(shape, dtype="int64")
    for d, (n, st) in enumerate(zip(shape, strides)):
        step = [1] * len(shape)
        step[d] = n
        off = off + (xp.arange(n, dtype="int64") * (st // itemsize)).reshape(step)
    return off


def view_positions(base, view):
    """For each element of ``view`` (an array over ``base``'s memory), its flat C-order index in ``base``."""
    xp = backend.array_module_of(base)
    s = base.itemsize
    boff = _offsets(xp, base.shape, base.strides, s).ravel()
    voff = (_ptr(view) - _ptr(base)) // s + _offsets(xp, view.shape, view.strides, s)
    order = xp.argsort(boff, kind="stable")
    pos = xp.searchsorted(boff[order], voff.ravel())
    idx = order[xp.minimum(pos, boff.size - 1)].reshape(view.shape)
    if idx.size and (xp.unique(idx).size != idx.size or not bool((boff[idx.ravel()] == voff.ravel()).all())):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory "
            "location. Please clone() the tensor before performing the operation."
        )
    return idx


class WriteView(Function):
    """``base_new = base_old`` with the view's elements replaced by ``value`` (PyTorch's CopySlices)."""

    @staticmethod
    def forward(ctx, base_old, value, positions, result):
        ctx.positions = positions
        return result

    @staticmethod
    def backward(ctx, g):
        flat = g.reshape(-1)
        g_value = flat[ctx.positions] if ctx.needs_input_grad[1] else None
        g_base = None
        if ctx.needs_input_grad[0]:
            g_base = flat.copy()
            g_base[ctx.positions.ravel()] = 0
            g_base = g_base.reshape(g.shape)
        return g_base, g_value


class ViewAt(Function):
    """The view's elements read from the (new) base: ``view = base.flat[positions]``."""

    @staticmethod
    def forward(ctx, base, positions, result):
        ctx.positions, ctx.shape = positions, base.shape
        return result

    @staticmethod
    def backward(ctx, g):
        xp = backend.array_module_of(g)
        out = xp.zeros(_size(ctx.shape), dtype=g.dtype)
        out[ctx.positions.ravel()] = g.reshape(-1)
        return out.reshape(ctx.shape)


def _size(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _rebase_view(view: Tensor, base: Tensor, out: Tensor) -> None:
    pos = view_positions(base._array, view._array)
    base_old = from_array(base._array, base.grad_fn if base.requires_grad else None)
    base_new = WriteView.apply(base_old, out, pos, base._array)
    rebind(base, base_new.grad_fn)
    view_new = ViewAt.apply(base, pos, view._array)
    rebind(view, view_new.grad_fn)


# ------------------------------------------------------------------------------ functions
class IndexPut(Function):
    """``out = x`` with ``out[index] = value`` (out of place): what ``x[index] = value`` records."""

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index = index
        out = x.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, g):
        gx = None
        if ctx.needs_input_grad[0]:
            gx = g.copy()
            gx[ctx.index] = 0
        return gx, (g[ctx.index] if ctx.needs_input_grad[1] else None)


class Fill(Function):
    """``x`` replaced by ``value`` broadcast to its shape (``fill_``, ``zero_``, ``copy_`` in a graph)."""

    @staticmethod
    def forward(ctx, x, value):
        xp = backend.array_module_of(x)
        out = xp.empty_like(x)
        xp.copyto(out, value, casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, g):
        return None, g


def index_put(x: Tensor, value, index) -> Tensor:
    return IndexPut.apply(x, value, index)


def fill(x: Tensor, value) -> Tensor:
    return Fill.apply(x, value)
