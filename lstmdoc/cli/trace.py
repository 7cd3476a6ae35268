"""``lstmdoc trace``: every intermediate of a pass over one of the worked examples, as text."""

import lstmdoc

from ..trace import ALIASES, QUANTITIES, trace
from .common import UsageError


def add_trace(subparsers):
    p = subparsers.add_parser(
        "trace", help="print every intermediate of a forward and backward pass",
        description="Print every intermediate of one forward and backward pass, by its article "
                    "name, with its shape and values: the output layer (Step 1), then each time "
                    "step t = T, ..., 1 (Step 2), forward then backward. The numbers are those "
                    "of lstmdoc.run, as on the pages.",
        epilog="Quantities: " + ", ".join(QUANTITIES) + "; the article's names work too: "
               + ", ".join(ALIASES) + ".")
    p.add_argument("--example", choices=("article", "random"), default="article",
                   help="the article's example (default) or the seeded random one")
    p.add_argument("--step", type=int, nargs="+", action="extend", metavar="t",
                   help="time steps to show, counted from 1 as on the pages (default: all); "
                        "the output layer comes with the last step")
    p.add_argument("--quantity", nargs="+", action="extend", metavar="NAME",
                   help="quantities to show, e.g. dCt dFt, or by the article's names, e.g. "
                        "DCt_recur DHX (default: all)")
    p.add_argument("--width", type=int, default=78, metavar="N", help="line width (default 78)")
    p.set_defaults(run=run_trace)


def run_trace(args):
    ex = getattr(lstmdoc.example, args.example)()
    if args.width < 40:
        raise UsageError(f"--width must be at least 40, got {args.width}")
    r = lstmdoc.run(ex.params, ex.X, ex.target, ex.h0, ex.c0)
    text = trace(r, ex.params, steps=args.step, quantities=args.quantity, linewidth=args.width)
    if ex.words:
        print(f"{ex.name} example: {' '.join(ex.words)} -> {ex.vocab[ex.target[0]]}")
    else:
        print(f"{ex.name} example (lstmdoc.example.random(), seed 0)")
    print(text)
    return 0
