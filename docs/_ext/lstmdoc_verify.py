"""Sphinx extension: verify every gradient before a single page is written.

On ``builder-inited`` (every builder: html, doctest, ...) it runs
:func:`lstmdoc.verify` on both worked examples. Any gradient that disagrees
with central finite differences stops the build with a ``VerificationError``.
The results become ``docs/_generated/verification.md``, the table the index
page includes.
"""

import os
import time

from sphinx.errors import SphinxError
from sphinx.util import logging

import lstmdoc
import lstmdoc.fast

logger = logging.getLogger(__name__)

WHAT = {
    "W": "gate weights, summed over time", "b": "gate biases, summed over time",
    "Wy": "output weights (Step 1, DWy)", "by": "output biases (Step 1, DBy)",
    "X": "every input", "h0": "initial hidden state", "c0": "initial cell state",
    "dlogits": "softmax + cross-entropy (Step 1)",
    "dHt": "hidden state", "dOt": "output gate, pre-activation",
    "dCt": "cell state", "dCprojt": "candidate, pre-activation",
    "dFt": "forget gate, pre-activation", "dIt": "input gate, pre-activation",
    "dW": "one step's share of dW", "db": "one step's share of db",
    "dx": "the step's input (from DHX)", "dh_prev": "previous hidden state, through this step (DHX)",
    "dc_prev": "previous cell state, through this step (DC_next, DCt_recur)",
}


class VerificationError(SphinxError):
    category = "lstmdoc verification failed"


def worst_by_quantity(checks):
    """``{quantity: (largest relative error, number of checks)}``, time steps merged."""
    worst = {}
    for c in checks:
        name = c.name.split("[")[0]
        err, n = worst.get(name, (0.0, 0))
        worst[name] = (max(err, c.rel_error), n + 1)
    return worst


def table(results, tol):
    """The MyST table of every verified quantity and its largest relative error."""
    names = list(worst_by_quantity(results[0][1]))
    worst = [worst_by_quantity(checks) for _, checks in results]
    header = "| quantity | gradient with respect to | " + " | ".join(
        f"{ex.name} example: largest rel. error (checks)" for ex, _ in results) + " |"
    lines = [header, "|" + " --- |" * (2 + len(results))]
    for name in names:
        cells = " | ".join(f"{w[name][0]:.1e} ({w[name][1]})" for w in worst)
        lines.append(f"| `{name}` | {WHAT[name]} | {cells} |")
    total = sum(len(checks) for _, checks in results)
    return "\n".join(lines) + (
        f"\n\n{total} gradients checked, each against central finite differences in float64; "
        f"a check passes when its relative error is at most {tol:.0e}.\n")


def write_if_changed(path, text):
    """Write ``text`` only when it differs, so an unchanged table triggers no rebuild."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def verify_all(app):
    tol = app.config.lstmdoc_tolerance
    start = time.perf_counter()
    results = [(ex, lstmdoc.verify(ex, tol)) for ex in
               (lstmdoc.example.article(), lstmdoc.example.random())]
    failed = [f"{ex.name}: {c.name} rel. error {c.rel_error:.2e} > {c.tol:.0e}"
              for ex, checks in results for c in checks if not c.ok]
    if failed:
        # Logged first so the reason stands out at the end of the output, not inside a traceback.
        for line in failed:
            logger.error(f"lstmdoc: gradient check failed: {line}")
        raise VerificationError("lstmdoc: gradients disagree with finite differences, "
                             "so the site is not built:\n  " + "\n  ".join(failed))
    n = sum(len(checks) for _, checks in results)
    logger.info(f"lstmdoc: {n} gradients verified in {time.perf_counter() - start:.1f} s")
    write_if_changed(os.path.join(app.srcdir, "_generated", "verification.md"),
                     table(results, tol))


def verify_fast(app):
    """The fast ``loss_and_grads`` (lstmdoc.fast): equal to ``run`` and to finite differences."""
    start = time.perf_counter()
    examples = (lstmdoc.example.article(), lstmdoc.example.random())
    failed = [f"{ex.name}: {c.name} rel. error {c.rel_error:.2e} > {c.tol:.0e}"
              for ex in examples for c in lstmdoc.fast.check(ex, app.config.lstmdoc_tolerance)
              if not c.ok]
    if failed:
        for line in failed:
            logger.error(f"lstmdoc: fast pass check failed: {line}")
        raise VerificationError("lstmdoc: the fast loss_and_grads disagrees with run or with "
                                "finite differences, so the site is not built:\n  " + "\n  ".join(failed))
    logger.info(f"lstmdoc: fast loss_and_grads verified in {time.perf_counter() - start:.1f} s")


def setup(app):
    app.add_config_value("lstmdoc_tolerance", 1e-6, "env")
    app.connect("builder-inited", verify_all)
    app.connect("builder-inited", verify_fast)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
