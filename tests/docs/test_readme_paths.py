"""The README's "where each idea of the notes lives" table points at files that exist."""
from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "deepglass"


def _table_rows(heading: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|") and "---" not in line][1:]


def _paths(cell: str) -> list[str]:
    out = []
    for code in re.findall(r"`([^`]+)`", cell):
        for part in re.split(r",\s*", code):
            part = part.split(" ")[0].strip()
            if "/" in part or part.endswith(".py"):
                out.append(part)
    return out


def test_every_path_in_the_concept_table_exists():
    rows = _table_rows("## Where each idea of the notes lives")
    assert len(rows) >= 10
    missing = []
    for row in rows:
        module_cell = row.split("|")[2]
        for path in _paths(module_cell):
            if not ((PKG / path).exists() or (ROOT / path).exists()):
                missing.append(path)
    assert not missing, f"README names paths that do not exist: {missing}"


def test_the_table_names_a_file_for_every_concept():
    for row in _table_rows("## Where each idea of the notes lives"):
        assert _paths(row.split("|")[2]), f"no file named for: {row}"
