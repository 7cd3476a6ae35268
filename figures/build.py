"""Every figure of the Step pages: which drawing goes into which SVG file.

Run by the Sphinx extension ``docs/_ext/lstmdoc_figures.py`` at the start of a
build, or by hand: ``python -m figures.build docs/_generated/figures``.
Output is byte-for-byte reproducible: fixed data (the two seeded examples), a
fixed SVG hash salt and no date in the metadata.
"""

import io
import multiprocessing
import os
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

import lstmdoc  # noqa: E402
import lstmdoc.deep  # noqa: E402

from . import bptt, cell_diagram, deep_diagram, every_step, step_plots, training, whole_cell  # noqa: E402

PROOF_STEP = 2
"""Index of the random example's time step the pages prove numerically, t = 3 of
1..6 (not the last, so that dh_next and dc_next are not zero there)."""

STEP_PAGES = ("step1", "dht", "dot", "dct", "dcprojt", "dft", "dit", "dhx", "dc-next")
"""One diagram per Step page, named after the page."""


def drawings():
    """``{file name: function returning a Figure}`` for every figure, from real runs."""
    ex = lstmdoc.example.article()
    article = lstmdoc.run(ex.params, ex.X, ex.target)
    rx = lstmdoc.example.random()
    random = lstmdoc.run(rx.params, rx.X, rx.target, rx.h0, rx.c0)
    shapes = cell_diagram.shapes_of(article, ex.params)
    t = PROOF_STEP

    def gradient(name):
        return lambda: step_plots.gradient(name, article, random, t)

    figures = {f"{page}.svg": (lambda page=page: cell_diagram.draw(page, shapes))
               for page in STEP_PAGES}
    figures.update({
        "step1-values.svg": lambda: step_plots.step1(article, ex.vocab, ex.target[0]),
        "dht-values.svg": lambda: step_plots.dht(article, random, t),
        "dot-values.svg": gradient("dOt"),
        "dct-values.svg": gradient("dCt"),
        "dcprojt-values.svg": gradient("dCprojt"),
        "dft-values.svg": gradient("dFt"),
        "dit-values.svg": gradient("dIt"),
        "dhx-values.svg": lambda: step_plots.pair(
            "dx", "dh_prev", article, random, t, "random example: what leaves through z",
            labels=ex.vocab, xlabel="input component (one word each)"),
        "dc-next-values.svg": lambda: step_plots.pair(
            "dc_prev", "dh_prev", article, random, t,
            "random example: the two gradients handed to t-1"),
        "bptt.svg": lambda: bptt.chain(
            random, "random example (T = 6): the gradients handed back, and their sizes"),
    })
    # The whole cell: layer norm's boxes and the dropout mask.
    figures.update({f"whole-cell-{k}.svg": (lambda k=k: whole_cell.draw(k, shapes))
                    for k in whole_cell.STEPS})
    figures.update(training_drawings())
    figures.update(deep_figures())
    figures.update(every_step_figures())
    return figures


def training_drawings():
    """The Training page's figures (the runs happen when a figure is drawn)."""
    import lstmdoc.train as train  # noqa: PLC0415  (not loaded by `import lstmdoc`)

    def article():
        vocab = lstmdoc.example.article().vocab
        return training.article_losses(train.article(), train.article_offsets(11, 3, 200), vocab)

    return {"training-article.svg": article,
            "training-fable.svg": lambda: training.fable_losses(train.fable_run())}


def deep_figures():
    """The figures of the part "Deeper and both ways" (docs/deep/)."""
    ex = lstmdoc.deep.example.article(layers=2)
    article = lstmdoc.deep.run(ex.params, ex.X, ex.target)
    shapes = deep_diagram.shapes_of(article, ex.params)
    rx = lstmdoc.deep.example.stacked()
    random = lstmdoc.deep.run(rx.params, rx.X, rx.target, rx.h0, rx.c0)
    return {
        "deep-stacking.svg": lambda: deep_diagram.two_layers(shapes),
        "deep-stacking-values.svg": lambda: deep_diagram.layer1_sources(article, random),
        "deep-bidirectional.svg": lambda: deep_diagram.unrolled(layers=1, bidirectional=True),
        "deep-both.svg": lambda: deep_diagram.unrolled(layers=2, bidirectional=True),
    }


def every_step_figures():
    """The figures of the part "Every step predicts" (docs/every-step/); the runs happen when drawn."""
    import lstmdoc.train as train  # noqa: PLC0415  (not loaded by `import lstmdoc`)

    def entering():
        single, every = lstmdoc.example.random(), lstmdoc.example.random(every_step=True)
        return every_step.entering(
            lstmdoc.run(single.params, single.X, single.target, single.h0, single.c0),
            lstmdoc.run(every.params, every.X, every.target, every.h0, every.c0,
                        target_mask=every.target_mask))

    def cut():
        T = every_step.CHAR_MODEL["T"]
        params, tokens, _ = every_step.char_model(train.pride_and_prejudice())
        return every_step.cut(every_step.reach_back(params, tokens, T), T)

    return {"every-step-entering.svg": entering, "every-step-cut.svg": cut,
            "every-step-optimizers.svg":
                lambda: every_step.optimizers(every_step.race(train.pride_and_prejudice()))}


def svg_bytes(fig):
    """The figure as SVG, with nothing in it that changes from one run to the next."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, transparent=True)  # dark mode: no panel
    plt.close(fig)
    return buf.getvalue()


def write_if_changed(path, data):
    """Replace ``path`` atomically, and only when its bytes change (no needless rebuilds)."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


STYLE = {"svg.hashsalt": "lstmdoc", "font.family": "DejaVu Sans"}

_figures = {}  # filled before forking, so the worker processes inherit the drawings


def render(name):
    """One figure's SVG bytes (runs in a worker process)."""
    with plt.rc_context(STYLE):
        return svg_bytes(_figures[name]())


def usable_cpus():
    """The CPUs this process may run on (all of them where the OS cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def build(outdir, jobs=None):
    """Draw every figure into ``outdir``, ``jobs`` at a time; return the file names, sorted.

    Most of the time goes into laying out text, one figure at a time, so the
    figures are shared out over the CPUs (forked workers: nothing is pickled but
    names and bytes).
    """
    os.makedirs(outdir, exist_ok=True)
    _figures.clear()
    _figures.update(drawings())
    names = sorted(_figures)
    jobs = jobs or min(usable_cpus(), 4)
    if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            svgs = pool.map(render, names)
    else:
        svgs = [render(name) for name in names]
    for name, svg in zip(names, svgs):
        write_if_changed(os.path.join(outdir, name), svg)
    return names


if __name__ == "__main__":
    print("\n".join(build(sys.argv[1] if len(sys.argv) > 1 else "docs/_generated/figures")))
