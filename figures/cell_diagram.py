"""The LSTM cell as a diagram, with one backward step's path highlighted.

Every Step page shows this same picture: the forward pass of one time step
(inputs on the left, the four gates in the middle, the state leaving on the
right, the output layer below right), in grey, with the arrays that step
differentiates drawn in colour and labelled with the gradient's code name.
Every array carries its real shape, taken from a run (see :func:`shapes_of`).

All connections are horizontal or vertical segments, so an arrow can stop at
the border of the box it enters without any geometry.
"""

from typing import NamedTuple

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyBboxPatch

GREY = "#8a8f98"
INK = "#2b2f36"
ACCENT = "#c2410c"       # the highlighted path and the gradients' names
ACCENT_FILL = "#ffedd5"


class Node(NamedTuple):
    x: float
    y: float
    w: float          # width and height of the box; 0 for a bare point
    h: float
    text: str
    kind: str         # "box", "op" (a circle: ⊙ or +), "io" (a free label) or "point"
    size: float = 0   # font size of the text; 0 for the kind's default


class Edge(NamedTuple):
    path: tuple       # (x, y) corners, from the source node's border to the target's
    label: str        # the forward array it carries ("" for none)
    where: str        # where the label goes: "above", "below", "left", "right"
    seg: int          # which segment the labels sit beside (-1: the last)
    arrow: bool       # False for an edge that ends in a branch point


def layout(shapes):
    """Nodes and edges of one cell step; ``shapes`` maps array names to shape strings."""
    s = shapes
    nodes = {
        "c_prev": Node(-0.7, 4.0, 0.7, 0.4, r"$c_{t-1}$", "io"),
        "h_prev": Node(-0.7, 0.6, 0.7, 0.4, r"$h_{t-1}$", "io"),
        "x": Node(1.45, -0.9, 0.5, 0.4, r"$x_t$", "io"),
        "z": Node(1.45, 0.6, 0.55, 0.55, r"$z_t$", "op"),
        "a": Node(5.0, 0.6, 4.3, 0.6, rf"$a_t = W z_t + b$   {s['a']},  $W$ {s['W']}", "box"),
        # The forget gate adds the constant forget_bias inside its sigmoid (eq-f).
        "f": Node(3.2, 1.9, 1.2, 0.62, "σ($a_f$ +\nforget_bias)", "box", 8.5),
        "i": Node(4.4, 1.9, 0.7, 0.55, "σ", "box"),
        "cproj": Node(5.6, 1.9, 0.7, 0.55, "tanh", "box"),
        "o": Node(6.8, 1.9, 0.7, 0.55, "σ", "box"),
        "mul_f": Node(3.2, 4.0, 0.42, 0.42, "⊙", "op"),
        "mul_i": Node(5.0, 3.0, 0.42, 0.42, "⊙", "op"),
        "add": Node(5.0, 4.0, 0.42, 0.42, "+", "op"),
        "c_split": Node(7.9, 4.0, 0, 0, "", "point"),
        "tanh_c": Node(7.9, 3.0, 0.8, 0.5, "tanh", "box"),
        "mul_o": Node(7.9, 1.9, 0.42, 0.42, "⊙", "op"),
        "h_split": Node(9.0, 1.9, 0, 0, "", "point"),
        "c_next": Node(11.4, 4.0, 1.4, 0.5, "to step t+1", "io"),
        "h_next": Node(11.4, 1.9, 1.4, 0.5, "to step t+1", "io"),
        "logits": Node(9.0, -0.6, 1.4, 0.6, r"$W_y h_T + b_y$", "box"),
        "loss": Node(11.5, -0.6, 1.3, 0.6, r"softmax, $L$", "box"),
    }

    def edge(src, dst, label="", where="above", via=(), start=None, seg=-1):
        start = start or (nodes[src].x, nodes[src].y)
        path = (start, *via, (nodes[dst].x, nodes[dst].y))
        path = clip(path, 0, nodes[src] if start == (nodes[src].x, nodes[src].y) else None)
        path = clip(path, -1, nodes[dst])
        return Edge(path, label, where, seg, nodes[dst].kind != "point")

    edges = {
        # Inputs are named by their nodes: their edges only carry the shape.
        "x": edge("x", "z", s["x"], "right"),
        "h_prev": edge("h_prev", "z", s["h"], "above"),
        "z": edge("z", "a", rf"$z_t$ {s['z']}", "above"),
        # The four row blocks of a_t leave the box under their gates.
        **{f"a_{k}": edge("a", gate, rf"$a_{k}$", "left", start=(nodes[gate].x, nodes["a"].y))
           for k, gate in (("f", "f"), ("i", "i"), ("c", "cproj"), ("o", "o"))},
        "c_prev": edge("c_prev", "mul_f", s["h"], "above"),
        "f": edge("f", "mul_f", r"$f_t$", "left"),
        "i": edge("i", "mul_i", r"$i_t$", "left", via=((4.4, 3.0),), seg=0),
        "cproj": edge("cproj", "mul_i", r"$\tilde c_t$", "right", via=((5.6, 3.0),), seg=0),
        "fc": edge("mul_f", "add"),
        "ic": edge("mul_i", "add"),
        "c": edge("add", "c_split", rf"$c_t$ {s['h']}", "above"),
        "c_out": edge("c_split", "c_next"),
        "c_tanh": edge("c_split", "tanh_c"),
        "tanh_c": edge("tanh_c", "mul_o", r"$\tanh(c_t)$", "right"),
        "o": edge("o", "mul_o", r"$o_t$", "above"),
        "h": edge("mul_o", "h_split", rf"$h_t$ {s['h']}", "above"),
        "h_out": edge("h_split", "h_next", where="below"),
        "h_T": edge("h_split", "logits", r"last step only", "right"),
        "logits": edge("logits", "loss", f"logits\n{s['logits']}", "above"),
    }
    return nodes, edges


