"""``deepglass.fft``: PyTorch's ``torch.fft`` (discrete Fourier transforms with gradients).

The transforms live in :mod:`deepglass.ops.fft` (one file, forward and backward side by side).

Example:
    >>> x = deepglass.tensor([1., 2., 3., 4.], requires_grad=True)
    >>> deepglass.fft.rfft(x).abs().sum().backward()
    >>> x.grad.shape
    (4,)
"""
from __future__ import annotations

from .ops.fft import (  # noqa: F401
    __all__,
    fft,
    fft2,
    fftfreq,
    fftn,
    fftshift,
    hfft,
    hfft2,
    hfftn,
    ifft,
    ifft2,
    ifftn,
    ifftshift,
    ihfft,
    ihfft2,
    ihfftn,
    irfft,
    irfft2,
    irfftn,
    rfft,
    rfft2,
    rfftfreq,
    rfftn,
)
