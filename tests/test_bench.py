"""The benchmark runs and writes its tables and timings (a smoke test: nothing here is timed)."""

import json

from lstmdoc import bench
from lstmdoc.bench import report


def test_bench_writes_a_row_per_case_and_thread_count(tmp_path, capsys):
    md, js = tmp_path / "bench.md", tmp_path / "bench.json"
    bench.main(["--repeat", "2", "--threads", "1", "--sizes", "article", "--markdown", str(md),
                "--json", str(js)])
    text = md.read_text(encoding="utf-8")
    captured = capsys.readouterr()
    assert text.startswith("Measured ") and captured.out == text + "\n"
    assert "Sizes (T, D, H, V, B): article (3, 10, 5, 10, 1)." in text
    rows = [line for line in text.splitlines() if line.startswith("| plain | article |")]
    assert len(rows) == 2 * 2  # float64 and float32: the main table and the memory table
    data = json.loads(js.read_text(encoding="utf-8"))
    assert report.markdown(data) == text
    assert [r["case"]["dtype"] for r in data["rows"]] == ["float64", "float32"]
    assert all(set(r["times"]) >= {"lstmdoc", "products"} for r in data["rows"])


def row(ours, theirs, threads=1, target=1.1, products=None):
    times = {"lstmdoc": ours, "reference": theirs, "products": products or [t / 2 for t in ours]}
    return {"case": dict(model="plain", size="large", dtype="float32", target=target,
                         reference="torch"), "threads": threads, "times": times}


def test_verdicts():
    steady = [1.0, 1.0, 1.0, 1.0]
    assert report.verdict(row(steady, steady), []) == "met"
    assert report.verdict(row([1.2] * 4, steady), []) == "**not met**"
    assert report.verdict(row([1.2] * 4, steady, products=[1.15] * 4), []).endswith("out of reach (floor above target)")
    assert report.verdict(row([1.0, 1.0, 2.0, 2.0], steady), []) == \
        "inconclusive: the interval 1.00–2.00× contains the target"
    # A machine that slowed down in one repeat slowed both sides: the pairs' ratios stay put.
    busy = [1.0, 1.0, 3.0, 1.0]
    assert report.verdict(row([1.2 * t for t in busy], busy), []) == "**not met**"
    one, two = row(steady, steady), row(steady, [3.0] * 4, threads=2)
    assert report.verdict(two, [one, two]).startswith("inconclusive: the reference took 3.00×")


def test_the_median_interval_from_order_statistics():
    ten = list(range(10, 0, -1))
    # P(Binomial(10, 1/2) < 2) = 11/1024 <= 2.5 % < P(... < 3): the 2nd smallest and the 2nd largest.
    assert report.median_interval(ten) == (2, 5.5, 9)
    assert report.median_interval([3.0, 1.0, 2.0]) == (1.0, 2.0, 3.0)  # too few for 95 %: all of them
    assert report.median_interval(list(range(1, 101)))[::2] == (40, 61)  # n = 100: 40th and 61st


def test_without_torch_it_says_at_once_how_to_get_the_comparison(monkeypatch, tmp_path, capsys):
    real = bench.importlib.util.find_spec
    monkeypatch.setattr(bench.importlib.util, "find_spec",
                        lambda name, *a: None if name == "torch" else real(name, *a))
    monkeypatch.setattr(bench.subprocess, "run", lambda *a, **k: (_ for _ in ()).throw(SystemExit(0)))
    try:
        bench.main(["--repeat", "1", "--threads", "1", "--sizes", "article"])
    except SystemExit:
        pass
    err = capsys.readouterr().err
    assert err.startswith(bench.TORCH_HINT) and "pip install torch==2.13.0" in err


def test_the_page_fragments_come_from_the_measured_file():
    """What the build writes for the page (docs/_ext/lstmdoc_bench.py), from the committed file."""
    from pathlib import Path

    from lstmdoc.bench import claims

    data = json.loads((Path(__file__).resolve().parents[1] / "benchmarks" / "lstmdoc-bench.json")
                      .read_text(encoding="utf-8"))
    fragments = claims.fragments(data)
    assert set(fragments) == set(claims.FRAGMENTS)
    missed = [r for r in data["rows"] if report.verdict(r, data["rows"]).startswith("**not met")]
    assert ("\n\nNot met: " in fragments["table"]) == bool(missed)
    # The table as the benchmark prints it, with only that paragraph added under the main table.
    before, _, after = fragments["table"].partition("\n\nNot met: ")
    rest = after.partition("\n\n")[2]
    assert (before + "\n\n" + rest if missed else before) == report.markdown(data)
    assert all(text.endswith("\n") for text in fragments.values())