# What each page highlights: edges, nodes, and the gradients' names written on
# edges ({edge: label}), next to nodes ({"node:" + node: label}) or, for a gate's
# pre-activation, under the box of a_t in that gate's column ({"under:" + edge:
# label}: it is the gradient of that block of a_t, and there is no room between
# the gates). Gradients flow against the arrows: from the loss, right to left.
STEPS = {
    "step1": dict(edges={"h_T", "logits"}, nodes={"logits", "loss"},
                  grads={"logits": "dlogits\n{logits}", "h_T": "dh_out {h}",
                         "node:logits": "dWy {Wy}\ndBy {by}"}),
    "dht": dict(edges={"h", "h_out", "h_T"}, nodes=set(),
                grads={"node:h_split": "dHt {h}", "h_out": "dh_next", "h_T": "dh_out"}),
    "dot": dict(edges={"h", "o", "a_o"}, nodes={"mul_o", "o"},
                grads={"h": "dHt", "under:a_o": "dOt {h}"}),
    "dct": dict(edges={"h", "tanh_c", "c_tanh", "c_out", "c"}, nodes={"mul_o", "tanh_c"},
                grads={"h": "dHt", "c_out": "dc_next", "c": "dCt {h}"}),
    "dcprojt": dict(edges={"c", "ic", "cproj", "a_c"}, nodes={"add", "mul_i", "cproj"},
                    grads={"c": "dCt", "under:a_c": "dCprojt {h}"}),
    "dft": dict(edges={"c", "fc", "f", "a_f"}, nodes={"add", "mul_f", "f"},
                grads={"c": "dCt", "under:a_f": "dFt {h}"}),
    "dit": dict(edges={"c", "ic", "i", "a_i"}, nodes={"add", "mul_i", "i"},
                grads={"c": "dCt", "under:a_i": "dIt {h}"}),
    "dhx": dict(edges={"a_f", "a_i", "a_c", "a_o", "z", "x", "h_prev"}, nodes={"a", "z"},
                grads={"x": "dx {x}", "h_prev": "dh_prev {h}", "z": "DHX",
                       "node:a": "da {a}: dW {W}, db {b}"}),
    "dc-next": dict(edges={"c", "fc", "c_prev"}, nodes={"add", "mul_f"},
                    grads={"c": "dCt", "c_prev": "dc_prev {h}"}),
}


def clip(path, end, node):
    """Move the path's first (``end=0``) or last (``end=-1``) point to ``node``'s border.

    Every segment is horizontal or vertical, so this is half the box's width or height.
    """
    if node is None:
        return path
    (x0, y0), (x1, y1) = (path[1], path[0]) if end == 0 else (path[-2], path[-1])
    if x0 == x1:
        y1 -= node.h / 2 * (1 if y1 > y0 else -1)
    else:
        x1 -= node.w / 2 * (1 if x1 > x0 else -1)
    return ((x1, y1), *path[1:]) if end == 0 else (*path[:-1], (x1, y1))


def shapes_of(run, params):
    """The shape of every array in the diagram, as text, from a :class:`lstmdoc.Run`."""
    cache = run.caches[-1]
    arrays = {"x": cache.z[:params.D], "h": run.h, "z": cache.z, "a": params.W @ cache.z,
              "W": params.W, "b": params.b, "logits": run.logits, "Wy": params.Wy,
              "by": params.by}
    return {name: str(a.shape) for name, a in arrays.items()}


