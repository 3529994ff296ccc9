"""``deepglass train``: train a classifier and write a run folder with the report.

With no arguments it trains the small digits CNN on the bundled 8×8 digits
(≥97% test accuracy in well under a minute on a laptop CPU). Every option may
also come from ``--config FILE`` (TOML or YAML, the same keys with ``_`` or
``-``); flags given on the command line win.
"""
from __future__ import annotations

import sys

from ..train.config import DATASETS, OPTIMIZERS, SCHEDULERS
from ..train.detect import DETECT_DATASETS

#: flag destination → config key (flags default to None: "not given")
_KEYS = ("model", "data", "data_dir", "epochs", "batch_size", "lr", "optimizer", "scheduler", "weight_decay",
         "momentum", "device", "seed", "val_split", "num_workers", "image_size", "target", "patience", "min_delta",
         "monitor", "threads")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train a model and write a run folder (weights, history, TensorBoard, figures, report)",
        description="Train a classifier. With no arguments: the small digits CNN on the bundled 8x8 digits. "
                    "Writes runs/<model>-<data>-<time>/ (or --out DIR) holding model.safetensors, config.json, "
                    "history.csv/json, tensorboard/, summary.txt, metrics.json, figures/ and report.md. "
                    "Example (the notes' CIFAR-10 project): deepglass train --model cifar_net --data cifar10 "
                    "--data-dir DIR --optimizer sgd --lr 0.01 --batch-size 64 --epochs 10")
    p.add_argument("--model", help="model name: digits_cnn (digits default), cifar_net, lenet5, mlp or any "
                                   "deepglass.models.list_models() name")
    p.add_argument("--task", choices=("classify", "detect"), default="classify",
                   help="classify (default) or detect: object detection with the tiny detector (default data: the "
                        "embedded Shapes; --data coco/yolo --data-dir DIR for your own)")
    p.add_argument("--data", choices=DATASETS + DETECT_DATASETS,
                   help="dataset (default digits; shapes for --task detect)")
    p.add_argument("--data-dir", help="where the dataset's files are (never downloaded); not needed for digits")
    p.add_argument("--epochs", type=int, help="epochs (default per dataset; digits 10)")
    p.add_argument("--batch-size", type=int, help="mini-batch size (default per dataset; digits 32)")
    p.add_argument("--lr", type=float, help="learning rate (peak lr for onecycle; default per dataset)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="the notes' optimizer chain (default adam)")
    p.add_argument("--scheduler", choices=SCHEDULERS,
                   help="learning-rate schedule (default: onecycle for digits, none otherwise)")
    p.add_argument("--weight-decay", type=float, help="L2 weight decay (default 0)")
    p.add_argument("--momentum", type=float, help="momentum of sgdm/nag (default 0.9)")
    p.add_argument("--device", help="cpu or cuda (model and data go there together)")
    p.add_argument("--seed", type=int, help="random seed (default 0): same seed, same run")
    p.add_argument("--val-split", type=float, help="fraction of the training data held out for validation (0.1)")
    p.add_argument("--num-workers", type=int, help="background threads loading batches (0)")
    p.add_argument("--image-size", type=int, help="imagefolder: images are resized to this square size (32)")
    p.add_argument("--target", help="csv: the target column's name")
    p.add_argument("--patience", type=int, help="early stopping after this many epochs without improvement (0: off)")
    p.add_argument("--min-delta", type=float, help="early stopping: smallest change that counts as improvement")
    p.add_argument("--monitor", help="metric for the best checkpoint and early stopping (val_loss)")
    p.add_argument("--threads", type=int, help="BLAS threads while training on the CPU (digits default 1: its "
                                               "small GEMMs run fastest on one; 0: the library's default)")
    p.add_argument("--out", help="the run folder itself (default runs/<model>-<data>-<time>)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the run already in --out (otherwise an existing run folder is refused)")
    p.add_argument("--runs-dir", default="runs", help="parent of the default run folder (runs)")
    p.add_argument("--resume", metavar="RUN_OR_CHECKPOINT",
                   help="continue a run exactly where it stopped (its config; --epochs may be raised)")
    p.add_argument("--config", metavar="FILE", help="TOML or YAML file with the same keys as these flags")
    p.add_argument("--quiet", action="store_true", help="print only the final result")
    p.add_argument("--insight", choices=["off", "basic", "full"], default="basic",
                   help="training health in report.md and TensorBoard: basic (every 50 steps, default), full "
                        "(every 10, with histograms) or off")
    p.add_argument("--nproc", type=int, help="train on N processes through mpiexec (data-parallel; --batch-size is "
                                            "per process; needs pip install mpi4py mpich)")
    p.set_defaults(func=run)


def options(args) -> dict:
    """The configuration from ``--config`` then the flags given."""
    from ..train.config import load_config_file

    cfg = load_config_file(args.config) if args.config else {}
    out = cfg.pop("out", None)
    resume = cfg.pop("resume", None)
    cfg.pop("name", None)
    for key in _KEYS:
        value = getattr(args, key, None)
        if value is not None:
            cfg[key] = value
    return cfg, args.out or out, args.resume or resume


def run(args) -> int:
    from ..train.distributed import errors_end_the_job, launched_world_size, relaunch_argv
    from ..train.run import train_run

    if args.task == "detect":
        return _detect(args, *options(args))
    if args.nproc is not None and args.nproc > 1 and launched_world_size() == 1:
        from ..distributed.run import launch

        return launch(args.nproc, relaunch_argv(args, _KEYS))
    cfg, out, resume = options(args)
    if args.task == "detect" or cfg.get("task") == "detect":
        return _detect(args, cfg, out, resume)
    if cfg.get("model") == "tiny_detector" or cfg.get("data") in DETECT_DATASETS:
        raise ValueError(f"{cfg.get('model') or cfg.get('data')} is for object detection; add --task detect")
    try:
        with errors_end_the_job():  # a distributed run's error on one rank stops every rank
            result = train_run(cfg, out=out, runs_root=args.runs_dir, resume=resume, overwrite=args.overwrite,
                               verbose=not args.quiet, insight=args.insight)
    except KeyboardInterrupt as exc:
        run_dir = getattr(exc, "run_dir", None)
        if run_dir is None:
            print("\ndeepglass train: interrupted before training started", file=sys.stderr)
        else:
            print(f"\ndeepglass train: interrupted; the training state is in {run_dir}/checkpoints/"
                  f"interrupted.safetensors — continue with: deepglass train --resume {run_dir}", file=sys.stderr)
        return 130
    if result["run_dir"] is None:  # a rank other than 0 of a distributed run: rank 0 reports
        return 0
    if args.quiet:
        t = result["test"]
        print(f"test accuracy {100 * t['accuracy']:.2f}%  macro-F1 {t['f1_macro']:.4f}  run {result['run_dir']}")
    return 0


def _detect(args, cfg, out, resume) -> int:
    from ..train.detect import DETECT_DEFAULTS, train_detect

    if resume:
        raise ValueError("--resume is not supported with --task detect yet; start a new run")
    if args.nproc is not None and args.nproc > 1:
        raise ValueError("--nproc is not supported with --task detect yet; train on one process")
    unused = sorted(k for k, v in cfg.items() if v is not None and k not in DETECT_DEFAULTS)
    if unused:
        raise ValueError(f"--task detect does not use {', '.join(unused)}; drop them (detection options: "
                         f"{', '.join(sorted(DETECT_DEFAULTS))})")
    result = train_detect(cfg, out=out, runs_root=args.runs_dir, overwrite=args.overwrite, verbose=not args.quiet)
    if args.quiet:
        m = result["metrics"]
        print(f"val mAP@.5 {m['mAP50']:.4f}  mAP@.5:.95 {m['mAP50_95']:.4f}  run {result['run_dir']}")
    return 0
