"""Sphinx extension: verify every gradient before a single page is written.

On ``builder-inited`` (every builder: html, doctest, ...) it starts, in
worker processes while the pages are read (:mod:`lstmdoc_background`),
:func:`lstmdoc.verify` on both worked examples, on the random example
with layer norm, with recurrent dropout, and with both (the whole cell), and
with a target at every step and a ragged mask (every step predicts), every
entry of every gradient, and :func:`lstmdoc.deep.verify` on the stacked,
bidirectional and stacked-bidirectional random examples, on one that reads
the final states, and on a tagger that predicts at every step (the gradients of
``deep.loss_and_grads``, what users call, and the crossings inside ``deep.run``). Any gradient that disagrees with
central finite differences stops the build with a ``VerificationError``.
The results become ``docs/_generated/verification.md``, the table the index
page includes, and ``docs/_generated/deep-verification.md``.
"""

import os
import time

from sphinx.errors import SphinxError
from sphinx.util import logging

import lstmdoc
import lstmdoc.deep
import lstmdoc.fastcheck
import lstmdoc_background
from lstmdoc_files import write_if_changed

logger = logging.getLogger(__name__)

WHAT = {
    "W": "gate weights, summed over time", "b": "gate biases, summed over time",
    "Wy": "output weights (Step 1, DWy)", "by": "output biases (Step 1, DBy)",
    "X": "every input", "h0": "initial hidden state", "c0": "initial cell state",
    "dlogits": "softmax + cross-entropy (Step 1)",
    "dh_out": "h_t where the output layer reads it (every step predicts)",
    "dHt": "hidden state", "dOt": "output gate, pre-activation",
    "dCt": "cell state (with layer norm: before its norm)", "dCprojt": "candidate, pre-activation",
    "dFt": "forget gate, pre-activation", "dIt": "input gate, pre-activation",
    "dW": "one step's share of dW", "db": "one step's share of db",
    "dx": "the step's input (from DHX)", "dh_prev": "previous hidden state, through this step (DHX)",
    "dc_prev": "previous cell state, through this step (DC_next, DCt_recur)",
    # The whole cell: layer norm's parameters, summed over time and per step.
    "norm_gain": "layer-norm gains, summed over time", "norm_shift": "layer-norm shifts, summed over time",
    "dnorm_gain": "one step's share of the layer-norm gains' gradient",
    "dnorm_shift": "one step's share of the layer-norm shifts' gradient",
}

EXAMPLES = (
    lambda: lstmdoc.example.article(), lambda: lstmdoc.example.random(),
    lambda: lstmdoc.example.random(layer_norm=True), lambda: lstmdoc.example.random(keep_prob=0.75),
    lambda: lstmdoc.example.random(layer_norm=True, keep_prob=0.75),
    lambda: lstmdoc.example.random(every_step=True),
)


DEEP_EXAMPLES = (
    lambda: lstmdoc.deep.example.stacked(), lambda: lstmdoc.deep.example.bidirectional(),
    lambda: lstmdoc.deep.example.both(), lambda: lstmdoc.deep.example.bidirectional(readout="states"),
    lambda: lstmdoc.deep.example.tagger(),
)

