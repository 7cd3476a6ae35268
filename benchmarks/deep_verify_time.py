"""Time lstmdoc.deep.verify on a model of a user's size, one direction and both, and report its verdicts.

    .venv/bin/python benchmarks/deep_verify_time.py                 # the model of issue 15
    .venv/bin/python benchmarks/deep_verify_time.py --sample none   # every entry (minutes)

The model: T=20, D=16, H=(32, 32), V=50, B=8 (issue 15: 161 s before sampling), and
its bidirectional twin (a backward stack of the same sizes), with either readout.
Prints, per model, the wall and CPU time, the load average (the machine is shared:
wall time grows with the load, CPU time much less), the cost of checking every
entry in cell steps, how many checks and entries were compared, and the failures.
"""

import argparse
import os
import time

from lstmdoc import deep
from lstmdoc.deep.verification import _jobs


def sample_arg(text):
    """The --sample option as verify takes it."""
    return {"auto": "auto", "none": None}[text] if text in ("auto", "none") else int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in (("T", 20), ("D", 16), ("V", 50), ("B", 8)):
        parser.add_argument(f"-{name}", type=int, default=default)
    parser.add_argument("-H", type=int, nargs="+", default=[32, 32], help="one size per layer")
    parser.add_argument("--seed", type=int, default=0, help="of the random example")
    parser.add_argument("--sample", type=sample_arg, default="auto",
                        help='"auto" (default), "none" (every entry) or entries per quantity')
    parser.add_argument("--readout", choices=("outputs", "states"), default="outputs",
                        help="of the bidirectional twin")
    args = parser.parse_args()
    sizes = dict(T=args.T, D=args.D, H=tuple(args.H), V=args.V, B=args.B)
    for H_bw in (None, tuple(args.H)):
        ex = deep.example.random(seed=args.seed, H_bw=H_bw, readout=args.readout, **sizes)
        jobs = _jobs(ex.params, ex.X, ex.target, ex.h0, ex.c0)
        kind = "one direction" if H_bw is None else f"bidirectional, readout={args.readout!r}"
        print(f"{kind}: {sizes}, seed={args.seed}; exhaustive cost "
              f"{sum(2 * x.size * s for *_, x, _, s in jobs):,} cell steps; sample={args.sample!r}")
        load = os.getloadavg()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        checks = deep.verify(ex, sample=args.sample)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"  {wall:.1f} s wall, {cpu:.1f} s CPU, on {os.cpu_count()} cores with load average "
              f"{load:.1f} before and {os.getloadavg()[0]:.1f} after")
        print(f"  {len(checks)} checks, {sum(c.entries for c in checks):,} entries compared; failed:",
              [f"{c.name} (rel. error {c.rel_error:.1e})" for c in checks if not c.ok] or "none")


if __name__ == "__main__":
    main()
