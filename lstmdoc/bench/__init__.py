"""Time one training step (forward, loss, full backward) of every model: lstmdoc against its reference.

Run with ``python -m lstmdoc.bench`` (or ``make bench``). For each case of
:data:`~lstmdoc.bench.cases.CASES` and each thread count it times, in one
process and with the repeats interleaved (lstmdoc, reference, products,
lstmdoc, ...) so that a busy machine slows all alike:

- ``lstmdoc``: the public ``loss_and_grads`` users call (the fast pass);
- the reference: the same model in PyTorch (``nn.LSTM`` + a linear layer +
  cross-entropy, ``backward()``), or, for layer norm and dropout, lstmdoc's
  plain cell at the same size; for float32 also torch with its oneDNN kernels
  switched off, and with one thread what torch ran (its profiler);
- ``products``: only the matrix products of lstmdoc's step, the floor
  (:mod:`~lstmdoc.bench.products`), and with one thread the same products in
  every matmul library installed (numpy's BLAS, ``blis``, torch's MKL).

With one thread it also measures what the page *Making it fast* explains
(:mod:`~lstmdoc.bench.details`). It reports medians and interquartile ranges,
the ratio, the target and a verdict (:mod:`~lstmdoc.bench.report`), and with
``--json`` writes every timing, which the site's build turns into the page's tables.

Threads: each thread count runs in its own subprocess, with
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, ``OMP_NUM_THREADS`` and
``BLIS_NUM_THREADS`` set before numpy and torch load, and
``torch.set_num_threads`` set to the same count. ``OPENBLAS_CORETYPE``, when
the environment sets it, pins OpenBLAS to an older kernel; to measure numpy at
its best, unset it (and ``OPENBLAS_L2_SIZE``) in the benchmark's command alone:
``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m lstmdoc.bench``.
"""

import argparse
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

from .cases import CASES
from .report import markdown

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS", "BLIS_NUM_THREADS")
TORCH_HINT = ("torch is not installed, so the torch columns will show –. For the comparison: "
              "`.venv/bin/pip install torch==2.13.0` (the CPU build), then run this again.")


def write_atomic(path, text):
    """Write ``text`` to ``path`` through a temporary file, so no half-written file is ever left."""
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False) as f:
        f.write(text)
    os.replace(f.name, path)


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m lstmdoc.bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed repeats per case")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2],
                        help="thread counts, each measured in its own subprocess")
    models = sorted({c.model for c in CASES})
    parser.add_argument("--models", nargs="+", choices=models, help="only these models")
    parser.add_argument("--sizes", nargs="+", choices=sorted({c.size for c in CASES}),
                        help="only these sizes")
    parser.add_argument("--markdown", metavar="PATH", help="also write the tables to PATH")
    parser.add_argument("--json", metavar="PATH",
                        help="also write every timing to PATH (the page's tables are built from it)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(n < 1 for n in args.threads):
        parser.error("--repeat and --threads must be at least 1")
    return args


def main(argv=None):
    args = parse(argv)
    cases = [c for c in CASES if (not args.models or c.model in args.models)
             and (not args.sizes or c.size in args.sizes)]
    if args.child is not None:
        from .run import describe, measure
        json.dump({"about": describe(), "rows": measure(args.child, args.repeat, cases)}, sys.stdout)
        return
    if importlib.util.find_spec("torch") is None:
        print(TORCH_HINT, file=sys.stderr, flush=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    load, rows, about = os.getloadavg()[1], [], ""  # the machine's other work: 5-minute load
    for n in args.threads:
        env = {**os.environ, **{var: str(n) for var in THREAD_VARS}}
        env.setdefault("KINETO_LOG_LEVEL", "99")  # no log lines from torch's profiler
        cmd = [sys.executable, "-m", "lstmdoc.bench", "--child", str(n), "--repeat", str(args.repeat)]
        cmd += ["--models", *args.models] if args.models else []
        cmd += ["--sizes", *args.sizes] if args.sizes else []
        print(f"measuring {len(cases)} cases with {n} thread(s) ...", file=sys.stderr, flush=True)
        out = json.loads(subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE,
                                        text=True).stdout)  # stderr: each case as it finishes
        rows += out["rows"]
        about = out["about"]
    command = " ".join(["python -m lstmdoc.bench", *(argv if argv is not None else sys.argv[1:])])
    data = {"started": f"{started:%Y-%m-%d %H:%M}", "command": command, "about": about,
            "load": [load, os.getloadavg()[1]], "rows": rows}
    text = markdown(data)
    print(text)
    if args.markdown:
        write_atomic(args.markdown, text)
    if args.json:
        write_atomic(args.json, json.dumps(data, indent=1) + "\n")
