"""A whole training run as one call (what ``deepglass train`` does), and loading a finished run back.

Run folder (``runs/<model>-<data>-<time>/`` or ``--out``)::

    config.json           everything to rebuild the model and data, and to resume
    model.safetensors     the best epoch's weights
    checkpoints/          last.safetensors, best.safetensors (full training state)
    history.csv/.json     one row per epoch
    tensorboard/          event files (tensorboard --logdir)
    summary.txt           the model's analysis table
    metrics.json          test metrics, timing, diagnosis
    figures/*.png         curves, confusion matrix, PR/ROC/F1-confidence
    report.md             all of it in one page
"""
from __future__ import annotations

import contextlib
import json
import os
import time

from .. import backend
from .._version import __version__
from ..io import atomic_write, load, save_state_dict
from ..random import manual_seed
from . import config as C
from . import distributed
from .callbacks import EarlyStopping, LearningRateMonitor, ModelCheckpoint
from .report import write_json, write_report
from .trainer import Trainer

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


def default_run_dir(cfg: dict, runs_root: str = "runs") -> str:
    """``runs/<model>-<data>-<YYYYmmdd-HHMMSS>`` (a suffix keeps it unique)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = os.path.join(runs_root, f"{cfg['model']}-{cfg['data']}-{stamp}")
    path, n = base, 1
    while os.path.exists(path):
        n += 1
        path = f"{base}-{n}"
    return path


#: what a run folder holds (``--overwrite`` removes exactly these, never other files)
RUN_ARTIFACTS = (CONFIG_NAME, WEIGHTS_NAME, "checkpoints", "history.csv", "history.json", "tensorboard", "summary.txt",
                 "metrics.json", "figures", "report.md", "health.json", "report.html")


def _is_tmp(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")  # atomic_write's temporary files


def check_run_dir(run_dir, *, overwrite: bool = False, resuming: bool = False) -> None:
    """Refuse a run folder that would destroy something; writes nothing.

    An existing non-empty folder is accepted only when the run is resumed into it, or with
    ``overwrite`` when it holds a deepglass run (and nothing else).

    Raises:
        FileExistsError: the folder holds a run (pass ``--overwrite`` or ``--resume``), or other files.
        NotADirectoryError: the path is a file.
    """
    run_dir = os.fspath(run_dir)
    if os.path.exists(run_dir) and not os.path.isdir(run_dir):
        raise NotADirectoryError(f"--out {run_dir} is a file, not a folder; pass a new folder for the run")
    if not os.path.isdir(run_dir) or resuming:
        return
    entries = [n for n in os.listdir(run_dir) if not _is_tmp(n)]
    if not entries:
        return
    others = sorted(set(entries) - set(RUN_ARTIFACTS))
    if others:
        raise FileExistsError(f"--out {run_dir} is not empty and is not a deepglass run folder (it holds "
                              f"{', '.join(others[:3])}{' ...' if len(others) > 3 else ''}); choose a new or empty "
                              "folder")
    if not overwrite:
        raise FileExistsError(f"--out {run_dir} already holds a run; pass --overwrite to replace it, --resume "
                              f"{run_dir} to continue it, or choose another --out")


def clean_run_dir(run_dir, *, overwrite: bool = False) -> None:
    """Create ``run_dir``; remove leftover temporary files of interrupted saves (and, with ``overwrite``,
    the old run's files, so no stale checkpoint can be resumed under the new configuration)."""
    import shutil

    os.makedirs(run_dir, exist_ok=True)
    if overwrite:
        for name in RUN_ARTIFACTS:
            p = os.path.join(run_dir, name)
            if os.path.isdir(p):
                shutil.rmtree(p)
            elif os.path.exists(p):
                os.remove(p)
    for folder in (run_dir, os.path.join(run_dir, "checkpoints")):
        if os.path.isdir(folder):
            for name in os.listdir(folder):
                if _is_tmp(name):
                    with contextlib.suppress(OSError):
                        os.remove(os.path.join(folder, name))


def find_run(path: str):
    """``(run_dir, checkpoint_or_weights)`` for a run folder or a file inside one."""
    path = os.fspath(path)
    if os.path.isdir(path):
        run_dir = path
        ckpts = [os.path.join(run_dir, "checkpoints", n) for n in ("interrupted.safetensors", "last.safetensors")]
        return run_dir, [p for p in ckpts if os.path.isfile(p)]
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} is neither a run folder nor a checkpoint file; pass runs/<name> or "
                                "runs/<name>/model.safetensors")
    here = os.path.dirname(os.path.abspath(path))
    for d in (here, os.path.dirname(here)):
        if os.path.isfile(os.path.join(d, CONFIG_NAME)):
            return d, [path]
    raise FileNotFoundError(f"no {CONFIG_NAME} next to {path} or in its parent folder; a checkpoint needs its run's "
                            "config to rebuild the model (train with deepglass train, which writes one)")


