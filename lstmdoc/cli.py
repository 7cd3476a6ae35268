"""The command line: ``python -m lstmdoc`` (or ``lstmdoc``) ``train``, ``generate``, ``trace``.

One subcommand is one pair of functions: ``add_<name>(subparsers)`` declares
its options and ``run_<name>(args)`` does the work; :data:`SUBCOMMANDS` lists
the ``add_`` functions. :func:`main` turns the errors of bad input into one
line on stderr and an exit status: 0 done, 1 training diverged, 2 bad input
(as argparse's own errors), 130 interrupted (Ctrl-C).
"""

import argparse
import sys

import numpy as np
from tqdm import tqdm

import lstmdoc
import lstmdoc.train as lt

from . import checkpoint
from .trace import QUANTITIES, trace
from .train.article import LR as ARTICLE_LR

PROG = "lstmdoc"
EXIT_DIVERGED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
PROGRESS_DELAY = 1.0
"""Seconds of training before the progress bar appears: short runs print no bar."""


class UsageError(ValueError):
    """Bad input found after parsing; reported like argparse's own errors (exit status 2)."""


# --- train ---------------------------------------------------------------------------------

# The Training page's fable run (lstmdoc.train.FABLE): it learns the fable in about a second.
TRAIN_DEFAULTS = {"hidden": lt.FABLE.H, "steps": lt.FABLE.T, "batch_size": lt.FABLE.batch_size,
                  "lr": lt.FABLE.lr, "iterations": lt.FABLE.iterations, "seed": lt.FABLE.seed,
                  "dtype": "float64"}
ARTICLE_FIXED = ("hidden", "steps", "batch_size", "seed", "dtype")


def add_train(subparsers):
    p = subparsers.add_parser(
        "train", help="train a word model and save it as a checkpoint",
        description="Train a word model with plain SGD on a text file, on the shipped fable "
                    "(--fable), or exactly as the seed article did (--article), and save it.",
        epilog="With --article the model is the article's (H=5, T=3, B=1, float64, every LSTM "
               "weight 0.1, seed 42 for the windows); only --iterations, --lr and "
               "--initial-state apply. Defaults otherwise: " +
               ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in TRAIN_DEFAULTS.items()) + ".")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="a UTF-8 text file to learn")
    source.add_argument("--article", action="store_true",
                        help="the article's run: its 11 words, its window schedule, lr 0.001, "
                             "200 iterations")
    source.add_argument("--fable", action="store_true",
                        help="the shipped corpus, Aesop's 'The Belling of the Cat'")
    p.add_argument("--hidden", type=int, metavar="H", help="hidden size H")
    p.add_argument("--steps", type=int, metavar="T", help="words read before each prediction (T)")
    p.add_argument("--batch-size", type=int, metavar="B", help="windows per update (B)")
    p.add_argument("--lr", type=float, help="learning rate, > 0")
    p.add_argument("--iterations", type=int, help="number of SGD updates, >= 1")
    p.add_argument("--seed", type=int, help="seed of the starting weights and of the batches")
    p.add_argument("--dtype", choices=("float32", "float64"), help="float type of the model")
    p.add_argument("--initial-state", choices=("zeros", "ones"), default="zeros",
                   help="--article only: the state every window starts from (default zeros)")
    p.add_argument("--out", default="model.npz", metavar="PATH",
                   help="checkpoint to write (default model.npz); written only when training "
                        "completes, atomically")
    p.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    p.set_defaults(run=run_train)


def run_train(args):
    given = {k: getattr(args, k) for k in TRAIN_DEFAULTS if getattr(args, k) is not None}
    if args.article:
        fixed = [k for k in ARTICLE_FIXED if k in given]
        if fixed:
            raise UsageError(f"--{fixed[0].replace('_', '-')} does not apply to --article "
                             "(the article's model and data are fixed)")
        T, _, H, _, B = lstmdoc.example.article().shape
        hyper = {"text": "article", "hidden": H, "steps": T, "batch_size": B,
                 "lr": given.get("lr", ARTICLE_LR), "iterations": given.get("iterations", 200),
                 "dtype": "float64", "initial_state": args.initial_state}
    else:
        if args.initial_state != "zeros":
            raise UsageError("--initial-state applies to --article only")
        hyper = {"text": "fable" if args.fable else args.text, **TRAIN_DEFAULTS, **given}
    check_positive(hyper)
    with ProgressBar(hyper["iterations"], args.quiet) as progress:
        if args.article:
            run, vocab = train_article(hyper, progress)
        else:
            run, vocab = train_text(read_text(args), hyper, progress)
    hyper.update(loss_first=float(run.losses[0]), loss_last=float(run.losses[-1]))
    checkpoint.save(args.out, run.params, vocab, hyper)
    if not args.quiet:
        print(f"trained {hyper['iterations']} iterations on {hyper['text']}: loss "
              f"{run.losses[0]:.4g} -> {run.losses[-1]:.4g} "
              f"(V={len(vocab)} H={hyper['hidden']} T={hyper['steps']} B={hyper['batch_size']}); "
              f"saved {args.out}")
    return 0


def check_positive(hyper):
    """Hyper-parameters that must be positive, checked before any work."""
    for name in ("hidden", "steps", "batch_size", "iterations", "lr"):
        if not hyper[name] > 0:
            raise UsageError(f"--{name.replace('_', '-')} must be positive, got {hyper[name]}")


