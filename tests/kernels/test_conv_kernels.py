"""The conv kernels (deepglass.kernels.conv) equal the reference tier (ops.conv.ConvNd) in float64.

Values and all three gradients, on geometries that pick every kernel (NCHW for few channels, the row kernel,
the general one for groups and strides), cropped padding-only taps, dilation, odd sizes, batch 1, NaN/inf,
and with the batch forced into chunks on threads and one-image cache blocks.
"""
from __future__ import annotations

import numpy as np
import pytest

import deepglass as dg
import deepglass.nn.functional as F
from deepglass import kernels, parallel
from deepglass.kernels import conv as conv_kernels
from deepglass.kernels import conv_nd, winograd
from deepglass.kernels.conv_rows import _Rows
from deepglass.ops._conv_args import conv_pads, ntuple
from deepglass.ops.conv import ConvNd
from deepglass.ops.conv_transpose import ConvTransposeNd

# (N, C, O, (H, W), (kh, kw), stride, padding, dilation, groups, the kernel it must pick, taps cropped)
GEOMETRIES = [
    (2, 3, 8, (9, 8), (5, 5), 1, 2, 1, 1, "_Nchw", False),            # first layer: few input channels
    (1, 4, 5, (7, 6), (3, 2), (2, 1), (1, 0), (1, 2), 1, "_Nchw", False),
    (3, 16, 16, (9, 8), (5, 5), 1, 2, 1, 1, "_Rows", False),           # CIFAR's middle conv
    (2, 16, 24, (7, 9), (3, 3), (1, 2), 1, (2, 1), 1, "_Rows", False),  # row kernel, strided and dilated width
    (2, 17, 16, (5, 7), (3, 1), 1, (0, 2), 1, 1, "_Rows", False),       # odd channels, 1-wide kernel
    (1, 32, 24, (4, 3), (3, 3), (1, 2), 1, 1, 1, "_Nchw", False),      # one image: the weight in its own layout
    (2, 16, 32, (9, 9), (3, 3), 2, 1, 1, 1, "_General", False),       # strided
    (2, 16, 16, (6, 5), (3, 3), 1, 1, 1, 4, "_General", False),       # grouped
    (2, 6, 6, (7, 7), (3, 3), 2, 1, 1, 6, "_General", False),         # depthwise
    (2, 16, 64, (5, 4), (1, 1), 1, 0, 1, 1, "_General", False),       # wide 1x1 (O > kw·C)
    (2, 16, 16, (1, 1), (3, 3), 1, 1, 1, 1, "_Rows", True),           # padding-only taps: a 1x1 conv in truth
    (2, 3, 4, (2, 3), (5, 5), 1, 2, 1, 1, "_Nchw", True),             # rows and columns of taps cropped
    (1, 16, 8, (1, 1), (3, 3), 1, 1, 1, 1, "_Nchw", False),           # one image: taps kept, the weight read whole
    (2, 16, 16, (2, 2), (3, 3), 1, "same", 2, 1, "_Rows", True),      # dilated 'same' on a tiny map
    (1, 16, 8, (5, 6), (4, 3), 1, "same", 1, 2, "_General", False),   # asymmetric 'same', groups
]


def _random_geometries(count, seed=7):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        groups = int(rng.choice([1, 1, 2, 4]))
        C = groups * int(rng.integers(1, 9)) * (int(rng.choice([1, 4])) if groups == 1 else 1)
        O = groups * int(rng.integers(1, 9))
        k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        s = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        d = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        p = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        H = max(1, d[0] * (k[0] - 1) + 1 - 2 * p[0]) + int(rng.integers(0, 6))
        W = max(1, d[1] * (k[1] - 1) + 1 - 2 * p[1]) + int(rng.integers(0, 6))
        out.append((int(rng.integers(1, 4)), C, O, (H, W), k, s, p, d, groups, None, None))
    return out


def _run(fn, x, w, b, args, g):
    xs = [dg.tensor(a, requires_grad=True) if a is not None else None for a in (x, w, b)]
    y = fn.apply(xs[0], xs[1], xs[2], *args)
    picked = getattr(y.grad_fn, "kernel", None), getattr(y.grad_fn, "geom", None)  # backward frees the ctx
    y.backward(dg.tensor(g))
    return y, [t.grad.numpy() if t is not None else None for t in xs], picked


def _args(n, k, stride, padding, dilation, groups):
    stride, dilation = ntuple(stride, n), ntuple(dilation, n)
    return stride, conv_pads("test", padding, k, stride, dilation), dilation, groups


