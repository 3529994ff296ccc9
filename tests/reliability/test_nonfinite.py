"""Finding 3: NaN/inf in gradients, parameters, buffers or the loss never reach a checkpoint; divergence is named."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

import deepglass as dg
from deepglass import nn, optim
from deepglass.data import DataLoader, TensorDataset
from deepglass.train import History, ModelCheckpoint, NonFiniteLossError, Trainer, diagnose


class SqrtNet(nn.Module):
    """y = sqrt(w·x): the loss is finite at x = 0 but its gradient is NaN (0/0)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(dg.ones(1))
        self.register_buffer("running", dg.zeros(1))
        self.poison_buffer = False

    def forward(self, x):
        if self.poison_buffer and self.training:
            self.running.fill_(float("inf"))  # like a batch-norm running_var that overflowed
        return (x * self.w).sqrt()


def _loader(x):
    x = dg.tensor(np.asarray(x, dtype=np.float32).reshape(-1, 1))
    return DataLoader(TensorDataset(x, dg.zeros_like(x)), batch_size=2)


def _sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def trained(tmp_path):
    model = SqrtNet()
    ck = ModelCheckpoint(tmp_path / "ck", monitor="train_loss")
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.01), callbacks=[ck], verbose=False,
                      progress=False)
    trainer.fit(_loader([1.0, 2.0, 3.0, 4.0]), epochs=1)
    return model, trainer, ck


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_nan_gradient_with_a_finite_loss_stops_before_the_update_and_keeps_the_checkpoint(trained):
    model, trainer, ck = trained
    before, w = _sha(ck.last_model_path), float(model.w.item())
    with pytest.raises(NonFiniteLossError, match=r"the loss is finite .* gradient of w is NaN or infinite") as e:
        trainer.fit(_loader([0.0, 0.0, 1.0, 1.0]), epochs=2)
    assert ck.last_model_path in str(e.value) and "lower the learning rate" in str(e.value)
    assert _sha(ck.last_model_path) == before and float(model.w.item()) == w  # no update, no save
    assert np.isfinite(dg.load(ck.last_model_path)["model"]["w"].numpy()).all()


def test_an_inf_buffer_is_never_saved_and_the_run_fails(trained):
    model, trainer, ck = trained
    before = _sha(ck.last_model_path)
    model.poison_buffer = True
    with pytest.raises(NonFiniteLossError, match="buffer running holds NaN or infinite"):
        trainer.fit(_loader([1.0, 2.0]), epochs=2)
    assert _sha(ck.last_model_path) == before
    with pytest.raises(NonFiniteLossError, match="not saving"):
        trainer.save_checkpoint(ck.last_model_path)
    assert _sha(ck.last_model_path) == before


def test_inf_in_the_data_is_a_non_finite_loss(tmp_path):
    model = SqrtNet()
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.01), verbose=False, progress=False)
    with pytest.raises(NonFiniteLossError, match="loss is inf at step 1"):
        trainer.fit(_loader([1.0, float("inf")]), epochs=1)


@pytest.mark.parametrize("losses", [[2.3, 5.0, 40.0, 900.0], [2.2e13, 6.7e10, 3.3e9], [2.3, float("nan")]])
def test_diagnosis_recognises_divergence(losses):
    # the old rules called these over-fitting (SGD at lr 1e6) or converged (Adam at lr 1e6, 8% accuracy)
    h = History([{"epoch": i + 1, "train_loss": v, "val_accuracy": 0.08 + 0.01 * (i % 2)}
                 for i, v in enumerate(losses)])
    d = diagnose(h)
    assert d.verdict == "diverged" and "lower the learning rate" in d.advice


def test_diagnosis_of_a_healthy_run_is_unchanged():
    h = History([{"epoch": i + 1, "train_loss": 1 / (i + 1), "val_accuracy": 0.5 + 0.05 * i} for i in range(8)])
    assert diagnose(h).verdict == "under-fitting"
