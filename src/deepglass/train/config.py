"""Run configuration: the notes' five steps (data → network → loss → optimizer → save) built from one dict.

``deepglass train`` writes the resolved configuration as ``config.json`` in the
run folder; ``evaluate``, ``predict`` and ``--resume`` rebuild the same model,
data and optimizer from it.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import json
import math
import os

import numpy as np

from .. import backend, nn, optim
from ..data import (
    CIFAR10,
    CIFAR100,
    MNIST,
    CSVDataset,
    DataLoader,
    Digits,
    FashionMNIST,
    ImageFolder,
    random_split,
    transforms,
)
from ..random import Generator
from .guard import MAX_CLASSES, class_names

DATASETS = ("digits", "mnist", "fashion-mnist", "cifar10", "cifar100", "imagefolder", "csv")
OPTIMIZERS = ("sgd", "sgdm", "nag", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "nadam", "adamax", "radam",
              "asgd")
SCHEDULERS = ("none", "step", "multistep", "exponential", "cosine", "onecycle", "plateau")

#: the defaults of ``deepglass train`` (every key may also come from ``--config`` or the command line)
DEFAULTS = {
    "model": None, "model_kwargs": {}, "data": "digits", "data_dir": None, "epochs": None, "batch_size": None,
    "lr": None, "optimizer": "adam", "momentum": None, "scheduler": None, "weight_decay": 0.0,
    "device": "cpu", "seed": 0, "val_split": 0.1, "num_workers": 0, "image_size": None, "target": None,
    "patience": 0, "min_delta": 0.0, "monitor": "val_loss", "threads": None,
}

#: per dataset: default model, epochs, batch size, learning rate (and schedule: constant unless given)
DATA_DEFAULTS = {
    "digits": {"model": "digits_cnn", "epochs": 10, "batch_size": 32, "lr": 3e-3, "scheduler": "onecycle",
               "threads": 1},
    "mnist": {"model": "lenet5", "epochs": 5, "batch_size": 64, "lr": 1e-3},
    "fashion-mnist": {"model": "lenet5", "epochs": 10, "batch_size": 64, "lr": 1e-3},
    "cifar10": {"model": "cifar_net", "epochs": 10, "batch_size": 64, "lr": 1e-3},
    "cifar100": {"model": "cifar_net", "epochs": 20, "batch_size": 64, "lr": 1e-3},
    "imagefolder": {"model": "cifar_net", "epochs": 10, "batch_size": 32, "lr": 1e-3, "image_size": 32},
    "csv": {"model": "mlp", "epochs": 30, "batch_size": 32, "lr": 1e-2},
}


@contextlib.contextmanager
def blas_threads(n):
    """Run the block on ``n`` CPU threads (None or 0: leave them): deepglass's pool and every BLAS.

    Small GEMMs (the digits CNN's) run fastest on one thread: waking a second one costs more than it
    saves. deepglass's own one-time setting (NumPy's BLAS on one thread, see :mod:`deepglass.parallel`)
    is made first, so that leaving the block restores it rather than the count NumPy started with.
    """
    if not n:
        yield
        return
    from .. import parallel

    parallel._numpy_blas()
    before = parallel.get_num_threads()
    parallel.set_num_threads(int(n))
    try:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # pragma: no cover - comes with scikit-learn
            yield
            return
        with threadpool_limits(limits=int(n), user_api="blas"):
            yield
    finally:
        parallel.set_num_threads(before)


def load_config_file(path) -> dict:
    """Read a TOML (``.toml``) or YAML (``.yaml``/``.yml``) file of ``train`` options (same keys as the flags)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no config file at {path}")
    ext = os.path.splitext(path)[1].lower()
    if ext == ".toml":
        try:
            import tomllib
        except ImportError:  # Python < 3.11
            import tomli as tomllib
        try:
            with open(path, "rb") as f:
                data = tomllib.load(f)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ValueError(f"config file {path} is not valid TOML ({e}); fix that line") from None
    elif ext in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError as e:
            raise RuntimeError("reading a YAML config needs PyYAML: pip install 'deepglass[yaml]' "
                               "(or write the config as TOML)") from e
        try:
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}
        except yaml.YAMLError as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ValueError(f"config file {path} is not plain YAML ({first}); write options as key: value lines "
                             "(python/... tags are never executed)") from None
    elif ext == ".json":
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (ValueError, UnicodeDecodeError) as e:
            raise ValueError(f"config file {path} is not valid JSON ({e}); fix it or write the config as TOML") from None
    else:
        raise ValueError(f"config file {path}: unknown extension {ext!r}; use .toml, .yaml/.yml or .json")
    if not isinstance(data, dict):
        raise ValueError(f"config file {path} must hold a table of options, got {type(data).__name__}")
    data = {k.replace("-", "_"): v for k, v in data.items()}
    unknown = sorted(set(data) - set(DEFAULTS) - {"out", "resume", "name"} - set(DETECT_KEYS))
    if unknown:
        raise ValueError(f"config file {path}: unknown key(s) {', '.join(unknown)}; known keys: "
                         f"{', '.join(sorted(DEFAULTS))}")
    return data