def draw(highlight, shapes):
    """The cell diagram with the step ``highlight`` (a key of :data:`STEPS`) in colour."""
    nodes, edges = layout(shapes)
    step = STEPS[highlight]
    xlim, ylim = (-1.2, 12.3), (-1.2, 4.5)
    width = 9.6  # inches; the height follows, so that one unit is as tall as it is wide
    fig, ax = plt.subplots(figsize=(width, width * (ylim[1] - ylim[0]) / (xlim[1] - xlim[0])))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    for name, e in edges.items():
        on = name in step["edges"]
        draw_edge(ax, e, on)
        grad = step["grads"].get(name)
        if grad:
            grad_label(ax, e, grad.format(**shapes))
        grad = step["grads"].get("under:" + name)
        if grad:
            a = nodes["a"]
            ax.text(e.path[0][0], a.y - a.h / 2 - 0.12, grad.format(**shapes), ha="center",
                    va="top", color=ACCENT, fontsize=9, family="monospace", weight="bold")
    for name, n in nodes.items():
        draw_node(ax, n, name in step["nodes"])
        grad = step["grads"].get("node:" + name)
        if grad:
            node_label(ax, n, grad.format(**shapes))
    fig.subplots_adjust(0, 0, 1, 1)
    return fig


def node_label(ax, n, text):
    """A gradient's name under a box, or below and right of a branch point."""
    if n.kind == "point":
        x, y, ha = n.x + 0.1, n.y - 0.12, "left"
    else:
        x, y, ha = n.x, n.y - n.h / 2 - 0.12, "center"
    ax.text(x, y, text, ha=ha, va="top", color=ACCENT, fontsize=9, family="monospace",
            weight="bold", zorder=3)


def draw_edge(ax, e, on):
    """A polyline ending in an arrow (or, into a branch point, a plain line)."""
    color, width = (ACCENT, 2.4) if on else (GREY, 1.2)
    xs, ys = zip(*(e.path[:-1] if e.arrow else e.path))
    ax.plot(xs, ys, color=color, lw=width, solid_capstyle="butt", zorder=1)
    if e.arrow:
        ax.annotate("", xy=e.path[-1], xytext=e.path[-2], zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=width,
                                    shrinkA=0, shrinkB=0, mutation_scale=12))
    if e.label:
        edge_text(ax, e, e.label, color=INK if on else "#5f6570", fontsize=9, offset=0.13)


def grad_label(ax, e, text):
    """The gradient's code name, on the other side of the edge from the forward label."""
    other = {"above": "below", "below": "above", "left": "right", "right": "left"}
    edge_text(ax, e, text, color=ACCENT, fontsize=9, offset=0.13, family="monospace",
              where=other[e.where], weight="bold")


def edge_text(ax, e, text, offset, where=None, **style):
    """Write ``text`` beside the middle of the edge's labelled segment."""
    where = where or e.where
    k = e.seg % (len(e.path) - 1)
    (x0, y0), (x1, y1) = e.path[k], e.path[k + 1]
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    if x0 == x1 and abs(y1 - y0) > 2:  # long vertical edges: label near the start
        y = y0 + 0.35 * (y1 - y0)
    dx, dy, ha, va = {"above": (0, offset, "center", "bottom"),
                      "below": (0, -offset, "center", "top"),
                      "left": (-offset, 0, "right", "center"),
                      "right": (offset, 0, "left", "center")}[where]
    ax.text(x + dx, y + dy, text, ha=ha, va=va, zorder=3, **style)


def draw_node(ax, n, on):
    edge = ACCENT if on else GREY
    fill = ACCENT_FILL if on else "white"
    if n.kind == "box":
        ax.add_patch(FancyBboxPatch((n.x - n.w / 2, n.y - n.h / 2), n.w, n.h,
                                    boxstyle="round,pad=0,rounding_size=0.08",
                                    fc=fill, ec=edge, lw=1.6 if on else 1.0, zorder=2))
    elif n.kind == "op":
        ax.add_patch(Circle((n.x, n.y), n.w / 2, fc=fill, ec=edge, lw=1.6 if on else 1.0,
                            zorder=2))
    elif n.kind == "point":
        ax.add_patch(Circle((n.x, n.y), 0.06, fc=GREY, ec="none", zorder=2))
    if n.text:
        ax.text(n.x, n.y, n.text, ha="center", va="center", color=INK, zorder=3,
                fontsize=n.size or (10 if n.kind != "io" else 11), linespacing=1.1)
