"""The command line: ``python -m lstmdoc`` (or ``lstmdoc``) ``train``, ``generate``, ``trace``.

One subcommand is one pair of functions: ``add_<name>(subparsers)`` declares
its options and ``run_<name>(args)`` does the work; :data:`SUBCOMMANDS` lists
the ``add_`` functions. A subcommand that is a program of its own (with its
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

import numpy as np
from tqdm import tqdm

import lstmdoc
import lstmdoc.train as lt

from . import checkpoint, cli_tbptt
from .trace import ALIASES, QUANTITIES, trace
from .train.article_run import LR as ARTICLE_LR
from .train.evaluation import FAR_WORSE

PROG = "lstmdoc"
EXIT_DIVERGED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 1, 2, 130, 141
EXIT_WORSE = EXIT_DIVERGED
"""A run that ended far worse than it started fails as a diverged one does (but is saved)."""
HELP_WIDTH = 78
"""Help is wrapped at this width whatever the terminal's, so it reads the same everywhere."""
PROGRESS_DELAY = 1.0
"""Seconds of training before the progress bar appears: short runs print no bar."""
JUDGED = 1000
"""The most windows of a text whose mean loss ``train`` compares before and after training."""


class UsageError(ValueError):
    """Bad input found after parsing; reported like argparse's own errors (exit status 2)."""


# --- train ---------------------------------------------------------------------------------

# The Training page's fable run (lstmdoc.train.FABLE): it learns the fable in about a second.
TRAIN_DEFAULTS = {"hidden": lt.FABLE.H, "steps": lt.FABLE.T, "batch_size": lt.FABLE.batch_size,
                  "lr": lt.FABLE.lr, "iterations": lt.FABLE.iterations, "seed": lt.FABLE.seed,
                  "dtype": "float64"}
ARTICLE_FIXED = ("hidden", "steps", "batch_size", "seed", "dtype")
TRAIN_EPILOG = ("With --article, the model and its data are the article's (H=5, T=3, B=1, "
                "float64, every LSTM weight 0.1, and the windows its scripts chose: first 'the "
                "mice had', then in turn, restarting at a word drawn with seed 42): only "
                "--iterations, --lr and --initial-state apply, and they default to the "
                "article's 200 and 0.001 and zeros. The summary compares the model's mean "
                f"loss over the text's windows (at most {JUDGED}, evenly spaced) before and "
                f"after training. A run whose mean loss ends more than {FAR_WORSE} times as "
                f"high as it started prints a warning and exits with status {EXIT_WORSE} (its "
                "checkpoint is saved); one that reaches NaN or infinity saves nothing and exits "
                f"with status {EXIT_DIVERGED}.")


def add_train(subparsers):
    d = TRAIN_DEFAULTS
    p = subparsers.add_parser(
        "train", help="train a word model and save it as a checkpoint",
        description="Train a word model with plain SGD on a text file, on the shipped fable "
                    "(--fable), or as the seed article's scripts did (--article: its model, "
                    "data and window schedule), and save it. The defaults are the Training page's "
                    "fable run. With --epochs, train a language model as people do instead: "
                    "truncated BPTT over the whole text, every step predicting the next word "
                    "or character (--char), with the options of that group.",
        epilog=TRAIN_EPILOG)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="a UTF-8 text file to learn")
    source.add_argument("--fable", action="store_true",
                        help="the shipped corpus, Aesop's 'The Belling of the Cat'")
    source.add_argument("--article", action="store_true",
                        help="the article's run as its scripts ran it: its 11 words, its "
                             "window schedule, its SGD")
    source.add_argument("--novel", action="store_true",
                        help="the shipped chapters 1-12 of Jane Austen's Pride and Prejudice")
    p.add_argument("--hidden", type=int, metavar="H", help=f"hidden size (default {d['hidden']})")
    p.add_argument("--steps", type=int, metavar="T",
                   help=f"words read before each prediction (default {d['steps']})")
    p.add_argument("--batch-size", type=int, metavar="B",
                   help=f"windows per update (default {d['batch_size']})")
    p.add_argument("--lr", type=float, help=f"learning rate, > 0 (default {d['lr']})")
    p.add_argument("--iterations", type=int, metavar="N",
                   help=f"number of SGD updates (default {d['iterations']})")
    p.add_argument("--seed", type=int,
                   help=f"seed of the starting weights and of the batches (default {d['seed']})")
    p.add_argument("--dtype", choices=("float32", "float64"),
                   help=f"float type of the model (default {d['dtype']})")
    p.add_argument("--initial-state", choices=("zeros", "ones"), default="zeros",
                   help="with --article: the state every window starts from (default zeros)")
    p.add_argument("--out", metavar="PATH",
                   help="the checkpoint to write (default model.npz, or the --resume file), "
                        "once training is done")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (the summary is still printed)")
    cli_tbptt.add_options(p)
    p.set_defaults(run=run_train)


