"""``deepglass run SCRIPT [ARGS...]``: run an unchanged PyTorch program on deepglass.

The script runs as ``python SCRIPT ARGS...`` would run it (``sys.argv``, ``__name__ ==
"__main__"``, its folder first on ``sys.path``, its exit code) with :mod:`deepglass.compat`'s
import hook installed, so ``import torch`` / ``import torchvision`` give deepglass.
"""
from __future__ import annotations

import argparse
import os
import re
import runpy
import sys
import traceback


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "run", help="run an unchanged PyTorch script on deepglass (import torch gives deepglass)",
        description="Run SCRIPT as `python SCRIPT ARGS...` would, with `import torch` resolving to deepglass.")
    p.add_argument("script", help="the Python file to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script (its sys.argv[1:])")
    p.set_defaults(func=run)


def run_script(script: str, args=()) -> int:
    """Run ``script`` under the hook; return its exit code (1 after an uncaught exception, printed as Python does)."""
    from .. import compat

    if not os.path.isfile(script):
        print(f"deepglass run: can't open file {script!r}: no such file", file=sys.stderr)
        return 2
    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    compat.install()
    try:
        runpy.run_path(script, run_name="__main__")
        return 0
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code
        print(e.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        traceback.print_exc()
        return 130
    except BaseException as e:  # the script's own error: a traceback, exit code 1, as python prints it
        _explain(e)
        traceback.print_exc()
        return 1
    finally:
        compat.uninstall()
        sys.argv, sys.path[:] = saved_argv, saved_path


def _explain(exc: BaseException) -> None:
    """``from torch.x import Name`` of a name deepglass lacks: Python's ImportError can't say so; a note does."""
    m = re.match(r"cannot import name '([^']+)' from '((?:torch|torchvision)(?:\.[\w.]+)?)'", str(exc))
    if isinstance(exc, ImportError) and m:
        exc.add_note(f"deepglass does not implement {m.group(2)}.{m.group(1)} yet")


def run(args) -> int:
    return run_script(args.script, args.args)
