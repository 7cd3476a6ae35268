"""What the page *Making it fast* says about the measurements, computed from them.

Each function turns the benchmark's results (the JSON that ``--json`` writes)
into a Markdown fragment with its numbers and its sentences, so that the page's
text and its tables come from one file and cannot disagree. The site's build
writes them into ``docs/_generated/bench/`` (``docs/_ext/lstmdoc_bench.py``).
"""

import statistics

from .report import markdown, ms, paired, ratios, verdict

FRAGMENTS = ("table", "torch", "floors", "run", "blocks", "faults", "gates", "recurrent", "layouts")
"""The fragments, by name: each is written to ``<name>.md``."""


def median(times):
    return statistics.median(times)


def one_thread(data, **match):
    """The 1-thread rows whose case matches ``match`` (e.g. ``model="plain"``)."""
    return [r for r in data["rows"] if r["threads"] == 1
            and all(r["case"][k] == v for k, v in match.items())]


def label(row):
    c = row["case"]
    return f"{c['model']}, {c['size']}, {c['dtype']}"


def table(data):
    """The measured table, as ``python -m lstmdoc.bench`` prints it, and under it what the rows not met lack."""
    rows = data["rows"]
    parts = []
    for r in (r for r in rows if verdict(r, rows).startswith("**not met")):
        ratio, floor = ratios(r)
        parts.append(f"{label(r)}, {r['threads']} thread{'s' * (r['threads'] > 1)}: "
                     f"{ratio:.2f}× against ≤ {r['case']['target']}×; the products alone take "
                     f"{floor:.2f}× the reference's whole step, which leaves "
                     f"{max(r['case']['target'] - floor, 0):.2f}× for everything else, and "
                     f"everything else takes lstmdoc {ratio - floor:.2f}×")
    return markdown(data, under_table=parts and "Not met: " + "; ".join(parts) + ".")


def torch(data):
    """What torch ran (its profiler), and lstmdoc against torch with its oneDNN kernels off."""
    rows = [r for r in one_thread(data, reference="torch") if "torch_ops" in r]
    if not rows:
        return "torch was not installed when these were measured: nothing to say about it.\n"
    lines = ["| row | torch's operators, share of its own CPU time | torch, oneDNN off, ms | "
             "lstmdoc / that |", "|" + " --- |" * 4]
    for r in rows:
        ops = ", ".join(f"`{name}` {share:.0%}" for name, share in r["torch_ops"])
        generic = r["times"].get("torch, no oneDNN")
        cells = (f"{ms(median(generic))} | {median(r['times']['lstmdoc']) / median(generic):#.3g}×"
                 if generic else "– | –")
        lines.append(f"| {label(r)} | {ops} | {cells} |")
    fused = [label(r) for r in rows if any("mkldnn" in name for name, _ in r["torch_ops"])]
    text = ("In " + (f"{len(fused)} of {len(rows)} rows ({'; '.join(fused)})" if fused else "no row") +
            ", torch's own time went mostly to oneDNN's fused LSTM kernels (`mkldnn`): there "
            "`nn.LSTM` is not one matrix product per step but one kernel for the whole layer. "
            "Elsewhere it ran its generic path, a matrix product (`aten::mm`, `aten::addmm`) per "
            "step and element-wise operators. With oneDNN switched off, float32 takes that "
            "generic path too; the last columns compare lstmdoc with it.")
    return "\n".join(lines) + "\n\n" + text + "\n"


def floors(data):
    """Row by row: the products alone against the reference, in every matmul library measured."""
    rows = [r for r in one_thread(data) if "reference" in r["times"]]
    libraries = list(dict.fromkeys(name for r in rows for name in r["times"]
                                   if name.startswith("products")))
    lines = ["| row | target | " + " | ".join(
        f"{name.partition(', ')[2] or 'numpy'}: products / reference" for name in libraries) + " |",
        "|" + " --- |" * (2 + len(libraries))]
    for r in rows:  # medians of the repeats' ratios, as in the main table's floor
        cells = [f"{paired(r, n)[1]:#.3g}×" if n in r["times"] else "–" for n in libraries]
        lines.append(f"| {label(r)} | ≤ {r['case']['target']}× | " + " | ".join(cells) + " |")
    above = [label(r) for r in rows if ratios(r)[1] > r["case"]["target"]]
    text = ("With numpy's BLAS, the products alone take longer than the target allows in " +
            (f"{len(above)} of {len(rows)} rows ({'; '.join(above)})" if above else "no row") + ".")
    for name in libraries[1:]:
        faster = [label(r) for r in rows if name in r["times"]
                  and median(r["times"][name]) < median(r["times"]["products"])]
        text += (f" {name.partition(', ')[2]} computed them faster than numpy in {len(faster)} of "
                 f"{sum(name in r['times'] for r in rows)} rows" +
                 (f" ({'; '.join(faster)})." if faster else "."))
    return "\n".join(lines) + "\n\n" + text + "\n"


