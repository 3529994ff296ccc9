"""State dicts ↔ safetensors files (no pickle), with checksums and clear errors.

Files are plain safetensors: PyTorch (``safetensors.torch.load_file``) and any
other safetensors reader open them, and a file written by
``safetensors.torch.save_file`` loads here directly. deepglass adds a CRC-32
per tensor to the metadata (key ``deepglass.crc32``) so that a damaged file is
reported instead of silently loading wrong weights.
"""
from __future__ import annotations

import json
import os
import warnings
import zlib

import numpy as np

from .. import backend
from .._tensor import Tensor, from_array
from .atomic import atomic_write

_CRC_KEY = "deepglass.crc32"
_ORDER_KEY = "deepglass.order"
_SUPPORTED_KINDS = "biuf"


def to_numpy(value, key: str) -> np.ndarray:
    """A contiguous little-endian NumPy array for a Tensor/array value, or a TypeError naming ``key``."""
    if isinstance(value, Tensor):
        arr = backend.to_numpy(value._array)
    elif isinstance(value, np.ndarray) or backend.is_cuda_array(value):
        arr = backend.to_numpy(value)
    else:
        raise TypeError(f"can't save {key!r}: expected a Tensor or a NumPy array, got {type(value).__name__}")
    if arr.dtype.kind not in _SUPPORTED_KINDS or arr.dtype.itemsize > 8:
        raise TypeError(f"can't save {key!r}: dtype {arr.dtype} has no safetensors equivalent; "
                        "convert it (e.g. .float()) first")
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return arr if arr.flags.c_contiguous else arr.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)


def _crc(arr: np.ndarray) -> int:
    return zlib.crc32(memoryview(arr).cast("B")) if arr.size else 0


_META_ENTRY = "__metadata__"  # the checksum table's entry for the metadata (no tensor can be named so)
_KNOWN_KEYS = {_CRC_KEY, _ORDER_KEY, "deepglass.format", "deepglass.version", "deepglass.tree",
               "deepglass.module"}  # deepglass.module: a whole module's tree (io/modules.py)


def _meta_crc(meta: dict) -> int:
    """CRC-32 of every metadata entry but the checksum table (names and values: a flipped bit anywhere counts)."""
    items = sorted((k, v) for k, v in meta.items() if k != _CRC_KEY)
    return zlib.crc32(json.dumps(items, separators=(",", ":")).encode("utf-8"))


def serialize(arrays: dict, metadata: dict | None = None) -> bytes:
    """The safetensors bytes for ``{name: ndarray}`` plus str→str ``metadata`` (checksums added: one per
    tensor and one over the metadata, so a damaged learning rate in a checkpoint's JSON tree is caught too)."""
    import safetensors.numpy

    meta = dict(metadata or {})
    meta[_ORDER_KEY] = json.dumps(list(arrays), separators=(",", ":"))  # safetensors sorts names; keep ours
    crcs = {k: _crc(a) for k, a in arrays.items()}
    crcs[_META_ENTRY] = _meta_crc(meta)
    meta[_CRC_KEY] = json.dumps(crcs, separators=(",", ":"))
    return safetensors.numpy.save(arrays, metadata=meta)


def _pickle_kind(head: bytes) -> str | None:
    """What PyTorch's ``torch.save`` wrote, from the first bytes: a zip of pickles or a bare pickle.

    (A safetensors file starts with its header's length, then ``{``: its length may begin with the same bytes.)
    """
    if head[8:9] == b"{":
        return None
    if head.startswith(b"PK\x03\x04"):
        return "a PyTorch checkpoint (torch.save's zip archive of pickles)"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "a Python pickle (e.g. an old-style torch.save file)"
    return None


def _check_meta(name, metadata: dict, arrays: dict) -> None:
    unknown = sorted(k for k in metadata if k.startswith("deepglass.") and k not in _KNOWN_KEYS)
    if unknown:
        raise _corrupt(name, f"unknown deepglass metadata key(s) {', '.join(unknown)} (a damaged header)")
    if _CRC_KEY not in metadata:
        if _ORDER_KEY in metadata or "deepglass.tree" in metadata or "deepglass.module" in metadata:
            raise _corrupt(name, "the checksum table is missing from the header")
        return
    try:
        crcs = json.loads(metadata[_CRC_KEY])
        if not isinstance(crcs, dict):
            raise ValueError("not a table")
    except ValueError:
        raise _corrupt(name, "damaged checksum table") from None
    if _META_ENTRY in crcs and crcs.pop(_META_ENTRY) != _meta_crc(metadata):
        raise _corrupt(name, "checksum mismatch in the header metadata (the JSON part: options, step counts, "
                             "RNG state...)")
    bad = [k for k, c in crcs.items()
           if k not in arrays or _crc(arrays[k] if arrays[k].flags.c_contiguous else arrays[k].copy()) != c]
    if bad:
        raise _corrupt(name, f"checksum mismatch for {', '.join(bad[:10])}" + (" ..." if len(bad) > 10 else ""))


