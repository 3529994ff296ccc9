"""Findings 2 and 11: an existing run is never overwritten by accident, a refused run writes nothing,
stale checkpoints and the temporary files of interrupted saves are removed."""
from __future__ import annotations

import hashlib
import os
import shutil

from reliability_helpers import assert_user_error

TINY = ["--epochs", "1", "--batch-size", "128", "--quiet"]


def _digest(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for n in files:
            p = os.path.join(root, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, folder)] = hashlib.sha256(f.read()).hexdigest()
    return out


def test_out_over_an_existing_run_is_refused_and_leaves_it_untouched(run, cli):
    before = _digest(run)
    code, _, err = cli("train", "--out", run, "--lr", "0.5", *TINY)
    assert_user_error(code, err, "already holds a run", "--overwrite", "--resume")
    assert _digest(run) == before


def test_a_run_refused_at_argument_checking_writes_nothing_even_with_overwrite(run, cli):
    before = _digest(run)
    code, _, err = cli("train", "--out", run, "--overwrite", "--model", "no_such_net", *TINY)
    assert_user_error(code, err, "unknown model 'no_such_net'")
    assert _digest(run) == before  # config.json was rewritten before the check, in the old code


def test_overwrite_replaces_the_run_and_removes_a_stale_interrupted_checkpoint(run, cli):
    ck = run / "checkpoints"
    shutil.copy(ck / "last.safetensors", ck / "interrupted.safetensors")
    (ck / ".last.safetensors.x1y2.tmp").write_bytes(b"half a file")
    code, _, err = cli("train", "--out", run, "--overwrite", "--optimizer", "sgd", "--lr", "0.05", *TINY)
    assert code == 0, err
    assert not (ck / "interrupted.safetensors").exists()
    assert not (ck / ".last.safetensors.x1y2.tmp").exists()
    import json

    assert json.load(open(run / "config.json"))["optimizer"] == "sgd"


def test_out_pointing_at_a_file_or_a_foreign_folder_is_refused(tmp_path, cli):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    code, _, err = cli("train", "--out", f, *TINY)
    assert_user_error(code, err, "is a file")
    assert f.read_text() == "mine"
    d = tmp_path / "photos"
    d.mkdir()
    (d / "cat.jpg").write_bytes(b"x")
    code, _, err = cli("train", "--out", d, "--overwrite", *TINY)
    assert_user_error(code, err, "not a deepglass run folder")
    assert os.listdir(d) == ["cat.jpg"]


def test_resume_removes_tmp_files_of_interrupted_saves_and_the_passed_interrupted_checkpoint(run, cli):
    ck = run / "checkpoints"
    for p in (ck / ".last.safetensors.abcd.tmp", run / ".config.json.efgh.tmp"):
        p.write_bytes(b"partial")
    shutil.copy(ck / "last.safetensors", ck / "interrupted.safetensors")
    code, _, err = cli("train", "--resume", run, "--epochs", "2", "--quiet")
    assert code == 0, err
    left = [n for d in (run, ck) for n in os.listdir(d) if n.endswith(".tmp")]
    assert left == [] and not (ck / "interrupted.safetensors").exists()


def test_a_damaged_config_json_is_named_not_blamed_on_the_scheduler(run, cli, tmp_path):
    (run / "config.json").write_text('{"model": "digits_cnn", "data": "dig')
    for argv in (["train", "--resume", run, "--epochs", "2"], ["evaluate", run]):
        code, _, err = cli(*argv)
        assert_user_error(code, err, "config.json is damaged")
        assert "scheduler" not in err
    (run / "config.json").write_text('{"model": "digits_cnn"}')
    code, _, err = cli("evaluate", run)
    assert_user_error(code, err, "config.json is damaged or incomplete", "data, info")
