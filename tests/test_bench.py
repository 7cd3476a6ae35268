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
    assert report.verdict(row([1.0, 1.0, 2.0, 2.0], steady), []).startswith("inconclusive: timings spread")
    one, two = row(steady, steady), row(steady, [3.0] * 4, threads=2)
    assert report.verdict(two, [one, two]).startswith("inconclusive: the reference took 3.00×")