DEEP_WHAT = {
    "W": "every cell's gate weights", "b": "every cell's gate biases",
    "h0": "every cell's initial hidden state", "c0": "every cell's initial cell state",
    "Wy": "output weights, both halves", "by": "output biases", "X": "every input (both stacks read it)",
    "dlogits": "softmax + cross-entropy",
    "dh_out": "each direction's half of Wyᵀ dlogits (the tagger: at every step)",
    "dHt": "every layer's h at every step: dh_next + dx from above",
    "dx": "between layers: the dx of layer l ≥ 2, into the dHt of layer l−1",
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
    worst = [worst_by_quantity(checks) for _, checks in results]
    names = list(dict.fromkeys(name for w in worst for name in w))  # in order of first check
    header = "| quantity | gradient with respect to | " + " | ".join(
        f"{ex.name} example" for ex, _ in results) + " |"
    lines = [header, "|" + " --- |" * (2 + len(results))]
    for name in names:
        cells = " | ".join(f"{w[name][0]:.1e} ({w[name][1]})" if name in w else "—"
                           for w in worst)
        lines.append(f"| `{name}` | {WHAT[name]} | {cells} |")
    checks = [c for _, cs in results for c in cs]
    entries = sum(c.entries for c in checks)
    whole = "every entry of each" if all(c.entries == c.size for c in checks) else "sampled entries"
    on_noise = sum(c.ok and c.rel_error > c.tol for c in checks)
    return "\n".join(lines) + (
        "\n\nEach example's column: the largest relative error (the number of checks); "
        "— where the example has no such quantity (layer norm off).\n"
        f"{len(checks)} gradients checked ({entries} entries: {whole}), each against central "
        f"finite differences in float64; a check passes when its relative error is at most "
        f"{tol:.0e}, or when its whole error is within the finite differences' own rounding "
        f"noise ({{func}}`~lstmdoc.gradcheck.rounding_noise`), which decides only for gradients "
        f"with tiny entries (here: {on_noise or 'none'}).\n")


def deep_table(results, tol):
    """The table of the deep examples (docs/deep/): one row per quantity, one column per example."""
    worst = [worst_by_quantity(checks) for _, checks in results]
    names = list(dict.fromkeys(name for w in worst for name in w))
    lines = ["| quantity | gradient with respect to | " + " | ".join(
        f"{ex.name}: largest rel. error (checks)" for ex, _ in results) + " |",
        "|" + " --- |" * (2 + len(results))]
    for name in names:
        cells = " | ".join(f"{w[name][0]:.1e} ({w[name][1]})" if name in w else "—" for w in worst)
        lines.append(f"| `{name}` | {DEEP_WHAT[name]} | {cells} |")
    total = sum(len(checks) for _, checks in results)
    return "\n".join(lines) + (
        f"\n\n{total} gradients checked, each against central finite differences in float64; "
        f"a check passes when its relative error is at most {tol:.0e}, or its whole error is "
        "within the finite differences' rounding noise (as on the front page). `W`, `b`, `h0`, `c0`, "
        "`Wy`, `by` and `X` are the gradients {func}`lstmdoc.deep.loss_and_grads` returns; "
        "`dlogits`, `dh_out`, `dHt` and `dx` are intermediates of {func}`lstmdoc.deep.run`.\n")


def verify_training_starts_at_the_example():
    """The Training page's run: its iteration 0 must be the worked example, exactly."""
    import lstmdoc.train

    ex = lstmdoc.example.article()
    loss, _ = lstmdoc.loss_and_grads(ex.params, ex.X, ex.target)
    run = lstmdoc.train.article(iterations=1)
    if run.losses[0] != loss:
        reason = (f"lstmdoc: iteration 0 of the article's training run has loss "
                  f"{float(run.losses[0])!r}, the worked example {loss!r}")
        logger.error(reason)
        raise VerificationError(reason + ", so the site is not built")


def verify_all(app):
    tol = app.config.lstmdoc_tolerance
    start = time.perf_counter()
    results = [(ex, lstmdoc.verify(ex, tol=tol, sample=None, progress=False)) for ex in
               (make() for make in EXAMPLES)]
    refuse_failures(results)
    verify_training_starts_at_the_example()
    n = sum(len(checks) for _, checks in results)
    logger.info(f"lstmdoc: {n} gradients verified in {time.perf_counter() - start:.1f} s")
    write_if_changed(os.path.join(app.srcdir, "_generated", "verification.md"),
                     table(results, tol))


def verify_deep(app):
    """Every gradient of the deep models' examples (lstmdoc.deep.verify), every entry."""
    tol = app.config.lstmdoc_tolerance
    start = time.perf_counter()
    results = [(ex, lstmdoc.deep.verify(ex, tol=tol, sample=None, progress=False))
               for ex in (make() for make in DEEP_EXAMPLES)]
    refuse_failures(results)
    n = sum(len(checks) for _, checks in results)
    logger.info(f"lstmdoc: {n} deep-model gradients verified in {time.perf_counter() - start:.1f} s")
    write_if_changed(os.path.join(app.srcdir, "_generated", "deep-verification.md"),
                     deep_table(results, tol))


def refuse_failures(results):
    """Stop the build if any check of ``[(example, checks), ...]`` failed, naming each failure."""
    failed = [f"{ex.name}: {c.name} rel. error {c.rel_error:.2e} > {c.tol:.0e} "
              f"(error {c.abs_error:.1e} > rounding noise {c.noise:.1e})"
              for ex, checks in results for c in checks if not c.ok]
    if failed:
        # Logged first so the reason stands out at the end of the output, not inside a traceback.
        for line in failed:
            logger.error(f"lstmdoc: gradient check failed: {line}")
        raise VerificationError("lstmdoc: gradients disagree with finite differences, "
                                "so the site is not built:\n  " + "\n  ".join(failed))


def verify_fast(app):
    """What users call, ``loss_and_grads`` of both packages (the fast passes): equal to ``run`` and to finite differences.

    On every single-cell example of :func:`verify_all` (both worked examples,
    layer norm, dropout, both, every step), through :func:`lstmdoc.fastcheck.check`; the
    article's example against ``run`` only (its constant weights make every
    hidden unit alike: finite differences there prove nothing the random ones
    do not). On the deep examples of :func:`verify_deep`,
    :func:`lstmdoc.fastcheck.check_deep` against ``deep.run`` (:func:`verify_deep`
    holds the same function to finite differences).
    """
    start = time.perf_counter()
    tol = app.config.lstmdoc_tolerance
    results = [(ex, lstmdoc.fastcheck.check(ex, tol, finite_differences=ex.name != "article"))
               for ex in (make() for make in EXAMPLES)]
    results += [(ex, lstmdoc.fastcheck.check_deep(ex)) for ex in (make() for make in DEEP_EXAMPLES)]
    failed = [f"{ex.name}: {c.name} rel. error {c.rel_error:.2e} > {c.tol:.0e}"
              for ex, checks in results for c in checks if not c.ok]
    if failed:
        for line in failed:
            logger.error(f"lstmdoc: fast pass check failed: {line}")
        raise VerificationError("lstmdoc: loss_and_grads (the fast pass) disagrees with run or with "
                                "finite differences, so the site is not built:\n  " + "\n  ".join(failed))
    logger.info(f"lstmdoc: loss_and_grads (the fast passes) verified in {time.perf_counter() - start:.1f} s")


def start_checks(app):
    """``builder-inited``: the checks start in worker processes; the build waits before it writes."""
    lstmdoc_background.start(app, "gradient verification", verify_all,
                             writes=("_generated/verification.md",))
    lstmdoc_background.start(app, "deep models' verification", verify_deep,
                             writes=("_generated/deep-verification.md",))
    lstmdoc_background.start(app, "fast pass verification", verify_fast)


def setup(app):
    app.setup_extension("lstmdoc_background")
    app.add_config_value("lstmdoc_tolerance", 1e-6, "env")
    # Before the figures (priority 500), which are then drawn while the checks run.
    app.connect("builder-inited", start_checks, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
