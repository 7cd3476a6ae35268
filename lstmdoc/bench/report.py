"""The benchmark's results as tables: one row per case and thread count, with a verdict.

The repeats of a row take turns (:func:`~lstmdoc.bench.timing.interleaved`), so
each repeat gives a pair of times measured under the same conditions, and a
ratio, ``lstmdoc / reference``. A row's *ratio* is the median of its repeats'
ratios, given with a 95 % confidence interval for that median
(:func:`median_interval`); the verdict compares the interval with the row's
target (:mod:`~lstmdoc.bench.cases`):

- **met**: the whole interval is at or below the target;
- **not met**: the whole interval is above it; **out of reach** is added when
  the matrix products alone (:mod:`~lstmdoc.bench.products`) take longer than
  the target allows: the *floor*'s interval, products / reference, is above it;
- **inconclusive** when the interval straddles the target (the timings moved
  too much to tell), or when, with more than one thread, the reference itself
  took over 10 % longer than with one (then it was not using its threads well
  on this machine, and the comparison says little).
"""

import math

from .reference import NAMES
from .timing import quartiles

CONFIDENCE = 0.95
"""The confidence of the interval a verdict compares with the target."""


def ms(seconds):
    """Milliseconds with three significant digits or more."""
    x = 1e3 * seconds
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def size(n):
    """Bytes, in KiB below one MiB."""
    return f"{n / 2**10:.1f} KiB" if n < 2**20 else f"{n / 2**20:.1f} MiB"


def key(row):
    """Where a row is in its case's group: the case, then the thread count."""
    c = row["case"]
    return c["model"], c["size"], c["dtype"], row["threads"]


def same_case(row, rows, threads):
    """The row of the same case with ``threads`` threads, or None."""
    return next((r for r in rows if key(r)[:3] == key(row)[:3] and r["threads"] == threads), None)


def median_interval(values, confidence=CONFIDENCE):
    """``(low, median, high)``: the median of ``values`` and a confidence interval for it.

    Distribution-free, from order statistics: the true median lies below the
    k-th smallest of n values when fewer than k values fall below it, which
    happens with probability P(Binomial(n, 1/2) < k); so the k-th smallest and
    the k-th largest bound it with ``confidence`` when each of these two tails
    is at most half of ``1 - confidence``. With fewer than 6 values no k
    is small enough for 95 %: the interval is then the smallest and the largest.
    """
    x = sorted(values)
    n, k, tail = len(x), 0, 0.0
    while k < n // 2 and tail + math.comb(n, k) / 2**n <= (1 - confidence) / 2:
        tail += math.comb(n, k) / 2**n
        k += 1
    k = max(k, 1)
    return x[k - 1], quartiles(x)[1], x[n - k]


def paired(row, name):
    """``(low, median, high)`` of ``name`` / reference over the repeats (see :func:`median_interval`)."""
    t = row["times"]
    return median_interval([a / b for a, b in zip(t[name], t["reference"])])


def ratios(row):
    """``(ratio, floor)``: the medians of lstmdoc / reference and products / reference; None without a reference."""
    if "reference" not in row["times"]:
        return None, None
    return paired(row, "lstmdoc")[1], paired(row, "products")[1]


def verdict(row, rows):
    """The row's verdict (see the module's text)."""
    if "reference" not in row["times"]:
        return "– (no torch)"
    single = same_case(row, rows, 1)
    if row["threads"] > 1 and single is not None and "reference" in single["times"]:
        slower = quartiles(row["times"]["reference"])[1] / quartiles(single["times"]["reference"])[1]
        if slower > 1.1:
            return f"inconclusive: the reference took {slower:.2f}× its 1-thread time"
    target = row["case"]["target"]
    low, _, high = paired(row, "lstmdoc")
    if high <= target:
        return "met"
    if low <= target:
        return f"inconclusive: the interval {low:#.3g}–{high:#.3g}× contains the target"
    return "**not met**" + (": out of reach (floor above target)"
                            if paired(row, "products")[0] > target else "")


def reference_name(case):
    """What a case is compared with, as the table names it."""
    return "lstmdoc, plain cell" if case["reference"] == "lstmdoc plain" else \
        f"torch {NAMES.get(case['model'], 'nn.LSTM')}"


def table(rows):
    """The main table: every case and thread count."""
    lines = ["| model | size | dtype | threads | lstmdoc ms (IQR) | compared with | its ms (IQR) | "
             "ratio (95 % interval) | target | floor | verdict | matmul share |", "|" + " --- |" * 12]
    for row in sorted(rows, key=lambda r: order(r, rows)):
        c, t = row["case"], row["times"]
        q1, ours, q3 = quartiles(t["lstmdoc"])
        ratio, floor = ratios(row)
        theirs = "–"
        if ratio is not None:
            r1, med, r3 = quartiles(t["reference"])
            theirs = f"{ms(med)} ({ms(r3 - r1)})"
        fmt = (lambda x: "–") if ratio is None else (lambda x: f"{x:#.3g}×")
        interval = "–" if ratio is None else "{1:#.3g}× ({0:#.3g}–{2:#.3g})".format(*paired(row, "lstmdoc"))
        share = quartiles(t["products"])[1] / ours
        lines.append(f"| {c['model']} | {c['size']} | {c['dtype']} | {row['threads']} | "
                     f"{ms(ours)} ({ms(q3 - q1)}) | {reference_name(c)} | {theirs} | {interval} | "
                     f"≤ {c['target']}× | {fmt(floor)} | {verdict(row, rows)} | {share:.0%} |")
    return "\n".join(lines)


def order(row, rows):
    """Rows in the order of the cases as measured, then by thread count."""
    cases = list(dict.fromkeys(key(r)[:3] for r in rows))
    return cases.index(key(row)[:3]), row["threads"]


def memory_table(rows):
    """Peak memory of one lstmdoc step, and the caches ``run`` keeps, one thread."""
    lines = ["| model | size | dtype | peak memory of one step | BPTT caches of `run` |",
             "|" + " --- |" * 5]
    for row in sorted(rows, key=lambda r: order(r, rows)):
        if row["threads"] == 1:
            c = row["case"]
            lines.append(f"| {c['model']} | {c['size']} | {c['dtype']} | {size(row['peak'])} | "
                         f"{size(row['cache'])} |")
    return "\n".join(lines)


def header(data):
    """The line that says when, how and on what the results were measured."""
    return (f"Measured {data['started']} UTC with `{data['command']}`; {data['about']}; load average "
            f"{data['load'][0]:.1f} before, {data['load'][1]:.1f} after. Times: median and interquartile "
            f"range over {data['rows'][0]['repeats']} interleaved repeats; ratios: the median of the "
            f"repeats' ratios, with its {CONFIDENCE:.0%} confidence interval.")


def sizes_line(rows):
    """The sizes of the cases, once, so the tables can name them by their name alone."""
    shapes = {r["case"]["size"]: ", ".join(str(n) for n in r["shape"]) for r in rows}
    return "Sizes (T, D, H, V, B): " + "; ".join(f"{name} ({s})" for name, s in shapes.items()) + "."


def markdown(data, under_table=None):
    """The whole report: header, sizes, the main table (and ``under_table``, a paragraph) and the memory table."""
    rows = data["rows"]
    parts = [header(data), sizes_line(rows), table(rows), under_table, memory_table(rows)]
    return "\n\n".join(p for p in parts if p) + "\n"
