"""Every method of ``Tensor``, declared in one place.

``x.exp()`` is ``deepglass.exp(x)``: each op is written once, in its family's
file, and this table lists which of them are also ``Tensor`` methods. Only
names that PyTorch's ``Tensor`` has belong here (a test checks this against
``dir(torch.Tensor)``); functions such as ``cat`` or ``gelu`` stay in the
``deepglass`` / ``nn.functional`` namespaces, as in PyTorch.

To add a method: write the op in its family, then add one line to
``METHODS`` (or ``INPLACE`` for a trailing-underscore form).
"""
from __future__ import annotations

from . import activation as A
from . import activation_more
from . import arrange as AR
from . import blas as B
from . import compare as C
from . import complex as CX
from . import copies as CP
from . import elementwise as E
from . import indexing as IX
from . import linalg as L
from . import linalg_decomp as LD
from . import linalg_lstsq as LQ
from . import linalg_lu as LU
from . import linalg_solve as LS
from . import matrix as M
from . import pointwise as P
from . import random_draws as RD
from . import reduce as R
from . import scan as SC
from . import scatter_views as SV
from . import shape as S
from . import sparse as SPR
from . import special as SP
from . import spectral as SPC
from . import stats as ST
from . import strided as STR

METHODS = {
    # elementwise: element-wise arithmetic, exp/log, trig, comparisons
    "clone": E.clone, "add": E.add, "sub": E.sub, "subtract": E.subtract, "mul": E.mul, "multiply": E.multiply,
    "div": E.div, "divide": E.divide, "true_divide": E.true_divide, "pow": E.pow, "neg": E.neg,
    "negative": E.negative, "floor_divide": E.floor_divide, "remainder": E.remainder, "exp": E.exp, "log": E.log,
    "log1p": E.log1p, "expm1": E.expm1, "sqrt": E.sqrt, "rsqrt": E.rsqrt, "sin": E.sin, "cos": E.cos, "tanh": E.tanh,
    "sigmoid": E.sigmoid, "reciprocal": E.reciprocal, "abs": E.abs, "absolute": E.absolute, "sign": E.sign,
    "square": E.square, "clamp": E.clamp, "clip": E.clip, "maximum": E.maximum, "minimum": E.minimum,
    "where": E.where, "eq": C.eq, "ne": C.ne, "lt": C.lt, "le": C.le, "gt": C.gt, "ge": C.ge, "greater": C.greater,
    "greater_equal": C.greater_equal, "less": C.less, "less_equal": C.less_equal, "not_equal": C.not_equal,
    "logical_and": C.logical_and, "logical_or": C.logical_or, "logical_xor": C.logical_xor,
    "logical_not": C.logical_not, "bitwise_and": C.bitwise_and, "bitwise_or": C.bitwise_or,
    "bitwise_xor": C.bitwise_xor, "bitwise_not": C.bitwise_not, "isnan": C.isnan, "isinf": C.isinf,
    "isfinite": C.isfinite, "equal": C.equal, "allclose": C.allclose, "isclose": C.isclose, "floor": C.floor,
    "ceil": C.ceil, "round": C.round, "trunc": C.trunc,

    # reduce: reductions
    "sum": R.sum, "mean": R.mean, "prod": R.prod, "max": R.max, "min": R.min, "amax": R.amax, "amin": R.amin,
    "argmax": R.argmax, "argmin": R.argmin, "var": R.var, "std": R.std, "logsumexp": R.logsumexp, "cumsum": R.cumsum,
    "norm": R.norm, "all": R.all, "any": R.any, "count_nonzero": R.count_nonzero,

    # shape: views, joins, indexing, sorting
    "reshape": S.reshape, "view": S.view, "view_as": S.view_as, "reshape_as": S.reshape_as, "flatten": S.flatten,
    "unflatten": S.unflatten, "squeeze": S.squeeze, "unsqueeze": S.unsqueeze, "permute": S.permute,
    "transpose": S.transpose, "swapaxes": S.swapaxes, "swapdims": S.swapdims, "t": S.t, "expand": S.expand,
    "expand_as": S.expand_as, "broadcast_to": S.broadcast_to, "repeat": S.repeat, "tile": S.tile,
    "contiguous": S.contiguous, "flip": S.flip, "narrow": S.narrow, "select": S.select, "nonzero": S.nonzero,
    "split": S.split, "chunk": S.chunk, "unbind": S.unbind, "gather": S.gather, "scatter_add": S.scatter_add,
    "index_select": S.index_select, "masked_fill": S.masked_fill, "nonzero_static": S.nonzero_static, "sort": S.sort, "argsort": S.argsort,
    "topk": S.topk,

    # matrix: triangles and diagonals
    "tril": M.tril, "triu": M.triu, "diagonal": M.diagonal, "diag": M.diag, "diag_embed": M.diag_embed,

    # linalg: products
    "matmul": L.matmul, "mm": L.mm, "bmm": L.bmm, "dot": L.dot, "outer": L.outer, "trace": L.trace,

    # activation: activations PyTorch has as methods
    "relu": A.relu, "softmax": A.softmax, "log_softmax": A.log_softmax, "prelu": A.prelu,
    # activation_more: PyTorch's one Tensor method among them
    "hardshrink": activation_more.hardshrink,

    # special, pointwise: issue 14's unary and binary math (all but isin/rsub are Tensor methods in PyTorch)
    **{n: getattr(SP, n) for n in SP.__all__}, "polygamma": lambda self, n: SP.polygamma(n, self),
    **{n: getattr(P, n) for n in P.__all__ if n not in ("isin", "rsub")},
    # blas: products (tensordot, cartesian_prod, block_diag, chain_matmul are functions only)
    **{n: getattr(B, n) for n in B.__all__ if n not in ("tensordot", "cartesian_prod", "block_diag", "chain_matmul")},
    # scan: scans and order statistics (var_mean/std_mean are functions only)
    **{n: getattr(SC, n) for n in SC.__all__ if n not in ("var_mean", "std_mean")},
    # stats: differences, statistics, counting (the Tensor methods among them)
    **{n: getattr(ST, n) for n in ("diff", "renorm", "dist", "histc", "histogram", "bincount", "unique",
                                    "unique_consecutive", "argwhere", "cov", "corrcoef", "hash_tensor")},
    # indexing: scatter and index ops (all are Tensor methods in PyTorch)
    **{n: getattr(IX, n) for n in IX.__all__},
    # arrange: the Tensor methods among the rearranging ops
    **{n: getattr(AR, n) for n in ("movedim", "moveaxis", "roll", "rot90", "fliplr", "flipud", "repeat_interleave",
                                    "tensor_split", "hsplit", "vsplit", "dsplit", "diagflat", "ravel")},
    # linalg_solve: PyTorch's Tensor methods for determinants, inverses, powers
    "det": LS.det, "logdet": LS.logdet, "slogdet": LS.slogdet, "inverse": LS.inv, "matrix_power": LS.matrix_power,
    "cholesky": LS.cholesky,
    # linalg_decomp, linalg_lu, linalg_lstsq: decompositions and solves (all are Tensor methods in PyTorch)
    **{n: getattr(LD, n) for n in LD.__all__ if not n.endswith("_lowrank")}, **{n: getattr(LU, n) for n in LU.__all__ if n != "lu_unpack"}, "pinverse": LQ.pinverse,
    # scatter_views, copies: the Tensor methods among them (unfold is Tensor.unfold, not nn.functional.unfold)
    **{n: getattr(SV, n) for n in SV.__all__},
    **{n: getattr(CP, n) for n in ("narrow_copy", "split_with_sizes", "unsafe_split", "unsafe_chunk", "msort",
                                    "sum_to_size", "conj", "conj_physical", "resolve_conj", "resolve_neg")},
    "angle": CX.angle, "is_conj": CX.is_conj, "stft": SPC.stft, "istft": SPC.istft,
    "unfold": CP.tensor_unfold, "byte": CP.byte, "char": CP.char, "short": CP.short,

    # sparse: COO conversions (the sparse tensor itself is ops.sparse.SparseTensor)
    "to_sparse": SPR.to_sparse, "to_dense": SPR.to_dense,

    # random_draws: bernoulli, multinomial and the in-place random fills (uniform_, normal_, cauchy_, ...)
    **RD.TENSOR_METHODS,
    # strided: views and allocations with explicit strides
    "as_strided": STR.as_strided, "as_strided_scatter": STR.as_strided_scatter,
    "new_empty_strided": STR.new_empty_strided, "resize_": STR.resize_, "resize_as_": STR.resize_as_,
}