def run_train(args):
    args.out = args.out or args.resume or "model.npz"
    if args.epochs is not None or args.resume:
        if args.article or args.iterations is not None or args.initial_state != "zeros":
            raise UsageError("--epochs trains by truncated BPTT over a text: --article, "
                             "--iterations and --initial-state belong to the window runs")
        if args.epochs is None:
            raise UsageError("--resume needs --epochs: the total number of epochs to train")
        return cli_tbptt.run(args, read_text(args), text_name(args), UsageError)
    stream_only = [k for k in cli_tbptt.STREAM_ONLY if getattr(args, k) not in (None, False)]
    if stream_only:
        raise UsageError(f"--{stream_only[0].replace('_', '-')} needs --epochs (truncated BPTT "
                         "over the text); without it, training runs on windows with plain SGD")
    hyper = train_hyper(args)
    check_positive(hyper)
    start, windows, vocab, state = training_data(args, hyper)
    with ProgressBar(hyper["iterations"], args.quiet) as progress:
        if args.article:
            run = lt.article(hyper["iterations"], initial_state=hyper["initial_state"],
                             lr=hyper["lr"], progress=progress)
        else:
            run = lt.fit(start, windows, hyper["lr"], hyper["iterations"],
                         batch_size=hyper["batch_size"], seed=hyper["seed"], progress=progress)
    judged = lt.evenly_spaced(windows, JUDGED)
    before, after = (lt.mean_loss(p, judged, h0=state, c0=state) for p in (start, run.params))
    hyper.update(loss_first=float(run.losses[0]), loss_last=float(run.losses[-1]),
                 mean_loss_before=before, mean_loss_after=after)
    checkpoint.save(args.out, run.params, vocab, hyper)
    return report(hyper, len(vocab), judged.target.shape[0], windows.target.shape[0], args.out)


def report(hyper, V, n, N, out):
    """Print what was trained and saved, and how its mean loss over ``n`` of the ``N`` windows
    changed; return the exit status: :data:`EXIT_WORSE` if far worse, with a warning."""
    before, after = hyper["mean_loss_before"], hyper["mean_loss_after"]
    which = f"the text's {N} windows" if n == N else f"{n} of the text's {N} windows, evenly spaced"
    iterations = f"{hyper['iterations']} iteration" + ("s" if hyper["iterations"] > 1 else "")
    print(f"trained {iterations} on {hyper['text']} (V={V} H={hyper['hidden']} "
          f"T={hyper['steps']} B={hyper['batch_size']}); saved {out}")
    print(f"mean loss over {which}: {before:.4g} before training, {after:.4g} after")
    if after > FAR_WORSE * before:  # a run that wrecked its model: never a silent success
        print(f"{PROG} train: warning: the model ended far worse than it started (its mean loss "
              f"more than {FAR_WORSE:g} times as high): the learning rate "
              f"(--lr {hyper['lr']:g}) is likely too large, try a smaller one; the checkpoint "
              f"is saved, and the exit status is {EXIT_WORSE}", file=sys.stderr)
        return EXIT_WORSE
    return 0


