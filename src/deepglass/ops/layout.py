"""Layout ops of ``nn.functional`` that are not Tensor methods: ``pad`` and the pixel/channel shuffles.

``pad`` adds (or, with negative widths, crops) borders in one of four modes; the shuffles move
values between the channel axis and the spatial axes (sub-pixel convolution, ShuffleNet).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import xp_of
from .shape import permute, reshape, transpose

# ---------------------------------------------------------------------- pad


class Pad(Function):
    @staticmethod
    def forward(ctx, x, widths, mode, value):
        xp = xp_of(x)
        ctx.widths, ctx.mode, ctx.shape = widths, mode, x.shape
        if mode in ("reflect", "replicate") and any(b < 0 or a < 0 for b, a in widths):
            # PyTorch maps every output index to its source in the *uncropped* input
            # (replicate (-4, 5) on 4 values is five copies of the last one), so gather
            for axis, src in enumerate(_sources(widths, x.shape, mode)):
                if src is not None:
                    x = xp.take(x, xp.asarray(src), axis=axis)
            return x
        # negative padding crops
        crop = tuple(slice(-b if b < 0 else 0, (n + a) if a < 0 else n) for (b, a), n in zip(widths, x.shape))
        x = x[crop]
        pos = tuple((max(b, 0), max(a, 0)) for b, a in widths)
        if mode == "constant":
            return xp.pad(x, pos, mode="constant", constant_values=value)
        return xp.pad(x, pos, mode={"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode])

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        widths, shape = ctx.widths, ctx.shape
        if ctx.mode in ("reflect", "replicate") and any(b < 0 or a < 0 for b, a in widths):
            for axis, src in enumerate(_sources(widths, shape, ctx.mode)):
                if src is not None:
                    moved = xp.moveaxis(g, axis, 0)
                    acc = xp.zeros((shape[axis],) + moved.shape[1:], dtype=g.dtype)
                    xp.add.at(acc, xp.asarray(src), moved)
                    g = xp.moveaxis(acc, 0, axis)
            return g
        cropped = tuple(n + min(b, 0) + min(a, 0) for (b, a), n in zip(widths, shape))
        pos = tuple((max(b, 0), max(a, 0)) for b, a in widths)
        if ctx.mode == "constant":
            inner = g[tuple(slice(b, b + n) for (b, _), n in zip(pos, cropped))]
        else:
            inner = _pad_adjoint(xp, g, pos, cropped, ctx.mode)
        out = xp.zeros(shape, dtype=g.dtype)
        out[tuple(slice(-b if b < 0 else 0, (-b if b < 0 else 0) + n) for (b, a), n in zip(widths, cropped))] = inner
        return out


def _sources(widths, shape, mode):
    """Per axis, the source index in the input of each output index (None where the axis is not padded)."""
    out = []
    for (before, after), n in zip(widths, shape):
        if before == 0 and after == 0:
            out.append(None)
            continue
        i = np.arange(n + before + after) - before
        if mode == "replicate":
            i = np.clip(i, 0, n - 1)
        else:  # reflect about the first and last element
            i = np.abs(i)
            i = np.where(i >= n, 2 * (n - 1) - i, i)
        out.append(i)
    return out


def _pad_adjoint(xp, g, pos, shape, mode):
    """Adjoint of reflect/replicate/circular padding: add each padded cell back to its source."""
    for axis, ((before, after), n) in enumerate(zip(pos, shape)):
        if before == 0 and after == 0:
            continue
        total = before + n + after
        if mode == "reflect":
            src = np.abs(np.arange(total) - before)
            src = np.where(src >= n, 2 * (n - 1) - src, src)
        elif mode == "replicate":
            src = np.clip(np.arange(total) - before, 0, n - 1)
        else:  # circular
            src = (np.arange(total) - before) % n
        moved = xp.moveaxis(g, axis, 0)
        acc = xp.zeros((n,) + moved.shape[1:], dtype=g.dtype)
        xp.add.at(acc, xp.asarray(src), moved)
        g = xp.moveaxis(acc, 0, axis)
    return g


def pad(input, pad, mode: str = "constant", value=None):
    """Pad the last dimensions: ``pad = (left, right, top, bottom, ...)`` from the last dim backwards.

    Modes: ``constant`` (``value``, default 0), ``reflect``, ``replicate``, ``circular``.
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2, got {len(pad)}")
    k = len(pad) // 2
    if k > input.ndim:
        raise ValueError(f"padding of length {len(pad)} pads {k} dims but the input has only {input.ndim}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode!r}: use constant, reflect, replicate or circular")
    widths = [(0, 0)] * input.ndim
    for i in range(k):
        widths[input.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode == "reflect":
        for i in range(k):
            n = input.shape[input.ndim - 1 - i]
            if pad[2 * i] >= n or pad[2 * i + 1] >= n:
                raise RuntimeError(f"reflect padding ({pad[2 * i]}, {pad[2 * i + 1]}) must be smaller than the input "
                                   f"size {n}")
    if mode == "circular":
        for i in range(k):
            n = input.shape[input.ndim - 1 - i]
            if pad[2 * i] > n or pad[2 * i + 1] > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
    if mode != "constant" and value not in (None, 0):
        raise ValueError("padding value is only used with mode='constant'")
    return Pad.apply(input, tuple(widths), mode, 0 if value is None else value)


# ------------------------------------------------ pixel / channel shuffles
# (reshape/permute compositions, so their gradients are exact; reached through
#  nn.functional only, not bound as Tensor methods: PyTorch has no such methods)
def pixel_shuffle(input, upscale_factor):
    """Rearrange ``(*, C·r², H, W)`` into ``(*, C, H·r, W·r)`` (sub-pixel convolution's upsampling).

    Example:
        >>> pixel_shuffle(deepglass.randn(1, 8, 3, 3), 2).shape
        (1, 2, 6, 6)
    """
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(lead)
    x = reshape(input, (*lead, c // (r * r), r, r, h, w))
    x = permute(x, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return reshape(x, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """Rearrange ``(*, C, H·r, W·r)`` into ``(*, C·r², H, W)`` (the inverse of :func:`pixel_shuffle`).

    Example:
        >>> pixel_unshuffle(deepglass.randn(1, 2, 6, 6), 2).shape
        (1, 8, 3, 3)
    """
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    n = len(lead)
    x = reshape(input, (*lead, c, h // r, r, w // r, r))
    x = permute(x, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return reshape(x, (*lead, c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """Split the channels of ``(N, C, *)`` into ``groups`` groups and interleave them: ``(N, g, C/g, *)`` →
    ``(N, C/g, g, *)`` (ShuffleNet), keeping the shape.

    Example:
        >>> channel_shuffle(deepglass.arange(6.).reshape(1, 6, 1), 2).flatten().tolist()
        [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    """
    if input.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    n, c, *rest = input.shape
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {g} groups.")
    x = reshape(input, (n, g, c // g, *rest))
    x = transpose(x, 1, 2)
    return reshape(x, tuple(input.shape))


__all__ = ["pad", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]
