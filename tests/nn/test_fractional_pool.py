"""fractional_max_pool2d/3d (ops/fractional_pool.py) and their modules against PyTorch, with shared _random_samples."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import deepglass
import deepglass.nn.functional as F
from deepglass import nn

pytest.importorskip("expecttest")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import test_op_db  # noqa: E402


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_op_db_samples_with_shared_random_samples(n, dtype):
    """Every op_db sample, with the same _random_samples on both sides: values, indices, input gradients."""
    op = next(o for o in test_op_db.op_db() if o.name == f"nn.functional.fractional_max_pool{n}d")
    samples = list(op.sample_inputs("cpu", dtype, requires_grad=True))
    assert samples
    gen = torch.Generator().manual_seed(0)
    for s in samples:
        x = s.input
        nb = 1 if x.ndim == n + 1 else x.shape[0]
        u = torch.rand(nb, x.shape[-n - 1], n, generator=gen, dtype=dtype)
        kwargs = dict(s.kwargs, _random_samples=u)
        t_out = getattr(TF, f"fractional_max_pool{n}d")(x, *s.args, **kwargs)
        xd = deepglass.tensor(x.detach().numpy(), requires_grad=True)
        d_out = getattr(F, f"fractional_max_pool{n}d")(xd, *s.args, **dict(kwargs, _random_samples=deepglass.tensor(
            u.numpy())))
        t_list = list(t_out) if isinstance(t_out, tuple) else [t_out]
        d_list = list(d_out) if isinstance(d_out, tuple) else [d_out]
        for d, t in zip(d_list, t_list, strict=True):
            np.testing.assert_array_equal(d.detach().numpy(), t.detach().numpy())
        g = torch.randn(t_list[0].shape, generator=gen, dtype=dtype)
        (t_list[0] * g).sum().backward()
        (d_list[0] * deepglass.tensor(g.numpy())).sum().backward()
        np.testing.assert_allclose(xd.grad.numpy(), x.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_modules_match_torch_and_reseeding_repeats():
    u = torch.rand(2, 3, 2, dtype=torch.float64)
    tm = torch.nn.FractionalMaxPool2d(3, output_ratio=0.5, _random_samples=u)
    dm = nn.FractionalMaxPool2d(3, output_ratio=0.5, _random_samples=deepglass.tensor(u.numpy()))
    x = np.random.default_rng(0).standard_normal((2, 3, 10, 12))
    np.testing.assert_array_equal(dm(deepglass.tensor(x)).numpy(), tm(torch.tensor(x)).numpy())
    m3 = nn.FractionalMaxPool3d(2, output_size=(2, 3, 3), return_indices=True)
    x3 = deepglass.randn(1, 2, 5, 6, 7)
    deepglass.manual_seed(5)
    a = m3(x3)
    deepglass.manual_seed(5)
    b = m3(x3)
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())
    assert tuple(a[0].shape) == (1, 2, 2, 3, 3) and a[1].dtype == np.int64


@pytest.mark.parametrize("call", [
    lambda m, x: m.nn.functional.fractional_max_pool2d(x, 2),                          # no output size/ratio
    lambda m, x: m.nn.functional.fractional_max_pool2d(x, 2, output_size=(5, 5)),      # window too large
    lambda m, x: m.nn.FractionalMaxPool2d(2),
    lambda m, x: m.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5),
    lambda m, x: m.nn.FractionalMaxPool2d(2, output_ratio=1.5),
])
def test_errors_as_torch(call):
    x = np.zeros((1, 1, 5, 5))
    with pytest.raises(Exception) as te:
        call(torch, torch.tensor(x))
    with pytest.raises(type(te.value)):
        call(deepglass, deepglass.tensor(x))
