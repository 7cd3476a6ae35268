"""Sphinx extension: the layouts' converters verified before a single page is written.

On ``builder-inited`` (every builder) it starts, in a worker process
(:mod:`lstmdoc_background`), :func:`lstmdoc.layouts.verification.verify`
(every layout's gradient converter against finite differences of the loss written
in that layout, and round trips of weights and gradients) and
:func:`lstmdoc.interop.verification.verify` (PyTorch's gradient converters, for one
cell, a stack and both directions, without torch). One failing check stops the build
before a page is written. It writes ``docs/_generated/layouts.md``, the learners'
layouts side by side, from their descriptions (:func:`lstmdoc.layouts.table.table`).
"""

import os
import time

import lstmdoc_background
from lstmdoc_files import write_if_changed
from sphinx.errors import SphinxError
from sphinx.util import logging

import lstmdoc.interop.verification
import lstmdoc.layouts.verification
from lstmdoc.layouts.table import table

logger = logging.getLogger(__name__)


class LayoutError(SphinxError):
    category = "lstmdoc layout verification failed"


def verify_layouts(app):
    tol = app.config.lstmdoc_tolerance
    start = time.perf_counter()
    checks = lstmdoc.layouts.verification.verify(tol=tol) + \
        lstmdoc.interop.verification.verify(tol=tol)
    failed = [f"{c.name}: rel. error {c.rel_error:.2e} > {c.tol:.0e}" for c in checks if not c.ok]
    if failed:
        for line in failed:  # logged first, so that the reason stands out
            logger.error(f"lstmdoc: layout conversion check failed: {line}")
        raise LayoutError("lstmdoc: a layout converter disagrees with finite differences or "
                          "does not round-trip, so the site is not built:\n  "
                          + "\n  ".join(failed))
    logger.info(f"lstmdoc: {len(checks)} layout conversions verified in "
                f"{time.perf_counter() - start:.1f} s")


def start_layout_checks(app):
    """``builder-inited``: the table now (it is instant), the checks in a worker."""
    write_if_changed(os.path.join(app.srcdir, "_generated", "layouts.md"),
                     table(["lstmdoc", "cs231n", "karpathy", "deeplearning.ai", "d2l"]))
    lstmdoc_background.start(app, "layout conversions", verify_layouts)


def setup(app):
    app.setup_extension("lstmdoc_verify")  # lstmdoc_tolerance, and the background workers
    app.connect("builder-inited", start_layout_checks, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
