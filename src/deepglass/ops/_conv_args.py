"""Argument handling shared by conv1d/2d/3d and conv_transpose1d/2d/3d: tuples, padding, checks, batching.

Kept apart from ``ops/conv.py`` so that the convolution itself reads in one screen there.
"""
from __future__ import annotations


def ntuple(v, n, name="argument"):
    """An int or a sequence of 1 or ``n`` ints -> an ``n``-tuple of ints.

    Example:
        >>> ntuple(2, 3), ntuple((1, 2), 2), ntuple([4], 2)
        ((2, 2, 2), (1, 2), (4, 4))
    """
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * n
        if len(v) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {v!r}")
        return tuple(int(i) for i in v)
    return (int(v),) * n


def conv_pads(name, padding, k, stride, dilation):
    """The padding argument -> one ``(lo, hi)`` pair per spatial axis; 'same' puts an odd extra on the far side.

    Example:
        >>> conv_pads("conv2d", "same", (4, 3), (1, 1), (1, 1)), conv_pads("conv1d", 2, (3,), (1,), (1,))
        (((1, 2), (1, 1)), ((2, 2),))
    """
    n = len(k)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions (stride={stride})")
            return tuple((d * (kk - 1) // 2, d * (kk - 1) - d * (kk - 1) // 2) for kk, d in zip(k, dilation))
        raise ValueError(f"{name}: invalid padding string {padding!r}; use 'same', 'valid' or an int")
    p = ntuple(padding, n, "padding")
    if min(p) < 0:
        raise ValueError(f"{name}: negative padding {padding!r} is not supported")
    return tuple((q, q) for q in p)


def check_conv(name, input, weight, bias, groups, ndim, transposed=False):
    """PyTorch's checks of shapes, channels, groups, bias and dtypes, with messages that name the fix."""
    if input.ndim != ndim + 2:
        raise RuntimeError(
            f"{name}: expected a {ndim + 2}-D input (batched) or {ndim + 1}-D (unbatched), got shape {tuple(input.shape)}")
    if weight.ndim != ndim + 2:
        raise RuntimeError(f"{name}: expected a {ndim + 2}-D weight, got shape {tuple(weight.shape)}")
    C = input.shape[1]
    if groups < 1:
        raise ValueError(f"{name}: groups must be a positive integer, got {groups}")
    if transposed:
        if weight.shape[0] != C:
            raise RuntimeError(
                f"{name}: expected input with {weight.shape[0]} channels, got {C} (input shape {tuple(input.shape)}, "
                f"weight shape {tuple(weight.shape)}); check in_channels")
        if C % groups:
            raise RuntimeError(f"{name}: in_channels {C} is not divisible by groups={groups}")
        out_ch = weight.shape[1] * groups
    else:
        if weight.shape[1] * groups != C:
            raise RuntimeError(
                f"{name}: expected input with {weight.shape[1] * groups} channels, got {C} (input shape "
                f"{tuple(input.shape)}, weight shape {tuple(weight.shape)}, groups={groups}); check in_channels")
        if weight.shape[0] % groups:
            raise RuntimeError(f"{name}: out_channels {weight.shape[0]} is not divisible by groups={groups}")
        out_ch = weight.shape[0]
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise RuntimeError(f"{name}: expected bias of shape ({out_ch},), got {tuple(bias.shape)}")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"{name}: input dtype {input.dtype} differs from weight dtype {weight.dtype}; "
                           "convert the input (x.float()) or the model (model.double())")


def _batched(input, n):
    return (input.unsqueeze(0), True) if input.ndim == n + 1 else (input, False)


def convolve(fn, name, n, input, weight, bias, stride, padding, dilation, groups):
    """Check and normalise conv arguments, run ``fn`` (a ConvNd or a kernel) and unbatch its output."""
    input, unbatched = _batched(input, n)
    groups = int(groups)
    check_conv(name, input, weight, bias, groups, n)
    stride, dilation = ntuple(stride, n, "stride"), ntuple(dilation, n, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise ValueError(f"{name}: stride {stride} and dilation {dilation} must be positive")
    k = tuple(weight.shape[2:])
    pads = conv_pads(name, padding, k, stride, dilation)
    if any((m + lo + hi - d * (kk - 1) - 1) < 0 for m, kk, (lo, hi), d in zip(input.shape[2:], k, pads, dilation)):
        raise RuntimeError(
            f"{name}: input {tuple(input.shape)} (padding {pads}) is smaller than the dilated kernel "
            f"{tuple(d * (kk - 1) + 1 for kk, d in zip(k, dilation))}; add padding or use a larger input")
    y = fn.apply(input, weight, bias, stride, pads, dilation, groups)
    return y.squeeze(0) if unbatched else y


def convolve_transposed(fn, name, n, input, weight, bias, stride, padding, output_padding, groups, dilation):
    """Check and normalise conv_transpose arguments, run ``fn`` (a ConvTransposeNd or a kernel), unbatch."""
    input, unbatched = _batched(input, n)
    groups = int(groups)
    check_conv(name, input, weight, bias, groups, n, transposed=True)
    stride, padding = ntuple(stride, n, "stride"), ntuple(padding, n, "padding")
    output_padding, dilation = ntuple(output_padding, n, "output_padding"), ntuple(dilation, n, "dilation")
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0:
        raise ValueError(f"{name}: stride {stride} and dilation {dilation} must be positive, padding {padding} >= 0")
    for a in range(n):
        if output_padding[a] >= max(stride[a], dilation[a]) or output_padding[a] < 0:
            raise ValueError(f"{name}: output_padding {output_padding} must be smaller than either stride "
                             f"{stride} or dilation {dilation}")
    out = tuple((m - 1) * s - 2 * p + d * (kk - 1) + op + 1 for m, s, p, d, kk, op in
                zip(input.shape[2:], stride, padding, dilation, weight.shape[2:], output_padding))
    if min(out) < 1:
        raise RuntimeError(f"{name}: output size {out} is too small; reduce padding {padding}")
    y = fn.apply(input, weight, bias, stride, padding, output_padding, dilation, groups)
    return y.squeeze(0) if unbatched else y
