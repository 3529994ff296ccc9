"""Saving and loading (the notes' 模型保存): safetensors for tensors, JSON for the rest, never pickle.

* :func:`save` / :func:`load` — state dicts and nested checkpoints (also ``deepglass.save``/``deepglass.load``).
* :func:`save_state_dict` / :func:`load_state_dict` / :func:`load_metadata` — flat state dicts.
* :func:`atomic_write` — the crash-safe writer they use, for other files too.

Example:
    >>> import deepglass as dg
    >>> dg.save({"model": {"w": dg.ones(2)}, "epoch": 3}, "ckpt.safetensors")  # doctest: +SKIP
"""
from .atomic import atomic_write, fsync_dir
from .checkpoint import load, save
from .safetensors_io import check_state_dict, load_metadata, load_state_dict, read_file, save_state_dict

__all__ = ["save", "load", "save_state_dict", "load_state_dict", "load_metadata", "check_state_dict",
           "atomic_write", "fsync_dir", "read_file"]
