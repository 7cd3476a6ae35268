"""The whole cell: the Step pages' diagram with layer norm's five boxes and the dropout mask.

The same picture as :mod:`figures.cell_diagram` (same nodes, same style), with
an ``LN`` box between each gate's block of ``a_t`` and its nonlinearity, one
between the state's sum ``s_t`` and ``c_t``, and the mask's ``⊙ m_t`` on the
candidate. Only what differs from the plain cell is defined here.
"""

from . import cell_diagram as cd
from .cell_diagram import Node

LN_Y = 1.25  # between the box of a_t (top at 0.9) and the gates (bottom at 1.625)


def layout(shapes):
    """Nodes and edges of one step of the whole cell."""
    nodes, edges = cd.layout(shapes)
    s = shapes
    for gate in ("f", "i", "cproj", "o"):
        nodes[f"ln_{gate}"] = Node(nodes[gate].x, LN_Y, 0.7, 0.32, "LN", "box")
    nodes["mask"] = Node(5.6, 2.6, 0.4, 0.4, "⊙", "op")
    nodes["m"] = Node(6.35, 2.6, 0.5, 0.4, r"$m_t$", "io")
    nodes["ln_state"] = Node(6.45, 4.0, 0.7, 0.4, "LN", "box")

    def edge(src, dst, label="", where="above", via=(), start=None, seg=-1):
        start = start or (nodes[src].x, nodes[src].y)
        path = (start, *via, (nodes[dst].x, nodes[dst].y))
        path = cd.clip(path, 0, nodes[src] if start == (nodes[src].x, nodes[src].y) else None)
        path = cd.clip(path, -1, nodes[dst])
        return cd.Edge(path, label, where, seg, nodes[dst].kind != "point")

    for k, gate in (("f", "f"), ("i", "i"), ("c", "cproj"), ("o", "o")):
        # No labels on these short edges: the gradients under a_t name the blocks.
        edges[f"a_{k}"] = edge("a", f"ln_{gate}", start=(nodes[gate].x, nodes["a"].y))
        edges[f"ln_{k}"] = edge(f"ln_{gate}", gate)
    edges["cproj"] = edge("cproj", "mask", r"$\tilde c_t$", "left")
    edges["kept"] = edge("mask", "mul_i", "", "right", via=((5.6, 3.0),), seg=0)
    edges["m"] = edge("m", "mask", f"{s['h']}", "above")
    edges["c"] = edge("add", "ln_state", r"$s_t$", "above")
    edges["c_norm"] = edge("ln_state", "c_split", rf"$c_t$ {s['h']}", "above")
    return nodes, edges


LN_NODES = {"ln_f", "ln_i", "ln_cproj", "ln_o", "ln_state"}

STEPS = {
    # Layer norm: the five norms; the gradients that now pass through one.
    "layernorm": dict(edges={"ln_f", "ln_i", "ln_c", "ln_o", "c_norm"}, nodes=LN_NODES,
                      grads={"under:a_f": "dFt", "under:a_i": "dIt", "under:a_c": "dCprojt",
                             "under:a_o": "dOt", "c": "dCt"}),
    # Dropout: the mask on the candidate, and the way dCprojt comes back through it.
    "dropout": dict(edges={"cproj", "kept", "m", "ic", "c", "a_c", "ln_c"},
                    nodes={"mask", "mul_i", "cproj", "add"},
                    grads={"c": "dCt", "under:a_c": "dCprojt {h}"}),
}


def draw(highlight, shapes):
    """The whole cell with ``highlight`` (a key of :data:`STEPS`) in colour."""
    return cd.draw(highlight, shapes, make_layout=layout, steps=STEPS)
