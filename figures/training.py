"""The Training page's loss curves: the article's 200 iterations and the fable run."""

import matplotlib.pyplot as plt
import numpy as np

from .cell_diagram import ACCENT, GREY, INK
from .step_plots import title_left

WINDOW_COLORS = ("#c2410c", "#2563eb", "#15803d", "#7c3aed", "#ca8a04", "#0891b2", "#db2777",
                 "#4b5563")


def axes(figsize):
    fig, ax = plt.subplots(figsize=figsize)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8.5, colors=INK)
    ax.set_xlabel("iteration", fontsize=9, color=INK)
    ax.set_ylabel("loss before the update", fontsize=9, color=INK)
    return fig, ax


def article_losses(run, offsets, vocab):
    """Every loss of the article's run, one line per window (the text has eight)."""
    fig, ax = axes((9.6, 3.6))
    offsets = np.array(offsets)
    for color, offset in zip(WINDOW_COLORS, sorted(set(offsets))):
        its = np.flatnonzero(offsets == offset)
        ax.plot(its, run.losses[its], color=color, lw=1, marker="o", ms=2.5,
                label=run.windows[its[0]].words(vocab)[0])
    ax.plot([0], run.losses[:1], "o", ms=9, mfc="none", mec=INK, mew=1.2)
    ax.annotate("iteration 0: the worked example", (0, run.losses[0]), (0.06, 0.14),
                textcoords="axes fraction", fontsize=8.5, color=INK,
                arrowprops={"arrowstyle": "-", "color": GREY})
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    title_left(ax, f"the article's run: {len(run.losses)} iterations of SGD, "
                   "one window per iteration")
    fig.subplots_adjust(left=0.07, right=0.75, bottom=0.14, top=0.9)
    return fig


def fable_losses(run, smooth=25):
    """The fable run's loss per iteration, and its running mean."""
    fig, ax = axes((9.6, 3.2))
    its = np.arange(len(run.losses))
    ax.plot(its, run.losses, color=GREY, lw=0.7, label="loss of the iteration's batch")
    mean = np.convolve(run.losses, np.ones(smooth) / smooth, mode="valid")
    ax.plot(its[smooth - 1:], mean, color=ACCENT, lw=1.8, label=f"mean of the last {smooth}")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8.5, frameon=False)
    title_left(ax, "the fable run: a word model learns Belling the Cat")
    fig.subplots_adjust(left=0.07, right=0.985, bottom=0.15, top=0.9)
    return fig
