"""``lstmdoc train ... --epochs N``: a language model as people train one, from the command line.

Truncated BPTT over the whole text (:mod:`lstmdoc.train.stream`), every step
predicting the next token, by characters (``--char``) or words; one or more
layers, layer norm, recurrent dropout, an optimizer with clipping; a validation
split reported after every epoch; checkpoints every N updates and ``--resume``,
which continues a run exactly where its last checkpoint left it.
"""

import hashlib
import sys

import numpy as np
from tqdm import tqdm

import lstmdoc.train as lt

from .. import checkpoint
from ..train.optim import OPTIMIZERS, restore
from .common import ProgressBar, UsageError, check_positive, option

DEFAULTS = {"hidden": 128, "layers": 1, "steps": 64, "batch_size": 32, "optimizer": "adam",
            "lr": 2e-3, "momentum": 0.9, "clip": None, "keep_prob": 1.0, "val_fraction": 0.1,
            "seed": 0, "dtype": "float64"}
"""The defaults of truncated-BPTT training; without ``--epochs`` the window run's apply
(``lstmdoc.cli.train.TRAIN_DEFAULTS``)."""
MODEL = ("char", "hidden", "layers", "layer_norm", "steps", "batch_size", "optimizer", "lr",
         "momentum", "clip", "keep_prob", "val_fraction", "seed", "dtype")
"""What a resumed run takes from its checkpoint: given again, it must be the same."""
STREAM_ONLY = ("char", "layers", "optimizer", "momentum", "clip", "layer_norm", "keep_prob",
               "val_fraction", "resume", "save_every")
"""The options that only truncated-BPTT training takes."""
POSITIVE = ("hidden", "layers", "steps", "batch_size", "epochs", "lr")


def add_options(p):
    """The options of truncated-BPTT training, added to ``lstmdoc train``."""
    d = DEFAULTS
    g = p.add_argument_group(
        "truncated BPTT (with --epochs)",
        "Every step predicts the next token; the text is read as --batch-size streams, "
        f"--steps tokens at a time, the state carried on. Defaults: --hidden {d['hidden']} "
        f"--steps {d['steps']} --batch-size {d['batch_size']} --optimizer {d['optimizer']} "
        f"--lr {d['lr']}, no clipping.")
    g.add_argument("--epochs", type=int, metavar="N", help="passes over the text (total, with --resume)")
    g.add_argument("--char", action="store_true", help="tokens are characters (default: words)")
    g.add_argument("--layers", type=int, metavar="L", help="stacked layers (default 1)")
    g.add_argument("--layer-norm", action="store_true", help="layer norm in every cell")
    g.add_argument("--keep-prob", type=float, metavar="P",
                   help="recurrent dropout: keep each candidate unit with probability P (default 1)")
    g.add_argument("--optimizer", help=f"one of {', '.join(OPTIMIZERS)} (default adam)")
    g.add_argument("--momentum", type=float, metavar="MU", help="with --optimizer momentum (0.9)")
    g.add_argument("--clip", type=float, metavar="MAX",
                   help="clip the gradients' global norm to MAX (default: no clipping)")
    g.add_argument("--val-fraction", type=float, metavar="F",
                   help="hold out the last F of the text for validation (default 0.1)")
    g.add_argument("--save-every", type=int, metavar="N",
                   help="also save the checkpoint every N updates (Ctrl-C keeps the last one)")
    g.add_argument("--resume", metavar="PATH",
                   help="continue the run saved in PATH exactly (its settings, its optimizer)")