def _check(geometry, seed, nonfinite=False, bias=True):
    N, C, O, size, k, stride, padding, dilation, groups, expect, cropped = geometry
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C) + size)
    if nonfinite:
        x[0, 0, 0, 0], x[-1, -1, -1, -1] = np.nan, np.inf
    w = rng.standard_normal((O, C // groups) + k)
    b = rng.standard_normal(O) if bias else None
    args = _args(2, k, stride, padding, dilation, groups)
    y_ref = ConvNd.apply(*(dg.tensor(a) if a is not None else None for a in (x, w, b)), *args)
    g = rng.standard_normal(y_ref.shape)
    y_ref, grads_ref, _ = _run(ConvNd, x, w, b, args, g)
    y, grads, (kernel, geom) = _run(conv_kernels.Conv2dKernel, x, w, b, args, g)
    if expect is not None:
        assert kernel.__name__ == expect
        assert (geom.taps is not None) == cropped
    np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy(), rtol=1e-10, atol=1e-10)
    for got, want in zip(grads, grads_ref):
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.fixture
def chunked(monkeypatch):
    """Every parallel region splits over three threads, and cache blocks hold one image."""
    if parallel._numpy_blas() is None:
        pytest.skip("threadpoolctl cannot see NumPy's BLAS: kernels never split")
    monkeypatch.setattr(parallel, "MIN_PARALLEL_WORK", 0)
    monkeypatch.setattr(conv_kernels, "BLOCK_BYTES", 1)
    before = dg.get_num_threads()
    dg.set_num_threads(3)
    yield
    dg.set_num_threads(before)


def test_conv_kernels_are_registered():
    assert kernels.kernel_for("conv2d") is conv_kernels.Conv2dKernel
    assert kernels.kernel_for("conv1d") is conv_kernels.Conv1dKernel
    assert kernels.kernel_for("conv3d") is conv_nd.Conv3dKernel
    assert kernels.kernel_for("conv_transpose2d") is conv_nd.ConvTranspose2dKernel
    assert kernels.kernel_for("conv_transpose1d") is conv_nd.ConvTranspose1dKernel


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=lambda g: f"{g[9]}-{g[0]}x{g[1]}x{g[3]}-k{g[4]}-g{g[8]}")
def test_conv2d_kernel_equals_reference(geometry):
    _check(geometry, seed=1)


@pytest.mark.parametrize("geometry", GEOMETRIES[:10], ids=lambda g: f"{g[9]}-{g[0]}x{g[1]}x{g[3]}-g{g[8]}")
def test_conv2d_kernel_equals_reference_in_chunks(chunked, geometry):
    _check(geometry, seed=2, bias=False)


@pytest.mark.parametrize("geometry", _random_geometries(24), ids=lambda g: f"{g[0]}x{g[1]}x{g[3]}-k{g[4]}-g{g[8]}")
def test_conv2d_kernel_equals_reference_random(geometry):
    _check(geometry, seed=3)


@pytest.mark.parametrize("geometry", [GEOMETRIES[i] for i in (0, 2, 3, 7, 10)], ids=lambda g: g[9])
def test_conv2d_kernel_propagates_nan_and_inf_like_reference(geometry):
    _check(geometry, seed=4, nonfinite=True)


def test_the_row_kernel_is_reached_by_cifar_geometry():
    y = F.conv2d(dg.randn(2, 32, 16, 16, requires_grad=True), dg.randn(32, 32, 5, 5), padding=2)
    assert y.grad_fn.kernel is _Rows


