"""The benchmark's results as tables: one row per case and thread count, with a verdict.

A row's verdict compares the ratio of the medians, ``lstmdoc / reference``,
with its target (:mod:`~lstmdoc.bench.cases`):

- **met** / **not met**: the ratio is at most / above the target;
- **out of reach**, added to *not met*, when the matrix products alone
  (:mod:`~lstmdoc.bench.products`) take longer than the target allows: the
  *floor*, products / reference, is above the target;
- **inconclusive** when the timings moved too much to tell: either side's
  interquartile range is more than :data:`NOISE` of its median, or with more
  than one thread the reference itself took over 10 % longer than with one.
"""

from .reference import NAMES
from .timing import quartiles

NOISE = 0.10
"""The largest interquartile range, as a share of the median, of a row that gets a verdict."""


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


def ratios(row):
    """``(ratio, floor)``: lstmdoc / reference and products / reference (medians); None without a reference."""
    if "reference" not in row["times"]:
        return None, None
    med = {name: quartiles(t)[1] for name, t in row["times"].items()}
    return med["lstmdoc"] / med["reference"], med["products"] / med["reference"]


def verdict(row, rows):
    """The row's verdict (see the module's text)."""
    ratio, floor = ratios(row)
    if ratio is None:
        return "– (no torch)"
    spread = max((q3 - q1) / med for q1, med, q3 in
                 (quartiles(row["times"][name]) for name in ("lstmdoc", "reference")))
    if spread > NOISE:
        return f"inconclusive: timings spread {spread:.0%}"
    single = same_case(row, rows, 1)
    if row["threads"] > 1 and single is not None and "reference" in single["times"]:
        slower = quartiles(row["times"]["reference"])[1] / quartiles(single["times"]["reference"])[1]
        if slower > 1.1:
            return f"inconclusive: the reference took {slower:.2f}× its 1-thread time"
    target = row["case"]["target"]
    if ratio <= target:
        return "met"
    return "**not met**" + (": out of reach (floor above target)" if floor > target else "")


def reference_name(case):
    """What a case is compared with, as the table names it."""
    return "lstmdoc, plain cell" if case["reference"] == "lstmdoc plain" else \
        f"torch {NAMES.get(case['model'], 'nn.LSTM')}"


def table(rows):
    """The main table: every case and thread count."""
    lines = ["| model | size | dtype | threads | lstmdoc ms (IQR) | compared with | its ms (IQR) | "
             "ratio | target | floor | verdict | matmul share |", "|" + " --- |" * 12]
    for row in sorted(rows, key=lambda r: order(r, rows)):
        c, t = row["case"], row["times"]
        q1, ours, q3 = quartiles(t["lstmdoc"])
        ratio, floor = ratios(row)
        theirs = "–"
        if ratio is not None:
            r1, med, r3 = quartiles(t["reference"])
            theirs = f"{ms(med)} ({ms(r3 - r1)})"
        fmt = (lambda x: "–") if ratio is None else (lambda x: f"{x:.3g}×")
        share = quartiles(t["products"])[1] / ours
        lines.append(f"| {c['model']} | {c['size']} | {c['dtype']} | {row['threads']} | "
                     f"{ms(ours)} ({ms(q3 - q1)}) | {reference_name(c)} | {theirs} | {fmt(ratio)} | "
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
            f"{data['load'][0]:.1f} before, {data['load'][1]:.1f} after. Median and interquartile "
            f"range over {data['rows'][0]['repeats']} interleaved repeats.")


def sizes_line(rows):
    """The sizes of the cases, once, so the tables can name them by their name alone."""
    shapes = {r["case"]["size"]: ", ".join(str(n) for n in r["shape"]) for r in rows}
    return "Sizes (T, D, H, V, B): " + "; ".join(f"{name} ({s})" for name, s in shapes.items()) + "."


def markdown(data):
    """The whole report: header, sizes, the main table and the memory table."""
    rows = data["rows"]
    return "\n\n".join([header(data), sizes_line(rows), table(rows), memory_table(rows)]) + "\n"
