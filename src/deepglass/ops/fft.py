"""Discrete Fourier transforms with gradients (``deepglass.fft`` re-exports them under PyTorch's names).

The forward DFT of length n is  X_k = Σ_j x_j·e^{−2πi·jk/n},  the inverse x_j = (1/n)·Σ_k X_k·e^{2πi·jk/n};
``norm`` puts the 1/n on the forward ("forward"), the inverse ("backward", the default) or 1/√n on both
("ortho"). NumPy's / CuPy's ``fft`` module computes them; float32 stays complex64, as in PyTorch.

Gradients, with PyTorch's complex convention (grad = ∂L/∂Re + i·∂L/∂Im), are the adjoints of the
linear maps: the adjoint of a DFT with norm m is the opposite-direction DFT with the "dual" norm
(backward <-> forward, ortho stays), so ``fft``'s backward is ``ifft(g, norm=dual)``. Three cases:

- a size ``n``/``s`` crops or zero-pads the input first; its adjoint pads or crops the gradient back;
- ``rfft`` keeps bins 0..n//2 of the full transform of a real signal: its backward puts the gradient
  into those bins of a zero spectrum, runs the adjoint full transform and keeps the real part;
- ``irfft`` fills the other half by conjugate symmetry (Im of bin 0, and of bin n/2 for even n, are
  ignored): its backward is ``rfft(g, norm=dual)`` with bins 1 .. n − (n//2 + 1) doubled (each of them
  also stands for its mirrored bin), PyTorch's ``fft_c2r_backward``.

``hfft`` and ``ihfft`` are ``irfft(conj x)`` and ``conj(rfft x)`` with the dual norm (as NumPy defines them).
"""
from __future__ import annotations

from .. import dtypes
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import ensure_tensor, normalize_dim, xp_of

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_NAMES = {"float16": "Half", "complex64": "ComplexFloat", "complex128": "ComplexDouble", "bool": "Bool"}


def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _resize(xp, a, axes, sizes):
    """Crop or zero-pad ``a`` along ``axes`` to ``sizes`` (the size argument's map and its own adjoint)."""
    for ax, n in zip(axes, sizes):
        have = a.shape[ax]
        if have > n:
            a = a[(slice(None),) * ax + (slice(0, n),)]
        elif have < n:
            pad = [(0, 0)] * a.ndim
            pad[ax] = (0, n - have)
            a = xp.pad(a, pad)
    return a


