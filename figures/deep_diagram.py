"""The deep models' figures: the cell diagram with two layers, and the stacks unrolled in time.

:func:`two_layers` stacks two copies of the Step pages' cell diagram
(:mod:`figures.cell_diagram`), layer 2 reading layer 1's ``h_t``, with the
gradient's extra road between them highlighted. :func:`unrolled` draws one or
two stacks over T = 3 steps, lighting every cell that the loss's gradient
reaches, so the backward stack's single lit column shows where its half of
the output gradient enters.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch

from .step_plots import panels, per_step
from .cell_diagram import (ACCENT, ACCENT_FILL, GREY, INK, Edge, Node, draw_edge, draw_node,
                           edge_text, grad_label, layout)

LAYER_GAP = 5.9  # vertical distance between the two copies of the cell


def shapes_of(run, params):
    """Per-layer shape strings for :func:`cell_diagram.layout`, from a :class:`DeepRun`."""
    out = []
    for cell, layer in zip(params.forward, run.forward):
        z = layer.caches[-1].z
        arrays = {"x": z[:cell.D], "h": layer.h[-1], "z": z, "a": cell.W @ z, "W": cell.W,
                  "b": cell.b, "logits": run.logits, "Wy": params.Wy, "by": params.by}
        out.append({name: str(a.shape) for name, a in arrays.items()})
    return out


def shifted(nodes, edges, dy, texts):
    """A copy of the cell's nodes and edges moved up by ``dy``, some node texts replaced."""
    nodes = {k: n._replace(y=n.y + dy, text=texts.get(k, n.text)) for k, n in nodes.items()}
    edges = {k: e._replace(path=tuple((x, y + dy) for x, y in e.path)) for k, e in edges.items()}
    return nodes, edges


