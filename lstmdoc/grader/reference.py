"""What the grader compares with: lstmdoc's own step functions, where called and with what."""

import inspect
from typing import NamedTuple

import numpy as np

from .. import model
from ..cell_backward import (CellGrads, cell_backward, dC_next, dCprojt, dCt, dFt, dHt, dHX,
                             dIt, dOt, db, dW)
from ..output import dBy, dh_output, dlogits, dWy

REFERENCE = {f.__name__: f for f in (dlogits, dWy, dBy, dh_output, dHt, dOt, dCt, dCprojt, dFt,
                                     dIt, dW, db, dHX, dC_next, cell_backward)}
"""lstmdoc's own functions, by name, in the order of the backward pass."""

STEP1 = ("dlogits", "dWy", "dBy", "dh_output")
"""The output layer's functions: called once per example, at t = T."""

# The plain cell's fields: the layer-norm ones (dnorm_gain, dnorm_shift) are None here.
PARTS = {"dHX": ("dx", "dh_prev"), "cell_backward": CellGrads._fields[:11]}
"""The names of what a function returns when it returns several arrays."""


def signature(name):
    """lstmdoc's signature of the step ``name``, e.g. ``"dCt(dh, dc_next, cache)"``."""
    return f"{name}{inspect.signature(REFERENCE[name])}"


class Call(NamedTuple):
    """One call of a step function: where, with what, and lstmdoc's answer."""

    example: str
    T: int
    B: int
    t: int          # 1-based time step
    args: tuple
    expected: tuple  # lstmdoc's result, one array per part


def calls(ex):
    """``{name: [Call]}``: every call lstmdoc's own pass makes on ``ex``, t = T first."""
    p = ex.params
    r = model.run(p, ex.X, ex.target, ex.h0, ex.c0)
    T, B = len(r.caches), ex.X.shape[2]
    dh_T = dh_output(r.dlogits, p.Wy)
    zeros = np.zeros_like(dh_T)
    args = {"dlogits": [(T, (r.probs, ex.target))], "dWy": [(T, (r.dlogits, r.h))],
            "dBy": [(T, (r.dlogits,))], "dh_output": [(T, (r.dlogits, p.Wy))]}
    for k in reversed(range(T)):
        g, cache, t = r.steps[k], r.caches[k], k + 1
        dh_out = dh_T if k == T - 1 else zeros
        dh_next, dc_next = (r.steps[k + 1].dh_prev, r.steps[k + 1].dc_prev) if k < T - 1 \
            else (zeros, zeros)
        da = np.concatenate([g.dFt, g.dIt, g.dCprojt, g.dOt])
        for name, a in (("dHt", (dh_out, dh_next)), ("dOt", (g.dHt, cache)),
                        ("dCt", (g.dHt, dc_next, cache)), ("dCprojt", (g.dCt, cache)),
                        ("dFt", (g.dCt, cache)), ("dIt", (g.dCt, cache)), ("dW", (da, cache)),
                        ("db", (da,)), ("dHX", (da, p.W)), ("dC_next", (g.dCt, cache)),
                        ("cell_backward", (dh_out, dh_next, dc_next, cache, p.W))):
            args.setdefault(name, []).append((t, a))
    return {name: [Call(ex.name, T, B, t, a, parts(name, REFERENCE[name](*a))) for t, a in ts]
            for name, ts in args.items()}


class WrongReturn(Exception):
    """A result that is not what the function must return (type or number of arrays)."""


def parts(name, out):
    """The arrays ``out`` holds, as a tuple in lstmdoc's order (``PARTS``)."""
    names = PARTS.get(name)
    if names is None:
        out = (out,)
    elif isinstance(out, dict) and set(names) <= set(out):
        out = tuple(out[f] for f in names)
    elif all(hasattr(out, f) for f in names):
        out = tuple(getattr(out, f) for f in names)
    elif not isinstance(out, (tuple, list)) or len(out) != len(names):
        raise WrongReturn(f"returned {type(out).__name__}, expected a tuple of {len(names)} "
                          f"arrays ({', '.join(names)})")
    for part in out:
        if not isinstance(part, np.ndarray):
            raise WrongReturn(f"returned {type(part).__name__}, expected a numpy ndarray")
    return tuple(out)