class FFTC2C(Function):
    """Complex-to-complex n-d DFT over ``axes`` after resizing them to ``s``."""

    @staticmethod
    def forward(ctx, x, s, axes, norm, inverse):
        ctx.in_sizes = [x.shape[a] for a in axes]
        ctx.axes, ctx.norm, ctx.inverse = axes, norm, inverse
        ctx.dtype = x.dtype
        xp = xp_of(x)
        fn = xp.fft.ifftn if inverse else xp.fft.fftn
        return fn(x, s=s, axes=axes, norm=norm).astype(dtypes.to_complex(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        fn = xp.fft.fftn if ctx.inverse else xp.fft.ifftn
        gx = fn(g, axes=ctx.axes, norm=_DUAL[ctx.norm])
        return _resize(xp, gx, ctx.axes, ctx.in_sizes).astype(g.dtype, copy=False)


class FFTR2C(Function):
    """Real-to-complex n-d DFT: the full transform's bins 0..n//2 along the last of ``axes``."""

    @staticmethod
    def forward(ctx, x, s, axes, norm):
        ctx.in_sizes = [x.shape[a] for a in axes]
        ctx.axes, ctx.norm, ctx.s = axes, norm, s
        return xp_of(x).fft.rfftn(x, s=s, axes=axes, norm=norm).astype(dtypes.to_complex(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        last = ctx.axes[-1]
        full = _resize(xp, g, (last,), (ctx.s[-1],))          # the dropped bins get zero gradient
        gx = xp.fft.ifftn(full, axes=ctx.axes, norm=_DUAL[ctx.norm]).real
        return _resize(xp, gx, ctx.axes, ctx.in_sizes).astype(dtypes.to_real(g.dtype), copy=False)


class FFTC2R(Function):
    """Complex-to-real n-d inverse DFT of a one-sided (Hermitian) spectrum; output sizes ``s``."""

    @staticmethod
    def forward(ctx, z, s, axes, norm):
        ctx.in_sizes = [z.shape[a] for a in axes]
        ctx.axes, ctx.norm, ctx.n = axes, norm, s[-1]
        return xp_of(z).fft.irfftn(z, s=s, axes=axes, norm=norm).astype(dtypes.to_real(z.dtype), copy=False)

    @staticmethod
    def backward(ctx, g):
        xp = xp_of(g)
        gz = xp.fft.rfftn(g, axes=ctx.axes, norm=_DUAL[ctx.norm])
        last, n = ctx.axes[-1], ctx.n
        double = n - (n // 2 + 1)
        if double > 0:
            scale = xp.ones(gz.shape[last], dtype=dtypes.to_real(gz.dtype))
            scale[1:1 + double] = 2
            gz = gz * scale.reshape((-1,) + (1,) * (gz.ndim - 1 - last))
        return _resize(xp, gz, ctx.axes, ctx.in_sizes).astype(dtypes.to_complex(g.dtype), copy=False)


# ---------------------------------------------------------------- argument handling (PyTorch's rules)


def _prepare(input, name, real_input=False, complex_input=False):
    """Check the dtype; integers and bools become the default float dtype; a real input of a c2r transform
    becomes complex (differentiably)."""
    ensure_tensor(input)
    kind = input.dtype.kind
    if kind in "biu":
        input = input.to(dtypes.get_default_dtype())
    elif input.dtype == dtypes.float16:
        raise RuntimeError("Unsupported dtype Half")
    if real_input and input.dtype.kind == "c":
        raise RuntimeError(f"{name} expects a real input tensor, but got {_NAMES.get(input.dtype.name, input.dtype.name)}")
    if complex_input and input.dtype.kind != "c":
        input = input.to(dtypes.to_complex(input.dtype))
    return input


def _dims_and_sizes(input, s, dim, default_all=True):
    """PyTorch's resolution of ``s`` and ``dim``: sorted? no, kept in the given order; -1 in ``s`` keeps a size."""
    nd = input.ndim
    if dim is not None:
        dims = [dim] if isinstance(dim, int) else list(dim)
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    elif s is not None:
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} dimensions.")
        dims = list(range(nd - len(s), nd))
    else:
        dims = list(range(nd))
    if nd == 0 and dims:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = [normalize_dim(d, nd) for d in dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    sizes = [input.shape[d] if s is None or s[i] == -1 else int(s[i]) for i, d in enumerate(dims)]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return tuple(dims), sizes


def _one_dim(n, dim):
    return (None if n is None else (n,)), (dim,)


# ---------------------------------------------------------------- the transforms


def _c2c(input, s, dim, norm, inverse, name):
    input = _prepare(input, name)
    norm = _norm(norm)
    axes, sizes = _dims_and_sizes(input, s, dim)
    if not axes:
        return input.to(dtypes.to_complex(input.dtype)) if input.dtype.kind != "c" else input.clone()
    return FFTC2C.apply(input, tuple(sizes), axes, norm, inverse)


def _r2c(input, s, dim, norm, name):
    input = _prepare(input, name, real_input=True)
    norm = _norm(norm)
    axes, sizes = _dims_and_sizes(input, s, dim)
    if not axes:
        raise RuntimeError(f"{name} must transform at least one axis")
    return FFTR2C.apply(input, tuple(sizes), axes, norm)


def _c2r(input, s, dim, norm, name):
    input = _prepare(input, name, complex_input=True)
    norm = _norm(norm)
    axes, sizes = _dims_and_sizes(input, s, dim)
    if not axes:
        raise RuntimeError(f"{name} must transform at least one axis")
    last = axes[-1]
    if s is None or s[-1] == -1:
        sizes[-1] = 2 * (input.shape[last] - 1)
    if sizes[-1] < 1:
        raise RuntimeError(f"Invalid number of data points ({sizes[-1]}) specified")
    return FFTC2R.apply(input, tuple(sizes), axes, norm)


def fft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """One-dimensional DFT  X_k = Σ_j x_j·e^{−2πi·jk/n}  along ``dim`` (``torch.fft.fft``).

    ``n`` crops or zero-pads the signal first; ``norm`` is "backward" (no scaling, the default),
    "ortho" (1/√n) or "forward" (1/n). A real input gives a complex output of the same precision.

    Example:
        >>> deepglass.fft.fft(deepglass.tensor([1., 2., 3., 4.]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    s, d = _one_dim(n, dim)
    return _c2c(input, s, d, norm, False, "fft")


def ifft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """One-dimensional inverse DFT  x_j = (1/n)·Σ_k X_k·e^{2πi·jk/n}  (``torch.fft.ifft``).

    Example:
        >>> deepglass.fft.ifft(deepglass.tensor([10+0j, -2+2j, -2+0j, -2-2j]))
        tensor([1.+0.j, 2.+0.j, 3.+0.j, 4.+0.j])
    """
    s, d = _one_dim(n, dim)
    return _c2c(input, s, d, norm, True, "ifft")


def fft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """Two-dimensional DFT over ``dim`` (``torch.fft.fft2``); ``s`` the signal sizes.

    Example:
        >>> deepglass.fft.fft2(deepglass.ones(2, 2))
        tensor([[4.+0.j, 0.+0.j],
                [0.+0.j, 0.+0.j]])
    """
    return _c2c(input, s, dim, norm, False, "fft2")


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """Two-dimensional inverse DFT over ``dim`` (``torch.fft.ifft2``).

    Example:
        >>> deepglass.fft.ifft2(deepglass.fft.fft2(deepglass.ones(2, 2))).real
        tensor([[1., 1.],
                [1., 1.]])
    """
    return _c2c(input, s, dim, norm, True, "ifft2")


def fftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """N-dimensional DFT over ``dim`` (all dims; the last ``len(s)`` when only ``s`` is given).

    Example:
        >>> deepglass.fft.fftn(deepglass.ones(2, 2, 2)).abs().sum()
        tensor(8.)
    """
    return _c2c(input, s, dim, norm, False, "fftn")


def ifftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """N-dimensional inverse DFT (``torch.fft.ifftn``).

    Example:
        >>> deepglass.fft.ifftn(deepglass.tensor([[4+0j, 0j], [0j, 0j]]))
        tensor([[1.+0.j, 1.+0.j],
                [1.+0.j, 1.+0.j]])
    """
    return _c2c(input, s, dim, norm, True, "ifftn")


def rfft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """DFT of a real signal, keeping the n//2 + 1 non-redundant bins (``torch.fft.rfft``).

    Example:
        >>> deepglass.fft.rfft(deepglass.tensor([1., 2., 3., 4.]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    s, d = _one_dim(n, dim)
    return _r2c(input, s, d, norm, "rfft")


def irfft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """Inverse of :func:`rfft`: a real signal of length ``n`` (default 2·(m − 1)) from m one-sided bins.

    Example:
        >>> deepglass.fft.irfft(deepglass.tensor([10+0j, -2+2j, -2+0j]))
        tensor([1., 2., 3., 4.])
    """
    s, d = _one_dim(n, dim)
    return _c2r(input, s, d, norm, "irfft")


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """Two-dimensional :func:`rfftn` (the last of ``dim`` is halved).

    Example:
        >>> deepglass.fft.rfft2(deepglass.ones(2, 4)).shape
        (2, 3)
    """
    return _r2c(input, s, dim, norm, "rfft2")


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """Two-dimensional :func:`irfftn`.

    Example:
        >>> deepglass.fft.irfft2(deepglass.fft.rfft2(deepglass.ones(2, 4)))
        tensor([[1., 1., 1., 1.],
                [1., 1., 1., 1.]])
    """
    return _c2r(input, s, dim, norm, "irfft2")


def rfftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """N-dimensional DFT of a real input, one-sided along the last of ``dim`` (``torch.fft.rfftn``).

    Example:
        >>> deepglass.fft.rfftn(deepglass.ones(2, 2, 4)).shape
        (2, 2, 3)
    """
    return _r2c(input, s, dim, norm, "rfftn")


def irfftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """Inverse of :func:`rfftn`; the last output size defaults to 2·(m − 1) (``torch.fft.irfftn``).

    Example:
        >>> deepglass.fft.irfftn(deepglass.fft.rfftn(deepglass.ones(2, 4))).shape
        (2, 4)
    """
    return _c2r(input, s, dim, norm, "irfftn")


def hfft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """DFT of a Hermitian-symmetric signal given by its first half: a real output (``torch.fft.hfft``).

    ``hfft(x, n, norm) = irfft(conj(x), n, norm=dual)`` with dual swapping "backward" and "forward".

    Example:
        >>> deepglass.fft.hfft(deepglass.tensor([1+0j, 2+0j, 3+0j])).tolist()
        [8.0, -2.0, 0.0, -2.0]
    """
    from .complex import conj

    return _c2r(conj(_prepare(input, "hfft", complex_input=True)), *_one_dim(n, dim), _DUAL[_norm(norm)], "hfft")


def ihfft(input: Tensor, n=None, dim: int = -1, norm=None) -> Tensor:
    """Inverse of :func:`hfft`: ``conj(rfft(x, n, norm=dual))`` of a real signal (``torch.fft.ihfft``).

    Example:
        >>> deepglass.fft.ihfft(deepglass.tensor([8., -2., 0., -2.])).real
        tensor([1., 2., 3.])
    """
    from .complex import conj

    return conj(_r2c(input, *_one_dim(n, dim), _DUAL[_norm(norm)], "ihfft"))


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """Two-dimensional :func:`hfftn`.

    Example:
        >>> deepglass.fft.hfft2(deepglass.ones(2, 3, dtype=deepglass.complex64)).shape
        (2, 4)
    """
    return hfftn(input, s, dim, norm)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm=None) -> Tensor:
    """Two-dimensional :func:`ihfftn`.

    Example:
        >>> deepglass.fft.ihfft2(deepglass.ones(2, 4)).shape
        (2, 3)
    """
    return ihfftn(input, s, dim, norm)


def hfftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """N-dimensional DFT of a Hermitian-symmetric input given by its half along the last of ``dim``.

    ``hfftn(x) = irfftn(conj(x), norm=dual)`` (the DFT of the full symmetric signal is real).

    Example:
        >>> deepglass.fft.hfftn(deepglass.ones(2, 3, dtype=deepglass.complex64))
        tensor([[8., 0., 0., 0.],
                [0., 0., 0., 0.]])
    """
    from .complex import conj

    return _c2r(conj(_prepare(input, "hfftn", complex_input=True)), s, dim, _DUAL[_norm(norm)], "hfftn")


def ihfftn(input: Tensor, s=None, dim=None, norm=None) -> Tensor:
    """Inverse of :func:`hfftn`: ``conj(rfftn(x, norm=dual))`` of a real input.

    Example:
        >>> deepglass.fft.ihfftn(deepglass.ones(2, 4)).real
        tensor([[1., 0., 0.],
                [0., 0., 0.]])
    """
    from .complex import conj

    return conj(_r2c(input, s, dim, _DUAL[_norm(norm)], "ihfftn"))


# ---------------------------------------------------------------- frequencies and shifts


def _freq_tensor(values, dtype, device, requires_grad, layout=None, pin_memory=False):
    from ..creation import tensor

    return tensor(values, dtype=dtype or dtypes.get_default_dtype(), device=device, requires_grad=requires_grad)


def fftfreq(n: int, d: float = 1.0, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
            pin_memory: bool = False) -> Tensor:
    """The sample frequencies of :func:`fft`: ``[0, 1, ..., ⌈n/2⌉−1, −⌊n/2⌋, ..., −1] / (d·n)``.

    Example:
        >>> deepglass.fft.fftfreq(4)
        tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    import numpy as np

    return _freq_tensor(np.fft.fftfreq(int(n), d), dtype, device, requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """The sample frequencies of :func:`rfft`: ``[0, 1, ..., ⌊n/2⌋] / (d·n)``.

    Example:
        >>> deepglass.fft.rfftfreq(4)
        tensor([0.0000, 0.2500, 0.5000])
    """
    import numpy as np

    return _freq_tensor(np.fft.rfftfreq(int(n), d), dtype, device, requires_grad)


def _shift(input, dim, sign):
    from .arrange import roll

    ensure_tensor(input)
    dims = list(range(input.ndim)) if dim is None else ([dim] if isinstance(dim, int) else list(dim))
    if not dims:
        return input.clone()
    dims = [normalize_dim(d, input.ndim) for d in dims]
    shifts = [(input.shape[d] // 2) if sign > 0 else -(input.shape[d] // 2) for d in dims]
    return roll(input, shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Move the zero frequency to the centre: a roll by ⌊n/2⌋ along each of ``dim`` (all dims by default).

    Example:
        >>> deepglass.fft.fftshift(deepglass.fft.fftfreq(5))
        tensor([-0.4000, -0.2000,  0.0000,  0.2000,  0.4000])
    """
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """Inverse of :func:`fftshift`: a roll by −⌊n/2⌋ along each of ``dim``.

    Example:
        >>> deepglass.fft.ifftshift(deepglass.fft.fftshift(deepglass.arange(5)))
        tensor([0, 1, 2, 3, 4])
    """
    return _shift(input, dim, -1)


__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
           "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]
