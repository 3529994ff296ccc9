"""``CSVDataset``: tabular data from a CSV file (float features, one target column)."""
from __future__ import annotations

import csv
import math
import os

import numpy as np

from ..._tensor import from_array
from ._errors import missing
from .base import VisionDataset


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return None


class CSVDataset(VisionDataset):
    """Rows of a CSV file with a header: float32 features and a target taken from one column.

    The target column decides the target type: integers → int class labels,
    other numbers → float (regression), anything else → class names mapped
    to indices in sorted order (``classes``, ``class_to_idx``).

    Args:
        root: a ``.csv`` file, or a folder holding ``train.csv`` and ``test.csv``.
        train: with a folder, read ``train.csv`` (True) or ``test.csv`` (False).
        transform: applied to the feature Tensor.
        target_transform: applied to the target.
        target: the target column's name (default ``"target"``; also tried:
            ``"label"``, ``"y"``, ``"class"`` when ``target`` is left as is).
        features: the feature column names (default: every other column).
        delimiter: the field separator.

    Raises:
        FileNotFoundError: no such file.
        ValueError: a missing column, a feature that is not a finite number, or an
            empty or non-finite target (names the line and column).

    Example:
        >>> ds = CSVDataset("iris.csv", target="species")  # doctest: +SKIP
        >>> x, y = ds[0]; x.shape, ds.classes  # doctest: +SKIP
        ((4,), ['setosa', 'versicolor', 'virginica'])
    """

    def __init__(self, root, train: bool = True, transform=None, target_transform=None, target: str = "target",
                 features=None, delimiter: str = ","):
        super().__init__(root, train, transform, target_transform)
        self.path = self._file()
        with open(self.path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f, delimiter=delimiter))
        rows = [r for r in rows if r and any(c.strip() for c in r)]
        if not rows:
            raise ValueError(f"CSVDataset: {os.path.abspath(self.path)} is empty; expected a header row then data")
        header, body = [h.strip() for h in rows[0]], rows[1:]
        if target not in header and target == "target":
            target = next((c for c in ("label", "y", "class") if c in header), target)
        if target not in header:
            raise ValueError(f"CSVDataset: target column {target!r} not in {os.path.abspath(self.path)}; "
                             f"its columns are {header}; pass target=<name>")
        features = [c for c in header if c != target] if features is None else list(features)
        absent = [c for c in features if c not in header]
        if absent:
            raise ValueError(f"CSVDataset: feature column(s) {absent} not in {os.path.abspath(self.path)}; "
                             f"its columns are {header}")
        cols = [header.index(c) for c in features]
        tcol = header.index(target)
        x = np.empty((len(body), len(cols)), dtype=np.float32)
        raw_targets = []
        for r, row in enumerate(body):
            if len(row) != len(header):
                raise ValueError(f"CSVDataset: {os.path.abspath(self.path)} line {r + 2} has {len(row)} fields, "
                                 f"the header has {len(header)}")
            for j, c in enumerate(cols):
                v = _number(row[c])
                if v is None:
                    raise ValueError(f"CSVDataset: {os.path.abspath(self.path)} line {r + 2}, column "
                                     f"{header[c]!r}: {row[c]!r} is not a number; drop or encode that column "
                                     "(features=[...])")
                if not math.isfinite(v):
                    raise ValueError(f"CSVDataset: {os.path.abspath(self.path)} line {r + 2}, column "
                                     f"{header[c]!r}: {row[c].strip()!r} is not a finite number; fill in or drop "
                                     "the missing/infinite values first")
                x[r, j] = v
            t = row[tcol].strip()
            if not t or (_number(t) is not None and not math.isfinite(_number(t))):
                raise ValueError(f"CSVDataset: {os.path.abspath(self.path)} line {r + 2}: the target "
                                 f"{target!r} is {'empty' if not t else repr(t)}; every row needs a target "
                                 "(fill it in or drop the row)")
            raw_targets.append(t)
        self.feature_names, self.target_name = features, target
        self.data = x
        nums = [_number(t) for t in raw_targets]
        if all(v is not None for v in nums):
            if all(math.isfinite(v) and v == int(v) for v in nums) and all("." not in t for t in raw_targets):
                self.targets = [int(v) for v in nums]
            else:
                self.targets = [float(v) for v in nums]
            self.classes = None
        else:
            self.classes = sorted(set(raw_targets))
            self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
            self.targets = [self.class_to_idx[t] for t in raw_targets]

    def _file(self) -> str:
        if os.path.isfile(self.root):
            return self.root
        name = "train.csv" if self.train else "test.csv"
        p = os.path.join(self.root, name)
        if os.path.isfile(p):
            return p
        raise missing("CSVDataset", [f"{self.root} as a .csv file, or {name} inside it"],
                      [os.path.dirname(self.root) or ".", self.root], "your own data (a CSV file with a header row)")

    def __len__(self) -> int:
        return len(self.targets)

    def _raw(self, index: int):
        return from_array(self.data[index].copy()), self.targets[index]
