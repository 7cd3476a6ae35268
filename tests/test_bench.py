"""The benchmark runs and writes its table (a smoke test: nothing here is timed)."""

from lstmdoc import bench


def test_bench_writes_a_row_per_case_and_thread_count(tmp_path, capsys):
    out = tmp_path / "bench.md"
    bench.main(["--repeat", "2", "--threads", "1", "--cases", "article", "--markdown", str(out)])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Measured ") and text == capsys.readouterr().out
    assert "Sizes (T, D, H, V, B): article (3, 10, 5, 10, 1)." in text
    rows = [line for line in text.splitlines() if line.startswith("| article |")]
    assert len(rows) == 3 * 2  # float32 and float64: timings, gate variants, products
    assert all(" | 1 | " in row for row in rows[:2])
