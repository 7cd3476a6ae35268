"""The grader's command line: ``python -m lstmdoc.grader FILE.py``, and ``lstmdoc check``."""

import argparse
import json

from .checking import check
from .detect import GRADED_LAYOUTS


def add_arguments(parser):
    """Add the grader's command-line arguments to an ``argparse`` parser (or subparser)."""
    parser.add_argument("file", help="a Python file defining your LSTM's functions: lstmdoc's "
                        "step functions (dCt, ...), or CS231n's, deeplearning.ai's or Karpathy's")
    parser.add_argument("--layout", metavar="NAME",
                        help="read the file in this layout instead of recognising it: "
                        + ", ".join(GRADED_LAYOUTS))
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object: {"layout", "functions", "warnings"}')
    return parser


def run(args):
    """Grade ``args.file`` (parsed by :func:`add_arguments`), print the report, return the status.

    Returns
    -------
    int
        0 every graded function right, 1 one wrong, 2 nothing could be graded
        (the file does not import, no function the grader knows, a layout that
        does not exist).
    """
    report = check(args.file, getattr(args, "layout", None))
    if getattr(args, "json", False):
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.text())
    return report.status


def main(argv=None, prog="python -m lstmdoc.grader"):
    """``python -m lstmdoc.grader FILE.py``: print the report; exit status 0 only if all match.

    Returns
    -------
    int
        As :func:`run`.
    """
    parser = argparse.ArgumentParser(
        prog=prog, description="Grade your own LSTM (lstmdoc's step functions, or CS231n's, "
        "deeplearning.ai's or Karpathy's code as written) against lstmdoc: which function is "
        "wrong, where, and the likely mistake.")
    return run(add_arguments(parser).parse_args(argv))
