"""tests/ mirrors src/deepglass/: each test folder is named after the package it tests."""
from __future__ import annotations

import collections
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "deepglass"
# folders that test the whole rather than one package
CROSS_CUTTING = {"opinfo": "the op registry's entries", "docs": "README, CONTRIBUTING and layout checks",
                 "reliability": "the adversarial suite of issue 22", "bench": "the benchmark runner and workloads (bench/)"}


def _test_dirs():
    return sorted(p for p in (ROOT / "tests").iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def test_every_test_folder_names_a_package():
    strays = [d.name for d in _test_dirs() if d.name not in CROSS_CUTTING and not (PKG / d.name).is_dir()]
    assert not strays, f"tests/{strays} mirror no package of src/deepglass; move the tests beside their package"


def test_no_two_test_modules_share_a_basename_outside_packages():
    """pytest imports a test module outside a package by its basename: two of them cannot coexist."""
    seen = collections.defaultdict(list)
    for f in (ROOT / "tests").rglob("test_*.py"):
        if not (f.parent / "__init__.py").exists():
            seen[f.name].append(str(f.relative_to(ROOT)))
    dups = {k: v for k, v in seen.items() if len(v) > 1}
    assert not dups, f"rename one of each: {dups}"