def run(data):
    """Where :func:`lstmdoc.run`'s time goes at the large size."""
    rows = [r for r in one_thread(data) if "run" in r]
    if not rows:
        return "Not measured.\n"
    r = rows[0]["run"]
    parts = "; ".join(f"`{name.lstrip('~:')}` {share:.0%}" for name, share in r["profile"])
    return (f"`run` at the {rows[0]['case']['size']} size ({rows[0]['case']['dtype']}): "
            f"{ms(r['seconds'])} ms. Its own time by function (cProfile): {parts}. The same "
            f"{rows[0]['shape'][0]} steps at D = H = V = B = 1, where a step is nothing but Python "
            f"calling numpy: {ms(r['calls_only'])} ms, {r['calls_only'] / r['seconds']:.0%} of it.\n")


def blocks(data):
    """The fast pass with each block size of its local derivatives."""
    rows = [r for r in one_thread(data) if "blocks" in r]
    if not rows:
        return "Not measured.\n"
    t = {int(k): median(v) for k, v in rows[0]["blocks"].items()}
    best = min(t, key=t.get)
    cells = " | ".join("all steps" if n >= 2**40 else f"{n // 1024} KiB" for n in t)
    return (f"| block | {cells} |\n|" + " --- |" * (len(t) + 1) + "\n| ms per step | " +
            " | ".join(ms(v) for v in t.values()) + " |\n\n"
            f"Fastest ({label(rows[0])}): {'all steps in one block' if best >= 2**40 else f'{best // 1024} KiB'}"
            f", {t[best] / t[2**18]:#.3g}× the time with the default 256 KiB.\n")


def faults(data):
    """Buffers kept between calls against fresh ones at every call."""
    rows = [r for r in one_thread(data) if "page_faults" in r]
    if not rows:
        return "Not measured.\n"
    p = rows[0]["page_faults"]
    kept, fresh = median(p["times"]["kept"]), median(p["times"]["fresh"])
    return (f"{label(rows[0])}: buffers kept {ms(kept)} ms per step, "
            f"{p['faults']['kept']:.0f} page faults; fresh at every call {ms(fresh)} ms, "
            f"{p['faults']['fresh']:.0f} page faults: " +
            (f"keeping them saves {1 - kept / fresh:.0%} of the step.\n" if kept < fresh
             else "keeping them saved nothing measurable here.\n"))


def layouts(data):
    """The input projection as one product or T, and ``W_hᵀ`` contiguous or a view."""
    rows = [r for r in one_thread(data) if "layouts" in r]
    if not rows:
        return "Not measured.\n"
    t = {k: median(v) for k, v in rows[0]["layouts"].items()}
    T = rows[0]["shape"][0]
    return (f"Measured ({label(rows[0])}, one thread): the input projection of all {T} steps "
            f"as one product {ms(t['one product'])} ms, as {T} products {ms(t['T products'])} ms "
            f"({t['T products'] / t['one product']:#.3g}× as long); one recurrent product with "
            f"a contiguous $W_h^\\top$ {1e6 * t['contiguous']:.1f} µs, with a transposed view "
            f"of $W$ {1e6 * t['view']:.1f} µs ({t['view'] / t['contiguous']:#.3g}× as long).\n")


def micro(data, key, unit="µs"):
    """A table of the 1-thread timings under ``key`` (medians in µs), one row per plain case."""
    rows = [r for r in one_thread(data, model="plain") if key in r]
    names = list(dict.fromkeys(n for r in rows for n in r[key]))
    lines = ["| row | " + " | ".join(f"{n} {unit}" for n in names) + " |",
             "|" + " --- |" * (1 + len(names))]
    lines += [f"| {label(r)} | " + " | ".join(f"{1e6 * median(r[key][n]):.1f}" if n in r[key]
                                            else "–" for n in names) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def gates(data):
    """The gate nonlinearities three ways."""
    return micro(data, "gates")


def recurrent(data):
    """One recurrent product in each library."""
    return micro(data, "recurrent")


def fragments(data):
    """``{name: Markdown}`` for every fragment of :data:`FRAGMENTS`."""
    makers = {"table": table, "torch": torch, "floors": floors, "run": run, "blocks": blocks,
              "faults": faults, "gates": gates, "recurrent": recurrent, "layouts": layouts}
    return {name: makers[name](data) for name in FRAGMENTS}
