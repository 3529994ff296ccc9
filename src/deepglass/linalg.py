"""``deepglass.linalg``: PyTorch's ``torch.linalg`` names that deepglass implements."""
from .ops.linalg import matmul
from .ops.reduce import vector_norm

__all__ = ["vector_norm", "matmul"]
