"""``deepglass.sparse``: PyTorch's ``torch.sparse`` functions for COO tensors (see :mod:`deepglass.ops.sparse`).

Example:
    >>> import deepglass as dg
    >>> adj = dg.sparse_coo_tensor([[0, 1, 1], [1, 0, 1]], dg.tensor([1.0, 1.0, 0.5]), (2, 2))
    >>> dg.sparse.mm(adj, dg.tensor([[1.0], [2.0]]))
    tensor([[2.],
            [2.]])
"""
from ..ops.sparse import SparseTensor, sparse_mm

__all__ = ["mm", "SparseTensor"]


def mm(mat1, mat2):
    """``sparse @ dense`` with gradients for the dense operand and the sparse values (``torch.sparse.mm``)."""
    return sparse_mm(mat1, mat2)
