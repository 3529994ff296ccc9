"""Matrix products: matmul (batched, broadcasting) and the fused linear layer.

For C = A·B the chain rule gives dA = dC·Bᵀ and dB = Aᵀ·dC; batch dimensions
that were broadcast are summed back by the engine.
"""
from __future__ import annotations

from ..autograd.engine import sum_to_shape
from ..backend import matmul as _mm  # one BLAS thread for small products
from ..autograd.function import Function
from ._util import promote, xp_of


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _mm(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = xp_of(g)
        need = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need[0] else None), (g * a if need[1] else None)
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = xp.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = xp.expand_dims(g2, -1)
        ga = gb = None
        if need[0]:
            ga = _mm(g2, xp.swapaxes(b2, -1, -2))
            ga = sum_to_shape(ga, a2.shape).reshape(a.shape)
        if need[1]:
            gb = _mm(xp.swapaxes(a2, -1, -2), g2)
            gb = sum_to_shape(gb, b2.shape).reshape(b.shape)
        return ga, gb


def matmul(input, other):
    """Matrix product with PyTorch's rules for 1-D operands and broadcast batch dims."""
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError("matmul: both arguments need at least 1 dimension")
    ka = input.shape[-1]
    kb = other.shape[-2] if other.ndim > 1 else other.shape[0]
    if ka != kb:
        raise RuntimeError(
            f"matmul: shapes {tuple(input.shape)} and {tuple(other.shape)} cannot be multiplied ({ka} != {kb})"
        )
    input, other = promote(input, other)
    return MatMul.apply(input, other)


def mm(input, mat2):
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("mm expects 2-D tensors; use matmul for batches")
    return matmul(input, mat2)


def bmm(input, mat2):
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError("bmm expects 3-D tensors (batch, n, m)")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"bmm: batch sizes differ ({input.shape[0]} vs {mat2.shape[0]})")
    return matmul(input, mat2)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError("dot expects 1-D tensors")
    return matmul(input, other)


def outer(input, vec2):
    return matmul(input.reshape(-1, 1), vec2.reshape(1, -1))


class Linear(Function):
    """y = x·Wᵀ + b in one GEMM (fused for speed: no transposed copy, bias added in place)."""

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        ctx.has_bias = b is not None
        # (*, in) is flattened to one 2-D GEMM: NumPy's stacked matmul against a broadcast 2-D
        # operand skips BLAS and runs 20-50x slower for (B, S, in) inputs
        y = _mm(x, w.T) if x.ndim <= 2 else _mm(x.reshape(-1, x.shape[-1]), w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = gw = gb = None
        if need[0]:
            gx = _mm(g, w) if g.ndim <= 2 else _mm(g.reshape(-1, g.shape[-1]), w).reshape(x.shape)
        if need[1]:
            g2 = g.reshape(-1, g.shape[-1])
            gw = _mm(g2.T, x.reshape(-1, x.shape[-1]))
        if ctx.has_bias and need[2]:
            gb = g.reshape(-1, g.shape[-1]).sum(axis=0)
        return gx, gw, gb


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (weight is ``(out_features, in_features)``, as in PyTorch).

    Shape:
        input ``(*, in_features)``, weight ``(out, in)``, bias ``(out,)`` → ``(*, out)``.
    """
    if input.shape[-1:] != weight.shape[-1:] if input.ndim else True:
        raise RuntimeError(
            f"linear: input has {input.shape[-1] if input.ndim else 0} features but weight "
            f"{tuple(weight.shape)} expects {weight.shape[-1]}"
        )
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"linear: input dtype {input.dtype} differs from weight dtype {weight.dtype}; "
            "convert the input (x.float()) or the model (model.double())"
        )
    return Linear.apply(input, weight, bias)


__all__ = ["matmul", "mm", "bmm", "dot", "outer", "linear"]