def hyper_from(args, text, source):
    """The run's settings: the checkpoint's when resuming, the options' and defaults' otherwise."""
    given = {k: getattr(args, k) for k in MODEL
             if getattr(args, k) is not None and getattr(args, k) is not False}
    hyper = {**DEFAULTS, "char": False, "layer_norm": False, **given, "mode": "stream", "text": source,
             "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "epochs": args.epochs}
    if hyper["optimizer"] not in OPTIMIZERS:
        raise UsageError(f"--optimizer must be one of {', '.join(OPTIMIZERS)}, "
                         f"got {hyper['optimizer']!r}")
    check_positive(hyper, POSITIVE)
    if hyper["clip"] is not None and not hyper["clip"] > 0:
        raise UsageError(f"--clip must be positive, got {hyper['clip']} (leave it out for no "
                         "clipping)")
    if not 0 < hyper["keep_prob"] <= 1:
        raise UsageError(f"--keep-prob must lie in (0, 1], got {hyper['keep_prob']}")
    if args.save_every is not None:
        check_positive(vars(args), ("save_every",))
    return hyper, given


def run(args, text, source):
    """Train (or resume), save, and print one line per epoch; return the exit status."""
    hyper, given = hyper_from(args, text, source)
    ck = resumed(args.resume, hyper, given) if args.resume else None
    if ck is not None:
        hyper = {**ck.hyper, "epochs": hyper["epochs"]}
    tokens, vocab = (lt.tokenize_chars if hyper["char"] else lt.tokenize)(text)
    try:
        train_s, val_s = lt.split(tokens, hyper["val_fraction"], hyper["batch_size"], hyper["steps"])
    except ValueError as e:
        raise UsageError(str(e)) from None
    if ck is not None:
        params, opt, start, state = from_checkpoint(args.resume, ck, vocab)
    else:
        params, opt, start, state = new_model(hyper, len(vocab)), new_optimizer(hyper), 0, None
        hyper["val_losses"] = [lt.evaluate(params, val_s)] if val_s else []
        hyper.update(train_losses=[], epoch_losses=[])
    report(f"{source}: {len(tokens)} {'characters' if hyper['char'] else 'words'}, V={len(vocab)}, "
           f"{train_s.chunks} updates per epoch; "
           + (f"resumed after update {start}" if ck else "before training"), hyper)
    if start >= hyper["epochs"] * train_s.chunks:
        raise UsageError(f"{args.resume} has trained {start // train_s.chunks} epochs already: "
                         "raise --epochs to train on")
    steps = lt.tbptt(params, train_s, opt, hyper["epochs"], val=val_s, clip=hyper["clip"],
                     keep_prob=hyper["keep_prob"] if hyper["keep_prob"] < 1 else None,
                     seed=hyper["seed"], start=start, state=state)
    train_and_save(args, steps, hyper, train_s.chunks, start, vocab, opt)
    print(f"saved {args.out}")
    return 0


def train_and_save(args, steps, hyper, chunks, start, vocab, opt):
    """Every update: the progress bar, an epoch's line at its end, a checkpoint when due."""
    total = hyper["epochs"] * chunks
    with ProgressBar(total, args.quiet, initial=start) as progress:
        for s in steps:
            hyper["epoch_losses"].append(s.loss)  # kept in the checkpoint: a resumed epoch's mean
            val = f" val {hyper['val_losses'][-1]:.4f}" if hyper["val_losses"] else ""
            progress(s.iteration, s.loss, val)
            hyper["iteration"] = s.iteration
            if s.iteration % chunks == 0:
                hyper["train_losses"].append(float(np.mean(hyper["epoch_losses"])))
                hyper["epoch_losses"] = []
                if s.val_loss is not None:
                    hyper["val_losses"].append(s.val_loss)
                report(f"epoch {s.epoch}/{hyper['epochs']}: "
                       f"train loss {hyper['train_losses'][-1]:.4f}", hyper)
            if s.iteration == total or (args.save_every and s.iteration % args.save_every == 0):
                args.saving = True  # from now on a Ctrl-C reports what the file holds
                checkpoint.save(args.out, s.params, vocab, hyper, optimizer=opt, state=s.state)


def report(line, hyper):
    """One line on stdout (above any progress bar), with the latest validation loss."""
    if hyper["val_losses"]:
        v = hyper["val_losses"][-1]
        line += f", validation loss {v:.4f} (perplexity {np.exp(v):.2f})"
    tqdm.write(line, file=sys.stdout)


def new_model(hyper, V):
    return lt.init_params(V, hyper["hidden"], layers=hyper["layers"], seed=hyper["seed"],
                          dtype=np.dtype(hyper["dtype"]), layer_norm=hyper["layer_norm"])


def new_optimizer(hyper):
    kw = {"momentum": hyper["momentum"]} if hyper["optimizer"] == "momentum" else {}
    return OPTIMIZERS[hyper["optimizer"]](hyper["lr"], **kw)


def resumed(path, hyper, given):
    """The checkpoint of a run to resume, after checking that it is one and fits the options."""
    ck = checkpoint.load(path)
    old = ck.hyper
    if old.get("mode") != "stream" or ck.optimizer is None or "iteration" not in old:
        raise UsageError(f"{path} was not saved by a run with --epochs: it cannot be resumed")
    for name, value in given.items():
        if old.get(name) != value:
            raise UsageError(f"{option(name)} {value} does not match {path}'s "
                             f"{old.get(name)}: a resumed run keeps its own settings")
    if old.get("text_sha256") != hyper["text_sha256"]:
        raise UsageError(f"{path} was trained on another text ({old.get('text')}): a resumed run "
                         "reads the same text")
    return ck


def from_checkpoint(path, ck, vocab):
    """The model, optimizer, progress and carried state a resumed run starts from."""
    if ck.vocab != vocab:
        raise UsageError(f"{path} has another vocabulary than the text: it cannot be resumed")
    try:
        opt = restore(*ck.optimizer, ck.params)
    except ValueError as e:
        raise UsageError(f"{path}: {e}") from None
    return ck.params, opt, ck.hyper["iteration"], ck.state


def saved_update(path):
    """The update a truncated-BPTT checkpoint holds (for the message after Ctrl-C), or None."""
    try:
        return checkpoint.load(path).hyper.get("iteration")
    except (OSError, ValueError):
        return None
