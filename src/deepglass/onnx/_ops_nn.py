"""ONNX mappings of the layer primitives: convolution, pooling, normalisation, shapes, attention, sampling.

Same protocol as :mod:`._ops` (``fn(g, ev, args, kwargs)``, registered in ``CONVERTERS``).
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..ops import adaptive_pool as AP
from ..ops import attention as AT
from ..ops import conv as C
from ..ops import conv_transpose as CT
from ..ops import dropout as D
from ..ops import layout as LY
from ..ops import norm as N
from ..ops import pool as P
from ..ops import reduce as R
from ..ops import sampling as SA
from ..ops import shape as S
from ._ops import converts, operand, out_dtype
from ._trace import DynInt

INT64_MAX = 2**63 - 1


# ------------------------------------------------------------------ convolution
@converts(C.ConvNd)
def _conv(g, ev, args, kwargs):
    x, w, b = ev.args[:3]
    stride, pads, dilation, groups = args[3:7]
    inputs = [g.x(0), g.x(1)] + ([g.x(2)] if b is not None else [])
    g.out(g.node("Conv", inputs, kernel_shape=list(w.shape[2:]), strides=list(stride), dilations=list(dilation),
                 pads=[p[0] for p in pads] + [p[1] for p in pads], group=int(groups)))


@converts(CT.ConvTransposeNd)
def _conv_transpose(g, ev, args, kwargs):
    x, w, b = ev.args[:3]
    stride, padding, output_padding, dilation, groups = args[3:8]
    inputs = [g.x(0), g.x(1)] + ([g.x(2)] if b is not None else [])
    g.out(g.node("ConvTranspose", inputs, kernel_shape=list(w.shape[2:]), strides=list(stride),
                 dilations=list(dilation), pads=list(padding) * 2, output_padding=list(output_padding),
                 group=int(groups)))


# ------------------------------------------------------------------ pooling
def _ceil_mode(sizes, k, s, p, d, out):
    floor = [(n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, ss, pp, dd in zip(sizes, k, s, p, d)]
    return int(any(o > f for o, f in zip(out, floor)))


@converts(P.MaxPoolNd)
def _max_pool(g, ev, args, kwargs):
    x = ev.args[0]
    k, s, p, d, out = args[1:6]
    if kwargs.get("with_indices"):
        raise NotImplementedError("max pooling with return_indices=True")
    g.out(g.node("MaxPool", [g.x(0)], kernel_shape=list(k), strides=list(s), pads=list(p) * 2, dilations=list(d),
                 ceil_mode=_ceil_mode(x.shape[2:], k, s, p, d, out)))


@converts(P.AvgPoolNd)
def _avg_pool(g, ev, args, kwargs):
    x = ev.args[0]
    k, s, p, out, divisor = ev.args[1:6]
    ceil = _ceil_mode(x.shape[2:], k, s, p, (1,) * len(k), out)
    if hasattr(divisor, "shape"):  # per-position divisors: the padding is not counted (count_include_pad=False)
        include = 0
    elif float(divisor) == float(np.prod(k)):
        include = 1
    else:
        raise NotImplementedError("avg_pool with divisor_override")
    g.out(g.node("AveragePool", [g.x(0)], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
                 count_include_pad=include, ceil_mode=ceil))


@converts(AP.AdaptiveAvgPoolNd)
def _adaptive_avg(g, ev, args, kwargs):
    x, bounds = ev.args[0], ev.args[1]
    n = len(bounds)
    sizes = x.shape[-n:]
    if all(len(lo) == 1 and int(lo[0]) == 0 and int(hi[0]) == sz for (lo, hi), sz in zip(bounds, sizes)):
        if x.ndim == n + 2:
            g.out(g.node("GlobalAveragePool", [g.x(0)]))
        else:
            g.out(g.reduce("ReduceMean", g.x(0), list(range(x.ndim - n, x.ndim)), True))
        return
    k, st = [], []
    for lo, hi in bounds:
        lo, hi = np.asarray(lo), np.asarray(hi)
        widths, steps = hi - lo, np.diff(lo)
        if (widths == widths[0]).all() and (len(steps) == 0 or (steps == steps[0]).all() and steps[0] > 0):
            k.append(int(widths[0]))
            st.append(int(steps[0]) if len(steps) else 1)
    if len(k) == n and x.ndim == n + 2:
        g.out(g.node("AveragePool", [g.x(0)], kernel_shape=k, strides=st))
        return
    if n > 2:
        raise NotImplementedError("3-D adaptive average pooling with uneven windows")
    # uneven (or overlapping, or enlarging) windows: one averaging matrix per axis, y = A_h · x · A_wᵀ
    y = g.x(0)
    dt = x._array.dtype
    for axis, ((lo, hi), size) in enumerate(zip(bounds[::-1], sizes[::-1])):
        m = np.zeros((len(lo), size), dtype=dt)
        for o, (a, b) in enumerate(zip(lo, hi)):
            m[o, int(a):int(b)] = 1.0 / (int(b) - int(a))
        y = g.node("MatMul", [y, g.add_initializer(m.T.copy())] if axis == 0 else [g.add_initializer(m), y])
    g.out(y)


@converts(AP.AdaptiveMaxPoolNd)
def _adaptive_max(g, ev, args, kwargs):
    x, index = ev.args[0], ev.args[1]
    n = len(index)
    if kwargs.get("with_indices") or x.ndim != n + 2 or any(np.asarray(i).shape[0] != 1 for i in index):
        raise NotImplementedError("adaptive max pooling to an output size other than 1 (or with indices)")
    g.out(g.node("GlobalMaxPool", [g.x(0)]))


# ------------------------------------------------------------------ normalisation
@converts(N.AffineStats)
def _batch_norm_eval(g, ev, args, kwargs):
    x, w, b, rm, rv, bshape, eps = ev.args
    dt = x._array.dtype
    C = x.shape[1]
    if tuple(bshape) == (1, C) + (1,) * (x.ndim - 2) and x.ndim >= 2:
        scale = g.x(1) if w is not None else g.const(np.ones(C), dt)
        bias = g.x(2) if b is not None else g.const(np.zeros(C), dt)
        g.out(g.node("BatchNormalization", [g.x(0), scale, bias, g.x(3), g.x(4)], epsilon=float(eps)))
        return
    shape = g.ints(bshape)
    mean = g.node("Reshape", [g.x(3), shape])
    inv = g.node("Reciprocal", [g.node("Sqrt", [g.node("Add", [g.node("Reshape", [g.x(4), shape]),
                                                               g.const(eps, dt)])])])
    if w is not None:
        inv = g.node("Mul", [inv, g.node("Reshape", [g.x(1), shape])])
    y = g.node("Mul", [g.node("Sub", [g.x(0), mean]), inv])
    g.out(g.node("Add", [y, g.node("Reshape", [g.x(2), shape])]) if b is not None else y)


@converts(N.Normalize)
def _normalize(g, ev, args, kwargs):
    x, w, b = ev.args[:3]
    axes, bshape, eps = ev.args[3:6]
    center = kwargs.get("center", ev.args[6] if len(ev.args) > 6 else True)
    dt = x._array.dtype
    axes = [int(a) % x.ndim for a in axes]
    trailing = axes == list(range(axes[0], x.ndim))
    tail = tuple(x.shape[axes[0]:]) if trailing else None
    if center and trailing and g.opset >= 17 and (w is None or tuple(w.shape) == tail) and \
            (b is None or tuple(b.shape) == tail):
        scale = g.x(1) if w is not None else g.const(np.ones(tail), dt)
        inputs = [g.x(0), scale] + ([g.x(2)] if b is not None else [])
        g.out(g.node("LayerNormalization", inputs, axis=axes[0], epsilon=float(eps)))
        return
    xv = g.x(0)
    if center:
        xv = g.node("Sub", [xv, g.reduce("ReduceMean", xv, axes, True)])
    var = g.reduce("ReduceMean", g.node("Mul", [xv, xv]), axes, True)
    y = g.node("Div", [xv, g.node("Sqrt", [g.node("Add", [var, g.const(eps, dt)])])])
    if w is not None:
        y = g.node("Mul", [y, g.node("Reshape", [g.x(1), g.ints(bshape)])])
    if b is not None:
        y = g.node("Add", [y, g.node("Reshape", [g.x(2), g.ints(bshape)])])
    g.out(y)


@converts(N.LocalResponseNorm)
def _lrn(g, ev, args, kwargs):
    size, alpha, beta, k = ev.args[1:5]
    g.out(g.node("LRN", [g.x(0)], size=int(size), alpha=float(alpha), beta=float(beta), bias=float(k)))


# ------------------------------------------------------------------ shapes
@converts(S.Reshape)
def _reshape(g, ev, args, kwargs):
    g.out(g.node("Reshape", [g.x(0), g.shape(args[1])]))


@converts(S.Permute)
def _permute(g, ev, args, kwargs):
    g.out(g.node("Transpose", [g.x(0)], perm=[int(a) for a in args[1]]))


@converts(S.Expand)
def _expand(g, ev, args, kwargs):
    x = ev.args[0]
    shape = list(args[1])
    lead = len(shape) - x.ndim
    # where the input already has the size, ONNX's broadcasting keeps it: ask for 1 (batch-size free)
    dims = [1 if (i >= lead and x.shape[i - lead] == s and not isinstance(s, DynInt)) else s
            for i, s in enumerate(shape)]
    g.out(g.node("Expand", [g.x(0), g.shape(dims)]))


@converts(S.Tile)
def _tile(g, ev, args, kwargs):
    x, reps = ev.args[0], list(args[1])
    if len(reps) > x.ndim:
        g_in = g.node("Reshape", [g.x(0), g.ints([1] * (len(reps) - x.ndim) + list(x.shape))])
    else:
        g_in = g.x(0)
        reps = [1] * (x.ndim - len(reps)) + reps
    g.out(g.node("Tile", [g_in, g.shape(reps)]))


@converts(S.Contiguous)
def _identity(g, ev, args, kwargs):
    g.out(g.node("Identity", [g.x(0)]))


@converts(S.Flip)
def _flip(g, ev, args, kwargs):
    axes = [int(a) for a in args[1]]
    n = len(axes)
    g.out(g.node("Slice", [g.x(0), g.ints([-1] * n), g.ints([-INT64_MAX] * n), g.ints(axes), g.ints([-1] * n)]))


@converts(S.Concat)
def _concat(g, ev, args, kwargs):
    g.out(g.node("Concat", [g.x(j) for j in range(len(ev.args))], axis=int(kwargs["axis"])))


@converts(R.TakeAlongDim)
def _take_along(g, ev, args, kwargs):
    g.out(g.node("GatherElements", [g.x(0), g.x(1)], axis=int(ev.args[2])))


@converts(S.MaskedFill)
def _masked_fill(g, ev, args, kwargs):
    g.out(g.node("Where", [g.x(1), operand(g, ev, 2), g.x(0)]))


@converts(S.GetItem)
def _getitem(g, ev, args, kwargs):
    x = ev.args[0]
    index = args[1] if isinstance(args[1], tuple) else (args[1],)
    if not ev.args[2]:  # advanced indexing: one integer array on one axis (the rest full slices)
        arrays = [i for i, a in enumerate(index) if hasattr(a, "shape")]
        if len(arrays) != 1 or any(not (isinstance(a, slice) and a == slice(None)) for i, a in enumerate(index)
                                   if i != arrays[0]) or index[arrays[0]].dtype.kind not in "iu":
            raise NotImplementedError("advanced indexing other than one integer index array")
        idx = g.const(np.asarray(index[arrays[0]]).astype(np.int64), np.int64)
        g.out(g.node("Gather", [g.x(0), idx], axis=arrays[0]))
        return
    n_real = sum(1 for i in index if i is not None and i is not Ellipsis)
    if Ellipsis in index:
        e = index.index(Ellipsis)
        index = index[:e] + (slice(None),) * (x.ndim - n_real) + index[e + 1:]
    starts, ends, axes, steps, drop, insert = [], [], [], [], [], []
    axis = 0  # input axis
    out_axis = 0  # output axis after slicing and before dropping
    for i in index:
        if i is None:
            insert.append(out_axis)
            out_axis += 1
            continue
        if isinstance(i, slice):
            if i != slice(None):
                step = 1 if i.step is None else i.step
                start = i.start if i.start is not None else (0 if step > 0 else -1)
                stop = i.stop if i.stop is not None else (INT64_MAX if step > 0 else -INT64_MAX)
                if not isinstance(stop, DynInt) and step > 0 and stop >= x.shape[axis]:
                    stop = INT64_MAX  # "to the end", whatever the size
                starts.append(start)
                ends.append(stop)
                axes.append(axis)
                steps.append(step)
        else:  # an int: a slice of one, then squeezed
            k = i
            starts.append(k)
            ends.append(INT64_MAX if int(k) == -1 else (k + 1 if not isinstance(k, DynInt) else DynInt(
                int(k) + 1, k.coef, k.symbols, k.offset + 1)))
            axes.append(axis)
            steps.append(1)
            drop.append(out_axis)
        axis += 1
        out_axis += 1
    y = g.x(0)
    if axes:
        y = g.node("Slice", [y, g.shape(starts), g.shape(ends), g.ints(axes), g.ints(steps)])
    # the input axes of the slices map to output axes once the None axes are in: insert first, then drop
    if insert:
        y = g.unsqueeze(y, insert)
    if drop:
        y = g.squeeze(y, drop)
    g.out(g.node("Identity", [y]) if y == g.x(0) else y)


@converts(LY.Pad)
def _pad(g, ev, args, kwargs):
    widths, mode, value = args[1], ev.args[2], ev.args[3]
    pads = [w[0] for w in widths] + [w[1] for w in widths]
    mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    if mode == "wrap" and g.opset < 19:
        raise NotImplementedError("circular padding needs opset 19 or later")
    inputs = [g.x(0), g.shape(pads)]
    if mode == "constant":
        inputs.append(g.const(value, out_dtype(ev)))
    g.out(g.node("Pad", inputs, mode=mode))


def resize(g, call) -> bool:
    """An ``nn.Upsample`` call as one ONNX ``Resize`` (its matrix products skipped); False for other modules."""
    from ..nn.modules.upsampling import Upsample

    m, x, y = call.module, call.input, call.output
    modes = {"nearest": "nearest", "linear": "linear", "bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}
    if not isinstance(m, Upsample) or m.mode not in modes or not isinstance(y, Tensor) or x.ndim < 3:
        return False
    name = g.name_of(x, version=call.in_version, node=call.in_node)
    attrs = {"mode": modes[m.mode]}
    if m.mode == "nearest":
        attrs.update(coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    else:
        attrs["coordinate_transformation_mode"] = "align_corners" if m.align_corners else "pytorch_half_pixel"
        if m.mode == "bicubic":
            attrs["cubic_coeff_a"] = -0.75
    nsp = x.ndim - 2
    if m.size is None and not m.recompute_scale_factor:  # PyTorch samples with the given scale
        sf = m.scale_factor if isinstance(m.scale_factor, (tuple, list)) else (m.scale_factor,) * nsp
        inputs = [name, "", g.const([1.0, 1.0] + [float(s) for s in sf], np.float32)]
    else:
        lead = g.node("Slice", [g.node("Shape", [name]), g.ints([0]), g.ints([2])])
        inputs = [name, "", "", g.node("Concat", [lead, g.ints(y.shape[2:])], axis=0)]
    g.bind(y, g.node("Resize", inputs, **attrs), call.out_version, call.out_node)
    return True


# ------------------------------------------------------------------ attention, sampling
@converts(AT.ScaledDotProductAttention)
def _attention(g, ev, args, kwargs):
    q, k, v, mask, scale, dropout_p, causal = ev.args
    dt = q._array.dtype
    perm = list(range(k.ndim - 2)) + [k.ndim - 1, k.ndim - 2]
    s = g.node("MatMul", [g.x(0), g.node("Transpose", [g.x(1)], perm=perm)])
    s = g.node("Mul", [s, g.const(scale, dt)])
    if mask is not None:
        if mask.dtype == bool:
            s = g.node("Where", [g.x(3), s, g.const(-np.inf, dt)])
        else:
            s = g.node("Add", [s, g.x(3)])
    if causal:
        L, Sk = q.shape[-2], k.shape[-2]
        keep = np.tril(np.ones((L, Sk), dtype=bool))
        s = g.node("Where", [g.const(keep, bool), s, g.const(-np.inf, dt)])
    p = g.node("Softmax", [s], axis=-1)
    g.out(g.node("MatMul", [p, g.x(2)]))


@converts(D.MaskMul, D.AlphaMask, N.BatchNorm)
def _training_only(g, ev, args, kwargs):
    what = "batch norm on batch statistics" if ev.cls is N.BatchNorm else "dropout with a random mask"
    raise NotImplementedError(f"{what} is training-mode behaviour; export with training=TrainingMode.EVAL "
                              "(the default)")


@converts(D.Embedding)
def _embedding(g, ev, args, kwargs):
    g.out(g.node("Gather", [g.x(0), g.x(1)], axis=0))


@converts(SA.GridSample)
def _grid_sample(g, ev, args, kwargs):
    x, grid, mode, padding_mode, align_corners = ev.args
    if x.ndim != 4 or g.opset < 16:
        raise NotImplementedError("grid_sample: ONNX GridSample is 2-D and needs opset 16 or later")
    if g.opset >= 20:
        mode = {"bilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    g.out(g.node("GridSample", [g.x(0), g.x(1)], mode=mode, padding_mode=padding_mode,
                 align_corners=int(bool(align_corners))))
