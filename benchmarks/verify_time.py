"""Time lstmdoc.verify on a model of a user's size, and report its verdicts.

    .venv/bin/python benchmarks/verify_time.py                 # the model of issue 12
    .venv/bin/python benchmarks/verify_time.py --sample none   # every entry (minutes)

Prints the wall and CPU time, the load average (the machine is shared: wall time
grows with the load, CPU time much less), how many checks and entries were
compared, the failures, and the checks that passed only because their error was
within the finite differences' rounding noise.
"""

import argparse
import os
import time

import lstmdoc
from lstmdoc.verification import exhaustive_cost


def sample_arg(text):
    """The --sample option as verify takes it."""
    return {"auto": "auto", "none": None}[text] if text in ("auto", "none") else int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name, default in (("T", 20), ("D", 16), ("H", 32), ("V", 50), ("B", 8)):
        parser.add_argument(f"-{name}", type=int, default=default)
    parser.add_argument("--seed", type=int, default=0, help="of the random example")
    parser.add_argument("--sample", type=sample_arg, default="auto",
                        help='"auto" (default), "none" (every entry) or entries per quantity')
    args = parser.parse_args()
    sample = args.sample

    ex = lstmdoc.example.random(seed=args.seed, T=args.T, D=args.D, H=args.H, V=args.V, B=args.B)
    print(f"random example seed={args.seed} T={args.T} D={args.D} H={args.H} V={args.V} "
          f"B={args.B}; exhaustive cost {exhaustive_cost(args.T, args.D, args.H, args.B):,} "
          f"cell steps; sample={sample!r}")
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    checks = lstmdoc.verify(ex.params, ex.X, ex.target, ex.h0, ex.c0, sample=sample)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{wall:.1f} s wall, {cpu:.1f} s CPU, on {os.cpu_count()} cores with load average "
          f"{load:.1f} before and {os.getloadavg()[0]:.1f} after")
    print(f"{len(checks)} checks, {sum(c.entries for c in checks):,} entries compared")
    print("failed:", [f"{c.name} (rel. error {c.rel_error:.1e})" for c in checks if not c.ok] or "none")
    print("passed within the rounding noise only:",
          [f"{c.name} (rel. error {c.rel_error:.1e}, error {c.abs_error:.1e} <= {c.noise:.1e})"
           for c in checks if c.ok and c.rel_error > c.tol] or "none")


if __name__ == "__main__":
    main()