def read_config(run_dir: str) -> dict:
    """The run's ``config.json``; a missing, damaged or incomplete one raises an error naming the file."""
    path = os.path.join(run_dir, CONFIG_NAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no {CONFIG_NAME} in {run_dir}; is it a deepglass run folder?")
    try:
        with open(path, encoding="utf-8") as f:
            cfg = json.load(f)
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"{path} is damaged (not valid JSON: {e}); restore it from a backup or train a new "
                         "run") from None
    if not isinstance(cfg, dict):
        raise ValueError(f"{path} is damaged: it should hold a JSON object of options, not "
                         f"{type(cfg).__name__}")
    missing = [k for k in ("model", "data", "info") if k not in cfg]
    info = cfg.get("info")
    if not missing and (not isinstance(info, dict) or any(k not in info for k in ("classes", "num_classes",
                                                                                    "input_shape"))):
        missing = ["info.classes/num_classes/input_shape"]
    if missing:
        raise ValueError(f"{path} is damaged or incomplete: key(s) {', '.join(missing)} missing; restore it from a "
                         "backup or train a new run")
    return cfg


def latest_checkpoint(paths) -> str | None:
    """The training checkpoint with the most optimizer steps (an interrupted one can be ahead of ``last``)."""
    best, best_step = None, -1
    for p in paths:
        state = load(p)  # a damaged file raises ValueError naming it
        if not isinstance(state, dict) or state.get("format") != "deepglass.trainer":
            continue
        step = int(state.get("global_step", -1))
        if step > best_step:
            best, best_step = p, step
    return best


def load_model(path, device="cpu"):
    """Rebuild a trained model from a run folder, its ``model.safetensors`` or a checkpoint.

    Returns:
        ``(model, cfg)``: the model in eval mode on ``device`` and the run's ``config.json``.
    """
    run_dir, files = find_run(path)
    cfg = read_config(run_dir)
    if os.path.isdir(path):
        weights = os.path.join(run_dir, WEIGHTS_NAME)
        files = [weights] if os.path.isfile(weights) else files
    if not files:
        raise FileNotFoundError(f"{run_dir} has no {WEIGHTS_NAME} and no checkpoint; did training finish an epoch?")
    state = load(files[0], map_location=device)
    if isinstance(state, dict) and state.get("format") == "deepglass.trainer":
        state = state["model"]
    model = C.build_model(cfg, cfg["info"])
    model.load_state_dict(state)
    model.to(device)
    model.eval()
    return model, cfg


def _momentum_used(cfg: dict, optimizer):
    """What config.json records as the momentum: the number used, the one-cycle range, or None (no momentum)."""
    if cfg["optimizer"] not in C.MOMENTUM_OPTIMIZERS:
        return None
    if cfg["scheduler"] == "onecycle" and cfg.get("momentum") is None:
        return "cycled 0.95 -> 0.85 -> 0.95 by the one-cycle schedule"
    return float(optimizer.param_groups[0]["momentum"])


