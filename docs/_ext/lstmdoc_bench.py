"""Sphinx extension: the *Making it fast* page's tables and claims, computed from the measured timings.

On ``builder-inited`` it reads ``benchmarks/lstmdoc-bench.json`` (written by
``python -m lstmdoc.bench --json``) and writes each fragment of
:mod:`lstmdoc.bench.claims` to ``docs/_generated/bench/<name>.md``, which the
page includes: its numbers and the sentences about them come from that one
file, so text and table cannot disagree. Nothing is timed during the build.
"""

import json
import os

from lstmdoc.bench import claims
from lstmdoc_files import write_if_changed

SOURCE = os.path.join("benchmarks", "lstmdoc-bench.json")


def write_fragments(app):
    with open(os.path.join(app.confdir, SOURCE), encoding="utf-8") as f:
        data = json.load(f)
    for name, text in claims.fragments(data).items():
        write_if_changed(os.path.join(app.srcdir, "_generated", "bench", f"{name}.md"), text)


def setup(app):
    app.connect("builder-inited", write_fragments)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