def write_bytes(data: bytes, path) -> None:
    """Write ``data`` to a path atomically, or to an open binary file object."""
    if hasattr(path, "write"):
        path.write(data)
        return
    with atomic_write(path) as f:
        f.write(data)


def _check_metadata(metadata) -> dict:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise TypeError("metadata must be a dict of str → str (safetensors' format); "
                        "encode other values with json.dumps")
    bad = [k for k in metadata if k.startswith("deepglass.")]
    if bad:
        raise ValueError(f"metadata keys starting with 'deepglass.' are reserved: {bad}")
    return metadata


def save_state_dict(state_dict, path, metadata: dict | None = None) -> None:
    """Save ``{name: Tensor or ndarray}`` as a safetensors file, atomically.

    Args:
        state_dict: str keys → deepglass Tensors (any device) or NumPy arrays.
        path: destination (a path; an open binary file is written directly, not atomically).
        metadata: extra str → str entries for the safetensors header.

    Raises:
        TypeError: a key that is not a str, or a value that is not a tensor/array.

    Example:
        >>> save_state_dict(model.state_dict(), "model.safetensors", {"epoch": "3"})  # doctest: +SKIP
    """
    meta = _check_metadata(metadata)
    arrays = {}
    for k, v in state_dict.items():
        if not isinstance(k, str):
            raise TypeError(f"state dict keys must be str, got {k!r}; use deepglass.save for nested checkpoints")
        arrays[k] = to_numpy(v, k)
    write_bytes(serialize(arrays, meta), path)


def _corrupt(path, why) -> ValueError:
    return ValueError(f"{os.path.abspath(path) if isinstance(path, (str, os.PathLike)) else path} is corrupt or "
                      f"truncated (not a complete safetensors file): {why}")


def _header(buf_or_path):
    if isinstance(buf_or_path, (bytes, bytearray, memoryview)):
        head = bytes(buf_or_path[:8])
        n = int.from_bytes(head, "little") if len(head) == 8 else -1
        raw = bytes(buf_or_path[8:8 + n]) if n > 0 else b""
    else:
        with open(buf_or_path, "rb") as f:
            head = f.read(8)
            n = int.from_bytes(head, "little") if len(head) == 8 else -1
            raw = f.read(n) if 0 < n < 1 << 30 else b""
    return json.loads(raw), 8 + n


