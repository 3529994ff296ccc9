"""Matrix products, einsum, traces, and distances between vectors.

- ``matmul`` (batched, broadcasting) and the fused ``linear`` layer. For C = A·B the
  chain rule gives dA = dC·Bᵀ and dB = Aᵀ·dC; batch dimensions that were broadcast
  are summed back by the engine.
- ``einsum``: any sum of products written in Einstein notation; the gradient of each
  operand is itself an einsum of the output gradient with the other operands.
- ``trace`` and ``bilinear``. Distances between vectors (``normalize``,
  ``cosine_similarity``, ``pairwise_distance``, ``cdist``) live in ``ops/distance.py``.
"""
from __future__ import annotations

import string

from .._tensor import Tensor
from ..autograd.engine import sum_to_shape
from ..autograd.function import Function
from ..parallel import matmul as _mm  # one BLAS thread for small products
from ._util import promote, xp_of
from .matrix import diagonal
from .pool import _TORCH_DTYPE
from .reduce import sum as _sum


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
        if a.dtype.kind == "c" or b.dtype.kind == "c":  # dA = dC·B^H, dB = A^H·dC (PyTorch's convention)
            a, b = a.conj(), b.conj()
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
        x, w = (a.conj() if a.dtype.kind == "c" else a for a in ctx.saved_tensors)  # complex: PyTorch's convention
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


# ------------------------------------------------------------------- einsum


class _EinsumPlan:
    """A checked equation in NumPy's letters: one subscript string per operand, the output's, the sizes."""

    def __init__(self, inputs, output, sizes):
        self.inputs, self.output, self.sizes = inputs, output, sizes
        self.spec = ",".join(inputs) + "->" + output


class Einsum(Function):
    """out = Σ over the summed subscripts of the product of the operands (all sizes already equal).

    The gradient of operand k is the einsum of the output gradient with the other
    operands, written to k's subscripts: a subscript found only in k (summed in
    the forward) gets the gradient broadcast along it, and a subscript repeated
    in k (a diagonal, a trace) gets it scattered onto the diagonal, zero elsewhere.
    For "ij,jk->ik": dA = einsum("ik,jk->ij", dC, B) = dC·Bᵀ, dB = einsum("ik,ij->jk", dC, A) = Aᵀ·dC.
    """

    @staticmethod
    def forward(ctx, plan, *arrays):
        xp = xp_of(arrays[0])
        out = xp.einsum(plan.spec, *arrays, optimize=True)
        if any(xp.may_share_memory(out, a) for a in arrays):
            out = out.copy()  # NumPy returns views for pure permutations and diagonals ('ij->ji', 'ii->i')
        ctx.plan = plan
        ctx.save_for_backward(*arrays)
        return out

    @staticmethod
    def backward(ctx, g):
        plan = ctx.plan
        arrays = tuple(a.conj() if a.dtype.kind == "c" else a for a in ctx.saved_tensors)  # complex: conj(others)
        xp = xp_of(g)
        grads = [None]
        for k, sub in enumerate(plan.inputs):
            if not ctx.needs_input_grad[k + 1]:
                grads.append(None)
                continue
            others = [j for j in range(len(arrays)) if j != k]
            present = set(plan.output).union(*(plan.inputs[j] for j in others))
            unique = "".join(dict.fromkeys(sub))
            kept = "".join(c for c in unique if c in present)
            spec = ",".join([plan.output] + [plan.inputs[j] for j in others]) + "->" + kept
            gk = xp.einsum(spec, g, *(arrays[j] for j in others), optimize=True)
            if kept != unique:  # constant along the subscripts that only k had
                gk = gk.reshape([plan.sizes[c] if c in kept else 1 for c in unique])
                gk = xp.broadcast_to(gk, [plan.sizes[c] for c in unique])
            if unique != sub:  # repeated subscripts: scatter onto the diagonal
                z = xp.zeros(arrays[k].shape, dtype=g.dtype)
                z[tuple(xp.arange(plan.sizes[c]).reshape([-1 if u == c else 1 for u in unique]) for c in sub)] = gk
                gk = z
            grads.append(gk)
        return tuple(grads)


def _sublist_equation(args):
    """PyTorch's second form einsum(op0, sub0, op1, sub1, ..., [out]): subscripts 0..51 and Ellipsis."""

    def letter(n):
        if n is Ellipsis:
            return "..."
        if 0 <= n < 26:
            return chr(ord("A") + n)
        if 26 <= n < 52:
            return chr(ord("a") + n - 26)
        raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")

    equation = ",".join("".join(letter(n) for n in sub) for sub in args[1::2])
    if len(args) % 2 == 1:
        return equation + "->" + "".join(letter(n) for n in args[-1]), args[:-1:2]
    return equation, args[::2]