def train_run(cfg: dict, *, out=None, runs_root: str = "runs", resume=None, overwrite: bool = False,
              verbose: bool = True, progress="auto", insight: str = "basic") -> dict:
    """Train as ``deepglass train`` does; returns ``{"run_dir", "test", "history", "seconds", ...}``.

    Args:
        cfg: options (see :data:`deepglass.train.config.DEFAULTS`); per-dataset defaults fill the gaps.
        out: the run folder (default ``runs/<model>-<data>-<time>``).
        runs_root: parent of the default run folder.
        resume: a run folder or checkpoint: continue that run (its config; ``cfg`` may raise ``epochs``).
        overwrite: replace the run already in ``out`` (otherwise an existing non-empty ``out`` is refused
            before anything is written).
        verbose: print progress lines.
        progress: tqdm bars (``"auto"``: only on a terminal).
        insight: training health (``deepglass.insight``): ``"basic"`` (every 50 steps), ``"full"`` (every
            10, with histograms) or ``"off"``; its section goes into report.md. report.html is always written.
    """
    if insight not in ("off", "basic", "full"):
        raise ValueError(f"insight must be 'off', 'basic' or 'full', got {insight!r}")
    ckpt = None
    if resume is not None:
        run_dir, files = find_run(resume)
        saved = read_config(run_dir)
        ckpt = latest_checkpoint(files)
        if ckpt is None:
            raise FileNotFoundError(f"no training checkpoint in {run_dir}/checkpoints to resume from")
        changed = {k: v for k, v in cfg.items() if v is not None and k in C.DEFAULTS and saved.get(k) != v
                   and k not in ("epochs", "device", "num_workers", "threads")}
        if changed:
            raise ValueError(f"--resume continues the run as it was configured; these options differ from its "
                             f"config.json: {', '.join(sorted(changed))}. Drop them (only --epochs, --device, "
                             "--num-workers and --threads may change), or start a new run")
        epochs = cfg.get("epochs")
        if epochs is not None and epochs != saved.get("epochs") and saved.get("scheduler") in C.EPOCH_BOUND_SCHEDULERS:
            raise ValueError(f"the run's {saved['scheduler']} learning-rate schedule was laid out for "
                             f"{saved.get('epochs')} epochs; resuming it for {epochs} epochs would replay or run past "
                             "its end (e.g. epochs at lr 0). Resume with the same --epochs, or start a new run "
                             "(exponential, plateau and none schedules can be extended)")
        cfg = {**{k: saved[k] for k in C.DEFAULTS if k in saved},
               **{k: cfg[k] for k in ("epochs", "device", "num_workers", "threads") if cfg.get(k) is not None}}
        out = out if out is not None else run_dir
        resuming = os.path.abspath(os.fspath(out)) == os.path.abspath(run_dir)
    else:
        resuming = False
    cfg = C.resolve(cfg)
    rank, world = distributed.setup()  # several processes under mpiexec (issue 18)
    if rank > 0:  # only rank 0 writes the run folder; the others work in a scratch folder
        out, resuming, overwrite, verbose = distributed.scratch_dir(), False, False, False
    run_dir = os.fspath(out) if out is not None else default_run_dir(cfg, runs_root)
    check_run_dir(run_dir, overwrite=overwrite, resuming=resuming)  # before anything is built or written
    manual_seed(int(cfg["seed"]))
    train_ds, val_ds, test_ds, info = C.build_datasets(cfg)
    train_loader, val_loader, test_loader = C.build_loaders(cfg, train_ds, val_ds, test_ds)
    model = C.build_model(cfg, info)
    if world > 1:  # this rank's share of each epoch; gradients averaged across ranks
        train_loader = distributed.shard(train_loader, cfg["seed"], rank, world)
        distributed.synchronise(model)
    optimizer = C.build_optimizer(cfg, model.parameters())
    scheduler = C.build_scheduler(cfg, optimizer, len(train_loader))
    run_name = os.path.basename(os.path.abspath(run_dir))
    clean_run_dir(run_dir, overwrite=overwrite and not resuming)
    monitor = cfg["monitor"] if val_loader is not None else "train_loss"
    full_cfg = {**cfg, "info": info, "preprocessing": C.preprocessing(cfg), "run_name": run_name,
                "deepglass_version": __version__, "checkpoint": "checkpoints/last.safetensors",
                "weights": WEIGHTS_NAME, "monitor": monitor,
                "momentum_used": _momentum_used(cfg, optimizer)}
    write_json(os.path.join(run_dir, CONFIG_NAME), full_cfg)
    checkpoint = ModelCheckpoint(os.path.join(run_dir, "checkpoints"), monitor=monitor)
    callbacks = [checkpoint, LearningRateMonitor("step")]
    if int(cfg.get("patience") or 0) > 0:
        callbacks.append(EarlyStopping(monitor=monitor, patience=int(cfg["patience"]),
                                       min_delta=float(cfg.get("min_delta") or 0.0), verbose=verbose))
    health = None
    if insight != "off":  # per-layer activation/gradient health (deepglass.insight)
        from ..insight.callback import HealthCallback

        health = HealthCallback(insight)
        callbacks.append(health)
    device = backend.as_device(cfg["device"])
    trainer = Trainer(model, C.build_loss(), optimizer, scheduler, device=device, callbacks=callbacks,
                      out_dir=run_dir, verbose=verbose, progress=progress)
    if world > 1:
        distributed.follow_epochs(train_loader, trainer)
    if verbose:
        n_params = sum(int(p.numel()) for p in model.parameters())
        print(f"deepglass train: {cfg['model']} ({n_params:,} parameters) on {cfg['data']} "
              f"({len(train_ds)} train / {len(val_ds) if val_ds is not None else 0} val / {len(test_ds)} test), "
              f"{cfg['epochs']} epochs, batch {cfg['batch_size']}, {cfg['optimizer']} lr {cfg['lr']}, "
              f"{cfg['scheduler']} schedule, {device}; run folder {run_dir}", flush=True)
    t0 = time.perf_counter()
    if ckpt is not None:
        try:
            trainer.load_checkpoint(ckpt)
        except ValueError as e:
            raise ValueError(f"{e}; it doesn't fit {os.path.join(run_dir, CONFIG_NAME)} (was either edited or "
                             "damaged?)") from None
    with C.blas_threads(cfg.get("threads") if device.type == "cpu" else None):
        try:
            trainer.fit(train_loader, val_loader, epochs=int(cfg["epochs"]))
        except KeyboardInterrupt as exc:  # the trainer saved a checkpoint; tell the caller where the run is
            exc.run_dir = run_dir
            raise
    seconds = time.perf_counter() - t0
    if rank > 0:  # rank 0 evaluates and writes the run
        return {"run_dir": None, "test": None, "history": trainer.history, "seconds": seconds, "trainer": trainer,
                "config": full_cfg}
    stale = os.path.join(run_dir, "checkpoints", "interrupted.safetensors")
    if os.path.isfile(stale):  # the run went past it: a later --resume must not go back to it
        os.remove(stale)
    best_path = checkpoint.best_model_path or checkpoint.last_model_path
    if best_path and os.path.isfile(best_path):
        model.load_state_dict(load(best_path, map_location=device)["model"])
    save_state_dict(model.state_dict(), os.path.join(run_dir, WEIGHTS_NAME),
                    metadata={"model": str(cfg["model"]), "data": str(cfg["data"]), "run": run_name,
                              "epoch": str(checkpoint.best_epoch or trainer.epoch)})
    with C.blas_threads(cfg.get("threads") if device.type == "cpu" else None):
        logits, targets, test_loss = trainer.collect(test_loader)
    extra = {"test_loss": test_loss, "train_seconds": seconds, "epochs_run": trainer.epoch,
             "best_epoch": checkpoint.best_epoch, "monitor": monitor, "best_score": checkpoint.best_model_score,
             "stop_reason": trainer.stop_reason, "device": str(device), "model": cfg["model"], "data": cfg["data"]}
    test = write_report(run_dir, run_name, cfg, model, logits, targets, info["classes"], info["input_shape"],
                        trainer.history, trainer.diagnosis, extra)
    from ..insight.callback import finish_run_report

    finish_run_report(run_dir, health)  # the health section in report.md, and report.html
    if verbose:
        print(f"test accuracy {100 * test['accuracy']:.2f}%  macro-F1 {test['f1_macro']:.4f}  "
              f"({test['num_samples']} test samples; best epoch {checkpoint.best_epoch} by {monitor})")
        print(f"trained in {seconds:.1f} s; wrote {run_dir}/ (report.md, model.safetensors, config.json, "
              "history.csv, metrics.json, summary.txt, figures/, tensorboard/, checkpoints/)")
    return {"run_dir": run_dir, "test": test, "history": trainer.history, "seconds": seconds, "trainer": trainer,
            "config": full_cfg}


def write_text(path, text: str) -> None:
    with atomic_write(path, "w") as f:
        f.write(text)
