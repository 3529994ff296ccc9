"""Short-time Fourier transforms: ``stft`` and its inverse ``istft`` (PyTorch's ``torch.stft``/``torch.istft``).

Both are composed from differentiable ops (padding, framing with ``Tensor.unfold``, the DFTs of
``ops/fft.py``, ``nn.functional.fold`` for the overlap-add), so their gradients come for free.

- ``stft``: frame t is ``x[t·hop : t·hop + n_fft] · window`` (the signal first padded by n_fft//2 on
  both sides when ``center``); ``X[f, t] = Σ_k frame_t[k]·e^{−2πi·fk/n_fft}``, only f ≤ n_fft//2 when
  ``onesided``; ``normalized`` multiplies by n_fft^(−1/2). Shape ``(*, n_freq, n_frames)``.
- ``istft``: inverse DFT of each frame, times the window, overlap-added and divided by the
  overlap-added squared window (the least-squares inverse of Griffin and Lim); it needs that
  envelope to be non-zero everywhere it is used (PyTorch's NOLA check).
"""
from __future__ import annotations

import warnings

from .. import dtypes
from .._tensor import Tensor
from ._util import ensure_tensor


def _window(window, win_length, n_fft, like, name):
    from ..creation import ones
    from .layout import pad

    if window is None:
        window = ones(win_length, dtype=dtypes.to_real(like.dtype), device=like.device)
    elif window.ndim != 1 or window.shape[0] != win_length:
        raise RuntimeError(f"{name}: expected a 1D window tensor of size equal to win_length={win_length}, but got "
                           f"window with size {list(window.shape)}")
    if win_length < n_fft:            # centred in n_fft, zeros on both sides (as PyTorch)
        left = (n_fft - win_length) // 2
        window = pad(window, (left, n_fft - win_length - left))
    return window


def _lengths(n_fft, hop_length, win_length, name):
    hop_length = n_fft // 4 if hop_length is None else int(hop_length)
    win_length = n_fft if win_length is None else int(win_length)
    if hop_length <= 0:
        raise RuntimeError(f"{name}: expected hop_length > 0, but got hop_length={hop_length}")
    if not 0 < win_length <= n_fft:
        raise RuntimeError(f"{name}: expected 0 < win_length <= n_fft, but got win_length={win_length}")
    return hop_length, win_length


def stft(input: Tensor, n_fft: int, hop_length=None, win_length=None, window=None, center: bool = True,
         pad_mode: str = "reflect", normalized: bool = False, onesided=None, return_complex=None) -> Tensor:
    """Short-time Fourier transform of a 1-D ``(L)`` or batched 2-D ``(B, L)`` signal (``torch.stft``).

    Returns ``(*, n_freq, n_frames)`` complex (``return_complex=True``; ``False`` gives PyTorch's
    deprecated real form ``(*, n_freq, n_frames, 2)``); n_freq = n_fft//2 + 1 when ``onesided``
    (the default for real inputs), n_frames = 1 + (L' − n_fft)//hop_length with L' the padded length.

    Example:
        >>> x = deepglass.arange(8, dtype=deepglass.float32)
        >>> deepglass.stft(x, 4, hop_length=2, window=deepglass.ones(4), return_complex=True).shape
        (3, 5)
    """
    from .complex import view_as_real
    from .fft import fft, rfft
    from .layout import pad

    ensure_tensor(input)
    n_fft = int(n_fft)
    hop_length, win_length = _lengths(n_fft, hop_length, win_length, "stft")
    complex_in = input.dtype.kind == "c" or (window is not None and window.dtype.kind == "c")
    if return_complex is None:
        if not complex_in:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will further "
                               "require that return_complex=True in a future PyTorch release.")
        return_complex = True
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got a {input.ndim}D tensor")
    if input.dtype.kind in "biu":
        raise RuntimeError("stft: expected a floating point or complex input")
    batched = input.ndim == 2
    x = input if batched else input.reshape(1, -1)
    if center:
        half = n_fft // 2
        x = pad(x.reshape(1, *x.shape), (half, half), mode=pad_mode).reshape(x.shape[0], -1)
    if not 0 < n_fft <= x.shape[-1]:
        raise RuntimeError(f"stft: expected 0 < n_fft <= {x.shape[-1]}, but got n_fft={n_fft}")
    frames = x.unfold(-1, n_fft, hop_length) * _window(window, win_length, n_fft, x, "stft")   # (B, T, n_fft)
    onesided = not complex_in if onesided is None else onesided
    if onesided and complex_in:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    out = (rfft if onesided else fft)(frames, dim=-1, norm=norm).transpose(-1, -2)         # (B, n_freq, T)
    if not batched:
        out = out.reshape(out.shape[1:])
    if not return_complex:
        warnings.warn("stft with return_complex=False is deprecated; use view_as_real on the complex output",
                      UserWarning, stacklevel=2)
        return view_as_real(out)
    return out


