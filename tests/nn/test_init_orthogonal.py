"""nn.init.orthogonal_ against PyTorch's algorithm (torch.linalg.qr on the same Gaussian draws, sign-fixed)."""
import numpy as np
import pytest
import torch

import deepglass
from deepglass import nn, random


def _torch_expected(shape, gain, seed):
    deepglass.manual_seed(seed)
    rows = shape[0]
    cols = int(np.prod(shape)) // rows
    flat = torch.from_numpy(random.numpy_generator(None).standard_normal((rows, cols)))
    if rows < cols:
        flat = flat.t()
    q, r = torch.linalg.qr(flat)
    q = q * torch.diag(r, 0).sign()
    if rows < cols:
        q = q.t()
    return (q * gain).reshape(shape).numpy()


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (6, 2, 3, 3), (1, 7)])
def test_matches_torch_qr_on_the_same_draws(shape):
    gain = nn.init.calculate_gain("relu")
    expected = _torch_expected(shape, gain, seed=3)
    deepglass.manual_seed(3)
    w = nn.init.orthogonal_(deepglass.empty(*shape, dtype=deepglass.float64), gain)
    np.testing.assert_allclose(w.numpy(), expected, rtol=1e-10, atol=1e-12)
    flat = w.numpy().reshape(shape[0], -1)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(small), atol=1e-10)


def test_errors_and_torch_agreement_on_them():
    with pytest.raises(ValueError, match="2 or more dimensions"):
        torch.nn.init.orthogonal_(torch.empty(3))
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(deepglass.empty(3))
    p = nn.Parameter(deepglass.empty(4, 2))
    out = nn.init.orthogonal_(p)
    assert out is p and p.requires_grad and p.grad_fn is None