def _einsum_terms(equation: str, operands):
    """Split ``equation`` into subscript lists ("..." as one item) per operand and for the output (None: implicit)."""
    arrow = equation.find("->")
    end = len(equation) if arrow < 0 else arrow

    def invalid(i):
        return RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, "
                            "subscripts must be in [a-zA-Z]")

    terms, term, dots = [], [], 0
    for i in range(end + 1):
        c = equation[i] if i < end else ","
        if c == ",":
            if dots:
                raise RuntimeError(f"einsum(): found '.' for operand {len(terms)} that is not part of any ellipsis")
            terms.append(term)
            term = []
        elif c == ".":
            if "..." in term:
                raise RuntimeError(f"einsum(): found '.' for operand {len(terms)} for which an ellipsis was already found")
            dots += 1
            if dots == 3:
                term.append("...")
                dots = 0
        elif dots:
            raise RuntimeError(f"einsum(): found '.' for operand {len(terms)} that is not part of any ellipsis")
        elif c.isascii() and c.isalpha():
            term.append(c)
        elif c != " ":
            raise invalid(i)
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if arrow < 0:
        return terms, None
    out, dots = [], 0
    for i in range(arrow + 2, len(equation)):
        c = equation[i]
        if c == ".":
            if "..." in out:
                raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found")
            dots += 1
            if dots == 3:
                out.append("...")
                dots = 0
        elif dots:
            raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
        elif c.isascii() and c.isalpha():
            if c in out:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if not any(c in t for t in terms):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input operand")
            out.append(c)
        elif c != " ":
            raise invalid(i)
    if dots:
        raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
    return terms, out


def _einsum_plan(equation: str, operands):
    """Check the equation against the operands; return (plan, operands with broadcast size-1 dims squeezed)."""
    terms, out_terms = _einsum_terms(equation, operands)
    # every operand's dims as ids: a letter, or an int for each dim under an ellipsis (right-aligned)
    n_ell = 0
    for k, (term, op) in enumerate(zip(terms, operands)):
        n = len(term) - ("..." in term)
        if "..." not in term and n != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) does not match the number of "
                               f"dimensions ({op.ndim}) for operand {k} and no ellipsis was given")
        if n > op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n}) is more than the number of "
                               f"dimensions ({op.ndim}) for operand {k}")
        n_ell = max(n_ell, op.ndim - n)
    ids, sizes = [], {}
    for k, (term, op) in enumerate(zip(terms, operands)):
        e = op.ndim - (len(term) - ("..." in term))
        row = []
        for t in term:
            row += [n_ell - e + j for j in range(e)] if t == "..." else [t]
        own = {}
        for axis, (i, n) in enumerate(zip(row, op.shape)):
            if i in own and own[i] != n:
                raise RuntimeError(f"einsum(): subscript {i} is repeated for operand {k} but the sizes don't match, "
                                   f"{n} != {own[i]}")
            own[i] = n
            seen = sizes.get(i)
            if seen is None or seen == 1:
                sizes[i] = n
            elif n != seen and n != 1:
                if isinstance(i, int):
                    raise RuntimeError(f"einsum(): dimension {axis} covered by ellipsis in operand "
                                       f"{k} has size {n} which does not broadcast with previously seen ellipsis with "
                                       f"size {seen} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {i} has size {n} for operand {k} which does not broadcast "
                                   f"with previously seen size {seen}")
        ids.append(row)
    if out_terms is None:  # implicit output: the ellipsis dims, then the subscripts used once, sorted (A-Z, a-z)
        counts = {}
        for row in ids:
            for i in row:
                if isinstance(i, str):
                    counts[i] = counts.get(i, 0) + 1
        out_ids = list(range(n_ell)) + sorted(c for c, m in counts.items() if m == 1)
    else:
        out_ids = []
        for t in out_terms:
            out_ids += list(range(n_ell)) if t == "..." else [t]
    # NumPy's letters: the equation's own, and unused ones for the ellipsis dims
    used = {i for row in ids for i in row if isinstance(i, str)}
    free = [c for c in string.ascii_letters if c not in used]
    if n_ell > len(free):
        raise RuntimeError(f"einsum(): too many subscripts: {len(used)} letters and {n_ell} ellipsis dimensions "
                           "exceed the 52 available")
    name = {i: (i if isinstance(i, str) else free[i]) for i in sizes}
    inputs, squeezed = [], []
    for row, op in zip(ids, operands):
        keep = [a for a, (i, n) in enumerate(zip(row, op.shape)) if not (n == 1 and sizes[i] != 1)]
        if len(keep) != op.ndim:  # a broadcast size-1 dim: drop it (its gradient is summed by the reshape back)
            op = op.reshape(tuple(op.shape[a] for a in keep))
        inputs.append("".join(name[row[a]] for a in keep))
        squeezed.append(op)
    plan = _EinsumPlan(inputs, "".join(name[i] for i in out_ids), {name[i]: n for i, n in sizes.items()})
    return plan, squeezed


