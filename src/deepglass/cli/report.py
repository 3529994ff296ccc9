"""``deepglass report``: a self-contained report.html of a run folder (figures embedded, no JavaScript).

    deepglass report runs/digits-001            # writes runs/digits-001/report.html
    deepglass report runs/digits-001 --open     # ... and opens it in the web browser
"""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write a self-contained report.html for a run folder (and --open it)",
        description="Convert a run folder's report.md to report.html beside it, with every figure embedded as "
                    "base64 and the style inline: one file that opens anywhere without a network.")
    p.add_argument("run", metavar="RUN", help="a run folder of `deepglass train`")
    p.add_argument("--open", action="store_true", help="open the page in the default web browser")
    p.set_defaults(func=run)


def run(args) -> int:
    import os

    from ..insight.html import write_report

    if not os.path.isdir(args.run):
        raise FileNotFoundError(f"no such run folder: {args.run}")
    path = write_report(args.run)
    print(f"wrote {path}")
    if args.open:
        import pathlib
        import webbrowser

        if not webbrowser.open(pathlib.Path(path).resolve().as_uri()):
            print("could not start a web browser here; open the file by hand")
    return 0