@pytest.mark.parametrize("N,C,O,L,k,s,p,d,groups", [
    (2, 3, 4, 9, 3, 2, 1, 2, 1), (1, 16, 16, 11, 5, 1, 2, 1, 1), (2, 8, 4, 7, 2, 1, "same", 1, 2),
    (3, 16, 16, 3, 3, 1, 1, 1, 16),
])
def test_conv1d_kernel_equals_reference(N, C, O, L, k, s, p, d, groups):
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((N, C, L)), rng.standard_normal((O, C // groups, k)), rng.standard_normal(O)
    args = _args(1, (k,), s, p, d, groups)
    g = rng.standard_normal(ConvNd.apply(dg.tensor(x), dg.tensor(w), dg.tensor(b), *args).shape)
    y_ref, grads_ref, _ = _run(ConvNd, x, w, b, args, g)
    y, grads, _ = _run(conv_kernels.Conv1dKernel, x, w, b, args, g)
    np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy(), rtol=1e-10, atol=1e-10)
    for got, want in zip(grads, grads_ref):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("fn,shape,wshape", [
    (F.conv2d, (2, 16, 6, 6), (16, 16, 3, 3)), (F.conv2d, (2, 3, 6, 6), (4, 3, 3, 3)),
    (F.conv1d, (2, 4, 9), (6, 4, 3)), (F.conv3d, (1, 2, 4, 4, 4), (3, 2, 3, 3, 3)),
    (F.conv_transpose2d, (1, 4, 3, 3), (4, 2, 3, 3)),
])
def test_use_reference_kernels_gives_the_default_result(fn, shape, wshape):
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(shape), rng.standard_normal(wshape)
    g = None
    results = []
    for reference in (False, True):
        xt, wt = dg.tensor(x, requires_grad=True), dg.tensor(w, requires_grad=True)
        fast = (conv_kernels.Conv2dKernel, conv_kernels.Conv1dKernel, conv_nd.Conv3dKernel, conv_nd.ConvTranspose2dKernel)
        if reference:
            with dg.use_reference_kernels():
                y = fn(xt, wt, padding=1)
            assert not isinstance(y.grad_fn, fast)
        else:
            y = fn(xt, wt, padding=1)
            assert isinstance(y.grad_fn, fast)
        g = rng.standard_normal(y.shape) if g is None else g
        y.backward(dg.tensor(g))
        results.append((y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def _compare(kernel, reference, arrays, args, seed):
    y_ref = reference.apply(*(dg.tensor(a) if a is not None else None for a in arrays), *args)
    g = np.random.default_rng(seed).standard_normal(y_ref.shape)
    y_ref, grads_ref, _ = _run(reference, *arrays, args, g)
    y, grads, _ = _run(kernel, *arrays, args, g)
    np.testing.assert_allclose(y.detach().numpy(), y_ref.detach().numpy(), rtol=1e-10, atol=1e-10)
    for got, want in zip(grads, grads_ref):
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("N,C,O,size,k,stride,padding,dilation,groups,nonfinite", [
    (2, 3, 4, (4, 5, 4), (3, 3, 3), 1, 1, 1, 1, False),
    (1, 4, 6, (5, 6, 7), (3, 2, 3), (2, 1, 2), (1, 0, 2), (1, 2, 1), 2, False),
    (2, 3, 3, (4, 5, 5), (2, 3, 3), 2, 1, 1, 3, False),                   # depthwise
    (1, 2, 3, (4, 5, 5), (2, 2, 2), 1, "same", 2, 1, False),              # asymmetric 'same'
    (2, 16, 8, (3, 4, 5), (1, 1, 1), 1, 0, 1, 1, True),                   # 1x1x1, NaN/inf
    (1, 4, 4, (3, 3, 3), (3, 3, 3), 1, 2, 1, 1, True),                    # padding-only taps, NaN/inf
])
def test_conv3d_kernel_equals_reference(N, C, O, size, k, stride, padding, dilation, groups, nonfinite):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((N, C) + size)
    if nonfinite:
        x[0, 0, 0, 0, 0], x[-1, -1, -1, -1, -1] = np.nan, -np.inf
    w, b = rng.standard_normal((O, C // groups) + k), rng.standard_normal(O)
    _compare(conv_nd.Conv3dKernel, ConvNd, (x, w, b), _args(3, k, stride, padding, dilation, groups), seed=9)


def _transposed_args(n, stride, padding, output_padding, dilation, groups):
    return ntuple(stride, n), ntuple(padding, n), ntuple(output_padding, n), ntuple(dilation, n), groups


@pytest.mark.parametrize("N,C,O,size,k,stride,padding,output_padding,dilation,groups,nonfinite", [
    (2, 4, 6, (3, 4), (3, 2), (2, 3), (1, 0), (1, 2), (1, 2), 2, False),
    (1, 2, 3, (3, 3), (3, 3), 1, 0, 0, 1, 1, False),
    (1, 3, 2, (3, 2), (3, 3), 2, 1, 1, 1, 1, False),
    (1, 2, 2, (3, 3), (2, 3), 1, 0, (1, 0), 2, 1, False),                 # output_padding >= stride
    (2, 16, 8, (4, 5), (4, 4), 2, 1, 0, 1, 1, True),                      # upsampling x2, NaN/inf
    (3, 8, 8, (5, 5), (3, 3), 1, 2, 1, 2, 8, False),                      # depthwise, padding trims taps
])
def test_conv_transpose2d_kernel_equals_reference(N, C, O, size, k, stride, padding, output_padding, dilation, groups,
                                                  nonfinite):
    rng = np.random.default_rng(10)
    x = rng.standard_normal((N, C) + size)
    if nonfinite:
        x[0, 0, 0, 0], x[-1, -1, -1, -1] = np.nan, np.inf
    w, b = rng.standard_normal((C, O // groups) + k), rng.standard_normal(O)
    _compare(conv_nd.ConvTranspose2dKernel, ConvTransposeNd, (x, w, b),
             _transposed_args(2, stride, padding, output_padding, dilation, groups), seed=11)


@pytest.mark.parametrize("N,C,O,L,k,stride,padding,output_padding,dilation,groups", [
    (2, 4, 6, 5, 3, 2, 1, 1, 2, 2), (1, 2, 3, 4, 2, 1, 0, 0, 1, 1), (2, 16, 16, 7, 4, 2, 1, 0, 1, 1),
])
def test_conv_transpose1d_kernel_equals_reference(N, C, O, L, k, stride, padding, output_padding, dilation, groups):
    rng = np.random.default_rng(12)
    x, w, b = rng.standard_normal((N, C, L)), rng.standard_normal((C, O // groups, k)), rng.standard_normal(O)
    _compare(conv_nd.ConvTranspose1dKernel, ConvTransposeNd, (x, w, b),
             _transposed_args(1, stride, padding, output_padding, dilation, groups), seed=13)


# ----------------------------------------------------------------- Winograd F(2×2, 3×3)
def _winograd_geometries(count, seed=11, min_side=winograd.MIN_SIDE):
    """3×3, stride 1, ungrouped, ≥ 16 channels: random channels, pads 0–2 per axis, odd and even output sides."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        p = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        H, W = (max(2, min_side + 2 - 2 * q) + int(rng.integers(0, 5)) for q in p)  # 2: no tap sees only padding
        out.append((int(rng.integers(1, 4)), int(rng.integers(16, 21)), int(rng.integers(1, 9)), (H, W), (3, 3), 1, p,
                    1, 1, "_Winograd", False))
    return out


@pytest.mark.parametrize("geometry", _winograd_geometries(12), ids=lambda g: f"{g[0]}x{g[1]}x{g[3]}-p{g[6]}->{g[2]}")
def test_winograd_equals_reference(geometry):
    _check(geometry, seed=5)


@pytest.mark.parametrize("geometry", _winograd_geometries(6, seed=12, min_side=1),
                         ids=lambda g: f"{g[0]}x{g[1]}x{g[3]}-p{g[6]}->{g[2]}")
def test_winograd_equals_reference_on_small_maps(monkeypatch, geometry):
    monkeypatch.setattr(winograd, "MIN_SIDE", 1)  # 1–4 tiles per side, partial tiles at the edges
    _check(geometry, seed=6)


@pytest.mark.parametrize("geometry", _winograd_geometries(3, seed=13), ids=lambda g: f"{g[0]}x{g[1]}x{g[3]}-p{g[6]}")
def test_winograd_equals_reference_in_chunks(chunked, geometry):
    _check(geometry, seed=7)


def test_winograd_off_or_nonfinite_input_takes_the_direct_kernel(monkeypatch):
    geometry = (2, 16, 8, (9, 10), (3, 3), 1, 1, 1, 1, "_Rows", False)
    _check(geometry, seed=8, nonfinite=True)  # an inf would spread over its tile: the direct kernel runs
    monkeypatch.setattr(winograd, "ENABLED", False)
    _check(geometry, seed=8)


def test_winograd_nonfinite_gradient_matches_reference():
    """A gradient with inf/NaN takes the direct backward: the same inf/NaN positions as the reference."""
    rng = np.random.default_rng(9)
    x, w, b = rng.standard_normal((2, 16, 9, 9)), rng.standard_normal((5, 16, 3, 3)), rng.standard_normal(5)
    args = _args(2, (3, 3), 1, 1, 1, 1)
    g = rng.standard_normal((2, 5, 9, 9))
    g[0, 1, 3, 3], g[1, 0, 8, 0] = np.inf, np.nan
    _, grads_ref, _ = _run(ConvNd, x, w, b, args, g)
    _, grads, (kernel, _) = _run(conv_kernels.Conv2dKernel, x, w, b, args, g)
    assert kernel is winograd._Winograd
    for got, want in zip(grads, grads_ref):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("N,C,O,H", [(4, 64, 64, 16), (4, 128, 128, 8), (2, 256, 32, 8)])
def test_winograd_float32_error_bound(N, C, O, H):
    """Float32 Winograd against the float64 reference: max |error| ≤ 2·10⁻⁶ of the largest |value|, for the output
    and both gradients (measured 3–6·10⁻⁷ on the output, as the direct kernels' 3–5·10⁻⁷)."""
    rng = np.random.default_rng(10)
    x, w = rng.standard_normal((N, C, H, H)), rng.standard_normal((O, C, 3, 3)) / np.sqrt(9 * C)
    g = rng.standard_normal((N, O, H, H))
    args = _args(2, (3, 3), 1, 1, 1, 1)
    y64, grads64, _ = _run(ConvNd, x, w, None, args, g)
    f32 = [a.astype(np.float32) for a in (x, w)]
    y32, grads32, (kernel, _) = _run(conv_kernels.Conv2dKernel, *f32, None, args, g.astype(np.float32))
    assert kernel is winograd._Winograd
    for got, want in [(y32.detach().numpy(), y64.detach().numpy())] + list(zip(grads32[:2], grads64[:2])):
        assert got.dtype == np.float32
        assert np.abs(got - want).max() <= 2e-6 * np.abs(want).max()