def istft(input: Tensor, n_fft: int, hop_length=None, win_length=None, window=None, center: bool = True,
          normalized: bool = False, onesided=None, length=None, return_complex: bool = False) -> Tensor:
    """Inverse of :func:`stft` from a complex ``(*, n_freq, n_frames)`` spectrogram (``torch.istft``).

    Example:
        >>> x = deepglass.randn(32)
        >>> w = deepglass.ones(8)
        >>> S = deepglass.stft(x, 8, hop_length=2, window=w, return_complex=True)
        >>> bool(deepglass.allclose(deepglass.istft(S, 8, hop_length=2, window=w), x, atol=1e-5))
        True
    """
    from ..nn.functional import fold
    from .fft import ifft, irfft

    ensure_tensor(input)
    if input.dtype.kind != "c":
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex values, got {input.ndim}D")
    n_fft = int(n_fft)
    hop_length, win_length = _lengths(n_fft, hop_length, win_length, "istft")
    batched = input.ndim == 3
    spec = input if batched else input.reshape(1, *input.shape)
    n_freq, n_frames = spec.shape[-2], spec.shape[-1]
    onesided = (n_freq != n_fft) if onesided is None else onesided
    want = n_fft // 2 + 1 if onesided else n_fft
    if n_freq != want:
        raise RuntimeError(f"istft: expected the frequency dimension (3rd to the last) of the input tensor to match "
                           f"n_fft / 2 + 1 when onesided=True, but got {n_freq}" if onesided else
                           f"istft: expected the frequency dimension to equal n_fft={n_fft}, but got {n_freq}")
    if onesided and return_complex:
        raise RuntimeError("cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    frames_in = spec.transpose(-1, -2)                                                     # (B, T, n_freq)
    if return_complex:
        frames = ifft(frames_in, n=n_fft, dim=-1, norm=norm)
    else:  # a real output: the first n_fft//2 + 1 bins, inverted as a Hermitian spectrum (as PyTorch)
        frames = irfft(frames_in[..., :n_fft // 2 + 1], n=n_fft, dim=-1, norm=norm)
    w = _window(window, win_length, n_fft, frames, "istft")
    frames = frames * w
    total = n_fft + hop_length * (n_frames - 1)

    def overlap_add(cols):                                                                 # (B, n_fft, T) -> (B, total)
        return fold(cols, (1, total), (1, n_fft), stride=(1, hop_length)).reshape(cols.shape[0], total)

    if frames.dtype.kind == "c":
        from .complex import complex as _complex
        from .complex import imag, real

        y = _complex(overlap_add(real(frames).transpose(1, 2)), overlap_add(imag(frames).transpose(1, 2)))
    else:
        y = overlap_add(frames.transpose(1, 2))
    w2 = w * w                        # PyTorch's window.pow(2), also for a complex window
    if w2.dtype.kind == "c":
        from .complex import complex as _complex
        from .complex import imag, real

        env_cols = w2.reshape(1, n_fft, 1).expand(1, n_fft, n_frames)
        envelope = _complex(overlap_add(real(env_cols)), overlap_add(imag(env_cols)))
    else:
        envelope = overlap_add(w2.reshape(1, n_fft, 1).expand(1, n_fft, n_frames))
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + int(length)
    end = min(end, total)
    y, envelope = y[:, start:end], envelope[:, start:end]
    if envelope.numel() and float(envelope.abs().min()) < 1e-11:
        raise RuntimeError(f"istft(n_fft={n_fft}, hop_length={hop_length}, win_length={win_length}) window overlap "
                           "add min: the squared window sums to 0 somewhere (NOLA fails); use a window that overlaps "
                           "itself everywhere, or a smaller hop_length")
    y = y / envelope
    if length is not None and y.shape[-1] < int(length):
        from .layout import pad

        y = pad(y, (0, int(length) - y.shape[-1]))
    return y if batched else y.reshape(y.shape[1:])


__all__ = ["stft", "istft"]