def read_text(args):
    if args.fable:
        return lt.belling_the_cat()
    try:
        with open(args.text, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise UsageError(f"{args.text}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise UsageError(f"{args.text}: {e.strerror}") from None


def train_article(hyper, progress):
    """The article's run, as :func:`lstmdoc.train.article` does it, with a progress callback."""
    ex = lstmdoc.example.article()
    state = np.ones((ex.params.H, 1)) if hyper["initial_state"] == "ones" else None
    run = lt.train(ex.params, lt.article_windows(hyper["iterations"]), hyper["lr"],
                   h0=state, c0=state, progress=progress)
    return run, ex.vocab


def train_text(text, hyper, progress):
    """Tokenize, cut into windows, start from random weights, fit."""
    tokens, vocab = lt.tokenize(text)
    windows = lt.make_windows(tokens, hyper["steps"])
    params = lt.init_params(V=len(vocab), H=hyper["hidden"], seed=hyper["seed"],
                            dtype=np.dtype(hyper["dtype"]))
    run = lt.fit(params, windows, hyper["lr"], hyper["iterations"],
                 batch_size=hyper["batch_size"], seed=hyper["seed"], progress=progress)
    return run, vocab


class ProgressBar:
    """A tqdm bar with the loss, shown once a run has lasted :data:`PROGRESS_DELAY` seconds.

    A context manager, and the ``progress(iteration, loss)`` callback of the training loop.
    """

    def __init__(self, iterations, quiet):
        self.bar = tqdm(total=iterations, desc="train", unit="it", delay=PROGRESS_DELAY,
                        mininterval=0.2, disable=quiet, file=sys.stderr, dynamic_ncols=True)

    def __enter__(self):
        return self

    def __call__(self, iteration, loss):
        self.bar.set_postfix_str(f"loss {loss:.4f}", refresh=False)
        self.bar.update()

    def __exit__(self, *exc):
        self.bar.close()


# --- generate ------------------------------------------------------------------------------

def add_generate(subparsers):
    p = subparsers.add_parser(
        "generate", help="continue a prompt with a trained model",
        description="Continue a prompt word by word with a model saved by 'lstmdoc train'. "
                    "Prints the prompt followed by the new words. The model reads the last T "
                    "words (T as in training), so a prompt of T words works best.")
    p.add_argument("checkpoint", help="a checkpoint written by 'lstmdoc train'")
    p.add_argument("--prompt", required=True, help="the first words (from the model's vocabulary)")
    p.add_argument("--words", type=int, default=20, metavar="N", help="words to add (default 20)")
    p.add_argument("--temperature", type=float, default=0.0,
                   help="0: always the most probable word (default); > 0: sample, higher is "
                        "more random")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling (default 0)")
    p.set_defaults(run=run_generate)


def run_generate(args):
    if args.words < 0:
        raise UsageError(f"--words must be >= 0, got {args.words}")
    ck = checkpoint.load(args.checkpoint)
    context = ck.hyper.get("steps")
    words = lt.generate(ck.params, ck.vocab, args.prompt, args.words,
                        temperature=args.temperature, seed=args.seed,
                        context=context if isinstance(context, int) else None)
    print(" ".join([args.prompt.strip(), *words]))
    return 0


# --- trace ---------------------------------------------------------------------------------

def add_trace(subparsers):
    p = subparsers.add_parser(
        "trace", help="print every intermediate of a forward and backward pass",
        description="Print every intermediate of one forward and backward pass, by its article "
                    "name, with its shape and values: the output layer (Step 1), then each time "
                    "step t = T, ..., 1 (Step 2), forward then backward. The numbers are those "
                    "of lstmdoc.run, as on the pages.",
        epilog="Quantities: " + ", ".join(QUANTITIES) + ".")
    p.add_argument("--example", choices=("article", "random"), default="article",
                   help="the article's example (default) or the seeded random one")
    p.add_argument("--step", type=int, nargs="+", action="extend", metavar="t",
                   help="time steps to show, counted from 1 as on the pages (default: all); "
                        "the output layer comes with the last step")
    p.add_argument("--quantity", nargs="+", action="extend", metavar="NAME",
                   help="quantities to show, e.g. dCt dFt (default: all)")
    p.add_argument("--width", type=int, default=78, help="line width (default 78)")
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


# --- the program -------------------------------------------------------------------------

SUBCOMMANDS = (add_train, add_generate, add_trace)


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG, description="An LSTM's forward and backward pass, one verified step at a "
                               "time: train a word model, generate text, trace a pass.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {lstmdoc.__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def main(argv=None):
    """Run the command line; return the exit status (0, 1, 2 or 130).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; ``sys.argv[1:]`` when omitted.

    Returns
    -------
    int
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or an argparse error (already printed)
        return e.code
    command = f"{PROG} {args.run.__name__.removeprefix('run_')}"
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"\n{command}: interrupted; nothing was saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    except FloatingPointError as e:  # lstmdoc.train.TrainingDiverged
        print(f"{command}: error: {e}", file=sys.stderr)
        return EXIT_DIVERGED
    except (ValueError, OSError) as e:  # bad input: a text, a checkpoint, an option's value
        print(f"{command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
