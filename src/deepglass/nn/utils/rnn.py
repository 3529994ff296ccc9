"""Sequence utilities (PyTorch's ``torch.nn.utils.rnn``): :func:`pad_sequence`.

Batching variable-length sequences for an RNN::

    batch = nn.utils.rnn.pad_sequence([a, b, c], batch_first=True)  # (3, max_len, *)
"""
from __future__ import annotations

from ... import backend
from ..._tensor import Tensor
from ...autograd.function import Function


class _PadSequence(Function):
    @staticmethod
    def forward(ctx, *seqs, batch_first=False, padding_value=0.0, padding_side="right"):
        first = seqs[0]
        xp = backend.array_module_of(first)
        trailing = tuple(first.shape[1:])
        for s in seqs[1:]:
            if tuple(s.shape[1:]) != trailing:
                raise RuntimeError(
                    f"pad_sequence: all sequences must have the same trailing dimensions, got {trailing} and "
                    f"{tuple(s.shape[1:])}")
        max_len = max(s.shape[0] for s in seqs)
        dtype = xp.result_type(*seqs)
        out = xp.full((len(seqs), max_len) + trailing, padding_value, dtype=dtype)
        spans = []
        for i, s in enumerate(seqs):
            n = s.shape[0]
            start = 0 if padding_side == "right" else max_len - n
            out[i, start:start + n] = s
            spans.append((start, n))
        ctx.spans, ctx.batch_first = spans, batch_first
        return out if batch_first else xp.ascontiguousarray(xp.swapaxes(out, 0, 1))

    @staticmethod
    def backward(ctx, grad):
        if not ctx.batch_first:
            grad = grad.swapaxes(0, 1)
        return tuple(grad[i, start:start + n].copy() for i, (start, n) in enumerate(ctx.spans))


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack variable-length sequences into one tensor, padding the short ones with ``padding_value``.

    Args:
        sequences: tensors of shapes ``(L_i, *)`` with the same ``*`` (a list, a tuple, or one
            tensor, which is split along its first dimension).
        batch_first: output ``(B, L_max, *)`` instead of ``(L_max, B, *)``.
        padding_value: the value of the padded positions.
        padding_side: ``"right"`` (pad after each sequence) or ``"left"`` (before it).

    Returns:
        The padded tensor, differentiable with respect to every sequence.

    Raises:
        RuntimeError: an empty list, mismatched trailing shapes, or an unknown ``padding_side``.

    Example:
        >>> pad_sequence([deepglass.ones(2), deepglass.ones(3)], batch_first=True).shape
        (2, 3)
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = [sequences[i] for i in range(sequences.shape[0])]
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    return _PadSequence.apply(*sequences, batch_first=bool(batch_first), padding_value=padding_value,
                              padding_side=padding_side)


__all__ = ["pad_sequence"]
