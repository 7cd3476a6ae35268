"""The grader's command line: ``python -m lstmdoc.grader FILE.py``, and ``lstmdoc check``."""

import argparse

from .grading import check
from .reference import REFERENCE


def add_arguments(parser):
    """Add the grader's command-line arguments to an ``argparse`` parser (or subparser)."""
    parser.add_argument("file", help="a Python file defining any of: " + ", ".join(REFERENCE))
    return parser


def run(args):
    """Grade ``args.file`` (parsed by :func:`add_arguments`), print the report, return the status.

    Returns
    -------
    int
        0 all match, 1 some function wrong or failing, 2 nothing could be graded.
    """
    report = check(args.file)
    print(report.text())
    return 0 if report.ok else 2 if report.problem else 1


def main(argv=None, prog="python -m lstmdoc.grader"):
    """``python -m lstmdoc.grader FILE.py``: print the report; exit status 0 only if all match.

    Returns
    -------
    int
        As :func:`run`.
    """
    parser = argparse.ArgumentParser(
        prog=prog, description="Grade your own LSTM backward-pass step functions against "
        "lstmdoc's: which step is wrong, at which time step, and the likely mistake.")
    return run(add_arguments(parser).parse_args(argv))