def _bf16(buf: memoryview | bytes, start: int, end: int, shape) -> np.ndarray:
    u16 = np.frombuffer(buf, dtype="<u2", count=(end - start) // 2, offset=start)
    return (u16.astype(np.uint32) << 16).view(np.float32).reshape(shape)


def read_file(path) -> tuple[dict, dict]:
    """Read every tensor and the metadata of a safetensors file (path, bytes or open binary file).

    bfloat16 tensors (NumPy has no such dtype) are widened to float32 with a warning.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is corrupt or truncated (a checksum over the tensors and the metadata
            fails; names the file), or it is a pickle (``torch.save``), which is never loaded.
    """
    import safetensors.numpy

    if hasattr(path, "read"):
        path = path.read()
    name = "<bytes>" if isinstance(path, (bytes, bytearray)) else os.fspath(path)
    if not isinstance(path, (bytes, bytearray)) and not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {os.path.abspath(name)}")
    if isinstance(path, (bytes, bytearray)):
        buf = bytes(path)
    else:
        with open(path, "rb") as f:
            buf = f.read()
    kind = _pickle_kind(buf[:9])
    if kind is not None:
        raise ValueError(f"{os.path.abspath(name) if name != '<bytes>' else name} is {kind}, not a safetensors "
                         "file; deepglass never unpickles (a pickle can run any code). Convert it in PyTorch, on a "
                         "file you trust: from safetensors.torch import save_file; "
                         "save_file(torch.load(path, weights_only=True), 'model.safetensors')")
    try:
        header, data_start = _header(buf)
    except (ValueError, UnicodeDecodeError) as e:
        raise _corrupt(name, f"unreadable header ({e})") from None
    if not isinstance(header, dict):
        raise _corrupt(name, "the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    bf16 = {k for k, v in header.items() if isinstance(v, dict) and v.get("dtype") == "BF16"}
    try:
        if bf16:  # safetensors' NumPy API can't make bfloat16: load the rest, widen these by hand
            rest = {k: v for k, v in header.items() if k not in bf16}
            arrays = _load_without(buf, header, data_start, rest)
            warnings.warn(f"{name}: bfloat16 tensors {sorted(bf16)} were widened to float32", stacklevel=3)
            for k in bf16:
                s, e = header[k]["data_offsets"]
                arrays[k] = _bf16(buf, data_start + s, data_start + e, header[k]["shape"])
        else:
            arrays = safetensors.numpy.load(buf)
    except Exception as e:  # SafetensorError and friends
        raise _corrupt(name, e) from None
    try:
        order = json.loads(metadata.get(_ORDER_KEY, "null"))
    except ValueError:
        raise _corrupt(name, "damaged key order table") from None
    if not isinstance(order, list) or sorted(order) != sorted(arrays):
        order = sorted(arrays, key=lambda k: (header[k].get("data_offsets", [0])[0], k))
    arrays = {k: arrays[k] for k in order}
    _check_meta(name, metadata, arrays)
    return arrays, metadata


def _load_without(buf: bytes, header: dict, data_start: int, rest: dict) -> dict:
    # the other tensors of a file holding bf16 ones, read by hand with bounds checks
    out = {}
    dtypes = {"BOOL": "?", "U8": "u1", "I8": "i1", "I16": "<i2", "U16": "<u2", "I32": "<i4", "U32": "<u4",
              "I64": "<i8", "U64": "<u8", "F16": "<f2", "F32": "<f4", "F64": "<f8"}
    for k, v in rest.items():
        if v.get("dtype") not in dtypes:
            raise ValueError(f"tensor {k!r} has dtype {v.get('dtype')}, which deepglass can't load")
        s, e = v["data_offsets"]
        dt = np.dtype(dtypes[v["dtype"]])
        n = int(np.prod(v["shape"], dtype=np.int64))
        if e - s != n * dt.itemsize or data_start + e > len(buf):
            raise ValueError(f"tensor {k!r} runs past the end of the file")
        out[k] = np.frombuffer(buf, dtype=dt, count=n, offset=data_start + s).reshape(v["shape"]).copy()
    return out


def load_metadata(path) -> dict:
    """The user metadata (str → str) of a safetensors file, without deepglass's own ``deepglass.*`` keys.

    Example:
        >>> load_metadata("model.safetensors")  # doctest: +SKIP
        {'epoch': '3'}
    """
    if not hasattr(path, "read") and not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {os.path.abspath(os.fspath(path))}")
    try:
        header, _ = _header(path.read() if hasattr(path, "read") else path)
    except (ValueError, UnicodeDecodeError) as e:
        raise _corrupt(path, f"unreadable header ({e})") from None
    meta = header.get("__metadata__") or {} if isinstance(header, dict) else {}
    return {k: v for k, v in meta.items() if not k.startswith("deepglass.")}


def check_state_dict(state_dict, expected, strict: bool = True) -> list[str]:
    """Every difference between ``state_dict`` and ``expected`` (a state dict or a Module): names, shapes, dtypes.

    Returns:
        A list of messages (empty when they match); missing/unexpected keys are
        only reported with ``strict=True``.

    Example:
        >>> check_state_dict({"w": np.zeros(2)}, {"w": np.zeros(3)})
        ['size mismatch for w: shape (2,) in the file, (3,) expected']
    """
    if hasattr(expected, "state_dict") and callable(expected.state_dict):
        expected = expected.state_dict()
    errors = []
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    if strict and missing:
        errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
    if strict and unexpected:
        errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
    for k, want in expected.items():
        if k not in state_dict:
            continue
        got = state_dict[k]
        gs, ws = tuple(got.shape), tuple(want.shape)
        if gs != ws:
            errors.append(f"size mismatch for {k}: shape {gs} in the file, {ws} expected")
        if np.dtype(got.dtype) != np.dtype(want.dtype):
            errors.append(f"dtype mismatch for {k}: {np.dtype(got.dtype)} in the file, {np.dtype(want.dtype)} expected")
    return errors


def load_state_dict(path, device="cpu", *, expected=None, strict: bool = True) -> dict:
    """Load a safetensors file as ``{name: Tensor}`` on ``device``.

    Args:
        path: the file (also one written by ``safetensors.torch.save_file``).
        device: where the tensors go (``"cpu"``, ``"cuda"``...).
        expected: optionally a state dict or Module to check against: every
            missing/unexpected name (with ``strict``), shape and dtype
            difference is reported in one RuntimeError.
        strict: report missing and unexpected names.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is corrupt or truncated.
        RuntimeError: mismatches with ``expected``.

    Example:
        >>> sd = load_state_dict("model.safetensors", expected=model)  # doctest: +SKIP
        >>> model.load_state_dict(sd)  # doctest: +SKIP
    """
    arrays, _ = read_file(path)
    if expected is not None:
        errors = check_state_dict(arrays, expected, strict)
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict from {path}:\n\t" + "\n\t".join(errors))
    dev = backend.as_device(device)
    return {k: from_array(backend.to_device(a, dev)) for k, a in arrays.items()}
