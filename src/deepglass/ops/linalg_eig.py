"""The eigen-decomposition of a general (non-symmetric) square matrix: ``linalg.eig`` and ``linalg.eigvals``.

A V = V diag(L): the eigenvalues L and the unit-norm eigenvectors V of a real or complex matrix are
complex in general (a rotation has eigenvalues e^{±iθ}), so both come back as complex64/complex128
whatever the input's dtype, as in PyTorch. Each eigenvector is unique only up to a complex phase: a
loss that depends on that phase has no gradient (use eigenvalues, |V| or V·diag(L)·V⁻¹).

The gradient (PyTorch's convention for complex tensors, grad = ∂L/∂Re + i·∂L/∂Im), with
E_ij = conj(L_j − L_i) off the diagonal and 1 on it:

    gA = V⁻ᴴ (diag(gL) + (Vᴴ gV − Vᴴ V · Re(diag(Vᴴ gV))) / E) Vᴴ

(the ``Re(diag(...))`` term keeps the eigenvectors' unit norm); for a real A the real part is its
gradient. The gradient is undefined at repeated eigenvalues (E_ij = 0), as in PyTorch.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import xp_of
from .linalg_decomp import _host

linalg_eig_return_type = namedtuple("linalg_eig", ["eigenvalues", "eigenvectors"])


def _mH(a):
    return a.swapaxes(-1, -2).conj()


def _complex_of(dtype):
    return np.complex64 if dtype in (np.float32, np.complex64) else np.complex128


class Eig(Function):
    """A → (L, V) with A V = V diag(L); see the module for the gradient."""

    complex_grad = True

    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        ct = _complex_of(a.dtype)
        if a.size == 0:
            w, v = xp.zeros(a.shape[:-1], dtype=ct), xp.zeros(a.shape, dtype=ct)
        else:
            w, v = _host(np.linalg.eig, a)
            w, v = w.astype(ct, copy=False), v.astype(ct, copy=False)
        ctx.save_for_backward(w, v)
        ctx.real_input = a.dtype.kind != "c"
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        xp = xp_of(w)
        n = w.shape[-1]
        vh = _mH(v)
        inner = xp.zeros(w.shape + (n,), dtype=w.dtype)
        if gv is not None:
            vhgv = vh @ gv
            e = (w[..., None, :] - w[..., :, None]).conj()
            e = xp.where(xp.eye(n, dtype=bool), 1, e)
            diag_re = xp.diagonal(vhgv, axis1=-2, axis2=-1).real
            inner = inner + (vhgv - (vh @ v) * diag_re[..., None, :]) / e
        if gw is not None:
            inner = inner + xp.eye(n, dtype=w.dtype) * gw[..., None, :]
        # gA = V⁻ᴴ · inner · Vᴴ, solved instead of inverted
        ga = xp.linalg.solve(vh, inner @ vh)
        return ga.real if ctx.real_input else ga


def _check_square(A, name):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim >= 2 else '?'} by {A.shape[-1] if A.ndim else '?'} matrices")
    if A.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {A.dtype}")
    if A.numel() and not bool(xp_of(A._array).isfinite(A._array).all()):
        raise RuntimeError(f"{name}: the input contains NaN or inf; the eigen-decomposition of such a matrix "
                           "is undefined (check the values that reach it)")


def eig(A, *, out=None):
    """``torch.linalg.eig``: eigenvalues and unit-norm eigenvectors of square matrices, both complex.

    Example:
        >>> import deepglass as dg
        >>> L, V = dg.linalg.eig(dg.tensor([[0.0, -1.0], [1.0, 0.0]]))   # a quarter turn
        >>> L
        tensor([0.+1.j, 0.-1.j])
    """
    _check_square(A, "linalg.eig")
    return linalg_eig_return_type(*Eig.apply(A))


def eigvals(A, *, out=None):
    """``torch.linalg.eigvals``: the (complex) eigenvalues of square matrices; differentiable as :func:`eig`.

    Example:
        >>> import deepglass as dg
        >>> dg.linalg.eigvals(dg.tensor([[2.0, 1.0], [0.0, 3.0]]))
        tensor([2.+0.j, 3.+0.j])
    """
    _check_square(A, "linalg.eigvals")
    return Eig.apply(A)[0]


__all__: list[str] = []  # reached through deepglass.linalg (torch has no top-level eig)
