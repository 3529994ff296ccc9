"""``deepglass.Size``: PyTorch's ``torch.Size``, a tuple of dimension lengths.

Scripts build sizes with it (``torch.Size([n, n])``) and ask for their element
count. deepglass's ``Tensor.shape`` and ``Tensor.size()`` return plain tuples
(a ``Size`` compares equal to the same tuple), so a ``Size`` is accepted
wherever a shape is.

Example:
    >>> s = deepglass.Size([2, 3])
    >>> s, s.numel(), s == (2, 3)
    (deepglass.Size([2, 3]), 6, True)
    >>> deepglass.zeros(s).shape
    (2, 3)
"""
from __future__ import annotations

import operator


class Size(tuple):
    """A tuple of non-negative ints: the lengths of a tensor's dimensions."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        try:
            dims = tuple(operator.index(d) for d in sizes)
        except TypeError:
            raise TypeError(f"Size() takes an iterable of ints, got {sizes!r}") from None
        return super().__new__(cls, dims)

    def numel(self) -> int:
        """The number of elements of a tensor of this size (1 for ``Size([])``)."""
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, index):
        out = super().__getitem__(index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __repr__(self) -> str:
        return f"deepglass.Size({list(self)})"
