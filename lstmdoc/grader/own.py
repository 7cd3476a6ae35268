"""lstmdoc's step functions written by you: found by name, called where lstmdoc calls its own."""

from functools import lru_cache, partial

import numpy as np

from ..params import split_gates
from .grading import Graded
from .kinds import FIGO, PERMUTATIONS, gate_text, step_backward_variants
from .mistakes import variant
from .reference import PARTS, REFERENCE, calls, parts, signature
from .variants import step_variants


def _blocks(a, order):
    """``a``'s gate blocks taken in ``order`` (of f, i, g, o)."""
    return np.concatenate([split_gates(a)[k] for k in order])


def wrong_variants(name, forget_bias=1.0):
    """The known wrong versions of lstmdoc's step ``name``: a list of :class:`~.mistakes.Variant`.

    For ``cell_backward``: lstmdoc's own with one step replaced by one of its
    wrong versions, or with the gate blocks of ``da`` stacked in another order.
    """
    if name == "cell_backward":
        return list(step_backward_variants(forget_bias, FIGO))
    out = list(step_variants(forget_bias).get(name, []))
    if name in ("dW", "db"):
        out += [variant("gate-order", *gate_text(FIGO, order),
                        lambda *a, order=order, f=REFERENCE[name]: _blocks(f(*a), order))
                for order in PERMUTATIONS]
    return out


def find(namespace):
    """``{name: function}``: your functions with lstmdoc's step names (lstmdoc's own left out)."""
    return {n: namespace[n] for n in REFERENCE
            if callable(namespace.get(n)) and namespace[n] is not REFERENCE[n]}


def plan(found, examples):
    """``[(Graded, [Call])]``: each function found, with every call lstmdoc's pass makes."""
    forget_bias = examples[0].params.forget_bias
    per_example = [calls(ex, partial(_cached_variants, forget_bias)) for ex in examples]
    return [(Graded(n, fn, PARTS.get(n, (n,)), partial(parts, n),
                    f"lstmdoc's takes {signature(n)[len(n):]}"),
             [c for cs in per_example for c in cs[n]]) for n, fn in found.items()]


@lru_cache(maxsize=None)
def _cached_variants(forget_bias, name):
    """The same tuple for every call of ``name``: the grader compares them by identity."""
    return tuple(wrong_variants(name, forget_bias))
