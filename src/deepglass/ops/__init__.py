"""Every differentiable op, one file per family, and their binding to ``Tensor``.

- ``elementwise`` arithmetic, exp/log, trig, clamp, comparisons
- ``reduce``      sum, mean, max/min, var/std, logsumexp, cumsum, norms
- ``shape``       views, indexing, cat/stack/split, gather/scatter, sort/topk
- ``matrix``      triangles and diagonals (tril/triu, diagonal, diag, diag_embed)
- ``layout``      pad and the pixel/channel shuffles (nn.functional only)
- ``linalg``      matmul, linear, bilinear, einsum, trace; distances (cdist, cosine similarity, normalize)
- ``activation``  relu, softmax, log_softmax, ... (the notes' table)
- ``activation_more``  PyTorch's other activations (shrinkage, SELU/CELU, Mish, GLU, ...)
- ``conv``, ``conv3d``, ``conv_transpose``, ``fold``, ``pool``, ``adaptive_pool``, ``pool3d``, ``norm``, ``dropout``  layers' kernels
  (im2col convolution and its adjoint, unfold/fold, pooling, normalisation)
- ``loss``, ``cross_entropy``, ``margin_loss``  the notes' loss functions (cross-entropy fused with
  log-softmax) and PyTorch's margin, ranking and embedding losses
- ``attention``, ``sampling``  scaled dot-product attention; affine_grid / grid_sample / interpolate

Each module lists its public ops in ``__all__``; the op-registry test checks
that every one of them has a sample entry compared against PyTorch.
"""
from __future__ import annotations

from ..tensor import Tensor
from . import (activation, activation_more, adaptive_pool, attention, conv, conv3d, conv_transpose, cross_entropy, dropout,
               elementwise, fold, layout, linalg, loss, margin_loss, matrix, pool, pool3d, reduce, sampling, shape)
from .activation import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .matrix import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403

import importlib as _importlib  # noqa: E402

# `norm` (the function from reduce) shadows the submodule attribute of the same name
_norm_module = _importlib.import_module(f"{__name__}.norm")

OP_MODULES = [elementwise, reduce, shape, matrix, linalg, activation]
# families reached through deepglass.nn.functional only (not bound as Tensor methods)
FUNCTIONAL_MODULES = [activation, activation_more, conv, conv3d, conv_transpose, fold, pool, adaptive_pool, pool3d, _norm_module, dropout, loss,
                      margin_loss, cross_entropy, attention, sampling, layout]


def _reflect(fn):
    def op(self, other):
        return fn(other, self)

    return op


def _bind_tensor_methods() -> None:
    E, S, L, A = elementwise, shape, linalg, activation
    T = Tensor
    # binary operators and their reflected forms (2 - x calls x.__rsub__(2) = sub(2, x))
    for op, fn in (("add", E.add), ("sub", E.sub), ("mul", E.mul), ("truediv", E.div), ("floordiv", E.floor_divide),
                   ("mod", E.remainder), ("pow", E.pow), ("matmul", L.matmul)):
        setattr(T, f"__{op}__", fn)
        setattr(T, f"__r{op}__", _reflect(fn))
    T.__neg__ = E.neg
    T.__pos__ = lambda self: self
    T.__abs__ = E.abs
    T.__eq__ = E.eq
    T.__ne__ = E.ne
    T.__lt__ = E.lt
    T.__le__ = E.le
    T.__gt__ = E.gt
    T.__ge__ = E.ge
    T.__and__ = E.bitwise_and
    T.__or__ = E.bitwise_or
    T.__xor__ = E.bitwise_xor
    T.__invert__ = E.bitwise_not
    T.__getitem__ = S.getitem
    T.__hash__ = object.__hash__

    T.__iadd__ = _augmented(E.add)
    T.__isub__ = _augmented(E.sub)
    T.__imul__ = _augmented(E.mul)
    T.__itruediv__ = _augmented(E.div)

    for name in (n for m in OP_MODULES for n in m.__all__):
        if name in ("getitem", "equal", "allclose"):
            continue
        if not hasattr(T, name):
            setattr(T, name, getattr(globals()[_module_of(name)], name))
    T.equal = E.equal
    T.allclose = E.allclose
    T.T = property(S._T)
    T.mT = property(S._mT)
    T.clip = E.clamp
    T.masked_fill_ = _inplace_of(S.masked_fill)
    T.exp_ = _inplace_of(E.exp)
    T.sqrt_ = _inplace_of(E.sqrt)
    T.abs_ = _inplace_of(E.abs)
    T.neg_ = _inplace_of(E.neg)
    T.pow_ = _inplace_of(E.pow)
    T.relu_ = _inplace_of(A.relu)
    T.sigmoid_ = _inplace_of(E.sigmoid)
    T.tanh_ = _inplace_of(E.tanh)
    T.clone = E.clone
    T.hardshrink = activation_more.hardshrink  # PyTorch's one Tensor method among them


def _grad_on():
    from ..autograd import grad_mode

    return grad_mode._state.enabled


def _augmented(fn):
    """``x += y``: in place (as PyTorch), except on a non-leaf inside a graph, where
    it records the out-of-place op instead so the gradient stays right."""

    def op(self, other):
        if self.requires_grad and self.grad_fn is not None and _grad_on():
            return fn(self, other)
        return self._assign(fn(self.detach(), other.detach() if isinstance(other, Tensor) else other).data)

    return op


def _inplace_of(fn):
    def op(self, *args, **kwargs):
        return self._assign(fn(self.detach(), *args, **kwargs).data)

    op.__name__ = fn.__name__ + "_"
    return op


def _module_of(name):
    for m in OP_MODULES:
        if name in m.__all__:
            return m.__name__.rsplit(".", 1)[1]
    raise KeyError(name)


_bind_tensor_methods()
