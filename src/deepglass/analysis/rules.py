"""Shape and counting rules of the leaf layers, keyed by class name (PyTorch's attribute names).

Each rule takes the module and its input shape and returns a :class:`LeafInfo`:
the output shape (computed from the attributes without touching any data), the
multiply-accumulates, the element-wise operations, the geometry shown in the
summary (kernel, stride, padding, dilation, groups) and how the layer moves a
receptive field. A rule raises :class:`ShapeError` when the input does not fit
the layer; the caller adds the layer's name.

Output sizes (the notes' formula, generalised with dilation d):

    conv / pool:      n_out = ⌊(n_in + 2p − d(k−1) − 1)/s⌋ + 1       (= ⌊(n_in + 2p − k)/s⌋ + 1 for d = 1)
    ceil_mode pools:  ⌈…⌉ instead of ⌊…⌋, minus one if the last window would start in the right padding
    transposed conv:  n_out = (n_in − 1)s − 2p + d(k−1) + output_padding + 1
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field


class ShapeError(ValueError):
    """An input shape that a layer cannot take (wrong channels, a feature map shrunk below 1...)."""


@dataclass
class LeafInfo:
    out_shape: tuple
    macs: int = 0
    elementwise: int = 0
    geometry: dict = field(default_factory=dict)
    # receptive-field effect: ("keep",), ("whole",) or ("window", k, s, p, d) with per-axis tuples
    rf: tuple = ("keep",)
    out_dtype: object = None


def prod(xs) -> int:
    out = 1
    for x in xs:
        out *= int(x)
    return out


def _tup(v, n: int) -> tuple:
    if isinstance(v, (tuple, list)):
        if len(v) == 1 and n > 1:
            return tuple(int(v[0]) for _ in range(n))
        if len(v) != n:
            raise ShapeError(f"expected {n} values, got {tuple(v)}")
        return tuple(int(x) for x in v)
    return (int(v),) * n


def _need_ndim(shape, nd_spatial: int, what: str) -> None:
    if len(shape) != nd_spatial + 2:
        raise ShapeError(f"expects a {nd_spatial + 2}-D input (N, C, {', '.join('HW'[-nd_spatial:] if nd_spatial <= 2 else 'DHW')}) "
                         f"for {what}, got shape {tuple(shape)}")


def _check_channels(shape, expected: int, attr: str) -> None:
    if shape[1] != expected:
        raise ShapeError(f"expects {expected} input channels ({attr}={expected}), got input of shape {tuple(shape)} "
                         f"with {shape[1]} channels")


def _spatial_out(shape, outs, k, s, p, d, formula: str) -> None:
    for axis, (n, o) in enumerate(zip(shape[2:], outs)):
        if o < 1:
            raise ShapeError(
                f"input of shape {tuple(shape)} gives an output size {o} < 1 on spatial axis {axis} "
                f"({formula} with n_in={n}, k={k[axis]}, s={s[axis]}, p={p[axis]}, d={d[axis]}); "
                "use a larger input or remove a down-sampling layer")


# ---------------------------------------------------------------- convolution
def _conv_padding(m, k, d, nd):
    pad = m.padding
    if isinstance(pad, str):
        if pad == "valid":
            return (0,) * nd
        if pad == "same":
            return tuple(d[i] * (k[i] - 1) // 2 for i in range(nd))
        raise ShapeError(f"unknown padding {pad!r}")
    return _tup(pad, nd)


def conv(m, shape, nd: int) -> LeafInfo:
    _need_ndim(shape, nd, type(m).__name__)
    _check_channels(shape, m.in_channels, "in_channels")
    k, s, d = _tup(m.kernel_size, nd), _tup(m.stride, nd), _tup(m.dilation, nd)
    p = _conv_padding(m, k, d, nd)
    if isinstance(m.padding, str) and m.padding == "same":
        outs = tuple(shape[2:])
    else:
        outs = tuple((n + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i, n in enumerate(shape[2:]))
    _spatial_out(shape, outs, k, s, p, d, "n_out = ⌊(n_in + 2p − d(k−1) − 1)/s⌋ + 1")
    out = (shape[0], m.out_channels) + outs
    g = int(m.groups)
    macs = prod(out) * (m.in_channels // g) * prod(k)
    bias = prod(out) if getattr(m, "bias", None) is not None else 0
    return LeafInfo(out, macs, bias, dict(kernel_size=k, stride=s, padding=p, dilation=d, groups=g),
                    ("window", k, s, p, d))


def conv_transpose(m, shape, nd: int) -> LeafInfo:
    _need_ndim(shape, nd, type(m).__name__)
    _check_channels(shape, m.in_channels, "in_channels")
    k, s, d = _tup(m.kernel_size, nd), _tup(m.stride, nd), _tup(m.dilation, nd)
    p, op = _tup(m.padding, nd), _tup(getattr(m, "output_padding", 0), nd)
    outs = tuple((n - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1 for i, n in enumerate(shape[2:]))
    _spatial_out(shape, outs, k, s, p, d, "n_out = (n_in − 1)s − 2p + d(k−1) + output_padding + 1")
    out = (shape[0], m.out_channels) + outs
    g = int(m.groups)
    # every input pixel scatters a kernel: N·Cin·(Cout/g)·∏k·∏n_in
    macs = prod(shape) * (m.out_channels // g) * prod(k)
    bias = prod(out) if getattr(m, "bias", None) is not None else 0
    return LeafInfo(out, macs, bias, dict(kernel_size=k, stride=s, padding=p, dilation=d, groups=g),
                    ("transposed", k, s, p, d))


def linear(m, shape) -> LeafInfo:
    if len(shape) < 1 or shape[-1] != m.in_features:
        raise ShapeError(f"expects inputs with {m.in_features} features in the last dimension (in_features), "
                         f"got input of shape {tuple(shape)}")
    out = tuple(shape[:-1]) + (m.out_features,)
    bias = prod(out) if getattr(m, "bias", None) is not None else 0
    return LeafInfo(out, prod(out) * m.in_features, bias, {}, ("whole",))


# ------------------------------------------------------------------- pooling
def pool_out(n, k, s, p, d, ceil_mode):
    num = n + 2 * p - d * (k - 1) - 1
    out = (num + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def pool(m, shape, nd: int, avg: bool) -> LeafInfo:
    if len(shape) not in (nd + 1, nd + 2):
        raise ShapeError(f"expects a {nd + 1}-D or {nd + 2}-D input, got shape {tuple(shape)}")
    if len(shape) == nd + 1:
        shape = (1,) + tuple(shape)  # unbatched: treat as N = 1 for the geometry
        unbatched = True
    else:
        unbatched = False
    k = _tup(m.kernel_size, nd)
    stride = getattr(m, "stride", None)
    s = k if stride is None or stride == () or stride == [] else _tup(stride, nd)
    p = _tup(getattr(m, "padding", 0), nd)
    d = _tup(getattr(m, "dilation", 1), nd)
    ceil = bool(getattr(m, "ceil_mode", False))
    outs = tuple(pool_out(n, k[i], s[i], p[i], d[i], ceil) for i, n in enumerate(shape[2:]))
    _spatial_out(shape, outs, k, s, p, d, "n_out = ⌊(n_in + 2p − d(k−1) − 1)/s⌋ + 1")
    out = tuple(shape[:2]) + outs
    ew = prod(out) * prod(k) if avg else 0
    if unbatched:
        out = out[1:]
    return LeafInfo(out, 0, ew, dict(kernel_size=k, stride=s, padding=p, dilation=d), ("window", k, s, p, d))


def _adaptive_windows(n, n_out):
    starts = [(i * n) // n_out for i in range(n_out)]
    ends = [-((-(i + 1) * n) // n_out) for i in range(n_out)]
    return starts, ends


def adaptive_pool(m, shape, nd: int, avg: bool) -> LeafInfo:
    if len(shape) < nd + 1:
        raise ShapeError(f"expects at least a {nd + 1}-D input, got shape {tuple(shape)}")
    osz = m.output_size
    osz = osz if isinstance(osz, (tuple, list)) else (osz,) * nd
    outs = tuple(int(shape[-nd + i]) if o is None else int(o) for i, o in enumerate(osz))
    out = tuple(shape[:-nd]) + outs
    ew, ks, ss, whole, exact = 0, [], [], True, True
    per_axis = 1
    for n, o in zip(shape[-nd:], outs):
        st, en = _adaptive_windows(n, o)
        per_axis *= sum(e - b for b, e in zip(st, en))
        if o != 1:
            whole = False
        if n % o:
            exact = False
        ks.append(-(-n // o) + (0 if n % o == 0 else 1))
        ss.append(max(n // o, 1))
    if avg:
        ew = prod(shape[:-nd]) * per_axis
    if whole:
        rf = ("whole",)
    else:
        rf = ("window", tuple(ks), tuple(ss), (0,) * nd, (1,) * nd, "exact" if exact else "approximate")
    return LeafInfo(out, 0, ew, dict(output_size=outs), rf)


# ------------------------------------------------------------- normalisation
def batch_norm(m, shape, training) -> LeafInfo:
    if len(shape) < 2:
        raise ShapeError(f"expects an input of at least 2 dimensions (N, C, ...), got {tuple(shape)}")
    _check_channels(shape, m.num_features, "num_features")
    per = 4 if training else 2  # eval: one scale and one shift per element (statistics folded)
    return LeafInfo(tuple(shape), 0, per * prod(shape))


def layer_norm(m, shape) -> LeafInfo:
    ns = tuple(m.normalized_shape) if isinstance(m.normalized_shape, (tuple, list)) else (m.normalized_shape,)
    if tuple(shape[-len(ns):]) != ns:
        raise ShapeError(f"normalized_shape={ns} does not match the trailing dimensions of input shape {tuple(shape)}")
    affine = bool(getattr(m, "elementwise_affine", True))
    return LeafInfo(tuple(shape), 0, (5 if affine else 3) * prod(shape))


def group_norm(m, shape) -> LeafInfo:
    _check_channels(shape, m.num_channels, "num_channels")
    affine = bool(getattr(m, "affine", True))
    return LeafInfo(tuple(shape), 0, (5 if affine else 3) * prod(shape))


def instance_norm(m, shape) -> LeafInfo:
    if getattr(m, "affine", False) or getattr(m, "track_running_stats", False):
        _check_channels(shape, m.num_features, "num_features")
    affine = bool(getattr(m, "affine", False))
    return LeafInfo(tuple(shape), 0, (5 if affine else 3) * prod(shape))


# --------------------------------------------------------------- the others
def elementwise(per: int):
    def rule(m, shape, training=False):
        return LeafInfo(tuple(shape), 0, per * prod(shape))

    return rule


def softmax(m, shape, training=False) -> LeafInfo:
    dim = getattr(m, "dim", None)
    spatial = dim is None or (len(shape) >= 3 and (dim % len(shape)) >= 2)
    return LeafInfo(tuple(shape), 0, 3 * prod(shape), {}, ("whole",) if spatial else ("keep",))


def flatten(m, shape, training=False) -> LeafInfo:
    n = len(shape)
    a, b = int(m.start_dim) % max(n, 1), int(m.end_dim) % max(n, 1)
    out = tuple(shape[:a]) + (prod(shape[a:b + 1]),) + tuple(shape[b + 1:])
    keep = b < 2 or n < 3  # merging only batch/channel axes keeps the spatial layout
    return LeafInfo(out, 0, 0, {}, ("keep",) if keep and len(out) == n else ("whole",))


def unflatten(m, shape, training=False) -> LeafInfo:
    dim = int(m.dim) % len(shape)
    sizes = list(m.unflattened_size)
    if -1 in sizes:
        known = prod(s for s in sizes if s != -1)
        sizes[sizes.index(-1)] = shape[dim] // known
    if prod(sizes) != shape[dim]:
        raise ShapeError(f"unflattened_size={tuple(m.unflattened_size)} does not match dimension {dim} of {tuple(shape)}")
    return LeafInfo(tuple(shape[:dim]) + tuple(sizes) + tuple(shape[dim + 1:]), 0, 0, {}, ("whole",))


@dataclass
class _OutputSize:
    output_size: tuple


def upsample(m, shape, training=False) -> LeafInfo:
    nd = len(shape) - 2
    if m.size is not None:
        outs = _tup(m.size, nd)
    else:
        sf = m.scale_factor if isinstance(m.scale_factor, (tuple, list)) else (m.scale_factor,) * nd
        outs = tuple(int(math.floor(n * float(f))) for n, f in zip(shape[2:], sf))
    out = tuple(shape[:2]) + outs
    mode = getattr(m, "mode", "nearest")
    if mode == "area":  # interpolate's 'area' is adaptive average pooling to the output size
        return adaptive_pool(_OutputSize(outs), shape, nd, avg=True)
    per = 0 if mode in ("nearest", "nearest-exact") else {"linear": 2, "bilinear": 4, "bicubic": 16,
                                                          "trilinear": 8}.get(mode, 4)
    scale = tuple(o / n for o, n in zip(outs, shape[2:]))
    return LeafInfo(out, 0, per * prod(out), dict(mode=mode), ("upsample", scale))


def embedding(m, shape, training=False) -> LeafInfo:
    return LeafInfo(tuple(shape) + (m.embedding_dim,), 0, 0, {}, ("whole",), out_dtype=m.weight.dtype)


def identity(m, shape, training=False) -> LeafInfo:
    return LeafInfo(tuple(shape))


ACTIVATIONS = ("ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Sigmoid", "Tanh",
               "Hardswish", "Hardsigmoid", "Hardtanh", "Mish", "Softplus", "Softsign", "Tanhshrink", "Threshold",
               "LogSigmoid", "Hardshrink", "Softshrink", "QuickGELU")

LEAF_RULES = {
    "Conv1d": lambda m, s, t=False: conv(m, s, 1),
    "Conv2d": lambda m, s, t=False: conv(m, s, 2),
    "Conv3d": lambda m, s, t=False: conv(m, s, 3),
    "ConvTranspose1d": lambda m, s, t=False: conv_transpose(m, s, 1),
    "ConvTranspose2d": lambda m, s, t=False: conv_transpose(m, s, 2),
    "ConvTranspose3d": lambda m, s, t=False: conv_transpose(m, s, 3),
    "Linear": lambda m, s, t=False: linear(m, s),
    "NonDynamicallyQuantizableLinear": lambda m, s, t=False: linear(m, s),
    "MaxPool1d": lambda m, s, t=False: pool(m, s, 1, False),
    "MaxPool2d": lambda m, s, t=False: pool(m, s, 2, False),
    "MaxPool3d": lambda m, s, t=False: pool(m, s, 3, False),
    "AvgPool1d": lambda m, s, t=False: pool(m, s, 1, True),
    "AvgPool2d": lambda m, s, t=False: pool(m, s, 2, True),
    "AvgPool3d": lambda m, s, t=False: pool(m, s, 3, True),
    "AdaptiveAvgPool1d": lambda m, s, t=False: adaptive_pool(m, s, 1, True),
    "AdaptiveAvgPool2d": lambda m, s, t=False: adaptive_pool(m, s, 2, True),
    "AdaptiveAvgPool3d": lambda m, s, t=False: adaptive_pool(m, s, 3, True),
    "AdaptiveMaxPool1d": lambda m, s, t=False: adaptive_pool(m, s, 1, False),
    "AdaptiveMaxPool2d": lambda m, s, t=False: adaptive_pool(m, s, 2, False),
    "AdaptiveMaxPool3d": lambda m, s, t=False: adaptive_pool(m, s, 3, False),
    "BatchNorm1d": batch_norm,
    "BatchNorm2d": batch_norm,
    "BatchNorm3d": batch_norm,
    "SyncBatchNorm": batch_norm,
    "LayerNorm": lambda m, s, t=False: layer_norm(m, s),
    "GroupNorm": lambda m, s, t=False: group_norm(m, s),
    "InstanceNorm1d": lambda m, s, t=False: instance_norm(m, s),
    "InstanceNorm2d": lambda m, s, t=False: instance_norm(m, s),
    "InstanceNorm3d": lambda m, s, t=False: instance_norm(m, s),
    "Softmax": softmax,
    "LogSoftmax": softmax,
    "Softmax2d": lambda m, s, t=False: LeafInfo(tuple(s), 0, 3 * prod(s)),
    "Flatten": flatten,
    "Unflatten": unflatten,
    "Upsample": upsample,
    "UpsamplingNearest2d": upsample,
    "UpsamplingBilinear2d": upsample,
    "Embedding": embedding,
    "Identity": identity,
    "Dropout": identity,
    "Dropout1d": identity,
    "Dropout2d": identity,
    "Dropout3d": identity,
    "AlphaDropout": identity,
}
for _name in ACTIVATIONS:
    LEAF_RULES[_name] = elementwise(1)


def leaf_rule(module):
    """The rule for ``module`` (by class name, then by its base classes' names), or None."""
    for cls in type(module).__mro__:
        rule = LEAF_RULES.get(cls.__name__)
        if rule is not None:
            return rule
        if cls.__name__ == "Module":
            return None
    return None