#: the extra keys of ``--task detect`` (:mod:`deepglass.train.detect`)
DETECT_KEYS = ("task", "num_train", "num_val", "conf_threshold", "nms_iou", "box_loss")
_INT_KEYS = ("epochs", "batch_size", "seed", "num_workers", "image_size", "patience", "threads")
_FLOAT_KEYS = ("lr", "weight_decay", "momentum", "val_split", "min_delta")
_STR_KEYS = ("model", "data", "data_dir", "optimizer", "scheduler", "device", "target", "monitor")
#: optimizers that take a momentum (``--momentum``); the others refuse it rather than ignore it
MOMENTUM_OPTIMIZERS = ("sgdm", "nag")
#: schedules laid out for a number of epochs: a resumed run can't change ``epochs`` under them
EPOCH_BOUND_SCHEDULERS = ("step", "multistep", "cosine", "onecycle")


def check_types(cfg: dict) -> dict:
    """Every option of the right type (a config file can hold anything): whole numbers stay whole (an
    ``epochs = 2.7`` is refused, not truncated), numbers are finite. Returns a copy with ``3.0`` → ``3``."""
    out = dict(cfg)
    for k, v in cfg.items():
        if v is None:
            continue
        if k in _INT_KEYS:
            if isinstance(v, float) and math.isfinite(v) and v.is_integer():
                v = int(v)
            if isinstance(v, bool) or not isinstance(v, int):
                raise ValueError(f"{k} must be a whole number, got {v!r}; write it without a fraction (e.g. "
                                 f"{k} = {int(v) if isinstance(v, float) and math.isfinite(v) else 10})")
        elif k in _FLOAT_KEYS:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"{k} must be a finite number, got {v!r}")
            v = float(v)
        elif k in _STR_KEYS and not isinstance(v, str):
            raise ValueError(f"{k} must be a string, got {v!r}")
        elif k == "model_kwargs" and not isinstance(v, dict):
            raise ValueError(f"model_kwargs must be a table of keyword arguments, got {v!r}")
        out[k] = v
    return out


