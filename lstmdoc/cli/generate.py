"""``lstmdoc generate``: continue a prompt with a model saved by ``lstmdoc train``."""

import lstmdoc.train as lt

from .. import checkpoint
from .common import UsageError


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
