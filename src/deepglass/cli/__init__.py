"""The ``deepglass`` command.

Each sub-command lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (a callable
taking the parsed ``argparse.Namespace`` and returning an exit code). Modules
are discovered automatically, so adding a command means adding one file.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from .._version import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="deepglass",
        description="Train, evaluate and explain models with deepglass.",
    )
    parser.add_argument("--version", action="version", version=f"deepglass {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error (for bug reports)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


#: exceptions that mean "the user asked for something impossible": one line and exit code 2 (bugs keep tracebacks)
USER_ERRORS = (ValueError, OSError, RuntimeError, MemoryError)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return ("ran out of memory" + (f" ({exc})" if str(exc) else "") +
                "; use a smaller --batch-size, model or input, or a machine with more memory")
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}"
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    """Run the ``deepglass`` command. User errors print one line ``deepglass CMD: error: ...`` and return 2;
    ``--debug`` (anywhere on the line) shows the traceback instead."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        if debug:
            raise
        print(f"deepglass {args.command}: error: {_one_line(exc)} (--debug shows the traceback)", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
