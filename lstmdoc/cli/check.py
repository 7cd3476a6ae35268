"""``lstmdoc check``: grade your own LSTM (the options and the work are :mod:`lstmdoc.grader`'s)."""

from .. import grader


def add_check(subparsers):
    p = subparsers.add_parser(
        "check", help="grade your own LSTM: lstmdoc's step functions, or CS231n's, "
                      "deeplearning.ai's or Karpathy's code as written",
        description="Grade your own LSTM against lstmdoc: its step functions (lstmdoc's names "
                    "and signatures), or CS231n's, deeplearning.ai's or Karpathy's functions as "
                    "a course writes them. Which function is wrong, where, and the likely "
                    "mistake by a stable id. Exit status 0 when every function graded matches, "
                    "1 when one is wrong, 2 when nothing can be graded.")
    grader.add_arguments(p)
    p.set_defaults(run=run_check)


def run_check(args):
    return grader.run(args)