def resolve(cfg: dict) -> dict:
    """Fill the per-dataset defaults (model, epochs, batch size, lr) and check every option (type and range)."""
    cfg = check_types({**DEFAULTS, **{k: v for k, v in cfg.items() if v is not None}})
    data = cfg["data"]
    if data not in DATASETS:
        raise ValueError(f"unknown dataset {data!r}; choose one of {', '.join(DATASETS)}")
    for key, value in DATA_DEFAULTS[data].items():
        if cfg.get(key) is None:
            cfg[key] = value
    if cfg["scheduler"] is None:
        cfg["scheduler"] = "none"
    if cfg.get("threads") is not None and int(cfg["threads"]) < 0:
        raise ValueError(f"threads must be >= 0 (0: the BLAS library's default), got {cfg['threads']}")
    if cfg["optimizer"] not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {cfg['optimizer']!r}; choose one of {', '.join(OPTIMIZERS)}")
    if cfg["scheduler"] not in SCHEDULERS:
        raise ValueError(f"unknown scheduler {cfg['scheduler']!r}; choose one of {', '.join(SCHEDULERS)}")
    if data != "digits" and not cfg.get("data_dir"):
        raise ValueError(f"--data {data} needs --data-dir (deepglass never downloads); "
                         "only the bundled digits need none")
    for key in ("epochs", "batch_size"):
        if int(cfg[key]) < 1:
            raise ValueError(f"{key} must be >= 1, got {cfg[key]}")
    if not 0.0 <= float(cfg["val_split"]) < 1.0:
        raise ValueError(f"val_split must be in [0, 1), got {cfg['val_split']}")
    backend.as_device(cfg["device"])  # an unknown or unavailable device is refused before anything is written
    if not cfg["lr"] > 0:
        raise ValueError(f"lr must be > 0, got {cfg['lr']}")
    for key in ("weight_decay", "min_delta", "patience", "num_workers", "seed"):
        if cfg.get(key) is not None and cfg[key] < 0:
            raise ValueError(f"{key} must be >= 0, got {cfg[key]}")
    if cfg.get("image_size") is not None and not 1 <= cfg["image_size"] <= 4096:
        raise ValueError(f"image_size must be between 1 and 4096 (every image is resized to that square), got "
                         f"{cfg['image_size']}")
    if cfg["num_workers"] > 256:
        raise ValueError(f"num_workers must be at most 256 (each is a thread), got {cfg['num_workers']}")
    if cfg["momentum"] is not None:
        if not 0.0 <= cfg["momentum"] < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {cfg['momentum']}")
        if cfg["optimizer"] not in MOMENTUM_OPTIMIZERS:
            raise ValueError(f"--momentum is used by the {' and '.join(MOMENTUM_OPTIMIZERS)} optimizers, not by "
                             f"{cfg['optimizer']}; use --optimizer sgdm (or nag), or drop --momentum")
    return cfg


# ----------------------------------------------------------------------- data
def _transform(prep: dict):
    steps = []
    if prep.get("resize"):
        steps.append(transforms.Resize(tuple(prep["resize"])))
    if prep.get("to_tensor"):
        steps.append(transforms.ToTensor())
    if prep.get("mean") is not None:
        steps.append(transforms.Normalize(prep["mean"], prep["std"]))
    return transforms.Compose(steps) if steps else None