def train_hyper(args):
    """The run's hyper-parameters: the options given, and the defaults or the article's."""
    given = {k: getattr(args, k) for k in TRAIN_DEFAULTS if getattr(args, k) is not None}
    if not args.article:
        if args.initial_state != "zeros":
            raise UsageError("--initial-state applies to --article only")
        return {"text": text_name(args), **TRAIN_DEFAULTS, **given}
    fixed = [k for k in ARTICLE_FIXED if k in given]
    if fixed:
        raise UsageError(f"--{fixed[0].replace('_', '-')} does not apply to --article "
                         "(the article's model and data are fixed)")
    T, _, H, _, B = lstmdoc.example.article().shape
    return {"text": "article", "hidden": H, "steps": T, "batch_size": B,
            "lr": given.get("lr", ARTICLE_LR), "iterations": given.get("iterations", 200),
            "dtype": "float64", "initial_state": args.initial_state}


def training_data(args, hyper):
    """The starting weights, all the windows of the text, its vocabulary, the initial state."""
    if args.article:
        ex = lstmdoc.example.article()
        tokens, vocab = lt.tokenize(lstmdoc.example.TEXT)
        state = np.ones((ex.params.H, 1)) if hyper["initial_state"] == "ones" else None
        return ex.params, lt.make_windows(tokens, hyper["steps"]), vocab, state
    tokens, vocab = lt.tokenize(read_text(args))
    windows = lt.make_windows(tokens, hyper["steps"])
    start = lt.init_params(len(vocab), hyper["hidden"], seed=hyper["seed"],
                           dtype=np.dtype(hyper["dtype"]))
    return start, windows, vocab, None


def check_positive(hyper):
    """Hyper-parameters that must be positive, checked before any work."""
    for name in ("hidden", "steps", "batch_size", "iterations", "lr"):
        if not hyper[name] > 0:
            raise UsageError(f"--{name.replace('_', '-')} must be positive, got {hyper[name]}")


def text_name(args):
    return "fable" if args.fable else "novel" if args.novel else args.text


def read_text(args):
    if args.fable:
        return lt.belling_the_cat()
    if args.novel:
        return lt.pride_and_prejudice()
    try:
        with open(args.text, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise UsageError(f"{args.text}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise UsageError(f"{args.text}: {e.strerror}") from None


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
    p.add_argument("--words", "--length", type=int, default=20, metavar="N", dest="words",
                   help="tokens to add: words, or characters for a character model (default 20)")
    p.add_argument("--temperature", type=float, default=0.0, metavar="TEMP",
                   help="0: always the most probable word (default); > 0: sample, higher is "
                        "more random")
    p.add_argument("--top-k", type=int, metavar="K",
                   help="sample among the K most probable tokens only (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling (default 0)")
    p.set_defaults(run=run_generate)


def run_generate(args):
    if args.words < 0:
        raise UsageError(f"--words must be >= 0, got {args.words}")
    ck = checkpoint.load(args.checkpoint)
    chars, stream = ck.hyper.get("char", False), ck.hyper.get("mode") == "stream"
    if not (args.prompt if chars else lt.data.WORD.findall(args.prompt.lower())):
        kind = "characters" if chars else "words"
        raise UsageError(f"--prompt must hold at least one {kind[:-1]} of the model's vocabulary "
                         f"({len(ck.vocab)} {kind}, e.g. {' '.join(ck.vocab[:3])}), "
                         f"got {args.prompt!r}")
    # A window model reads its last T words from zeros; a truncated-BPTT model reads on.
    context = ck.hyper.get("steps") if not stream else None
    tokens = lt.generate(ck.params, ck.vocab, list(args.prompt) if chars else args.prompt,
                         args.words, temperature=args.temperature, seed=args.seed,
                         context=context if isinstance(context, int) else None, top_k=args.top_k)
    print(args.prompt + "".join(tokens) if chars else " ".join([args.prompt.strip(), *tokens]))
    return 0


# --- trace ---------------------------------------------------------------------------------

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


# --- check ---------------------------------------------------------------------------------

def add_check(subparsers):
    from . import grader
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
    from . import grader
    return grader.run(args)


# --- the program -------------------------------------------------------------------------

SUBCOMMANDS = (add_train, add_generate, add_trace, add_check)


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
        saved = "; nothing was saved" if args.run is run_train else ""
        update = cli_tbptt.saved_update(args.out) if getattr(args, "saving", False) else None
        if update is not None:
            saved = f"; {args.out} holds update {update} (--resume {args.out} continues)"
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
