"""Sphinx extension: draw the Step pages' figures (``figures/``) from real runs.

On ``builder-inited`` it starts writing every SVG of :func:`figures.build.build` into
``docs/_generated/figures/`` (git-ignored), where the pages include them, in a
worker process (:mod:`lstmdoc_background`): the pages with a figure are read
once it is done.
A stamp next to the SVGs holds a hash of everything the drawings depend on
(the figure scripts, the ``lstmdoc`` sources, this file, the matplotlib and
numpy versions); when it matches and every SVG is there, nothing is redrawn
and matplotlib is not even imported.
"""

import hashlib
import importlib.metadata
import os
import sys
import time
from pathlib import Path

from sphinx.util import logging

import lstmdoc_background

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ("figures/*.py", "lstmdoc/**/*.py", "lstmdoc/data/*")
STAMP = ".stamp"


def inputs_hash():
    """sha256 over every file the figures are drawn from, and the library versions."""
    h = hashlib.sha256()
    files = sorted(p for pattern in INPUTS for p in ROOT.glob(pattern)) + [Path(__file__)]
    for path in files:
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    for lib in ("matplotlib", "numpy"):
        h.update(f"{lib}=={importlib.metadata.version(lib)}\0".encode())
    return h.hexdigest()


def up_to_date(outdir, digest):
    """Whether the stamp says ``digest`` and every SVG it lists exists."""
    try:
        lines = (outdir / STAMP).read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        return False
    return lines[0] == digest and all((outdir / name).is_file() for name in lines[1:] if name)


def start_drawing(app):
    """``builder-inited``: the figures are drawn in a worker while the pages without one are read."""
    outdir = Path(app.srcdir) / "_generated" / "figures"
    digest = inputs_hash()
    if up_to_date(outdir, digest):
        logger.info("lstmdoc: figures up to date")
        return
    lstmdoc_background.start(app, "figures", lambda app: draw(outdir, digest),
                             writes=("_generated/figures/",))


def draw(outdir, digest):
    """Draw every figure into ``outdir``, then write the stamp that says they are up to date."""
    start = time.perf_counter()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from figures.build import build  # imports matplotlib: only when something is drawn

    names = build(os.fspath(outdir))
    # The stamp is written last, so an interrupted run redraws next time.
    tmp = outdir / f"{STAMP}.{os.getpid()}.tmp"
    tmp.write_text("\n".join([digest, *names]) + "\n", encoding="utf-8")
    os.replace(tmp, outdir / STAMP)
    logger.info(f"lstmdoc: {len(names)} figures drawn in {time.perf_counter() - start:.1f} s")


def setup(app):
    app.setup_extension("lstmdoc_background")
    app.connect("builder-inited", start_drawing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
