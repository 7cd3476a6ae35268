"""What any layout's functions do, in lstmdoc's terms, and their known wrong versions.

Four kinds of function, each with lstmdoc's own version and its signature:

- ``step_forward(params, x, h_prev, c_prev) -> (h, c)``: one cell step;
- ``step_backward(dh_out, dh_next, dc_next, cache, W) -> CellGrads``: its backward;
- ``forward(params, X, h0, c0) -> (hs, cs)``: the whole sequence;
- ``backward(dh, caches, W) -> (dX, dh0, dc0, dW, db)``: BPTT, ``dh`` (T, H, B).

The wrong versions: a step built of one wrong step (:mod:`.variants`), gate
blocks taken in another order, a loop that drops a gradient or keeps one step's.
"""

from functools import lru_cache, partial
from itertools import permutations

import numpy as np

from ..bptt import lstm_backward, lstm_forward
from ..cell import cell_forward
from ..cell_backward import CellGrads, cell_backward
from ..deep.params import Cell
from ..states import sequences
from ..params import split_gates
from .mistakes import Variant, variant, within
from .reference import REFERENCE, STEP1
from .variants import step_variants

FIGO = "figo"
PERMUTATIONS = [p for p in permutations(range(4)) if p != (0, 1, 2, 3)]


def step_forward(params, x, h_prev, c_prev):
    """lstmdoc's cell step, ``(h, c)``."""
    return cell_forward(params, x, h_prev, c_prev)[:2]


def forward(params, X, h0, c0):
    """lstmdoc's forward pass, every state: ``(hs, cs)``, each (T, H, B)."""
    h, c, caches = lstm_forward(params, X, h0, c0)
    return sequences(caches, h, c)


def backward(dh, caches, W):
    """lstmdoc's BPTT with ``dh`` (T, H, B) from outside: ``(dX, dh0, dc0, dW, db)``."""
    _, dW, db, dX, dh0, dc0, *_ = lstm_backward(dh, caches, W)
    return dX, dh0, dc0, dW, db


RIGHT = {"step_forward": step_forward, "step_backward": cell_backward, "forward": forward,
         "backward": backward}
"""lstmdoc's own function of each kind."""


def loop(dh, caches, W, cell=cell_backward, carry=(True, True), keep="sum"):
    """BPTT as a learner's loop may write it: ``carry`` dh_prev and dc_prev back or not;
    ``keep`` the sum of the steps' dW, db, or only the ``"first"`` (t = T) or ``"last"`` step's."""
    zeros = np.zeros_like(dh[0])
    dh_next = dc_next = zeros
    dX, shares = [None] * len(caches), []
    for k in reversed(range(len(caches))):
        g = cell(dh[k], dh_next if carry[0] else zeros, dc_next if carry[1] else zeros,
                 caches[k], W)
        dX[k] = g.dx
        shares.append((g.dW, g.db))
        dh_next, dc_next = g.dh_prev, g.dc_prev
    dW, db = {"sum": tuple(np.sum(a, axis=0) for a in zip(*shares)),
              "first": shares[0], "last": shares[-1]}[keep]
    return np.stack(dX), dh_next, dc_next, dW, db


def composed(steps, order=(0, 1, 2, 3)):
    """``cell_backward`` made of ``steps`` (by name), ``da`` stacked in ``order`` (of figo)."""
    def step_backward(dh_out, dh_next, dc_next, cache, W):
        dh = steps["dHt"](dh_out, dh_next)
        do = steps["dOt"](dh, cache)
        dc = steps["dCt"](dh, dc_next, cache)
        blocks = (steps["dFt"](dc, cache), steps["dIt"](dc, cache), steps["dCprojt"](dc, cache), do)
        da = np.concatenate([blocks[k] for k in order])
        dx, dh_prev = steps["dHX"](da, W)
        return CellGrads(dh, do, dc, blocks[2], blocks[0], blocks[1], steps["dW"](da, cache),
                         steps["db"](da), dx, dh_prev, steps["dC_next"](dc, cache))
    return step_backward


def gate_text(gates, order, reading=False):
    """``(yours, right)``: the gate blocks in the layout's letters ``gates``, in wrong ``order``.

    ``order`` (of lstmdoc's f, i, g, o) says which gate's block sits at each place
    of lstmdoc's stacking; ``reading``: which block each gate is read from instead.
    """
    order = np.argsort(order) if reading else order
    wrong = "".join(FIGO[order[FIGO.index(g)]] for g in gates)
    return (f"gate blocks in the order {', '.join(wrong)}",
            f"{', '.join(gates)} (g the candidate)")


def _every_gate(table):
    """The same σ' mistake in the three gates at once (as in code that treats them together)."""
    gates = ("dOt", "dFt", "dIt")
    out = []
    for v in table["dOt"]:
        same = [next((w for w in table[g] if w.id == v.id), None) for g in gates]
        if v.id.startswith(("sigmoid", "activation")) and all(same):
            steps = dict(REFERENCE, **{g: w.fn for g, w in zip(gates, same)})
            out.append(Variant(v.id, within("dOt, dFt and dIt", v).text.replace(
                "; should", " (and the same in dFt, dIt); should"), composed(steps)))
    return out


def _permuted(params, order):
    """A cell reading gate k from block ``order[k]``: a forward with the blocks mixed up."""
    blocks = [split_gates(a) for a in (params.W, params.b)]
    W, b = (np.concatenate([bs[k] for k in order]) for bs in blocks)
    return Cell(W, b, params.forget_bias)


def _forward_variant(kind, order, gates):
    right = RIGHT[kind]
    yours, should = gate_text(gates, order, reading=True)
    return variant("gate-order", yours, should,
                   lambda params, *a: right(_permuted(params, order), *a))


@lru_cache(maxsize=None)
def step_backward_variants(forget_bias=1.0, gates=FIGO):
    """The wrong ``step_backward``s: lstmdoc's with one step wrong, or ``da`` in another order."""
    table = step_variants(forget_bias)
    out = [Variant(w.id, w.text, composed(dict(REFERENCE, **{step: w.fn})))
           for step, ws in table.items() if step not in STEP1
           for w in (within(step, x) for x in ws)]
    return tuple(out + _every_gate(table) + [
        variant("gate-order", *gate_text(gates, order), composed(REFERENCE, order))
                        for order in PERMUTATIONS])


@lru_cache(maxsize=None)
def variants(kind, forget_bias=1.0, gates=FIGO):
    """The known wrong versions of a function of ``kind``, in a layout of gate order ``gates``."""
    if kind == "step_backward":
        return step_backward_variants(forget_bias, gates)
    if kind in ("step_forward", "forward"):
        return tuple(_forward_variant(kind, order, gates) for order in PERMUTATIONS)
    carry = "step t adds the dprev_h of step t+1 to its dh, and takes its dprev_c as dc_next"
    total = "dW = Σ_t, the sum of every step's share"
    loops = [
        variant("not-carried-back", "dprev_h and dprev_c of step t not passed to step t−1",
                carry, partial(loop, carry=(False, False))),
        variant("not-carried-back", "dprev_h of step t not passed to step t−1", carry,
                partial(loop, carry=(False, True))),
        variant("not-carried-back", "dprev_c of step t not passed to step t−1", carry,
                partial(loop, carry=(True, False))),
        variant("not-accumulated", "the weight gradients of step t = 1 only", total,
                partial(loop, keep="last")),
        variant("not-accumulated", "the weight gradients of step t = T only", total,
                partial(loop, keep="first"))]
    return tuple(loops + [Variant(w.id, w.text, partial(loop, cell=w.fn))
                          for w in step_backward_variants(forget_bias, gates)])