def preprocessing(cfg: dict) -> dict:
    """How raw inputs become model inputs: resize, channels, normalisation (kept in config.json for predict)."""
    data = cfg["data"]
    if data == "digits":
        return {"kind": "image", "channels": 1, "size": [8, 8], "scale": 1 / 16, "dark_background": True}
    if data in ("mnist", "fashion-mnist"):
        return {"kind": "image", "channels": 1, "size": [28, 28], "to_tensor": True,
                "dark_background": data == "mnist"}
    if data in ("cifar10", "cifar100"):
        return {"kind": "image", "channels": 3, "size": [32, 32], "to_tensor": True,
                "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}
    if data == "imagefolder":
        s = int(cfg["image_size"])
        return {"kind": "image", "channels": 3, "size": [s, s], "resize": [s, s], "to_tensor": True,
                "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}
    return {"kind": "table"}


def _dataset(cfg: dict, train: bool):
    """The dataset's own train or test split; None when it has no such split."""
    data, root = cfg["data"], cfg.get("data_dir")
    tf = _transform(preprocessing(cfg))
    if data == "digits":
        return Digits(train=train)
    if data in ("mnist", "fashion-mnist"):
        return (MNIST if data == "mnist" else FashionMNIST)(root, train=train, transform=tf)
    if data in ("cifar10", "cifar100"):
        return (CIFAR10 if data == "cifar10" else CIFAR100)(root, train=train, transform=tf)
    if data == "imagefolder":
        has_split = os.path.isdir(os.path.join(root, "train"))
        if not has_split:
            return ImageFolder(root, transform=tf) if train else None
        try:
            return ImageFolder(root, train=train, transform=tf)
        except FileNotFoundError:
            return None
    kw = {"target": cfg["target"]} if cfg.get("target") else {}
    if os.path.isfile(root):
        return CSVDataset(root, **kw) if train else None
    try:
        return CSVDataset(root, train=train, **kw)
    except FileNotFoundError:
        if train:
            raise
        return None


def build_datasets(cfg: dict):
    """``(train, val, test, info)``: val is split off train (``val_split``, seeded); test is the
    dataset's test split, or a further split of train when it has none. ``info`` holds
    ``classes``, ``num_classes`` and ``input_shape``."""
    full = _dataset(cfg, True)
    where = cfg.get("data_dir") or cfg["data"]
    if len(full) == 0:
        raise ValueError(f"the {cfg['data']} training data in {where} holds no samples; point --data-dir at a "
                         "dataset with data in it")
    test = _dataset(cfg, False)
    if test is not None and len(test) == 0:
        raise ValueError(f"the {cfg['data']} test split in {where} holds no samples; add test data or remove the "
                         "empty test file so a part of the training data is held out instead")
    seed = int(cfg["seed"])
    if test is None:  # no test split: hold out 20% of the data
        if len(full) < 2:
            raise ValueError(f"the {cfg['data']} data in {where} holds {len(full)} sample; training needs at least 2 "
                             "(one to train on, one held out to test)")
        n_test = max(1, int(round(0.2 * len(full))))
        full, test = random_split(full, [len(full) - n_test, n_test], generator=Generator().manual_seed(seed + 1))
    n_val = int(round(float(cfg["val_split"]) * len(full)))
    if n_val > 0 and len(full) - n_val >= 1:
        train, val = random_split(full, [len(full) - n_val, n_val], generator=Generator().manual_seed(seed))
    else:
        train, val = full, None
    base = getattr(full, "dataset", full)
    classes = [str(c) for c in getattr(base, "classes", None) or []]
    if not classes:
        targets = getattr(base, "targets", None)
        if targets is not None and hasattr(targets, "_array"):
            targets = targets._array
        classes = class_names(backend.to_numpy(np.asarray(targets)) if targets is not None else [],
                              f"the {cfg['data']} targets")
    if len(classes) > MAX_CLASSES:
        raise ValueError(f"the {cfg['data']} data has {len(classes):,} classes; at most {MAX_CLASSES:,} are supported")
    x0, _ = train[0]
    info = {"classes": classes, "num_classes": len(classes), "input_shape": [int(s) for s in x0.shape]}
    return train, val, test, info


def build_loaders(cfg: dict, train, val, test):
    """DataLoaders; the training one shuffles with its own seeded generator (saved in checkpoints)."""
    bs, workers = int(cfg["batch_size"]), int(cfg.get("num_workers") or 0)
    gen = Generator().manual_seed(int(cfg["seed"]))
    train_loader = DataLoader(train, batch_size=bs, shuffle=True, generator=gen, num_workers=workers)
    eval_bs = max(bs, 256)
    val_loader = DataLoader(val, batch_size=eval_bs) if val is not None else None
    test_loader = DataLoader(test, batch_size=eval_bs) if test is not None else None
    return train_loader, val_loader, test_loader


# -------------------------------------------------------------------- network
def _local_models() -> dict:
    from ..models.digits import digits_cnn, mlp

    return {"digits_cnn": digits_cnn, "mlp": mlp}


def model_names() -> list[str]:
    """Every model name ``build_model`` accepts (the zoo's and the local ones)."""
    names = set(_local_models())
    from .. import models

    if hasattr(models, "list_models"):
        names.update(models.list_models())
    else:
        zoo = getattr(models, "__all__", ["cifar_net", "lenet5"])
        names.update(n for n in zoo if callable(getattr(models, n, None)))
    return sorted(names)


def _factory(name: str):
    local = _local_models()
    if name in local:
        return local[name]
    from .. import models

    fn = getattr(models, name, None)
    if callable(fn) and not name.startswith("_") and not isinstance(fn, type):
        return fn
    get_model = getattr(models, "get_model", None)
    if get_model is not None:  # the zoo's registry: normalises names ("ResNet-18"), lists the known ones
        return functools.partial(get_model, name)
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join(model_names())}")


def build_model(cfg: dict, info: dict):
    """The network: ``cfg["model"]`` given ``num_classes``/``in_channels``/``in_features`` where it takes them."""
    fn = _factory(cfg["model"])
    shape = info["input_shape"]
    offered = {"num_classes": info["num_classes"]}
    if len(shape) == 3:
        offered["in_channels"] = shape[0]
    if len(shape) == 1:
        offered["in_features"] = shape[0]
    kwargs = dict(cfg.get("model_kwargs") or {})
    try:
        params = inspect.signature(fn).parameters
        if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
            offered = {k: v for k, v in offered.items() if k in params}
    except (TypeError, ValueError):
        params = {}
    need = [n for n, p in params.items() if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and n not in offered and n not in kwargs]
    if need:
        kind = "rows of numbers (--data csv)" if "in_features" in need else "other inputs"
        raise ValueError(f"model {cfg['model']!r} needs {', '.join(need)}, which {cfg['data']} data (inputs of shape "
                         f"{list(shape)}) can't give: it is made for {kind}. Choose a model for this data "
                         f"(e.g. {DATA_DEFAULTS[cfg['data']]['model']}) or pass model_kwargs in a --config file")
    return fn(**{**offered, **kwargs})


# ------------------------------------------------------- loss and optimizer
def build_loss():
    """Cross-entropy (the notes' 损失函数 for classification)."""
    return nn.CrossEntropyLoss()


def build_optimizer(cfg: dict, params):
    """The notes' optimizer chain by name: sgd, sgdm, nag, adagrad, adadelta, rmsprop, adam, adamw, nadam
    (and adamax, radam, asgd)."""
    name, lr, wd = cfg["optimizer"], float(cfg["lr"]), float(cfg.get("weight_decay") or 0.0)
    mom = 0.9 if cfg.get("momentum") is None else float(cfg["momentum"])  # 0 is a momentum too
    if name == "sgd":
        return optim.SGD(params, lr=lr, weight_decay=wd)
    if name == "sgdm":
        return optim.SGD(params, lr=lr, momentum=mom, weight_decay=wd)
    if name == "nag":
        return optim.SGD(params, lr=lr, momentum=mom, nesterov=True, weight_decay=wd)
    cls = {"adagrad": optim.Adagrad, "adadelta": optim.Adadelta, "rmsprop": optim.RMSprop, "adam": optim.Adam,
           "adamw": optim.AdamW, "nadam": optim.NAdam, "adamax": optim.Adamax, "radam": optim.RAdam,
           "asgd": optim.ASGD}[name]
    return cls(params, lr=lr, weight_decay=wd)


def build_scheduler(cfg: dict, optimizer, steps_per_epoch: int):
    """The learning-rate schedule by name (``none`` → None)."""
    name, epochs = cfg["scheduler"], int(cfg["epochs"])
    S = optim.lr_scheduler
    if name == "none":
        return None
    if name == "step":
        return S.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1)
    if name == "multistep":
        return S.MultiStepLR(optimizer, milestones=[max(1, epochs // 2), max(2, 3 * epochs // 4)], gamma=0.1)
    if name == "exponential":
        return S.ExponentialLR(optimizer, gamma=0.9)
    if name == "cosine":
        return S.CosineAnnealingLR(optimizer, T_max=epochs)
    if name == "onecycle":
        # one-cycle cycles the momentum (0.85-0.95) unless the user chose one: then that one is kept
        return S.OneCycleLR(optimizer, max_lr=float(cfg["lr"]), epochs=epochs, steps_per_epoch=steps_per_epoch,
                            cycle_momentum=cfg.get("momentum") is None)
    return S.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)
