"""``History``: one record per epoch (losses, metrics, learning rate, time), kept in memory and on disk.

The records are plain dicts of numbers, so the history travels inside a
checkpoint (JSON) and is written as ``history.csv`` and ``history.json``
(atomically: a crash leaves the previous file).
"""
from __future__ import annotations

import csv
import io
import json
import math
import os

from ..io import atomic_write

# the preferred column order of the CSV; any other key follows, sorted
_ORDER = ["epoch", "step", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_f1_macro", "lr",
          "seconds", "samples_per_sec"]


def _clean(value):
    """A JSON-friendly number: Python float/int; NaN and inf become None in JSON files."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class History:
    """The training history: ``records`` is a list with one dict per finished epoch.

    Example:
        >>> h = History()
        >>> h.append({"epoch": 1, "train_loss": 0.9, "val_loss": 0.8})
        >>> h.append({"epoch": 2, "train_loss": 0.5, "val_loss": 0.6})
        >>> h["val_loss"]
        [0.8, 0.6]
        >>> h.best("val_loss", mode="min")["epoch"]
        2
    """

    def __init__(self, records=None):
        self.records: list[dict] = [dict(r) for r in (records or [])]

    def append(self, record: dict) -> None:
        """Add the record of a finished epoch."""
        self.records.append(dict(record))

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def __getitem__(self, key):
        """``history["val_loss"]`` → the column (None where an epoch lacks it); ``history[i]`` → record i."""
        if isinstance(key, str):
            return [r.get(key) for r in self.records]
        return self.records[key]

    @property
    def keys(self) -> list[str]:
        """All column names, in the CSV's order."""
        seen = {k for r in self.records for k in r}
        return [k for k in _ORDER if k in seen] + sorted(seen - set(_ORDER))

    @property
    def last(self) -> dict:
        """The last epoch's record (an empty dict before the first epoch)."""
        return self.records[-1] if self.records else {}

    def best(self, key: str, mode: str = "min") -> dict | None:
        """The record with the lowest (``mode="min"``) or highest (``"max"``) finite ``key``; None if none."""
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        rows = [r for r in self.records if isinstance(r.get(key), (int, float)) and math.isfinite(r[key])]
        if not rows:
            return None
        pick = min if mode == "min" else max
        return pick(rows, key=lambda r: r[key])

    def state_dict(self) -> list[dict]:
        """The records (plain numbers), for a checkpoint."""
        return [dict(r) for r in self.records]

    def load_state_dict(self, records) -> None:
        self.records = [dict(r) for r in records]

    # ------------------------------------------------------------------ files
    def to_csv(self, path) -> None:
        """Write ``path`` as CSV: a header row then one row per epoch (blank where missing)."""
        buf = io.StringIO()
        keys = self.keys
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(keys)
        for r in self.records:
            row = []
            for k in keys:
                v = r.get(k)
                row.append("" if v is None else repr(v) if isinstance(v, float) else v)
            writer.writerow(row)
        with atomic_write(path, "w", newline="") as f:
            f.write(buf.getvalue())

    def to_json(self, path) -> None:
        """Write ``path`` as a JSON list of records (non-finite numbers as null)."""
        data = [{k: _clean(v) for k, v in r.items()} for r in self.records]
        with atomic_write(path, "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")

    def save(self, directory) -> None:
        """Write ``history.csv`` and ``history.json`` into ``directory`` (created if needed)."""
        os.makedirs(directory, exist_ok=True)
        self.to_csv(os.path.join(directory, "history.csv"))
        self.to_json(os.path.join(directory, "history.json"))

    @classmethod
    def from_json(cls, path) -> History:
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    @classmethod
    def from_csv(cls, path) -> History:
        """Read a ``history.csv`` back (numbers parsed, blanks dropped)."""
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        out = []
        for row in rows:
            rec = {}
            for k, v in row.items():
                if v == "":
                    continue
                try:
                    rec[k] = int(v)
                except ValueError:
                    try:
                        rec[k] = float(v)
                    except ValueError:
                        rec[k] = v
            out.append(rec)
        return cls(out)

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={self.keys})"