# Python operators; reflected forms (2 - x calls x.__rsub__(2) = sub(2, x)) are made from these
BINARY_OPERATORS = {
    "add": E.add, "sub": E.sub, "mul": E.mul, "truediv": E.div, "floordiv": E.floor_divide,
    "mod": E.remainder, "pow": E.pow, "matmul": L.matmul,
    "and": C.bitwise_and, "or": C.bitwise_or, "xor": C.bitwise_xor,
    "lshift": P.bitwise_left_shift, "rshift": P.bitwise_right_shift,
}
UNARY_OPERATORS = {
    "__neg__": E.neg, "__abs__": E.abs, "__invert__": C.bitwise_not, "__getitem__": S.getitem,
    "__eq__": C.eq, "__ne__": C.ne, "__lt__": C.lt, "__le__": C.le, "__gt__": C.gt, "__ge__": C.ge,
    "__and__": C.bitwise_and, "__or__": C.bitwise_or, "__xor__": C.bitwise_xor,
}
# x += y and friends: in place, see ``_augmented``
AUGMENTED = {"__iadd__": E.add, "__isub__": E.sub, "__imul__": E.mul, "__itruediv__": E.div}
# in-place forms computed out of place and written back into the tensor's memory
INPLACE = {
    "masked_fill_": S.masked_fill, "exp_": E.exp, "sqrt_": E.sqrt, "abs_": E.abs, "neg_": E.neg, "pow_": E.pow,
    "relu_": A.relu, "sigmoid_": E.sigmoid, "tanh_": E.tanh,
}
PROPERTIES = {"T": S._T, "mT": S._mT, "is_sparse": SPR.is_sparse,
              "H": CX._H, "mH": CX._mH,   # H/mH: the conjugate transposes
              "real": CX.real, "imag": CX.imag}


def bind(Tensor) -> None:
    """Attach the tables above to ``Tensor`` (done once, when ``deepglass.ops`` is imported)."""
    for op, fn in BINARY_OPERATORS.items():
        setattr(Tensor, f"__{op}__", fn)
        setattr(Tensor, f"__r{op}__", _reflect(fn))
    for name, fn in UNARY_OPERATORS.items():
        setattr(Tensor, name, fn)
    Tensor.__pos__ = lambda self: self
    Tensor.__hash__ = object.__hash__
    for name, fn in AUGMENTED.items():
        setattr(Tensor, name, _augmented(fn))
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    for name, fn in INPLACE.items():
        setattr(Tensor, name, _inplace_of(fn))
    for name, fn in PROPERTIES.items():
        setattr(Tensor, name, property(fn))


def _reflect(fn):
    def op(self, other):
        return fn(other, self)

    return op


def _augmented(fn):
    """``x += y``: in place, as PyTorch (recorded when ``x`` or ``y`` is part of a graph)."""

    def op(self, other):
        return self._inplace(fn, other)

    return op


def _inplace_of(fn):
    def op(self, *args, **kwargs):
        return self._inplace(fn, *args, **kwargs)

    op.__name__ = fn.__name__ + "_"
    return op
