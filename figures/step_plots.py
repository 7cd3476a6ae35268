"""Small plots of one backward step's values, from the two worked examples.

Each figure has two panels: on the left the article's example at its last time
step (the numbers the page prints), on the right the size of the gradient at
every time step of the random example, where the page's proof step is marked.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgba

from .cell_diagram import ACCENT, GREY, INK

SECOND = "#2563eb"  # a second series, next to ACCENT


def panels():
    """A figure with two side-by-side axes, styled alike."""
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 2.9), width_ratios=(1, 1.15))
    for ax in axes:
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8.5, colors=INK)
        ax.axhline(0, color=GREY, lw=0.8)
    fig.subplots_adjust(left=0.075, right=0.985, bottom=0.19, top=0.86, wspace=0.28)
    return fig, axes


def per_unit(ax, values, name, title, labels=None, marked=(), xlabel="hidden unit"):
    """Bars of one column of values (the article's B = 1), one per hidden unit or word."""
    values = np.ravel(values)
    colors = [ACCENT if k in marked else GREY for k in range(len(values))]
    ax.bar(range(len(values)), values, color=colors, width=0.7)
    ax.set_xticks(range(len(values)), labels if labels is not None else range(len(values)),
                  rotation=45 if labels is not None else 0, ha="right" if labels else "center")
    ax.set_xlabel(xlabel, fontsize=9, color=INK)
    ax.set_ylabel(name, fontsize=9, family="monospace", color=INK)
    title_left(ax, title)


def title_left(ax, title):
    # A fixed y skips matplotlib's automatic title placement, a costly layout pass.
    ax.set_title(title, fontsize=9.5, color=INK, loc="left", y=1.02)


def per_step(ax, series, title, mark=None):
    """Grouped bars of ``{name: [norm at each step]}``; the step of index ``mark`` emphasised."""
    width = 0.8 / len(series)
    for k, (name, norms) in enumerate(series.items()):
        steps = np.arange(len(norms))
        colors = [to_rgba((ACCENT, SECOND)[k], 1.0 if mark is None or t == mark else 0.45)
                  for t in steps]
        ax.bar(steps + (k - (len(series) - 1) / 2) * width, norms, width * 0.92,
               color=colors, label=name)
    ax.set_xticks(steps, [f"t={t + 1}" for t in steps])  # time steps are 1..T
    ax.set_ylabel("norm over (H, B)" if len(series) > 1 else f"‖{name}‖", fontsize=9,
                  color=INK)
    title_left(ax, title)
    if len(series) > 1:
        ax.legend(fontsize=8.5, frameon=False, prop={"family": "monospace", "size": 8.5})


def norms(run, name):
    """‖run.steps[t].<name>‖ for every time step (the Frobenius norm)."""
    return [float(np.linalg.norm(getattr(g, name))) for g in run.steps]


def gradient(name, article, random, proof_step):
    """The generic Step 2 figure: the article's last step per unit, the random norms per step."""
    fig, (left, right) = panels()
    per_unit(left, getattr(article.steps[-1], name), name,
             f"article example, last step (t={len(article.steps)})")
    per_step(right, {name: norms(random, name)},
             f"random example, every step (proof at t={proof_step + 1})", proof_step)
    return fig


def step1(article, vocab, target):
    """Step 1: ŷ − y per class (= dBy), and what the output layer hands to h_T."""
    fig, (left, right) = panels()
    per_unit(left, article.dlogits, "dlogits", "article example: ŷ − y, one bar per class",
             labels=vocab, marked={int(target)}, xlabel="class (word to predict)")
    per_unit(right, article.steps[-1].dHt, "dh_out", "article example: handed to $h_T$")
    return fig


def dht(article, random, proof_step):
    """DHt: where the gradient of each step's h_t comes from."""
    fig, (left, right) = panels()
    per_unit(left, article.steps[-1].dHt, "dHt",
             f"article example, last step (t={len(article.steps)})")
    T = len(random.steps)
    from_output = [0.0] * (T - 1) + norms(random, "dHt")[-1:]
    from_next = [float(np.linalg.norm(random.steps[t + 1].dh_prev)) for t in range(T - 1)]
    per_step(right, {"dh_out": from_output, "dh_next": from_next + [0.0]},
             f"random example: the two sources of dHt (proof at t={proof_step + 1})",
             proof_step)
    return fig


def pair(first, second, article, random, proof_step, title, **unit_style):
    """Two gradients that leave one step, side by side: left the first, right both norms."""
    fig, (left, right) = panels()
    per_unit(left, getattr(article.steps[-1], first), first,
             f"article example, last step (t={len(article.steps)})", **unit_style)
    per_step(right, {first: norms(random, first), second: norms(random, second)},
             f"{title} (proof at t={proof_step + 1})", proof_step)
    return fig
