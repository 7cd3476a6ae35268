"""The command line: ``python -m lstmdoc`` (or ``lstmdoc``) ``train``, ``generate``, ``trace``, ``check``.

One subcommand is one module here, with a pair of functions: ``add_<name>(subparsers)``
declares its options and ``run_<name>(args)`` does the work; :data:`SUBCOMMANDS` lists
the ``add_`` functions, and :mod:`~lstmdoc.cli.common` holds what they share. A
subcommand may also set ``interrupted(args)``, the end of the message after Ctrl-C
(what is saved). A subcommand that is a program of its own (with its
own ``main(argv)``) declares ``passthrough=True`` in its ``set_defaults`` and
no options (``add_help=False``): it gets its arguments, untouched and in order,
as ``args.argv``, ``--help`` included. :func:`main` turns the errors of bad input into one
line on stderr and an exit status: 0 done, 1 training failed (it diverged to NaN or
infinity and nothing was saved, or it ended far worse than it started: saved, with a warning),
2 bad input (as argparse's own errors), 130 interrupted (Ctrl-C), 141 output pipe closed.
"""

import argparse
import functools
import os
import sys

import lstmdoc

from .check import add_check
from .common import EXIT_BROKEN_PIPE, EXIT_DIVERGED, EXIT_INTERRUPTED, EXIT_USAGE, PROG
from .generate import add_generate
from .trace import add_trace
from .train import add_train

HELP_WIDTH = 78
"""Help is wrapped at this width whatever the terminal's, so it reads the same everywhere."""
SUBCOMMANDS = (add_train, add_generate, add_trace, add_check)
"""The subcommands, as the ``add_<name>(subparsers)`` functions that declare them."""


def build_parser():
    formatter = functools.partial(argparse.HelpFormatter, width=HELP_WIDTH)
    parser = argparse.ArgumentParser(
        prog=PROG, formatter_class=formatter,
        description="An LSTM's forward and backward pass, one verified step at a time: train a "
                    "word model, generate text, trace a pass.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {lstmdoc.__version__}")
    subparsers = parser.add_subparsers(
        title="commands", metavar="COMMAND", required=True,
        parser_class=functools.partial(argparse.ArgumentParser, formatter_class=formatter))
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv=None):
    """Run the command line; return the exit status (0, 1, 2, 130 or 141).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    int
    """
    try:
        args = parse_args(argv)
    except SystemExit as e:  # --help, --version, or an argparse error (already printed)
        return e.code
    return execute(args)


def parse_args(argv):
    """The parsed arguments; a passthrough subcommand's own ones, in order, as ``args.argv``."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and not getattr(args, "passthrough", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")  # as parse_args does
    args.argv = rest
    return args


def execute(args):
    """Run the subcommand ``args.run``; its errors become one line on stderr and an exit status."""
    command = f"{PROG} {args.run.__name__.removeprefix('run_')}"
    try:
        status = args.run(args)
        sys.stdout.flush()  # here, where a closed pipe is caught, rather than at exit
        return status
    except SystemExit as e:  # a passthrough program's own argparse: its --help, its errors
        return e.code
    except KeyboardInterrupt:
        saved = args.interrupted(args) if hasattr(args, "interrupted") else ""
        print(f"\n{command}: interrupted{saved}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `lstmdoc trace | head`: the reader left; not an error to report
        # Python would complain again when it flushes stdout at exit: point stdout at devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except FloatingPointError as e:  # lstmdoc.train.TrainingDiverged
        print(f"{command}: error: {e}", file=sys.stderr)
        return EXIT_DIVERGED
    except (ValueError, OSError) as e:  # bad input: a text, a checkpoint, an option's value
        print(f"{command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
