"""``deepglass train``'s default job: one training epoch of the digits CNN on the bundled 8×8 digits.

One step = one epoch over the training split, reported as samples/s
(samples/s = 1,293 / epoch time). The defaults are those ``deepglass train``
resolves with no arguments (``deepglass.train.config``): model ``digits_cnn``
(3 conv + 3 batch-norm, dropout, linear), cross-entropy, Adam lr 3e-3 with the
one-cycle schedule laid out for 10 epochs (stepped every batch), batch 32,
shuffled, seed 0, no augmentation, 10% of the 1,437 training images held out
for validation (1,293 trained on).

deepglass: the CLI's own pieces — ``config.build_datasets`` / ``build_loaders``
/ ``build_model`` / ``build_optimizer`` / ``build_scheduler`` and one
``Trainer.fit`` epoch inside ``config.blas_threads(1)`` (the digits default
``threads = 1``). PyTorch: the same loop written the usual way — the same
architecture, Adam, ``OneCycleLR``, batch size and shuffling, a
``torch.utils.data.DataLoader`` over a ``TensorDataset`` of the same NumPy
arrays (the same 1,293 images, rebuilt here with NumPy and scikit-learn so the
torch process never imports deepglass), ``loss.item()`` and the accuracy count
per batch as the Trainer does; threads left at PyTorch's default.

Included in the timed step: iterating the DataLoader (indexing and collating
each batch), forward, loss, backward, optimizer and scheduler steps, the
per-batch loss/accuracy bookkeeping; for deepglass also what ``Trainer.fit``
does per epoch (the non-finite gradient check after every backward, the
non-finite state check and history row at the end of the epoch, its
diagnosis). Not included: building the dataset and model, the validation pass,
checkpoint files, history/TensorBoard files, the insight health callback, the
test evaluation and the report. When the 10-epoch schedule runs out (more
than 10 steps), it starts again.

Example (just these workloads, quick)::

    python bench/run.py --quick --only train_digits
"""
from __future__ import annotations

import numpy as np

EPOCHS, BATCH, LR, SEED = 10, 32, 3e-3, 0  # deepglass.train.config's digits defaults
N_ALL, N_TEST = 1797, 360  # scikit-learn's digits; deepglass.data.Digits' fixed test split
N_VAL = round(0.1 * (N_ALL - N_TEST))  # val_split 0.1 of the 1,437 training images: 144
N_TRAIN = N_ALL - N_TEST - N_VAL  # 1,293 samples per epoch


def train_arrays():
    """The 1,293 images and targets ``deepglass train`` trains on, in NumPy (no deepglass import).

    Digits' split (a ``RandomState(0)`` permutation, test = its first 360, sorted) then the
    validation hold-out (``random_split`` with ``Generator().manual_seed(0)``: a PCG64(0)
    permutation, train = its first 1,293).
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    idx = np.sort(np.random.RandomState(0).permutation(len(bunch.target))[N_TEST:])
    x = (bunch.images[idx].astype(np.float32) / np.float32(16.0))[:, None, :, :]
    y = bunch.target[idx].astype(np.int64)
    keep = np.random.Generator(np.random.PCG64(SEED)).permutation(len(y))[:N_TRAIN]
    return np.ascontiguousarray(x[keep]), y[keep]


def make_deepglass(device="cpu"):
    from deepglass.random import manual_seed
    from deepglass.train import config as C
    from deepglass.train.trainer import Trainer

    cfg = C.resolve({"device": device})  # deepglass train's defaults, as with no arguments
    manual_seed(int(cfg["seed"]))
    train_ds, val_ds, test_ds, info = C.build_datasets(cfg)
    train_loader, _, _ = C.build_loaders(cfg, train_ds, val_ds, test_ds)
    model = C.build_model(cfg, info)
    optimizer = C.build_optimizer(cfg, model.parameters())
    trainer = Trainer(model, C.build_loss(), optimizer, C.build_scheduler(cfg, optimizer, len(train_loader)),
                      device=device, verbose=False, progress=False)
    threads = cfg.get("threads") if device == "cpu" else None
    done = [0]

    def step():
        if done[0] == cfg["epochs"]:  # the schedule is laid out for 10 epochs: start it again
            trainer.scheduler, done[0] = C.build_scheduler(cfg, optimizer, len(train_loader)), 0
        with C.blas_threads(threads):
            trainer.fit(train_loader, epochs=trainer.epoch + 1)
        done[0] += 1

    return step


def _torch_digits_cnn(nn):
    """``deepglass.models.digits_cnn`` in PyTorch."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.25),
        nn.Linear(64 * 2 * 2, 10),
    )


def make_torch(device="cpu"):
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    x, y = train_arrays()
    torch.manual_seed(SEED)
    loader = DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=BATCH, shuffle=True,
                        generator=torch.Generator().manual_seed(SEED))
    model = _torch_digits_cnn(nn).to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=0.0)

    def schedule():
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LR, epochs=EPOCHS, steps_per_epoch=len(loader),
                                                   cycle_momentum=True)

    state = {"scheduler": schedule(), "done": 0}

    def step():
        if state["done"] == EPOCHS:  # the schedule is laid out for 10 epochs: start it again
            state["scheduler"], state["done"] = schedule(), 0
        scheduler = state["scheduler"]
        model.train()
        loss_sum, seen, correct = 0.0, 0, 0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb)
            loss = loss_fn(out, yb)
            value = loss.item()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            n = xb.shape[0]
            loss_sum += value * n
            seen += n
            correct += int((out.argmax(1) == yb).sum())
        state["done"] += 1
        return loss_sum / seen, correct / seen

    return step


# reps 7: with the full run's 3 warm-up epochs, exactly the 10 epochs of the default run
WORKLOADS = [dict(name="train_digits_epoch", deepglass=make_deepglass, torch=make_torch, samples=N_TRAIN, reps=7)]
