"""``lstmdoc train``: a word model trained on windows with plain SGD, and saved.

The text is a file, the shipped fable (``--fable``) or novel (``--novel``), or
the article's run (``--article``: its model, data and window schedule). Each
update reads a batch of windows, ``T`` words and the word after them; with
``--epochs`` the model is trained by truncated BPTT instead
(:mod:`lstmdoc.cli.train_tbptt`).
"""

import sys

import numpy as np

import lstmdoc
import lstmdoc.train as lt

from .. import checkpoint
from ..train.article_run import LR as ARTICLE_LR
from ..train.article_run import article_state
from ..train.evaluation import FAR_WORSE
from . import train_tbptt
from .common import EXIT_DIVERGED, EXIT_WORSE, PROG, ProgressBar, UsageError, check_positive, option

JUDGED = 1000
"""The most windows of a text whose mean loss ``train`` compares before and after training."""
TRAIN_DEFAULTS = {"hidden": lt.FABLE.H, "steps": lt.FABLE.T, "batch_size": lt.FABLE.batch_size,
                  "lr": lt.FABLE.lr, "iterations": lt.FABLE.iterations, "seed": lt.FABLE.seed,
                  "dtype": "float64"}
"""The defaults: the Training page's fable run (``lstmdoc.train.FABLE``), which learns
the fable in about a second."""
ARTICLE_FIXED = ("hidden", "steps", "batch_size", "seed", "dtype")
POSITIVE = ("hidden", "steps", "batch_size", "iterations", "lr")
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
    p = subparsers.add_parser(
        "train", help="train a word model and save it as a checkpoint",
        description="Train a word model with plain SGD on a text file, on the shipped fable "
                    "(--fable), or as the seed article's scripts did (--article: its model, "
                    "data and window schedule), and save it. The defaults are the Training page's "
                    "fable run. With --epochs, train a language model as people do instead: "
                    "truncated BPTT over the whole text, every step predicting the next word "
                    "or character (--char), with the options of that group.",
        epilog=TRAIN_EPILOG)
    add_source(p)
    add_options(p)
    train_tbptt.add_options(p)
    p.set_defaults(run=run_train, interrupted=interrupted)


def add_source(p):
    """What to learn: a file, or one of the texts lstmdoc ships."""
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="a UTF-8 text file to learn")
    source.add_argument("--fable", action="store_true",
                        help="the shipped corpus, Aesop's 'The Belling of the Cat'")
    source.add_argument("--article", action="store_true",
                        help="the article's run as its scripts ran it: its 11 words, its "
                             "window schedule, its SGD")
    source.add_argument("--novel", action="store_true",
                        help="the shipped chapters 1-12 of Jane Austen's Pride and Prejudice")


def add_options(p):
    """The model's sizes and the run's settings (defaults: :data:`TRAIN_DEFAULTS`)."""
    d = TRAIN_DEFAULTS
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


def run_train(args):
    args.out = args.out or args.resume or "model.npz"
    if by_tbptt(args):
        return train_tbptt.run(args, read_text(args), text_name(args))
    hyper = train_hyper(args)
    check_positive(hyper, POSITIVE)
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


def by_tbptt(args):
    """Whether to train by truncated BPTT (``--epochs``), after refusing the other way's options."""
    if args.epochs is not None or args.resume:
        if args.article or args.iterations is not None or args.initial_state != "zeros":
            raise UsageError("--epochs trains by truncated BPTT over a text: --article, "
                             "--iterations and --initial-state belong to the window runs")
        if args.epochs is None:
            raise UsageError("--resume needs --epochs: the total number of epochs to train")
        return True
    stream_only = [k for k in train_tbptt.STREAM_ONLY if getattr(args, k) not in (None, False)]
    if stream_only:
        raise UsageError(f"{option(stream_only[0])} needs --epochs (truncated BPTT "
                         "over the text); without it, training runs on windows with plain SGD")
    return False


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
        raise UsageError(f"{option(fixed[0])} does not apply to --article "
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
        state = article_state(ex.params, hyper["initial_state"])
        return ex.params, lt.make_windows(tokens, hyper["steps"]), vocab, state
    tokens, vocab = lt.tokenize(read_text(args))
    windows = lt.make_windows(tokens, hyper["steps"])
    start = lt.init_params(len(vocab), hyper["hidden"], seed=hyper["seed"],
                           dtype=np.dtype(hyper["dtype"]))
    return start, windows, vocab, None


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


def interrupted(args):
    """What a Ctrl-C during training leaves on disk, as the end of the message."""
    update = train_tbptt.saved_update(args.out) if getattr(args, "saving", False) else None
    if update is None:
        return "; nothing was saved"
    return f"; {args.out} holds update {update} (--resume {args.out} continues)"