def einsum(equation, *operands):
    """Sum of products in Einstein notation, as ``torch.einsum``.

    Each operand gets one subscript letter per dimension; a letter shared by
    operands multiplies along that dimension, a letter missing from the output is
    summed over::

        out[i, k] = Σ_j a[i, j] · b[j, k]          # einsum("ij,jk->ik", a, b)

    Without ``->`` the output holds the letters used exactly once, in alphabetical
    order (A-Z before a-z). ``...`` stands for the dimensions not named (they
    broadcast, right-aligned, and lead an implicit output); a letter repeated within
    one operand takes its diagonal (``"ii->i"``, the trace ``"ii"``). Dimensions of
    size 1 broadcast against the same letter elsewhere. Also accepted: the operands
    as one list (``einsum("ij,jk", [a, b])``) and PyTorch's sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``. All operands must share one dtype.

    Example:
        >>> a, b = deepglass.ones(2, 3), deepglass.ones(3, 4)
        >>> deepglass.einsum("ij,jk->ik", a, b).shape
        (2, 4)
        >>> deepglass.einsum("ii", deepglass.eye(3)).item()
        3.0
    """
    if isinstance(equation, Tensor):
        equation, operands = _sublist_equation((equation,) + operands)
    elif not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    for i, op in enumerate(operands):
        if not isinstance(op, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(op).__name__}")
    for i, op in enumerate(operands[1:], 1):
        if op.dtype != operands[0].dtype:
            raise RuntimeError(f"einsum(): operand {i} has dtype {op.dtype} but operand 0 has {operands[0].dtype}; "
                               "PyTorch does not promote here either: convert them (x.to(y.dtype))")
    plan, operands = _einsum_plan(equation, operands)
    return Einsum.apply(plan, *operands)


def trace(input):
    """The sum of the main diagonal of a matrix: tr(A) = Σ_i A[i, i] (integers sum as int64).

    Example:
        >>> deepglass.trace(deepglass.eye(3)).item()
        3.0
    """
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return _sum(diagonal(input))


# ---------------------------------------------------------------- distances


def _torch_name(dtype) -> str:
    return _TORCH_DTYPE.get(str(dtype), str(dtype))


def bilinear(input1, input2, weight, bias=None):
    """Bilinear map y_k = x1ᵀ·A_k·x2 + b_k (``nn.Bilinear``'s kernel), one einsum.

    Args:
        input1: ``(*, in1_features)``; input2: ``(*, in2_features)`` with the same batch dimensions.
        weight: ``(out_features, in1_features, in2_features)``; bias: ``(out_features,)`` or None.

    Returns:
        ``(*, out_features)``.

    Example:
        >>> bilinear(deepglass.randn(4, 2), deepglass.randn(4, 3), deepglass.randn(5, 2, 3)).shape
        (4, 5)
    """
    ts = [("input1", input1), ("input2", input2), ("weight", weight)] + ([("bias", bias)] if bias is not None else [])
    if len({t.dtype for _, t in ts}) > 1:
        raise RuntimeError("All tensors must have the same dtype, got "
                           + ", ".join(f"{n}: {_torch_name(t.dtype)}" for n, t in ts))
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}")
    if input1.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got {input1.shape[i]} "
                               f"and {input2.shape[i]}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out_features, in1_features, in2_features), got shape "
                           f"{tuple(weight.shape)}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but expected "
                           f"{weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but expected "
                           f"{weight.shape[2]}")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != weight.shape[0]):
        got = bias.shape[-1] if bias.ndim else bias.ndim
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {got} but expected "
                           f"{weight.shape[0]}")
    batch = tuple(input1.shape[:-1])
    a = input1.reshape(-1, input1.shape[-1])
    b = input2.reshape(-1, input2.shape[-1])
    y = einsum("ni,oij,nj->no", a, weight, b)
    if bias is not None:
        y = y + bias
    return y.reshape(batch + (weight.shape[0],))


__all__ = ["matmul", "mm", "bmm", "dot", "outer", "linear", "einsum", "trace"]
# `bilinear` is exported by deepglass.nn.functional only (no Tensor method)