def two_layers(shapes):
    """Layer 2 on top of layer 1; lit: layer 2's dx, handed down into layer 1's dHt."""
    low, high = shapes
    n1, e1 = shifted(*layout(low), 0, {"c_prev": r"$c^{(1)}_{t-1}$", "h_prev": r"$h^{(1)}_{t-1}$"})
    for name in ("logits", "loss"):  # only the top layer feeds the output layer
        del n1[name]
    for name in ("h_T", "logits"):
        del e1[name]
    n2, e2 = shifted(*layout(high), LAYER_GAP, {
        "c_prev": r"$c^{(2)}_{t-1}$", "h_prev": r"$h^{(2)}_{t-1}$", "x": r"$h^{(1)}_t$"})
    x2 = n2["x"]
    link = Edge(((9.0, 1.9), (9.0, 4.62), (x2.x, 4.62), (x2.x, x2.y - x2.h / 2)),
                rf"$h^{{(1)}}_t$ {low['h']}: layer 2's input", "above", 1, True)
    xlim, ylim = (-1.2, 12.3), (-1.2, 4.5 + LAYER_GAP)
    width = 9.6
    fig, ax = plt.subplots(figsize=(width, width * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    lit2 = {"x", "z", "a_f", "a_i", "a_c", "a_o"}
    for name, e in e2.items():
        draw_edge(ax, e, name in lit2)
    for name, e in e1.items():
        draw_edge(ax, e, name in {"h", "h_out"})
    draw_edge(ax, link, True)
    grad_label(ax, e2["x"], f"dx {high['x']}")
    grad_label(ax, e2["z"], "DHX")
    grad_label(ax, link, "dx of layer 2: layer 1's dh_out at every t")
    grad_label(ax, e1["h_out"], "dh_next")
    for name, n in n2.items():
        draw_node(ax, n, name in {"a", "z"})
    for name, n in n1.items():
        draw_node(ax, n, False)
    h1 = n1["h_split"]
    ax.text(h1.x + 0.12, h1.y - 0.14, "dHt = dh_next + dx", ha="left", va="top", color=ACCENT,
            fontsize=9, family="monospace", weight="bold", zorder=3)
    for y, text in ((-0.95, "layer 1"), (LAYER_GAP - 0.95, "layer 2")):
        ax.text(-0.7, y, text, ha="center", va="center", color=GREY, fontsize=10, weight="bold")
    fig.subplots_adjust(0, 0, 1, 1)
    return fig


def unrolled(layers, bidirectional, T=3):
    """The stacks over T steps: forward above the inputs, backward below; lit where the gradient goes."""
    xs = [1.6 + 2.6 * k for k in range(T)]  # columns: t = 1..T
    row = 1.35
    fig_w = 9.6
    ylim = (-row * layers - 1.25 if bidirectional else -0.8, row * layers + 1.1)
    xlim = (-0.4, xs[-1] + 4.3)
    fig, ax = plt.subplots(figsize=(fig_w, fig_w * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    out = Node(xs[-1] + 3.0, 0.0, 1.9, 0.9, "$W_y h + b_y$,\nsoftmax, $L$", "box")
    for k, x in enumerate(xs):
        draw_node(ax, Node(x, 0.0, 0.7, 0.45, f"$x_{k + 1}$", "io"), False)
    stacks = [("fw", 1)] + ([("bw", -1)] if bidirectional else [])
    for d, sign in stacks:
        for l in range(layers):
            y = sign * row * (l + 1)
            for k, x in enumerate(xs):
                # forward: every step reaches h_T; backward: only its first step (t = T) reaches h_bw(T)
                lit = d == "fw" or k == T - 1
                step = k + 1 if d == "fw" else T - k  # processing step
                box(ax, x, y, f"{d} {l + 1}" + ("" if d == "fw" else f"\nstep {step}"), lit)
                below_y = sign * row * l
                arrow(ax, (x, below_y + sign * (0.25 if l == 0 else 0.3)), (x, y - sign * 0.3), lit)
                if k + 1 < T:  # the recurrence: rightwards forward, leftwards backward
                    a, b = (x + 0.6, xs[k + 1] - 0.6) if d == "fw" else (xs[k + 1] - 0.6, x + 0.6)
                    arrow(ax, (a, y), (b, y), d == "fw")
            start = (xs[0] - 1.25, xs[0] - 0.6) if d == "fw" else (xs[-1] + 1.25, xs[-1] + 0.6)
            arrow(ax, (start[0], y), (start[1], y), True)
            ax.text(start[0], y + 0.1, "$h_0, c_0$", ha="center", va="bottom", fontsize=8, color=INK)
        top = sign * row * layers
        x, rise = xs[-1], sign * 0.62  # leave the top cell at T away from the stack, then turn
        path = ((x, top + sign * 0.3), (x, top + rise), (out.x, top + rise), (out.x, sign * out.h / 2))
        e = Edge(path, "$h_{fw}(T)$" if d == "fw" else "$h_{bw}(T)$, after its step 1",
                 "above" if d == "fw" else "below", 1, True)
        draw_edge(ax, e, True)
        grad_label(ax, e, "dh_out[:H_fw]" if d == "fw" else "dh_out[H_fw:]")
    draw_node(ax, out, True)
    if bidirectional:
        ax.text(xs[0] - 0.6, -row * layers - 1.05, "steps 2 and 3 of the backward stack "
                "(reading $x_2$, $x_1$) never reach $h_{bw}(T)$: no gradient from the loss",
                ha="left", va="center", fontsize=10, color=INK)
    fig.subplots_adjust(0, 0, 1, 1)
    return fig


def layer1_sources(article, random):
    """Where layer 1's dHt comes from at each step: its own dh_next, and layer 2's dx."""
    fig, axes = panels()
    for ax, run, title in ((axes[0], article, "article example (two layers)"),
                           (axes[1], random, "stacked random example")):
        low, high = run.forward_grads[:2]
        T = len(low.steps)
        from_next = [float(np.linalg.norm(low.steps[k + 1].dh_prev)) for k in range(T - 1)]
        per_step(ax, {"dh_next": from_next + [0.0],
                      "dx of layer 2": [float(np.linalg.norm(g.dx)) for g in high.steps]},
                 f"{title}: the two parts of layer 1's dHt")
    return fig


def box(ax, x, y, text, lit):
    ax.add_patch(FancyBboxPatch((x - 0.6, y - 0.3), 1.2, 0.6, boxstyle="round,pad=0,rounding_size=0.08",
                                fc=ACCENT_FILL if lit else "white", ec=ACCENT if lit else GREY,
                                lw=1.6 if lit else 1.0, zorder=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5, color=INK, zorder=3)


def arrow(ax, start, end, lit):
    color, width = (ACCENT, 2.0) if lit else (GREY, 1.0)
    ax.annotate("", xy=end, xytext=start, zorder=1,
                arrowprops=dict(arrowstyle="-|>", color=color, lw=width, shrinkA=0, shrinkB=0,
                                mutation_scale=10))


__all__ = ["two_layers", "unrolled", "shapes_of", "edge_text"]
