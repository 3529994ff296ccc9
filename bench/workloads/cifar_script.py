"""The notes' CIFAR-10 ("Tudui") PyTorch script, as is and under ``deepglass run``: its training throughput.

``examples/pytorch/cifar10_cnn.py`` is an ordinary PyTorch program. PyTorch:
the file imported normally. deepglass: the same file imported and its objects
built with ``deepglass.compat``'s import hook installed (``install()`` …
``uninstall()``, what ``deepglass run`` does around a script), so its
``import torch`` gives deepglass. The hook only redirects imports (and words
the error of a missing Tensor method); the timed loop imports nothing, so it
runs the same deepglass code as under ``deepglass run``. Removing the hook
after building keeps ``--interleaved`` (both frameworks in one process) and
the tests from seeing deepglass as ``torch`` afterwards.

One step = one epoch of the script's own default training set, through the
script's own pieces: ``synthetic(64)`` (its data when no ``--data-root`` is
given), ``DataLoader(batch_size=16, shuffle=True)`` (its default batch size),
``Net()`` after ``torch.manual_seed(1)``, ``nn.CrossEntropyLoss`` and
``torch.optim.SGD(lr=1e-2)``, and its loop body (``.to(device)``, forward,
loss, ``zero_grad``, ``backward``, ``step``, ``loss.item()``): 4 iterations,
64 samples, reported as samples/s. Not included: importing the script and
building the data and model, its initial-loss and test-accuracy evaluations,
the per-step ``print`` (the value is still read with ``loss.item()``).

Example::

    python bench/run.py --quick --only cifar_script
"""
from __future__ import annotations

import importlib.util
import pathlib

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "examples" / "pytorch" / "cifar10_cnn.py"
N_TRAIN, BATCH, LR, SEED = 64, 16, 1e-2, 1  # the script's defaults (synthetic(64), --batch-size, --lr, --seed)


def load_script():
    """The script as a module (``__name__`` is not ``"__main__"``, so its ``main()`` does not run)."""
    spec = importlib.util.spec_from_file_location("cifar10_cnn_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(script, device="cpu"):
    """One training epoch of the script's default set, made of the script's own objects."""
    torch, nn = script.torch, script.nn
    torch.manual_seed(SEED)
    train_loader = script.DataLoader(script.synthetic(N_TRAIN), batch_size=BATCH, shuffle=True)
    model = script.Net().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)

    def step():
        model.train()
        for x, y in train_loader:  # the script's loop body
            x, y = x.to(device), y.to(device)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()  # the script prints it every step
        return loss.item()

    step.model = model
    return step


def make_deepglass(device="cpu"):
    from deepglass.compat import torch_as_deepglass

    with torch_as_deepglass():  # `deepglass run`'s import hook: the script's `import torch` gives deepglass
        return build(load_script(), device)


def make_torch(device="cpu"):
    return build(load_script(), device)


WORKLOADS = [dict(name="cifar_script_epoch", deepglass=make_deepglass, torch=make_torch, samples=N_TRAIN)]
