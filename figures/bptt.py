"""The unrolled chain of the BPTT page: what each time step hands back to the one before.

One box per time step of a real run, the forward pass in grey left to right; the
two gradients that travel back, ``dh_next`` and ``dc_next``, drawn right to left
under it, each arrow as thick as the gradient is large and labelled with its size
(the Frobenius norm over the (H, B) array); the output layer's ``dh_out`` entering
at the last step only; and each step's share of ``dW`` going down into the sum.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch

from .cell_diagram import ACCENT, ACCENT_FILL, GREY, INK
from .step_plots import SECOND


def norm(a):
    return float(np.linalg.norm(a))


def arrow(ax, x0, x1, y, color, width, text=None, text_y=None, size=8.5):
    """A horizontal arrow from x0 to x1, labelled at its middle."""
    ax.annotate("", (x1, y), (x0, y), arrowprops=dict(
        arrowstyle="-|>", color=color, lw=width, shrinkA=0, shrinkB=0,
        mutation_scale=9 + 2 * width))
    if text:
        ax.text((x0 + x1) / 2, y if text_y is None else text_y, text, ha="center",
                va="center", color=color, fontsize=size, family="monospace")


def chain(run, title):
    """The figure for ``run``, an :class:`lstmdoc.Run`.

    Parameters
    ----------
    run : lstmdoc.Run
    title : str
    """
    T = len(run.steps)
    dh_out = run.steps[-1].dHt  # nothing comes from step T+1: dHt at T is the output layer's
    fig, ax = plt.subplots(figsize=(9.6, 3.4))
    ax.set_xlim(-0.45, T + 1.4)
    ax.set_ylim(-2.0, 1.05)
    ax.axis("off")
    fig.subplots_adjust(left=0.005, right=0.995, bottom=0.01, top=0.99)
    ax.text(-0.4, 0.98, title, ha="left", va="top", color=INK, fontsize=9.5)
    legend = (("forward: hₜ, cₜ", GREY), ("dh_next", SECOND), ("dc_next", ACCENT))
    for k, (text, color) in enumerate(legend):
        ax.text(-0.4 + 1.35 * k, 0.78, text, ha="left", va="top", color=color, fontsize=8.5,
                family="sans-serif" if k == 0 else "monospace")

    big = max(norm(dh_out), *(norm(g.dh_prev) for g in run.steps),
              *(norm(g.dc_prev) for g in run.steps))
    width = lambda a: 0.6 + 4.0 * norm(a) / big  # noqa: E731  (line width from the size)
    w, top, bottom = 0.5, 0.5, -1.25  # a step's box
    y_fwd, y_dh, y_dc = 0.25, -0.35, -0.95
    left = 0.4  # where the arrows into and out of step 1 end
    xs = np.arange(1, T + 1)
    for x, t in zip(xs, range(1, T + 1)):
        ax.add_patch(FancyBboxPatch((x - w / 2, bottom), w, top - bottom,
                                    boxstyle="round,pad=0.02", fc=ACCENT_FILL, ec=ACCENT, lw=1.2))
        ax.text(x, -0.05, f"t = {t}", ha="center", va="center", color=INK, fontsize=9)
    # Forward, in grey: the state from each step to the next, and into the output layer.
    ax.text(left - 0.03, y_fwd, "h₀, c₀", ha="right", va="center", color=GREY, fontsize=8.5)
    for x in range(T + 1):
        arrow(ax, x + w / 2 if x else left, x + 1 - w / 2 if x < T else T + 0.7, y_fwd, GREY,
              0.9)
    # Backward: dh_next and dc_next from step t to step t-1; out of step 1, the
    # gradients of h0 and c0.
    for x, g in zip(xs, run.steps):
        x0, x1 = x - w / 2, x - 1 + w / 2 if x > 1 else left
        arrow(ax, x0, x1, y_dh, SECOND, width(g.dh_prev), f"{norm(g.dh_prev):.2f}", y_dh + 0.2)
        arrow(ax, x0, x1, y_dc, ACCENT, width(g.dc_prev), f"{norm(g.dc_prev):.2f}", y_dc + 0.2)
        # This step's share of dW, down into the sum.
        ax.annotate("", (x, -1.6), (x, bottom - 0.02), arrowprops=dict(
            arrowstyle="-|>", color=GREY, lw=0.8, shrinkA=0, shrinkB=0))
        ax.text(x + 0.05, -1.43, f"{norm(g.dW):.2f}", ha="left", va="center", color=GREY,
                fontsize=7.5)
    for y, text, color in ((y_dh, "dh₀", SECOND), (y_dc, "dc₀", ACCENT)):
        ax.text(left - 0.03, y, text, ha="right", va="center", color=color, fontsize=8.5,
                family="monospace")
    ax.add_patch(FancyBboxPatch((xs[0] - w / 2, -1.9), T - 1 + w, 0.28,
                                boxstyle="round,pad=0.02", fc="white", ec=GREY, lw=0.9))
    ax.text((xs[0] + xs[-1]) / 2, -1.76, "dW = Σₜ dWₜ   (the size of each step's share above)",
            ha="center", va="center", color=INK, fontsize=8.5)
    # The output layer: the loss sees h_T only, and sends dh_out back into step T.
    xl = T + 1
    ax.add_patch(FancyBboxPatch((xl - 0.3, -0.55), 0.6, 1.0, boxstyle="round,pad=0.02",
                                fc="white", ec=INK, lw=1.0))
    ax.text(xl, -0.05, "Wy, L", ha="center", va="center", color=INK, fontsize=9)
    arrow(ax, xl - 0.3, T + w / 2, y_dh, SECOND, width(dh_out))
    ax.text(xl, -0.82, f"dh_out\n{norm(dh_out):.2f}", ha="center", va="center", color=SECOND,
            fontsize=8.5, family="monospace")
    return fig
