"""The namespaces real PyTorch scripts import (issue 13): accelerator, backends,
nn.parallel, onnx, hub — each compared with what torch 2.13 answers on the same machine."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import deepglass as dg


def test_accelerator_matches_torch_on_this_machine():
    # torch here is a CPU build and deepglass sees no GPU without CuPy: both answer "no accelerator"
    if dg.cuda.is_available():
        assert dg.accelerator.is_available()
        assert dg.accelerator.current_accelerator() == dg.device("cuda")
        assert dg.accelerator.device_count() == dg.cuda.device_count() > 0
        return
    assert dg.accelerator.is_available() is torch.accelerator.is_available() is False
    assert dg.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert dg.accelerator.device_count() == torch.accelerator.device_count() == 0


def test_the_usual_device_line_runs():
    acc = dg.accelerator.current_accelerator()
    device = acc.type if dg.accelerator.is_available() else "cpu"
    assert dg.zeros(2, device=device).device.type == device


def test_cudnn_flags_are_settable_and_read_back():
    cudnn = dg.backends.cudnn
    before = (cudnn.benchmark, cudnn.deterministic, cudnn.enabled, cudnn.allow_tf32)
    assert before == (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic,
                      torch.backends.cudnn.enabled, torch.backends.cudnn.allow_tf32)
    try:
        cudnn.benchmark = True
        cudnn.deterministic = True
        assert cudnn.benchmark and cudnn.deterministic
    finally:
        cudnn.benchmark, cudnn.deterministic = before[:2]
    if not dg.cuda.is_available():
        assert cudnn.is_available() is torch.backends.cudnn.is_available() is False


def test_mps_and_cuda_matmul_flags():
    assert dg.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert dg.backends.mps.is_built() is False
    m = dg.backends.cuda.matmul
    assert m.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    assert m.allow_fp16_reduced_precision_reduction == torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction
    m.allow_tf32 = True
    assert m.allow_tf32 is True
    m.allow_tf32 = False
    with pytest.raises(AttributeError, match="Unknown attribute foo"):
        m.foo = 1
    with pytest.raises(AttributeError, match="Unknown attribute foo"):
        torch.backends.cuda.matmul.foo = 1


def test_import_forms():
    import deepglass.backends.cudnn as c1
    import deepglass.nn.parallel as p1
    from deepglass.nn.parallel import DataParallel

    assert c1 is dg.backends.cudnn
    assert p1.DataParallel is DataParallel is dg.nn.DataParallel is dg.nn.parallel.DataParallel


def _copy(src_t, dst_dg):
    dst_dg.load_state_dict({k: v.detach().numpy() for k, v in src_t.state_dict().items()})


def test_data_parallel_matches_torch_values_grads_and_keys():
    tm = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)))
    dm = dg.nn.DataParallel(dg.nn.Sequential(dg.nn.Linear(3, 4), dg.nn.Tanh(), dg.nn.Linear(4, 2)))
    assert list(dm.state_dict()) == list(tm.state_dict()) == [
        "module.0.weight", "module.0.bias", "module.2.weight", "module.2.bias"]
    _copy(tm, dm)
    x = np.random.randn(5, 3).astype(np.float32)
    yt, yd = tm(torch.from_numpy(x)), dm(dg.from_numpy(x))
    np.testing.assert_allclose(yd.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    yt.square().sum().backward()
    yd.square().sum().backward()
    gt = {n: p.grad.numpy() for n, p in tm.named_parameters()}
    gd = {n: p.grad.numpy() for n, p in dm.named_parameters()}
    assert list(gt) == list(gd)
    for n in gt:
        np.testing.assert_allclose(gd[n], gt[n], rtol=1e-5, atol=1e-6)
    assert isinstance(dm.module, dg.nn.Sequential)
    assert repr(dm) == repr(tm)


def test_data_parallel_kwargs_and_device_ids_on_cpu():
    dm = dg.nn.DataParallel(dg.nn.Linear(2, 2))
    tm = torch.nn.DataParallel(torch.nn.Linear(2, 2))
    assert dm.device_ids == tm.device_ids
    assert dm(input=dg.ones(1, 2)).shape == (1, 2)


def test_onnx_imports_and_exports(tmp_path):
    import deepglass.onnx  # imports without the onnx extra; export needs it (issue 19, tests/onnx)

    pytest.importorskip("onnx")
    path = tmp_path / "m.onnx"
    deepglass.onnx.export(dg.nn.Linear(2, 2), (dg.ones(1, 2),), str(path))
    assert path.stat().st_size > 0


def test_hub_refuses_clearly():
    with pytest.raises(RuntimeError, match="no network by design"):
        dg.hub.load("pytorch/vision", "resnet18", pretrained=True)
    with pytest.raises(RuntimeError, match="load_state_dict_from_url"):
        dg.hub.load_state_dict_from_url("https://example.org/w.pth")


@pytest.mark.gpu
def test_accelerator_and_data_parallel_on_cuda():
    assert dg.accelerator.is_available() and dg.accelerator.current_accelerator() == dg.device("cuda")
    m = dg.nn.Linear(3, 2)
    ref = m(dg.ones(4, 3))
    dp = dg.nn.DataParallel(m.to("cuda"))
    assert dp.device_ids == list(range(dg.cuda.device_count()))
    out = dp(dg.ones(4, 3))  # the CPU batch goes to cuda:0, as PyTorch's scatter does
    assert out.is_cuda
    np.testing.assert_allclose(out.detach().cpu().numpy(), ref.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_distributed_data_parallel_needs_a_process_group():
    assert hasattr(torch.nn.parallel, "DistributedDataParallel")
    with pytest.raises(RuntimeError, match="init_process_group"):  # issue 18; tests/distributed runs it
        dg.nn.parallel.DistributedDataParallel(dg.nn.Linear(2, 2))
