"""The figures are drawn from real runs, deterministically."""

import filecmp
import os

from figures import build


def test_two_runs_draw_byte_identical_svgs(tmp_path):
    first = build.build(os.fspath(tmp_path / "a"), jobs=1)
    second = build.build(os.fspath(tmp_path / "b"), jobs=2)  # forked workers: same bytes
    assert first == second == sorted(build.drawings())
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", first, shallow=False)
    assert not mismatch and not errors
    for name in first:
        svg = (tmp_path / "a" / name).read_text(encoding="utf-8")
        assert svg.startswith("<?xml") and "<dc:date>" not in svg, name
