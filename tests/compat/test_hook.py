"""The torch import hook (deepglass.compat) and `deepglass run SCRIPT`."""
import subprocess
import sys
import textwrap

import pytest
import torch as real_torch

import deepglass
import deepglass.compat as compat


def test_context_manager_maps_torch_and_restores_real_torch():
    with compat.torch_as_deepglass():
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.optim.lr_scheduler import StepLR
        from torch.utils.data import DataLoader

        assert torch is not real_torch and torch.Tensor is deepglass.Tensor
        assert nn.Linear is deepglass.nn.Linear and F.relu is deepglass.nn.functional.relu
        assert StepLR is deepglass.optim.lr_scheduler.StepLR and DataLoader is deepglass.utils.data.DataLoader
        assert torch.nn is nn and torch.nn.functional is F  # attribute access gives the same proxies
        from torch.distributions import Categorical

        assert Categorical is deepglass.distributions.Categorical
        assert torch.serialization.add_safe_globals is deepglass.serialization.add_safe_globals
        assert compat.is_installed()
    assert not compat.is_installed()
    import torch

    assert torch is real_torch and sys.modules["torch"] is real_torch


def test_assignments_reach_the_deepglass_module():
    import deepglass.nn.modules.module as dg_module

    with compat.torch_as_deepglass():
        import torch.nn.modules.module as proxy

        proxy._test_flag_set_through_proxy = 42
        assert dg_module._test_flag_set_through_proxy == 42
        del proxy._test_flag_set_through_proxy
        assert not hasattr(dg_module, "_test_flag_set_through_proxy")


def test_missing_names_say_deepglass_lacks_them():
    with compat.torch_as_deepglass():
        import torch

        with pytest.raises(AttributeError, match="deepglass does not implement torch.frobnicate yet"):
            torch.frobnicate  # noqa: B018
        assert not hasattr(torch.nn, "NoSuchLayer")
        with pytest.raises(ModuleNotFoundError, match="deepglass does not implement torch.no_such_pkg yet"):
            import torch.no_such_pkg  # noqa: F401
        import torch.hub  # deepglass.hub: present, and refuses the network on use

        with pytest.raises(RuntimeError, match="never downloads"):
            torch.hub.load("pytorch/vision", "resnet18")
        with pytest.raises(ModuleNotFoundError, match="deepglass does not implement torchvision.ops yet"):
            import torchvision.ops  # noqa: F401
        with pytest.raises(AttributeError, match="deepglass does not implement torch.Tensor.no_such_method_ yet"):
            torch.ones(2).no_such_method_()
    with pytest.raises(AttributeError) as e:  # the hook is gone: Python's own message again
        deepglass.ones(2).no_such_method_()
    assert "deepglass" not in str(e.value)


def test_torchvision_models_and_datasets(tmp_path):
    with compat.torch_as_deepglass():
        import torchvision
        from torchvision import datasets, models, transforms

        m = models.resnet18(weights=None, num_classes=3)
        assert isinstance(m, deepglass.models.ResNet)
        with pytest.raises(RuntimeError, match="no pretrained weights for resnet18.*weights=None"):
            models.resnet18(weights="IMAGENET1K_V1")
        with pytest.raises(RuntimeError, match="no pretrained weights"):
            torchvision.models.vgg11(pretrained=True)
        assert transforms.ToTensor is deepglass.data.transforms.ToTensor
        for cls in (datasets.MNIST, datasets.FashionMNIST, datasets.CIFAR10, datasets.CIFAR100):
            with pytest.raises(FileNotFoundError, match=r"(?s)never downloads.*expected: .*get them from"):
                cls(str(tmp_path), train=True, download=True)


def test_torchvision_image_folder_takes_torchvision_argument_order(tmp_path):
    from PIL import Image

    for cls, shade in (("cat", 30), ("dog", 200)):
        (tmp_path / cls).mkdir()
        Image.new("RGB", (4, 3), (shade, shade, shade)).save(tmp_path / cls / "a.png")
    with compat.torch_as_deepglass():
        from torchvision import datasets, transforms

        ds = datasets.ImageFolder(str(tmp_path), transforms.ToTensor())  # transform given positionally
        img, label = ds[1]
        assert ds.classes == ["cat", "dog"] and label == 1 and tuple(img.shape) == (3, 3, 4)
        assert abs(img.max().item() - 200 / 255) < 1e-6


def _run(tmp_path, body, *args):
    script = tmp_path / "prog.py"
    script.write_text(textwrap.dedent(body))
    return subprocess.run([sys.executable, "-m", "deepglass.cli", "run", str(script), *args],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)


def test_run_sets_argv_name_and_propagates_exit_code(tmp_path):
    r = _run(tmp_path, """
        import sys, argparse, torch
        p = argparse.ArgumentParser(); p.add_argument("--lr", type=float); p.add_argument("pos")
        a = p.parse_args()
        print(__name__, sys.argv[1:], a.lr, a.pos, type(torch.ones(1)).__module__)
        sys.exit(7)
        """, "--lr", "0.5", "x")
    assert r.returncode == 7, r.stderr
    assert r.stdout.split() == ["__main__", "['--lr',", "'0.5',", "'x']", "0.5", "x", "deepglass._tensor"]


def test_run_prints_traceback_and_exits_1_like_python(tmp_path):
    r = _run(tmp_path, """
        import torch
        raise ValueError("boom")
        """)
    assert r.returncode == 1 and "ValueError: boom" in r.stderr and "Traceback" in r.stderr
    r = _run(tmp_path, "import torch\n")
    assert r.returncode == 0, r.stderr


def test_run_names_a_missing_from_import(tmp_path):
    r = _run(tmp_path, "from torch.nn import NoSuchLayer\n")
    assert r.returncode == 1
    assert "deepglass does not implement torch.nn.NoSuchLayer yet" in r.stderr, r.stderr


def test_run_missing_script(tmp_path):
    r = subprocess.run([sys.executable, "-m", "deepglass.cli", "run", str(tmp_path / "nope.py")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "nope.py" in r.stderr


def test_run_whole_module_save_and_load_of_a_script_class(tmp_path):
    """torch.save(model, f) / torch.load(f, weights_only=False) of a class defined in the script itself."""
    r = _run(tmp_path, """
        import torch, torch.nn as nn

        class Net(nn.Module):
            def __init__(self, hidden):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, 1))

            def forward(self, x):
                return self.body(x)

        model = Net(hidden=5)
        torch.save(model, "whole.pt")
        try:
            torch.load("whole.pt")
        except RuntimeError as e:
            print("refused:", "weights_only=False" in str(e))
        again = torch.load("whole.pt", weights_only=False)
        x = torch.ones(2, 3)
        print(type(again).__name__, torch.equal(model(x), again(x)))
        """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["refused:", "True", "Net", "True"]
